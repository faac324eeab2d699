/* What the hostile peers share (tools/sim-device/hostile.c toward the harness's in-cse role,
 * tools/ref-in-cse/hostile_in.c toward its field role): their table of switches, and byte
 * generators for CoAP format errors and hand-made DTLS 1.2 records, each sent through a send
 * callback. */
#ifndef M2M_HOSTILE_GEN_H
#define M2M_HOSTILE_GEN_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One hostile switch: its name, the peer's own flags for it, and what it sends. A table ends
 * with a NULL name. */
typedef struct hg_switch { const char *name; unsigned flags; const char *what; } hg_switch;
/* The row of table named name; NULL for a NULL or unknown name. */
const hg_switch *hg_switch_find(const hg_switch *table, const char *name);
/* head, then a line per switch: its name, label(flags) when label is not NULL, what it sends. */
void hg_switch_usage(FILE *f, const hg_switch *table, const char *head, const char *(*label)(unsigned flags));

typedef int (*hg_send_fn)(void *ctx, const uint8_t *b, size_t n);

void hg_put16(uint8_t *b, unsigned v);
void hg_put24(uint8_t *b, unsigned v);
/* The six CoAP format errors of RFC 7252 §3 (option delta 13 cut, delta 15, length 15, an
 * option past the end, a truncated token, token length 9), as messages of the given type
 * and code; the i-th has message id mid + i * mid_step. Returns how many were sent. */
int hg_coap_format_errors(uint8_t type, uint8_t code, uint16_t mid, int mid_step, hg_send_fn send, void *ctx);
/* A DTLS 1.2 record (RFC 6347 §4.1) around body; out needs 13 + blen bytes. */
size_t hg_dtls_record(uint8_t type, unsigned epoch, unsigned seq, const uint8_t *body, size_t blen, uint8_t *out);
/* A DTLS handshake message (RFC 6347 §4.2.2), unfragmented, in a record of epoch 0. */
size_t hg_dtls_handshake(uint8_t msg_type, unsigned msg_seq, unsigned rec_seq, const uint8_t *body, size_t blen,
                         uint8_t *out);
/* Four datagrams that are not DTLS records: text, a cut header, a length past the end, an
 * unknown content type. */
void hg_dtls_garbage(hg_send_fn send, void *ctx);

#endif
