/* Block layout from the pcapng specification (draft-ietf-opsawg-pcapng): every block is
 * type, total length, body padded to 32 bits, total length again; options are code,
 * length, value padded, ended by opt_endofopt. Written in host byte order, which the
 * byte-order magic of the section header announces. */
#include "pcapng.h"
#include "../util/xmem.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#ifndef M2M_VERSION
#define M2M_VERSION "unknown"
#endif

static void put16be(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* The Internet checksum (RFC 1071) over a buffer, continuing from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint8_t *pcapng_ip_udp(const struct sockaddr *src, int sport, const struct sockaddr *dst, int dport,
                       const uint8_t *payload, size_t n, size_t *len)
{
    if (src->sa_family != dst->sa_family || n > 65000) return NULL;
    int v6 = src->sa_family == AF_INET6;
    if (!v6 && src->sa_family != AF_INET) return NULL;
    size_t iph = v6 ? 40 : 20, alen = v6 ? 16 : 4, ulen = 8 + n;
    const uint8_t *sa = v6 ? ((const struct sockaddr_in6 *)(const void *)src)->sin6_addr.s6_addr
                           : (const uint8_t *)&((const struct sockaddr_in *)(const void *)src)->sin_addr;
    const uint8_t *da = v6 ? ((const struct sockaddr_in6 *)(const void *)dst)->sin6_addr.s6_addr
                           : (const uint8_t *)&((const struct sockaddr_in *)(const void *)dst)->sin_addr;
    uint8_t *f = xcalloc(1, iph + ulen);
    if (v6) {
        f[0] = 0x60;
        put16be(f + 4, (unsigned)ulen);
        f[6] = 17;                    /* next header: UDP */
        f[7] = 64;                    /* hop limit */
        memcpy(f + 8, sa, 16);
        memcpy(f + 24, da, 16);
    } else {
        f[0] = 0x45;
        put16be(f + 2, (unsigned)(iph + ulen));
        put16be(f + 6, 0x4000);       /* don't fragment */
        f[8] = 64;
        f[9] = 17;
        memcpy(f + 12, sa, 4);
        memcpy(f + 16, da, 4);
        put16be(f + 10, csum_fold(csum_add(0, f, 20)));
    }
    uint8_t *u = f + iph;
    put16be(u, (unsigned)sport);
    put16be(u + 2, (unsigned)dport);
    put16be(u + 4, (unsigned)ulen);
    memcpy(u + 8, payload, n);
    /* UDP checksum over the pseudo-header (addresses, protocol, length) and the datagram. */
    uint32_t sum = csum_add(0, sa, alen);
    sum = csum_add(sum, da, alen);
    sum += 17 + (uint32_t)ulen;
    uint16_t c = csum_fold(csum_add(sum, u, ulen));
    put16be(u + 6, c ? c : 0xffff);   /* 0 would mean "no checksum" */
    *len = iph + ulen;
    return f;
}

int pcapng_presented_port(const uint8_t *p, size_t n, int real_port)
{
    if (n >= 13 && p[0] >= 20 && p[0] <= 25 && p[1] == 0xfe) return 5684;
    if (n >= 4 && (p[0] >> 6) == 1) return 5683;
    return real_port;
}

static void add32(strbuf *b, uint32_t v) { sb_addn(b, (const char *)&v, 4); }
static void add16(strbuf *b, uint16_t v) { sb_addn(b, (const char *)&v, 2); }

static void pad4(strbuf *b)
{
    static const char zero[4];
    if (b->len % 4) sb_addn(b, zero, 4 - b->len % 4);
}

static void add_opt(strbuf *b, uint16_t code, const void *v, size_t n)
{
    if (n > 0xfff0) n = 0xfff0;
    add16(b, code);
    add16(b, (uint16_t)n);
    sb_addn(b, v, n);
    pad4(b);
}

static void end_opts(strbuf *b) { add32(b, 0); }

/* Wraps body (already padded) as one block and writes it. */
static int put_block(FILE *f, uint32_t type, const strbuf *body)
{
    uint32_t total = (uint32_t)(12 + body->len);
    return fwrite(&type, 4, 1, f) == 1 && fwrite(&total, 4, 1, f) == 1 &&
           (body->len == 0 || fwrite(body->s, body->len, 1, f) == 1) &&
           fwrite(&total, 4, 1, f) == 1 ? 0 : -1;
}

int pcapng_write(FILE *f, const char *keylog, const pcapng_pkt *pkts, size_t n)
{
    strbuf b;
    sb_init(&b);
    int rc = 0;
    /* Section header: byte-order magic, version 1.0, section length unknown (-1). */
    add32(&b, 0x1A2B3C4Du);
    add16(&b, 1);
    add16(&b, 0);
    int64_t unknown = -1;
    sb_addn(&b, (const char *)&unknown, 8);
    const char *app = "m2m-harness " M2M_VERSION;
    add_opt(&b, 4, app, strlen(app));             /* shb_userappl */
    end_opts(&b);
    rc |= put_block(f, PCAPNG_BT_SHB, &b);
    b.len = 0;
    /* One interface: raw IP, no snap limit, microsecond timestamps (the default). */
    add16(&b, (uint16_t)PCAPNG_LINKTYPE_RAW);
    add16(&b, 0);
    add32(&b, 0);
    const char *ifname = "m2m-harness UDP layer";
    add_opt(&b, 2, ifname, strlen(ifname));       /* if_name */
    end_opts(&b);
    rc |= put_block(f, PCAPNG_BT_IDB, &b);
    if (keylog && *keylog) {
        b.len = 0;
        size_t kl = strlen(keylog);
        add32(&b, PCAPNG_SECRETS_TLS);
        add32(&b, (uint32_t)kl);
        sb_addn(&b, keylog, kl);
        pad4(&b);
        rc |= put_block(f, PCAPNG_BT_DSB, &b);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const pcapng_pkt *p = &pkts[i];
        b.len = 0;
        uint64_t ts = (uint64_t)(p->ts_us > 0 ? p->ts_us : 0);
        add32(&b, 0);                             /* interface id */
        add32(&b, (uint32_t)(ts >> 32));
        add32(&b, (uint32_t)ts);
        add32(&b, (uint32_t)p->len);
        add32(&b, (uint32_t)p->len);
        sb_addn(&b, (const char *)p->frame, p->len);
        pad4(&b);
        if (p->comment) {
            add_opt(&b, 1, p->comment, strlen(p->comment));   /* opt_comment */
            end_opts(&b);
        }
        rc |= put_block(f, PCAPNG_BT_EPB, &b);
    }
    sb_free(&b);
    return rc;
}
