/* sim-device --hostile=NAME: a hostile peer. Each switch sends one family of bad
 * input to the harness, outside any association (raw datagrams from a side socket, before
 * the device's own handshake) or inside it (raw CoAP in the established association, before
 * registering); then the device carries on correctly. The harness must record what arrived
 * (msg.rx.malformed with bytes and reason, sae.fail, ...), answer as RFC 7252 says, stay up
 * and write a complete report: harness/tests/e2e/robustness.sh checks each switch. */
#include "hostile.h"
#include "onem2m/release.h"
#include "../common/hostile_gen.h"
#include "net/coap.h"
#include "onem2m/primitive.h"
#include "util/xmem.h"
#include "util/timeutil.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HOSTILE_INSIDE = 1u };   /* sent inside the association, else outside any */
static const hg_switch hostiles[] = {
    { "coap-malformed", HOSTILE_INSIDE, "CoAP format errors in the association: option delta 15, option length 15, "
                           "an option running past the end, a truncated token, token length 9" },
    { "coap-plain-malformed", 0, "the same CoAP format errors as plain CoAP, outside any association" },
    { "coap-bad-elective", HOSTILE_INSIDE, "a request with an elective option of a bad length (Content-Format, 3 bytes)" },
    { "coap-unknown-critical", HOSTILE_INSIDE, "a CON request with an unknown critical option (65001)" },
    { "oversized", 0, "a plain CoAP CON request of 9000 bytes, more than any MTU" },
    { "duplicates", HOSTILE_INSIDE, "one CON request sent three times with the same message id" },
    { "missing-rqi", HOSTILE_INSIDE, "a request without the Request Identifier (rqi)" },
    { "missing-rvi", HOSTILE_INSIDE, "a request without the Release Version Indicator (rvi)" },
    { "dtls-garbage", 0, "datagrams that are not DTLS records to the DTLS port" },
    { "dtls-out-of-order", 0, "handshake records out of order: Finished, ChangeCipherSpec, epoch-1 data first" },
    { "no-shared-suite", 0, "a ClientHello (cookie echoed) offering only TLS_RSA_WITH_NULL_MD5" },
    { "hello-flood", 0, "200 ClientHellos from one port, none completing" },
    { NULL, 0, NULL },
};

int hostile_known(const char *name) { return hg_switch_find(hostiles, name) != NULL; }
int hostile_inside_sa(const char *name)
{
    const hg_switch *h = hg_switch_find(hostiles, name);
    return h && (h->flags & HOSTILE_INSIDE);
}

static const char *inside_label(unsigned flags) { return flags & HOSTILE_INSIDE ? "inside" : "outside"; }

void hostile_usage(FILE *f)
{
    hg_switch_usage(f, hostiles, "hostile switches (--hostile NAME; outside/inside the association):\n", inside_label);
}

typedef int (*send_fn)(void *ctx, const uint8_t *b, size_t n);

/* The CoAP format errors of RFC 7252 §3 that make a message unusable (hostile_gen.c). Each
 * is a CON GET with message id 0x7a00+i, so the harness's RST names which one it rejected. */
static void send_format_errors(send_fn send, void *ctx)
{
    hg_coap_format_errors(CM_CON, CM_GET, 0x7a00, 1, send, ctx);
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
    req.rvi = drop_rvi ? NULL : xstrdup(m2m_release_rvi(p->release));
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
            loop_run_until(loop, mono_now_ns() + 100 * NS_PER_MS, NULL, NULL);
        }
    } else if (!strcmp(name, "missing-rqi") || !strcmp(name, "missing-rvi")) {
        n = retrieve(p, !strcmp(name, "missing-rqi"), !strcmp(name, "missing-rvi"), 0x7e00, NULL, 0, 0, NULL, 0, buf, sizeof buf);
    }
    if (n) send(ctx, buf, n);
    fprintf(stderr, "sim-device: hostile %s: sent in the association\n", name);
    /* let the harness answer before the registration starts */
    loop_run_until(loop, mono_now_ns() + 300 * NS_PER_MS, NULL, NULL);
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

/* A ClientHello record (RFC 6347 §4.2.2) offering the given suites, with the cookie. */
static size_t client_hello(const uint16_t *suites, size_t ns, const uint8_t *cookie, size_t clen,
                           unsigned seq, uint8_t *out)
{
    uint8_t body[512];
    size_t b = 0;
    body[b++] = 0xfe; body[b++] = 0xfd;
    for (int i = 0; i < 32; i++) body[b++] = (uint8_t)rand();
    body[b++] = 0;                       /* session id */
    body[b++] = (uint8_t)clen;
    if (clen) memcpy(body + b, cookie, clen);
    b += clen;
    hg_put16(body + b, (unsigned)(2 * ns));
    b += 2;
    for (size_t i = 0; i < ns; i++, b += 2) hg_put16(body + b, suites[i]);
    body[b++] = 1; body[b++] = 0;        /* compression: null */
    return hg_dtls_handshake(1, seq, seq, body, b, out);   /* client_hello */
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
        hg_dtls_garbage(side_send, &sd);
    } else if (!strcmp(name, "dtls-out-of-order")) {
        uint8_t fin[24] = { 20, 0, 0, 12, 0, 5, 0, 0, 0, 0, 0, 12 };                    /* Finished, seq 5 */
        side_send(&sd, out, hg_dtls_record(22, 0, 5, fin, sizeof fin, out));
        uint8_t ccs[1] = { 1 };
        side_send(&sd, out, hg_dtls_record(20, 0, 6, ccs, 1, out));
        uint8_t app[32] = { 0 };
        side_send(&sd, out, hg_dtls_record(23, 1, 1, app, sizeof app, out));
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
