/* See hostile_gen.h. */
#include "hostile_gen.h"
#include <string.h>

const hg_switch *hg_switch_find(const hg_switch *table, const char *name)
{
    for (const hg_switch *h = table; name && h->name; h++)
        if (!strcmp(h->name, name)) return h;
    return NULL;
}

void hg_switch_usage(FILE *f, const hg_switch *table, const char *head, const char *(*label)(unsigned flags))
{
    fputs(head, f);
    for (const hg_switch *h = table; h->name; h++) {
        if (label) fprintf(f, "  %-22s %s: %s\n", h->name, label(h->flags), h->what);
        else fprintf(f, "  %-22s %s\n", h->name, h->what);
    }
}

void hg_put16(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
void hg_put24(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 16); b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)v; }

int hg_coap_format_errors(uint8_t type, uint8_t code, uint16_t mid, int mid_step, hg_send_fn send, void *ctx)
{
    static const uint8_t bad[][12] = {
        { 0x40, 0x01, 0x7a, 0x00, 0xd0 },                   /* option delta 13 with no extension byte */
        { 0x40, 0x01, 0x7a, 0x01, 0xf1, 0x00 },             /* option delta 15 (reserved) */
        { 0x40, 0x01, 0x7a, 0x02, 0xbf, 0x00 },             /* option length 15 (reserved) */
        { 0x40, 0x01, 0x7a, 0x03, 0xba, 'a', 'b' },         /* Uri-Path of 10 bytes, 2 present */
        { 0x48, 0x01, 0x7a, 0x04, 0x01, 0x02, 0x03 },       /* token length 8, 3 bytes present */
        { 0x49, 0x01, 0x7a, 0x05, 1, 2, 3, 4, 5, 6, 7, 8 }, /* token length 9 (reserved) */
    };
    static const size_t len[] = { 5, 6, 6, 7, 7, 12 };
    int n = (int)(sizeof len / sizeof len[0]);
    for (int i = 0; i < n; i++) {
        uint8_t b[12];
        memcpy(b, bad[i], len[i]);
        b[0] = (uint8_t)((b[0] & 0xcf) | (type & 3) << 4);
        b[1] = code;
        hg_put16(b + 2, (unsigned)(uint16_t)(mid + i * mid_step));
        send(ctx, b, len[i]);
    }
    return n;
}

size_t hg_dtls_record(uint8_t type, unsigned epoch, unsigned seq, const uint8_t *body, size_t blen, uint8_t *out)
{
    out[0] = type;
    out[1] = 0xfe; out[2] = 0xfd;
    hg_put16(out + 3, epoch);
    memset(out + 5, 0, 4);
    hg_put16(out + 9, seq);
    hg_put16(out + 11, (unsigned)blen);
    memcpy(out + 13, body, blen);
    return 13 + blen;
}

size_t hg_dtls_handshake(uint8_t msg_type, unsigned msg_seq, unsigned rec_seq, const uint8_t *body, size_t blen,
                         uint8_t *out)
{
    uint8_t hs[12 + 512];
    if (blen > 512) blen = 512;
    hs[0] = msg_type;
    hg_put24(hs + 1, (unsigned)blen);
    hg_put16(hs + 4, msg_seq);
    hg_put24(hs + 6, 0);                 /* fragment offset */
    hg_put24(hs + 9, (unsigned)blen);    /* fragment length */
    memcpy(hs + 12, body, blen);
    return hg_dtls_record(22, 0, rec_seq, hs, 12 + blen, out);
}

void hg_dtls_garbage(hg_send_fn send, void *ctx)
{
    static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: in-cse\r\n\r\n";
    send(ctx, junk, sizeof junk - 1);
    static const uint8_t short_rec[] = { 22, 0xfe, 0xfd, 0, 0 };                   /* cut header */
    send(ctx, short_rec, sizeof short_rec);
    static const uint8_t long_len[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0xff, 1, 2 };
    send(ctx, long_len, sizeof long_len);                                          /* 16383 claimed */
    static const uint8_t bad_type[] = { 99, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0 };
    send(ctx, bad_type, sizeof bad_type);
}
