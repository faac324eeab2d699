/* See dtls.h dtls_datagram_problem: the DTLS record layer's framing (RFC 6347 §4.1), checked
 * before GnuTLS silently drops what it cannot use, so the evidence says what arrived. */
#include "dtls.h"
#include <stdio.h>
#include <string.h>

const char *dtls_datagram_problem(const uint8_t *p, size_t n, char *buf, size_t len)
{
    if (n == 0) { snprintf(buf, len, "empty datagram"); return buf; }
    for (size_t off = 0; off < n;) {
        size_t left = n - off;
        if (left < 13) {
            snprintf(buf, len, "not a DTLS record: header cut at offset %zu (%zu of 13 bytes)", off, left);
            return buf;
        }
        if (p[off] < 20 || p[off] > 25) {
            snprintf(buf, len, "not a DTLS record: content type %u at offset %zu", p[off], off);
            return buf;
        }
        if (p[off + 1] != 0xfe) {
            snprintf(buf, len, "not a DTLS record: version %u.%u at offset %zu", p[off + 1], p[off + 2], off);
            return buf;
        }
        size_t rl = (size_t)p[off + 11] << 8 | p[off + 12];
        if (rl > left - 13) {
            snprintf(buf, len, "DTLS record at offset %zu claims %zu bytes, %zu follow", off, rl, left - 13);
            return buf;
        }
        off += 13 + rl;
    }
    return NULL;
}

size_t dtls_strip_handshake_records(uint8_t *p, size_t n)
{
    char why[160];
    if (dtls_datagram_problem(p, n, why, sizeof why)) return n;   /* GnuTLS judges those */
    size_t out = 0;
    for (size_t off = 0; off < n;) {
        size_t rec = 13 + ((size_t)p[off + 11] << 8 | p[off + 12]);
        if (p[off] != 20 && p[off] != 22) {   /* ChangeCipherSpec, Handshake */
            memmove(p + out, p + off, rec);
            out += rec;
        }
        off += rec;
    }
    return out;
}
