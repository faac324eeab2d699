/* Order of DTLS handshake messages in a datagram (RFC 6347 §4.2.2: message_seq), for a
 * reference peer's fault that gives up on a message arriving ahead of its predecessor
 * (tools/sim-device, fault reorder-intolerant). Only plaintext (epoch 0) handshake records
 * are read; the rest is skipped. */
#ifndef M2M_DTLS_HSORDER_H
#define M2M_DTLS_HSORDER_H
#include <stddef.h>
#include <stdint.h>

/* *max_seq: the highest message_seq seen so far (-1 at first), updated. Returns 1 when a
 * record in p carries a message_seq beyond *max_seq + 1 (a gap: a message arrived before
 * one it follows), else 0. Never reads past n. */
int dtls_hs_gap(long *max_seq, const uint8_t *p, size_t n);

#endif
