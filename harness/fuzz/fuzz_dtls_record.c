/* libFuzzer target for the framing check of datagrams the harness's DTLS client receives
 * (harness/net/dtls_check.c, dtls_datagram_problem) and the strict classifier of what
 * arrives on a coaps port (harness/net/dgram_class.c). Invariants: it reads only the given
 * bytes (a heap copy of exactly size bytes, so an over-read shows under ASan); an accepted
 * datagram is a sequence of 13-byte headers with a content type 20..25, version major 0xfe
 * and a length that ends inside it, exactly filling it; a refused one gets a reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/dtls.h"
#include "fuzz_target.h"
#include "net/dgram_class.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (size) memcpy(p, data, size);
    char why[160];
    why[0] = '\0';
    const char *r = dtls_datagram_problem(p, size, why, sizeof why);
    if (r) {
        if (r != why || !why[0] || strlen(why) >= sizeof why) abort();
    } else {
        size_t off = 0;
        if (size == 0) abort();
        while (off < size) {
            if (size - off < 13 || p[off] < 20 || p[off] > 25 || p[off + 1] != 0xfe) abort();
            off += 13 + ((size_t)p[off + 11] << 8 | p[off + 12]);
        }
        if (off != size) abort();
    }
    /* The strict classifier (net/dgram_class.c) is stricter than the framing check: what it
     * calls DTLS is well framed, and what it calls CoAP has version 1. */
    dgram_class dc;
    dgram_kind k = dgram_classify(p, size, &dc);
    if (k == DGRAM_DTLS && (r || !dc.type || !dc.version || dc.records == 0)) abort();
    if (k == DGRAM_COAP && (size < 4 || p[0] >> 6 != 1)) abort();
    uint8_t *q = malloc(size ? size : 1);
    if (size) memcpy(q, p, size);
    size_t m = dtls_strip_handshake_records(q, size);
    if (r) {
        if (m != size || memcmp(p, q, size) != 0) abort();
    } else {
        size_t in = 0, out = 0;
        while (in < size) {   /* the kept records, in order, byte for byte */
            size_t rec = 13 + ((size_t)p[in + 11] << 8 | p[in + 12]);
            if (p[in] != 20 && p[in] != 22) {
                if (out + rec > m || memcmp(p + in, q + out, rec) != 0) abort();
                out += rec;
            }
            in += rec;
        }
        if (out != m) abort();
    }
    free(q);
    free(p);
    return 0;
}
