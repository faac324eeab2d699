/* ref-in-cse --plain-only=rst|silent: an IN-CSE that speaks oneM2M over plain CoAP only, as
 * the open-source CSEs do: no DTLS on any port. A datagram on its CoAP port that is not CoAP
 * version 1 (a DTLS record: its first byte 0x16 reads as version 0) gets a CoAP RST (rst: 4
 * bytes, code 0.00, the message id of bytes 2..3, RFC 7252 §4.3) or nothing (silent: an RFC
 * 7252 §3 stack drops it). It registers a field CSE over plain CoAP (plain Mcc accepted) and
 * AEs on Mca; what it refuses in content is the registrar's (strict: mandatory attributes).
 * --not-ready-ms=N: for N ms after binding every CoAP request gets 4.00 Bad Request without a
 * oneM2M answer, as a CSE that holds its port before it serves.
 * ref-in-cse --profile F --probe-cse PORT: one RETRIEVE of the profile's CSEBase over plain
 * CoAP; exit 0 when the oneM2M layer answered (a response with oneM2M-RSC), 1 otherwise
 * (4.00 without RSC, RST, silence for 500 ms): the harness repeats it until its ready-timeout. */
#ifndef REF_PLAIN_ONLY_H
#define REF_PLAIN_ONLY_H
#include "net/node.h"
#include "model/profile.h"
#include <stdint.h>

typedef struct ref_plain ref_plain;

/* Takes over the reading of n's plain port (node_listen_plain done): filters DTLS records
 * (rst = answer them with an RST) and answers 4.00 until not_ready_ms have passed. */
ref_plain *ref_plain_only(node *n, int rst, int64_t not_ready_ms);
void ref_plain_free(ref_plain *rp);

/* The readiness probe above; returns the exit status. */
int ref_plain_probe(const profile *p, const char *addr, int port);

#endif
