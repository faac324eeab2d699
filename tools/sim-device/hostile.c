/* sim-device --hostile=NAME: a hostile peer (issue 6). Each switch sends one family of bad
 * input to the harness, outside any association (raw datagrams from a side socket, before
 * the device's own handshake) or inside it (raw CoAP in the established association, before
 * registering); then the device carries on correctly. The harness must record what arrived
 * (msg.rx.malformed with bytes and reason, sae.fail, ...), answer as RFC 7252 says, stay up
 * and write a complete report: harness/tests/e2e/robustness.sh checks each switch. */
#include "hostile.h"
#include "net/coap.h"
#include "onem2m/primitive.h"
#include "util/xmem.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hostile { const char *name; int inside; const char *what; } hostile;
static const hostile hostiles[] = {
    { "coap-malformed", 1, "CoAP format errors in the association: option delta 15, option length 15, "
                           "an option running past the end, a truncated token, token length 9" },
    { "coap-plain-malformed", 0, "the same CoAP format errors as plain CoAP, outside any association" },
    { "coap-bad-elective", 1, "a request with an elective option of a bad length (Content-Format, 3 bytes)" },
    { "coap-unknown-critical", 1, "a CON request with an unknown critical option (65001)" },
    { "oversized", 0, "a plain CoAP CON request of 9000 bytes, more than any MTU" },
    { "duplicates", 1, "one CON request sent three times with the same message id" },
    { "missing-rqi", 1, "a request without the Request Identifier (rqi)" },
    { "missing-rvi", 1, "a request without the Release Version Indicator (rvi)" },
    { "dtls-garbage", 0, "datagrams that are not DTLS records to the DTLS port" },
    { "dtls-out-of-order", 0, "handshake records out of order: Finished, ChangeCipherSpec, epoch-1 data first" },
    { "no-shared-suite", 0, "a ClientHello (cookie echoed) offering only TLS_RSA_WITH_NULL_MD5" },
    { "hello-flood", 0, "200 ClientHellos from one port, none completing" },
    { NULL, 0, NULL },
};

static const hostile *find(const char *name)
{
    for (const hostile *h = hostiles; name && h->name; h++)
        if (!strcmp(h->name, name)) return h;
    return NULL;
}

int hostile_known(const char *name) { return find(name) != NULL; }
int hostile_inside_sa(const char *name) { const hostile *h = find(name); return h && h->inside; }

void hostile_usage(FILE *f)
{
    fputs("hostile switches (--hostile NAME; outside/inside the association):\n", f);
    for (const hostile *h = hostiles; h->name; h++)
        fprintf(f, "  %-22s %s: %s\n", h->name, h->inside ? "inside" : "outside", h->what);
}

typedef int (*send_fn)(void *ctx, const uint8_t *b, size_t n);

/* The CoAP format errors of RFC 7252 §3 that make a message unusable. Each is a CON GET with
 * message id 0x7a00+i, so the harness's RST names which one it rejected. */
static void send_format_errors(send_fn send, void *ctx)
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
    for (size_t i = 0; i < sizeof len / sizeof len[0]; i++) send(ctx, bad[i], len[i]);
}

/* A RETRIEVE of the registrar's CSEBase as an encoded CON, rqi or rvi left out on request,
 * with an optional payload and an optional extra option (num 0 = none). */
static size_t retrieve(const profile *p, int drop_rqi, int drop_rvi, uint16_t mid, const uint8_t *payload,
                       size_t plen, uint16_t num, const uint8_t *val, size_t vlen, uint8_t *buf, size_t cap)
{
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_RETRIEVE;
    req.to = xasprintf("%s/%s", p->harness_cse_id ? p->harness_cse_id : "/in-cse",
                       p->cse_base_name ? p->cse_base_name : "in-name");
    req.fr = xstrdup(p->iut_cse_id ? p->iut_cse_id : "/asn-cse");
    req.rqi = drop_rqi ? NULL : xasprintf("hostile-%04x", mid);
    req.rvi = drop_rvi ? NULL : xstrdup("3");
    cm_msg m;
    cm_msg_init(&m);
    size_t n = 0;
    if (m2m_request_to_coap(&req, &p->options, &m) == 0) {
        m.type = CM_CON;
        m.mid = mid;
        if (payload) cm_msg_set_payload(&m, payload, plen);
        if (num) cm_msg_add_opt(&m, num, val, vlen);
        n = cm_encode(&m, buf, cap);
    }
    cm_msg_free(&m);
    m2m_prim_free(&req);
    return n;
}

void hostile_inside(const char *name, evloop *loop, send_fn send, void *ctx, const profile *p)
{
    uint8_t buf[10000];
    size_t n = 0;
    if (!strcmp(name, "coap-malformed")) {
        send_format_errors(send, ctx);
    } else if (!strcmp(name, "coap-bad-elective")) {
        static const uint8_t cf3[3] = { 0, 0, 50 };   /* Content-Format is 0-2 bytes */
        n = retrieve(p, 0, 0, 0x7b00, NULL, 0, CM_OPT_CONTENT_FORMAT, cf3, sizeof cf3, buf, sizeof buf);
    } else if (!strcmp(name, "coap-unknown-critical")) {
        n = retrieve(p, 0, 0, 0x7b01, NULL, 0, 65001, (const uint8_t *)"x", 1, buf, sizeof buf);
    } else if (!strcmp(name, "duplicates")) {
        n = retrieve(p, 0, 0, 0x7d00, NULL, 0, 0, NULL, 0, buf, sizeof buf);
        for (int i = 0; i < 2 && n; i++) {
            send(ctx, buf, n);
            loop_run_until(loop, mono_now_ns() + 100000000LL, NULL, NULL);
        }
    } else if (!strcmp(name, "missing-rqi") || !strcmp(name, "missing-rvi")) {
        n = retrieve(p, !strcmp(name, "missing-rqi"), !strcmp(name, "missing-rvi"), 0x7e00, NULL, 0, 0, NULL, 0, buf, sizeof buf);
    }
    if (n) send(ctx, buf, n);
    fprintf(stderr, "sim-device: hostile %s: sent in the association\n", name);
    /* let the harness answer before the registration starts */
    loop_run_until(loop, mono_now_ns() + 300000000LL, NULL, NULL);
}

/* ---- outside the association: raw datagrams from a side socket ---- */

typedef struct side { udp_sock s; net_addr peer; } side;

static int side_send(void *ctx, const uint8_t *b, size_t n)
{
    side *sd = ctx;
    return udp_send(&sd->s, b, n, &sd->peer) < 0 ? -1 : 0;
}

/* Waits (bounded) for one datagram; returns its length or -1. */
static ssize_t side_recv(side *sd, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct pollfd pf = { sd->s.fd, POLLIN, 0 };
    if (poll(&pf, 1, timeout_ms) <= 0) return -1;
    net_addr from;
    return udp_recv(&sd->s, buf, cap, &from);
}

static void drain(side *sd, int ms)
{
    uint8_t buf[2048];
    while (side_recv(sd, buf, sizeof buf, ms) >= 0) {}
}

static void put16(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static void put24(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 16); b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)v; }

/* A DTLS 1.2 record (RFC 6347 §4.1) around body. */
static size_t record(uint8_t type, unsigned epoch, unsigned seq, const uint8_t *body, size_t blen, uint8_t *out)
{
    out[0] = type;
    out[1] = 0xfe; out[2] = 0xfd;
    put16(out + 3, epoch);
    memset(out + 5, 0, 4);
    put16(out + 9, seq);
    put16(out + 11, (unsigned)blen);
    memcpy(out + 13, body, blen);
    return 13 + blen;
}

/* A ClientHello record (RFC 6347 §4.2.2) offering the given suites, with the cookie. */
static size_t client_hello(const uint16_t *suites, size_t ns, const uint8_t *cookie, size_t clen,
                           unsigned seq, uint8_t *out)
{
    uint8_t body[512];
    size_t b = 12;
    body[b++] = 0xfe; body[b++] = 0xfd;
    for (int i = 0; i < 32; i++) body[b++] = (uint8_t)rand();
    body[b++] = 0;                       /* session id */
    body[b++] = (uint8_t)clen;
    if (clen) memcpy(body + b, cookie, clen);
    b += clen;
    put16(body + b, (unsigned)(2 * ns));
    b += 2;
    for (size_t i = 0; i < ns; i++, b += 2) put16(body + b, suites[i]);
    body[b++] = 1; body[b++] = 0;        /* compression: null */
    body[0] = 1;                         /* client_hello */
    put24(body + 1, (unsigned)(b - 12));
    put16(body + 4, seq);                /* message_seq */
    put24(body + 6, 0);
    put24(body + 9, (unsigned)(b - 12));
    return record(22, 0, seq, body, b, out);
}

void hostile_outside(const char *name, const char *bind_addr, const char *harness_addr, int coap_port, int coaps_port,
                     const profile *p)
{
    side sd;
    char err[256];
    if (udp_bind(&sd.s, bind_addr, 0, err, sizeof err) < 0) { fprintf(stderr, "sim-device: %s\n", err); return; }
    int plain = !strcmp(name, "coap-plain-malformed") || !strcmp(name, "oversized");
    net_addr_parse(harness_addr, plain ? coap_port : coaps_port, &sd.peer);
    uint8_t out[10000], in[2048];
    size_t n;
    if (!strcmp(name, "oversized")) {
        uint8_t *big = xmalloc(9000);
        memset(big, 'A', 9000);
        n = retrieve(p, 0, 0, 0x7c00, big, 9000, 0, NULL, 0, out, sizeof out);
        free(big);
        if (n) side_send(&sd, out, n);
    } else if (plain) {
        send_format_errors(side_send, &sd);
    } else if (!strcmp(name, "dtls-garbage")) {
        static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: in-cse\r\n\r\n";
        side_send(&sd, junk, sizeof junk - 1);
        static const uint8_t short_rec[] = { 22, 0xfe, 0xfd, 0, 0 };                   /* cut header */
        side_send(&sd, short_rec, sizeof short_rec);
        static const uint8_t long_len[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0xff, 1, 2 };
        side_send(&sd, long_len, sizeof long_len);                                       /* 16383 claimed */
        static const uint8_t bad_type[] = { 99, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0 };
        side_send(&sd, bad_type, sizeof bad_type);
    } else if (!strcmp(name, "dtls-out-of-order")) {
        uint8_t fin[24] = { 20, 0, 0, 12, 0, 5, 0, 0, 0, 0, 0, 12 };                    /* Finished, seq 5 */
        side_send(&sd, out, record(22, 0, 5, fin, sizeof fin, out));
        uint8_t ccs[1] = { 1 };
        side_send(&sd, out, record(20, 0, 6, ccs, 1, out));
        uint8_t app[32] = { 0 };
        side_send(&sd, out, record(23, 1, 1, app, sizeof app, out));
    } else if (!strcmp(name, "no-shared-suite")) {
        uint16_t nul[] = { 0x0001 };
        side_send(&sd, out, client_hello(nul, 1, NULL, 0, 0, out));
        ssize_t r = side_recv(&sd, in, sizeof in, 1000);
        /* HelloVerifyRequest: record(13) + handshake header(12) + version(2) + cookie length */
        if (r > 28 && in[0] == 22 && in[13] == 3 && (size_t)r >= 28 + (size_t)in[27]) {
            side_send(&sd, out, client_hello(nul, 1, in + 28, in[27], 1, out));
            r = side_recv(&sd, in, sizeof in, 1000);
            fprintf(stderr, "sim-device: hostile no-shared-suite: answer %s (type %d)\n",
                    r > 0 ? "received" : "none", r > 0 ? in[0] : -1);
        } else {
            fprintf(stderr, "sim-device: hostile no-shared-suite: no HelloVerifyRequest\n");
        }
    } else if (!strcmp(name, "hello-flood")) {
        uint16_t ccm8[] = { 0xc0a8 };
        for (int i = 0; i < 200; i++) {
            n = client_hello(ccm8, 1, NULL, 0, 0, out);
            side_send(&sd, out, n);
            if (i % 20 == 19) drain(&sd, 0);
        }
    }
    drain(&sd, 200);
    fprintf(stderr, "sim-device: hostile %s: sent outside any association\n", name);
    udp_close(&sd.s);
}
