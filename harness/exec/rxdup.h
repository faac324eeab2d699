/* Duplicate messages from the IUT (RFC 7252 §4.5): remembers the last datagrams received
 * per (peer, type, message id) and says whether a repeat is byte-identical to the first, so
 * a test can demand that a duplicate CON gets the same response (R-BIND-05). */
#ifndef M2M_RXDUP_H
#define M2M_RXDUP_H
#include <stddef.h>
#include <stdint.h>

typedef struct rxdup rxdup;

rxdup *rxdup_new(void);
void rxdup_free(rxdup *r);
/* Notes one received message (a CON with a code, or an ACK, empty or not): NULL the first time this peer used
 * this type and message id (within the last few messages), else "identical" or "different"
 * against the first one. */
const char *rxdup_note(rxdup *r, const char *peer, int type, uint16_t mid, const uint8_t *raw, size_t n);

#endif
