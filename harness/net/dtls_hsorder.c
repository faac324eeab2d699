#include "dtls_hsorder.h"

int dtls_hs_gap(long *max_seq, const uint8_t *p, size_t n)
{
    int gap = 0;
    size_t off = 0;
    /* record: type(1) version(2) epoch(2) sequence(6) length(2), then the fragment */
    while (n - off >= 13) {
        const uint8_t *r = p + off;
        size_t len = (size_t)r[11] << 8 | r[12];
        if (len > n - off - 13) break;
        /* handshake in epoch 0: msg_type(1) length(3) message_seq(2) ... */
        if (r[0] == 22 && r[3] == 0 && r[4] == 0 && len >= 6) {
            long seq = (long)r[17] << 8 | r[18];
            if (seq > *max_seq + 1) gap = 1;
            if (seq > *max_seq) *max_seq = seq;
        }
        off += 13 + len;
    }
    return gap;
}
