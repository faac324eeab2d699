/* Hex encoding of byte strings (keys, SPKI digests, datagrams in reports). */
#ifndef M2M_HEX_H
#define M2M_HEX_H
#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of n bytes into a new string. */
char *hex_encode(const uint8_t *p, size_t n);
/* Parses hex (even length, either case); returns -1 on bad input. */
int hex_decode(const char *hex, uint8_t **out, size_t *outlen);

#endif
