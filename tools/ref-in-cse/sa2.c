/* ref-in-cse: the reverse association SA2 (see sa2.h). */
#include "onem2m/release.h"
#include "sa2.h"
#include "net/coap_ep.h"
#include "net/dtls.h"
#include "net/udp.h"
#include "util/xmem.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ref_sa2 {
    evloop *loop;
    const profile *p;
    udp_sock sock;
    dtls_conn *conn;
    coap_ep *ep;
    cm_link link;
    dtls_psk psk;
    dtls_params dp;
    char *target;   /* the registree's CSE-ID: the RETRIEVE's To */
    char *poa;
    net_addr to;
    uint64_t timer;
    int sent;
};

static int sa2_send(void *ctx, const uint8_t *b, size_t n) { return dtls_send(((ref_sa2 *)ctx)->conn, b, n); }

static void on_response(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)ctx;
    char code[8] = "-";
    if (rsp) cm_code_str(rsp->code, code);
    fprintf(stderr, "ref-in-cse: SA2 retrieve answered %s\n", rsp ? code : reset ? "RST" : "nothing (timeout)");
}

static void on_data(dtls_conn *c, const uint8_t *b, size_t n, void *ctx)
{
    (void)c;
    ref_sa2 *s = ctx;
    coap_ep_input(s->ep, &s->link, b, n);
}

/* Once SA2 is up, one RETRIEVE of the registree's CSE travels over it (TS-0001 §10.2.2.7:
 * requests from the registrar use the reverse association). */
static void on_state(dtls_conn *c, dtls_state st, void *ctx)
{
    ref_sa2 *s = ctx;
    if (st != DTLS_UP || s->sent) {
        if (st != DTLS_UP && st != DTLS_HANDSHAKING)
            fprintf(stderr, "ref-in-cse: SA2 not established: %s\n", dtls_conn_fail_reason(c) ? dtls_conn_fail_reason(c) : "closed");
        return;
    }
    s->sent = 1;
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_RETRIEVE;
    req.to = xstrdup(s->target);
    req.fr = xstrdup(s->p->iut_cse_id ? s->p->iut_cse_id : "/in-cse");
    req.rqi = xstrdup("ref-sa2-retrieve");
    req.rvi = xstrdup(m2m_release_rvi(s->p->release));
    if (m2m_cf_is_xml(s->p->content_format)) req.accept = s->p->content_format;   /* XML profile */
    cm_msg m;
    cm_msg_init(&m);
    m.type = CM_CON;
    if (m2m_request_to_coap(&req, &s->p->options, &m) == 0) coap_ep_request(s->ep, &s->link, &m, on_response, s);
    fprintf(stderr, "ref-in-cse: SA2 up with %s, retrieve %s sent over it\n", dtls_conn_peer(c), s->target);
    cm_msg_free(&m);
    m2m_prim_free(&req);
}

static void start(evloop *l, void *ctx)
{
    ref_sa2 *s = ctx;
    s->timer = 0;
    char err[256];
    dtls_hooks dh = { on_data, on_state, NULL, s };
    s->conn = dtls_client_new(l, &s->sock, &s->to, &s->dp, NULL, dh, err, sizeof err);
    if (!s->conn) fprintf(stderr, "ref-in-cse: SA2: %s\n", err);
    else fprintf(stderr, "ref-in-cse: opening SA2 to %s as %s\n", s->poa, s->psk.identity ? s->psk.identity : "?");
}

ref_sa2 *ref_sa2_open(evloop *l, const profile *p, const m2m_prim *reg, const char *identity, int64_t delay_ns)
{
    char *rr = m2m_prim_field(reg, "pc:m2m:csr/rr");
    char *poa = m2m_prim_field(reg, "pc:m2m:csr/poa/0");
    char *csi = m2m_prim_field(reg, "pc:m2m:csr/csi");
    char host[64];
    int port = 0;
    net_addr to;
    ref_sa2 *s = NULL;
    const char *why = NULL;
    if (!rr || strcmp(rr, "true") != 0) why = "the registree is not request-reachable (rr is not true)";
    else if (!poa || (sscanf(poa, "coaps://%63[^:/[]:%d", host, &port) != 2 &&
                      sscanf(poa, "coaps://[%63[^]]]:%d", host, &port) != 2))
        why = "no poa of the form coaps://address:port";
    else if (net_addr_parse(host, port, &to) < 0) why = "the poa is not an IP address";
    /* Never traffic off this host (DEVELOPERS.md): a loopback poa only. */
    else if (strncmp(host, "127.", 4) != 0 && strcmp(host, "::1") != 0) why = "the poa is not a loopback address";
    if (why) {
        fprintf(stderr, "ref-in-cse: no SA2: %s\n", why);
        goto out;
    }
    s = xcalloc(1, sizeof *s);
    s->loop = l;
    s->p = p;
    s->sock.fd = -1;
    s->target = xstrdup(csi ? csi : reg->fr ? reg->fr : "/");
    s->poa = xstrdup(poa);
    s->to = to;
    char err[256];
    if (udp_bind(&s->sock, host, 0, err, sizeof err) < 0) {
        fprintf(stderr, "ref-in-cse: SA2: %s\n", err);
        ref_sa2_free(s);
        s = NULL;
        goto out;
    }
    /* SA1's credentials (TS-0003 §8.2.1): the PSK the field node used toward us. */
    s->psk = (dtls_psk){ identity ? identity : p->psk_identity, p->psk_key, p->psk_key_len, NULL };
    s->dp.psks = &s->psk;
    s->dp.npsks = 1;
    s->dp.retrans_ms = (unsigned)(p->dtls_retrans_ns / NS_PER_MS);
    s->dp.total_ms = (unsigned)(p->dtls_total_ns / NS_PER_MS);
    coap_params cp = { p->ack_timeout_ns, p->max_retransmit };
    coap_ep_hooks ch = { NULL, NULL, s };
    s->ep = coap_ep_new(l, cp, ch);
    s->link = (cm_link){ sa2_send, s, 1, 2, "" };
    snprintf(s->link.peer, sizeof s->link.peer, "%s", poa);
    if (delay_ns > 0) s->timer = loop_timer_add(l, delay_ns, start, s);
    else start(l, s);
out:
    free(rr);
    free(poa);
    free(csi);
    return s;
}

void ref_sa2_free(ref_sa2 *s)
{
    if (!s) return;
    if (s->timer) loop_timer_cancel(s->loop, s->timer);
    if (s->conn) dtls_client_free(s->conn);
    coap_ep_free(s->ep);
    udp_close(&s->sock);
    free(s->target);
    free(s->poa);
    free(s);
}
