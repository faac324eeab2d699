/* ref-in-cse --hostile=NAME: a hostile IN-CSE toward the harness in role field.
 * The response switches answer every request inside the association (oversized: on the
 * plain port) with one family of bad CoAP; the DTLS switches replace the DTLS server with
 * one that answers ClientHellos with garbage, a malformed ServerHello, endless
 * HelloVerifyRequests, a fatal alert, or nothing. The harness must record what arrived
 * (msg.rx.malformed with bytes and reason, sae.fail), judge the test that received it, stay
 * up and write a complete report: harness/tests/e2e/robustness_field.sh checks each switch.
 * The bytes come from tools/common/hostile_gen.c, shared with sim-device --hostile. */
#include "hostile_in.h"
#include "../common/hostile_gen.h"
#include <stdlib.h>
#include <string.h>

/* HOSTILE_DTLS: replaces the DTLS server; HOSTILE_OWN: sends instead of the answer (else
 * changes it, or sends before it) */
enum { HOSTILE_DTLS = 1u, HOSTILE_OWN = 2u };
static const hg_switch hostiles[] = {
    { "coap-malformed", 0, "each response preceded by six CoAP format errors (RFC 7252 §3) as ACKs of its message id" },
    { "coap-truncated", HOSTILE_OWN, "each response cut inside its token, and nothing else" },
    { "coap-bad-elective", 0, "each response with a Content-Format of 3 bytes (an elective option of a bad length)" },
    { "coap-unknown-critical", 0, "each response with an unknown critical option (65001)" },
    { "missing-rsc", 0, "each response without the oneM2M-RSC option" },
    { "missing-rqi", 0, "each response without the Request Identifier (rqi)" },
    { "token-mismatch", HOSTILE_OWN, "instead of each response: an ACK and a CON with the right rqi and a token that matches nothing" },
    { "duplicates", HOSTILE_OWN, "each response sent three times" },
    { "oversized", HOSTILE_OWN, "each plain CoAP response with a payload of 9000 bytes, more than any MTU" },
    { "dtls-garbage", HOSTILE_DTLS, "each ClientHello answered with datagrams that are not DTLS records" },
    { "bad-server-hello", HOSTILE_DTLS, "each ClientHello answered with a ServerHello whose session id runs past its end" },
    { "hvr-loop", HOSTILE_DTLS, "each ClientHello answered with a HelloVerifyRequest with a new cookie, forever" },
    { "alert", HOSTILE_DTLS, "each ClientHello answered with a fatal handshake_failure alert" },
    { "silence", HOSTILE_DTLS, "the DTLS port reads every datagram and answers none" },
    { NULL, 0, NULL },
};

int hostile_in_known(const char *name) { return hg_switch_find(hostiles, name) != NULL; }
int hostile_in_dtls(const char *name)
{
    const hg_switch *h = hg_switch_find(hostiles, name);
    return h && (h->flags & HOSTILE_DTLS);
}

void hostile_in_usage(FILE *f) { hg_switch_usage(f, hostiles, "hostile switches (--hostile NAME):\n", NULL); }

/* ---- the DTLS server replaced ---- */

typedef struct dserv { udp_sock *s; const char *name; unsigned rec_seq, hellos; net_addr to; } dserv;

static int dsend(void *ctx, const uint8_t *b, size_t n)
{
    dserv *d = ctx;
    return udp_send(d->s, b, n, &d->to) < 0 ? -1 : 0;
}

static void answer_hello(dserv *d, unsigned msg_seq)
{
    uint8_t body[64], out[128];
    size_t n = 0;
    if (!strcmp(d->name, "dtls-garbage")) {
        hg_dtls_garbage(dsend, d);
    } else if (!strcmp(d->name, "bad-server-hello")) {
        memset(body, 0, sizeof body);
        body[0] = 0xfe; body[1] = 0xfd;             /* server_version DTLS 1.2 */
        for (int i = 2; i < 34; i++) body[i] = (uint8_t)rand();
        body[34] = 200;                             /* session_id of 200 bytes; 4 follow */
        n = hg_dtls_handshake(2, msg_seq, d->rec_seq++, body, 39, out);
    } else if (!strcmp(d->name, "hvr-loop")) {
        body[0] = 0xfe; body[1] = 0xff;             /* RFC 6347 §4.2.1: DTLS 1.0 in HVR */
        body[2] = 16;
        for (int i = 3; i < 19; i++) body[i] = (uint8_t)rand();
        n = hg_dtls_handshake(3, msg_seq, d->rec_seq++, body, 19, out);
    } else if (!strcmp(d->name, "alert")) {
        static const uint8_t fatal_hs_failure[2] = { 2, 40 };
        n = hg_dtls_record(21, 0, d->rec_seq++, fatal_hs_failure, 2, out);
    }
    if (n) dsend(d, out, n);
}

static void dserv_readable(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)fd; (void)ev;
    dserv *d = ctx;
    uint8_t buf[2048];
    for (int i = 0; i < 64; i++) {
        ssize_t n = udp_recv(d->s, buf, sizeof buf, &d->to);
        if (n < 0) return;
        /* a ClientHello: handshake record, msg_type 1 (RFC 6347 §4.1, §4.2.2) */
        if (n < 25 || buf[0] != 22 || buf[13] != 1) continue;
        d->hellos++;
        /* said first: the harness may stop this process as soon as the answer arrives */
        fprintf(stderr, "ref-in-cse: hostile %s: ClientHello %u %s\n", d->name, d->hellos,
                strcmp(d->name, "silence") ? "answered" : "not answered");
        answer_hello(d, (unsigned)(buf[17] << 8 | buf[18]));
    }
}

void hostile_in_dtls_serve(evloop *loop, udp_sock *s, const char *name)
{
    static dserv d;   /* one per process, for its lifetime */
    d.s = s;
    d.name = name;
    loop_add_fd(loop, s->fd, dserv_readable, &d);
}

/* ---- responses ---- */

static void drop_opt(cm_msg *m, uint16_t num)
{
    size_t k = 0;
    for (size_t i = 0; i < m->nopts; i++) {
        if (m->opts[i].num == num) free(m->opts[i].val);
        else m->opts[k++] = m->opts[i];
    }
    m->nopts = k;
}

/* out as the piggybacked answer to req (what coap_ep_respond would send), encoded. */
static size_t encode_answer(const cm_msg *req, cm_msg *out, uint8_t *buf, size_t cap)
{
    out->ver = 1;
    out->tkl = req->tkl;
    memcpy(out->token, req->token, req->tkl);
    out->type = req->type == CM_CON ? CM_ACK : CM_NON;
    out->mid = req->mid;
    return cm_encode(out, buf, cap);
}

int hostile_in_respond(const char *name, const cm_link *l, const cm_msg *req, cm_msg *out, const m2m_optmap *opts)
{
    const hg_switch *h = hg_switch_find(hostiles, name);
    if (!h || (h->flags & HOSTILE_DTLS) || (!strcmp(name, "oversized") ? l->secure : !l->secure)) return 0;
    uint8_t buf[10000];
    size_t n = 0;
    int sent = (h->flags & HOSTILE_OWN) != 0;
    /* said first: the harness may stop this process as soon as the answer arrives */
    fprintf(stderr, "ref-in-cse: hostile %s: response to mid %u%s\n", name, req->mid,
            sent ? "" : " (then the answer)");
    if (!strcmp(name, "coap-malformed")) {
        hg_coap_format_errors(CM_ACK, CM_CODE(2, 5), req->mid, 0, l->send, l->ctx);
    } else if (!strcmp(name, "coap-truncated")) {
        n = encode_answer(req, out, buf, sizeof buf);
        if (req->tkl < 2) buf[0] = (uint8_t)((buf[0] & 0xf0) | 8);   /* claim 8 token bytes */
        if (n > 5) n = 4 + (req->tkl < 2 ? 1 : req->tkl / 2u);       /* header, half the token */
    } else if (!strcmp(name, "coap-bad-elective")) {
        static const uint8_t cf3[3] = { 0, 0x27, 0x11 };   /* 10001 in 3 bytes: Content-Format is 0-2 */
        drop_opt(out, CM_OPT_CONTENT_FORMAT);
        cm_msg_add_opt(out, CM_OPT_CONTENT_FORMAT, cf3, sizeof cf3);
    } else if (!strcmp(name, "coap-unknown-critical")) {
        cm_msg_add_opt(out, 65001, "x", 1);
    } else if (!strcmp(name, "missing-rsc") || !strcmp(name, "missing-rqi")) {
        drop_opt(out, opts->num[!strcmp(name, "missing-rsc") ? M2M_OPT_RSC : M2M_OPT_RQI]);
    } else if (!strcmp(name, "token-mismatch")) {
        encode_answer(req, out, buf, sizeof buf);
        out->tkl = 4;
        memcpy(out->token, "\xde\xad\xbe\xef", 4);
        if (req->tkl == 4 && !memcmp(req->token, out->token, 4)) out->token[0] ^= 1;
        n = cm_encode(out, buf, sizeof buf);
        if (n) l->send(l->ctx, buf, n);                        /* an ACK of the request, another token */
        out->type = CM_CON;
        out->mid = (uint16_t)(req->mid ^ 0x5555);
        out->token[1] ^= 1;
        n = cm_encode(out, buf, sizeof buf);                    /* a separate response to nothing */
    } else if (!strcmp(name, "duplicates")) {
        n = encode_answer(req, out, buf, sizeof buf);
        for (int i = 0; i < 2 && n; i++) l->send(l->ctx, buf, n);
    } else if (!strcmp(name, "oversized")) {
        char *big = malloc(9000);
        if (big) memset(big, 'A', 9000);
        if (big) cm_msg_set_payload(out, big, 9000);
        free(big);
        n = encode_answer(req, out, buf, sizeof buf);
    }
    if (n) l->send(l->ctx, buf, n);
    return sent;
}
