#include "wire.h"
#include "../net/coap_ep.h"
#include "../enrol/mef.h"
#include "../enrol/mef_client.h"
#include "../enrol/field_enrol.h"
#include "rxdup.h"
#include "../net/dtls.h"
#include "../net/dgram_class.h"
#include "../net/udp.h"
#include "../net/link.h"
#include "../util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A peer seen on the plain port, or an association on the coaps port: each is a CoAP link. */
typedef struct peer_link {
    struct wire *w;
    cm_link link;
    net_addr addr;       /* plain peers */
    dtls_conn *conn;     /* secure peers */
    udp_sock *own_sock;  /* associations the harness opened as client: the socket this link owns */
    dtls_psk psk;        /* ... and the credential and parameters they were opened with */
    dtls_params dp;
    int old_epoch;       /* field role: dropped by the harness (1), its socket reused since (2) */
    int shared_sock;     /* own_sock belongs to the dropped link before it (a rebooted node) */
    int dtls_seen;       /* a DTLS record from the IUT arrived on this association (dtls.rx) */
    struct peer_link *next;
} peer_link;

struct wire {
    evloop *loop;
    const profile *p;
    timeline *tl;
    udp_sock plain, secure;
    dtls_psk psk[2];     /* the profile's identity, and its alias (profile <psk alias>) */
    uint8_t *psk_key;    /* the key the harness accepts: the profile's, or a wrong one */
    char *psk_identity;
    char priority[512];
    dtls_params dp;
    dtls_server *dsrv;
    coap_ep *ep;
    registrar *reg;
    peer_link *links;
    int peer_seen;
    int net_controlled;      /* the harness raises the link itself (exec/netns.h) */
    unsigned reverse_count, assoc_count;
    dtls_rpk_pin *rpk_pins;   /* the IUT keys the harness accepts (RFC 7250) */
    mef_config mef_cfg;      /* the harness as MEF when the profile has <mef> (exec/mef.h) */
    mef *mef;
    mef_enrolment men;       /* role field: the harness's own enrolment (it is the enrolee) */
    const tc_harness *h;     /* the test's variations (field_enrol.h) */
    int iut_mef_port;        /* <mef at="iut">: the IUT's MEF (field_enrol.h) */
    int enrol_interrupt;     /* <drop-associations of="mef"/> there: the next enrolment is dropped */
    unsigned enrol_count;
    wire_responder responder;
    void *responder_ctx;
    rxdup *dups;             /* repeated messages from the IUT: dup=identical|different */
    int srv_dtls_seen;       /* a DTLS record arrived on the harness's coaps port (dtls.rx) */
    unsigned notdtls_count;  /* net.notdtls events recorded (capped) */
    int control_assoc;       /* the association being opened is the positive control: the
                              * profile's credential, suites and versions (WIRE_CRED_PROFILE) */
};

static int plain_send(void *ctx, const uint8_t *buf, size_t n)
{
    peer_link *pl = ctx;
    return udp_send(&pl->w->plain, buf, n, &pl->addr) < 0 ? -1 : 0;
}

static int secure_send(void *ctx, const uint8_t *buf, size_t n)
{
    peer_link *pl = ctx;
    return dtls_send(pl->conn, buf, n);
}

/* A record in the epoch of an association the harness dropped (<send secure="old">). */
static int old_send(void *ctx, const uint8_t *buf, size_t n)
{
    peer_link *pl = ctx;
    return dtls_send_anyway(pl->conn, buf, n);
}

static peer_link *link_add(wire *w, int secure, const char *peer)
{
    peer_link *pl = xcalloc(1, sizeof *pl);
    pl->w = w;
    pl->link.ctx = pl;
    pl->link.secure = secure;
    pl->link.send = secure ? secure_send : plain_send;
    snprintf(pl->link.peer, sizeof pl->link.peer, "%s", peer);
    pl->next = w->links;
    w->links = pl;
    return pl;
}

static void note_peer(wire *w, const char *peer)
{
    if (w->peer_seen) return;
    w->peer_seen = 1;
    if (link_current() || w->net_controlled) return;   /* under link control net.up is the harness's own step */
    /* Without link control the harness can only infer connectivity from the first datagram. */
    timeline_add(w->tl, "net.up", peer, "inferred", "first-datagram", (char *)NULL);
}

static void add_prim_attrs(tl_event *e, const m2m_prim *pr)
{
    char num[24];
    if (!pr->is_response) {
        tl_event_set(e, "op", m2m_op_name(pr->op));
        tl_event_set(e, "to", pr->to);
        tl_event_set(e, "fr", pr->fr);
        if (pr->ty) { snprintf(num, sizeof num, "%d", pr->ty); tl_event_set(e, "ty", num); }
    } else if (pr->rsc) {
        snprintf(num, sizeof num, "%d", pr->rsc);
        tl_event_set(e, "rsc", num);
    }
    tl_event_set(e, "rqi", pr->rqi);
    tl_event_set(e, "rvi", pr->rvi);
    if (pr->pc) tl_event_set(e, "pc", pr->pc);
    /* the serialization in use (10001 JSON, 10014 XML) and what a request accepts */
    if (pr->cf >= 0) { snprintf(num, sizeof num, "%d", pr->cf); tl_event_set(e, "cf", num); }
    if (pr->accept >= 0) { snprintf(num, sizeof num, "%d", pr->accept); tl_event_set(e, "accept", num); }
}

/* A response the harness's CoAP layer must not take as the answer to any request: its token
 * matches none sent on that link (RFC 7252 §5.3.2), or it carries an unrecognized critical
 * option (§5.4.1: rejected). Marked rejected=REASON, which <expect> <message> never matches. */
static void note_rejected(const coap_ep *ep, const cm_link *link, const cm_msg *m, const m2m_optmap *map, tl_event *e)
{
    char why[120];
    unsigned crit = m2m_unknown_critical(m, map);
    if (!coap_ep_rsp_known(ep, link, m))
        snprintf(why, sizeof why, "its token matches no request sent (RFC 7252 5.3.2)");
    else if (crit)
        snprintf(why, sizeof why, "unrecognized critical option %u in a response (RFC 7252 5.4.1)", crit);
    else
        return;
    tl_event_set(e, "rejected", why);
}

static void on_wire(coap_ep *ep, const cm_link *link, int tx, const uint8_t *raw, size_t n,
                    const cm_msg *m, int rc, const cm_defects *d, int xok, const char *xwhy, void *ctx)
{
    wire *w = ctx;
    if (!tx) note_peer(w, link->peer);
    char sa[16];
    snprintf(sa, sizeof sa, "%u", link->sa);
    if (rc < 0 || (d && d->n)) {
        strbuf why;
        sb_init(&why);
        for (size_t i = 0; d && i < d->n; i++)
            sb_addf(&why, "%s@%zu: %s", i ? "; " : "", d->d[i].offset, d->d[i].reason);
        char *hex = hex_encode(raw, n > 512 ? 512 : n);
        timeline_add(w->tl, tx ? "msg.tx.malformed" : "msg.rx.malformed", link->peer,
                     "secure", link->secure ? "true" : "false", "fatal", rc < 0 ? "true" : "false",
                     "reason", why.s ? why.s : "", "bytes", hex, (char *)NULL);
        free(hex);
        sb_free(&why);
    }
    if (!tx && !xok)
        timeline_add(w->tl, "msg.rx.xcheck", link->peer, "reason", xwhy, (char *)NULL);
    if (rc < 0) return;
    char code[8], mid[8], tok[20];
    cm_code_str(m->code, code);
    snprintf(mid, sizeof mid, "%u", m->mid);
    char *th = hex_encode(m->token, m->tkl);
    snprintf(tok, sizeof tok, "%s", th);
    free(th);
    tl_event *e = timeline_add(w->tl, tx ? "msg.tx" : "msg.rx", link->peer,
                               "secure", link->secure ? "true" : "false", "sa", link->secure ? sa : NULL,
                               "type", cm_type_name(m->type), "code", code, "mid", mid,
                               "token", m->tkl ? tok : NULL, (char *)NULL);
    /* an empty ACK too: under separate responses it is what a duplicate CON gets again */
    if (!tx && (m->type == CM_ACK || (m->type == CM_CON && m->code != CM_EMPTY)))
        tl_event_set(e, "dup", rxdup_note(w->dups, link->peer, m->type, m->mid, raw, n));
    if (m->code == CM_EMPTY) return;
    if (!tx && (m->code >> 5) >= 2) note_rejected(ep, link, m, &w->p->options, e);
    m2m_prim pr;
    m2m_prim_init(&pr);
    char problems[512] = "";
    if (m2m_from_coap(m, &w->p->options, &pr, problems, sizeof problems) == 0)
        add_prim_attrs(e, &pr);
    if (problems[0]) tl_event_set(e, "problems", problems);
    /* How a response was carried (RFC 7252 §5.2): in the ACK of its request, or in a CON or
     * NON of its own; tests that only care that it came match response="any". */
    if ((m->code >> 5) >= 2) tl_event_set(e, "response", m->type == CM_ACK ? "piggybacked" : "separate");
    m2m_prim_free(&pr);
}

static sa_info sa_of(const cm_link *link)
{
    sa_info sa = { 0 };
    sa.secure = link->secure;
    sa.sa = link->sa;
    if (link->secure) {
        const peer_link *pl = link->ctx;
        sa.identity = dtls_conn_identity(pl->conn);
        sa.bound_id = dtls_conn_bound_id(pl->conn);
    }
    return sa;
}

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    wire *w = ctx;
    m2m_prim pr, rsp;
    m2m_prim_init(&pr);
    m2m_prim_init(&rsp);
    char problems[512] = "";
    cm_msg out;
    cm_msg_init(&out);
    int bad_critical = m2m_unknown_critical(req, &w->p->options) != 0;
    if (bad_critical && req->type != CM_CON) {   /* a NON with one is rejected: no answer (§5.4.1) */
        m2m_prim_free(&pr);
        return;
    }
    if (bad_critical || m2m_from_coap(req, &w->p->options, &pr, problems, sizeof problems) < 0) {
        /* 4.02 Bad Option for an unrecognised critical option in a CON (RFC 7252 §5.4.1);
         * 4.00 for what is not a primitive at all */
        out.code = bad_critical ? CM_CODE(4, 2) : CM_CODE(4, 0);
        coap_ep_respond(ep, link, req, &out);
        cm_msg_free(&out);
        m2m_prim_free(&pr);
        return;
    }
    const tl_event *ev = w->tl->n ? &w->tl->ev[w->tl->n - 1] : NULL;
    int overridden = w->responder && ev && w->responder(ev, &pr, &rsp, w->responder_ctx);
    if (!overridden) {
        sa_info sa = sa_of(link);
        registrar_handle(w->reg, &pr, &sa, &rsp, w->tl, link->peer);
    }
    if (m2m_response_to_coap(&rsp, &w->p->options, &out) == 0)
        coap_ep_respond(ep, link, req, &out);
    cm_msg_free(&out);
    m2m_prim_free(&rsp);
    m2m_prim_free(&pr);
}

static void plain_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)l; (void)fd; (void)revents;
    wire *w = ctx;
    /* The largest UDP payload: a smaller buffer would silently cut an oversized datagram and
     * the evidence would show a message the peer never sent. One loop, one caller: static. */
    static uint8_t buf[65536];
    for (int i = 0; i < 64; i++) {
        net_addr from;
        ssize_t n = udp_recv(&w->plain, buf, sizeof buf, &from);
        if (n < 0) return;
        peer_link *pl = w->links;
        for (; pl; pl = pl->next)
            if (!pl->link.secure && net_addr_equal(&pl->addr, &from)) break;
        if (!pl) {
            char peer[64];
            net_addr_str(&from, peer, sizeof peer);
            pl = link_add(w, 0, peer);
            pl->addr = from;
        }
        coap_ep_input(w->ep, &pl->link, buf, (size_t)n);
    }
}

static peer_link *link_for_conn(wire *w, dtls_conn *c)
{
    for (peer_link *pl = w->links; pl; pl = pl->next)
        if (pl->conn == c) return pl;
    peer_link *pl = link_add(w, 1, dtls_conn_peer(c));
    pl->conn = c;
    pl->link.sa = dtls_conn_number(c);
    return pl;
}

static void on_dtls_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    wire *w = ctx;
    coap_ep_input(w->ep, &link_for_conn(w, c)->link, p, n);
}

/* The evidence of what the IUT speaks on a coaps port (net/dgram_class.h): a datagram that is
 * DTLS by a strict reading is dtls.rx (every handshake, alert and ChangeCipherSpec datagram;
 * application data only as the first evidence, so the timeline does not double), anything
 * else net.notdtls with what it was (a CoAP RST, another CoAP message, garbage). side is the
 * harness's side of the association; sa its number on the client side, 0 on the server. */
#define NOTDTLS_MAX 16
static void note_coaps_dgram(wire *w, const char *peer, const char *side, unsigned sa, int *seen,
                             const uint8_t *p, size_t n)
{
    dgram_class dc;
    char san[16], recs[16];
    snprintf(san, sizeof san, "%u", sa);
    if (dgram_classify(p, n, &dc) == DGRAM_DTLS) {
        if (*seen && !strcmp(dc.type, "appdata")) return;
        *seen = 1;
        snprintf(recs, sizeof recs, "%u", dc.records);
        timeline_add(w->tl, "dtls.rx", peer, "side", side, "sa", sa ? san : NULL, "type", dc.type, "hs", dc.hs,
                     "alert", dc.alert, "version", dc.version, "records", recs, (char *)NULL);
        return;
    }
    if (w->notdtls_count >= NOTDTLS_MAX) return;
    w->notdtls_count++;
    char *hex = hex_encode(p, n > 24 ? 24 : n);
    snprintf(recs, sizeof recs, "%zu", n);
    timeline_add(w->tl, "net.notdtls", peer, "side", side, "sa", sa ? san : NULL, "port", "coaps", "what", dc.what,
                 "type", dc.coap_type, "code", dc.kind == DGRAM_COAP ? dc.code : NULL, "length", recs, "bytes", hex,
                 (char *)NULL);
    free(hex);
}

static void on_dtls_datagram(const char *peer, const uint8_t *p, size_t n, void *ctx)
{
    wire *w = ctx;
    note_peer(w, peer);
    note_coaps_dgram(w, peer, "server", 0, &w->srv_dtls_seen, p, n);
}

/* The same for an association the harness opened as client (ctx: its link). */
static void on_client_datagram(const char *peer, const uint8_t *p, size_t n, void *ctx)
{
    peer_link *pl = ctx;
    note_peer(pl->w, peer);
    note_coaps_dgram(pl->w, peer, "client", pl->link.sa, &pl->dtls_seen, p, n);
}

static void on_client_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    (void)c;
    peer_link *pl = ctx;
    coap_ep_input(pl->w->ep, &pl->link, p, n);
}

/* The credential the harness accepts in this test: the profile's, or a deliberately wrong
 * key (every byte inverted: same length, never equal), or no key for the IUT's identity. */
static void setup_psk(wire *w, const profile *p, const tc_harness *h)
{
    w->psk_key = xmalloc(p->psk_key_len ? p->psk_key_len : 1);
    if (p->psk_key_len) memcpy(w->psk_key, p->psk_key, p->psk_key_len);   /* none: a profile without PSK */
    if (h && h->psk == TC_PSK_WRONG_KEY)
        for (size_t i = 0; i < p->psk_key_len; i++) w->psk_key[i] ^= 0xff;
    if (h && h->psk == TC_PSK_UNKNOWN_IDENTITY) w->psk_identity = xstrdup("no-such-identity@m2m-harness.invalid");
    else if (h && h->psk == TC_PSK_OTHER_ISSUER && p->psk_identity)   /* same relative part, other issuer */
        w->psk_identity = xasprintf("%.*s@other-issuer.m2m-harness.invalid",
                                    (int)strcspn(p->psk_identity, "@"), p->psk_identity);
    else w->psk_identity = xstrdup(p->psk_identity);
    w->psk[0] = (dtls_psk){ w->psk_identity, w->psk_key, p->psk_key_len,
                            p->iut_cse_id ? p->iut_cse_id : p->iut_ae_id };
    w->psk[1] = w->psk[0];
    w->psk[1].identity = p->psk_alias;
}

/* Raw public keys: the harness's key (or a variant's), and the IUT keys it pins — the
 * variant's pins when it has its own (a test that wants the IUT's key to be unknown). */
static void setup_rpk(wire *w, const profile *p, const tc_harness *h)
{
    const struct profile_cert_variant *v = h && h->certificate ? profile_cert_variant(p, h->certificate) : NULL;
    w->dp.rpk_pub_file = v ? v->cert : p->rpk_pub;
    w->dp.rpk_key_file = v ? v->key : p->rpk_key;
    const struct profile_rpk_pin *pins = v && v->npins ? v->pins : p->rpk_pins;
    size_t n = v && v->npins ? v->npins : p->nrpk_pins;
    w->rpk_pins = xcalloc(n ? n : 1, sizeof *w->rpk_pins);
    for (size_t i = 0; i < n; i++)
        w->rpk_pins[i] = (dtls_rpk_pin){ pins[i].id, pins[i].spki_sha256, pins[i].pub };
    w->dp.rpk_pins = w->rpk_pins;
    w->dp.nrpk_pins = n;
}

wire *wire_open(evloop *l, const profile *p, const tc_harness *h, timeline *tl, char *err, size_t errlen)
{
    wire *w = xcalloc(1, sizeof *w);
    w->loop = l;
    w->p = p;
    w->tl = tl;
    w->plain.fd = w->secure.fd = -1;
    w->dups = rxdup_new();
    const char *addr = p->harness_address ? p->harness_address : "127.0.0.1";
    if (udp_bind(&w->plain, addr, p->listen_coap, err, errlen) < 0 ||
        udp_bind(&w->secure, addr, p->listen_coaps, err, errlen) < 0) {
        wire_close(w);
        return NULL;
    }
    setup_psk(w, p, h);
    if (h && (h->nsuites || h->nversions)) {
        if (dtls_priority_for(h->suites, h->nsuites, h->versions, h->nversions, w->priority,
                              sizeof w->priority, err, errlen) < 0) {
            wire_close(w);
            return NULL;
        }
        w->dp.priority = w->priority;
    }
    if (p->x509_cert) {
        const struct profile_cert_variant *v = h && h->certificate ? profile_cert_variant(p, h->certificate) : NULL;
        w->dp.cert_file = v ? v->cert : p->x509_cert;
        w->dp.key_file = v ? v->key : p->x509_key;
        w->dp.trust_file = p->x509_trust;
        w->dp.peer_cert_id = p->x509_iut_identity;
        w->dp.peer_bound_id = p->iut_cse_id ? p->iut_cse_id : p->iut_ae_id;
    }
    if (p->rpk_pub) setup_rpk(w, p, h);
    w->dp.psks = w->psk;
    w->dp.npsks = !p->psk_identity ? 0 : p->psk_alias && !(h && (h->psk == TC_PSK_UNKNOWN_IDENTITY || h->psk == TC_PSK_OTHER_ISSUER)) ? 2 : 1;
    w->dp.psk_hint = p->psk_hint;
    w->dp.retrans_ms = (unsigned)(p->dtls_retrans_ns / 1000000);
    w->dp.total_ms = (unsigned)(p->dtls_total_ns / 1000000);
    w->h = h;
    if (p->mef && p->mef->at_iut) w->iut_mef_port = field_enrol_pick_port(p);
    else if (p->mef) {   /* remote provisioning: a KeID is accepted once its enrolment is done */
        if (mef_config_from_profile(p, &w->mef_cfg, err, errlen) < 0 ||
            !(w->mef = mef_open(l, &w->mef_cfg, tl, err, errlen))) {
            wire_close(w);
            return NULL;
        }
        w->dp.psk_lookup = mef_psk_lookup;
        w->dp.psk_lookup_ctx = w->mef;
    }
    dtls_hooks dh = { on_dtls_data, NULL, on_dtls_datagram, w };
    w->dsrv = dtls_server_new(l, &w->secure, &w->dp, tl, dh, err, errlen);
    if (!w->dsrv) {
        wire_close(w);
        return NULL;
    }
    coap_params cp = { p->ack_timeout_ns, p->max_retransmit };
    coap_ep_hooks ch = { on_wire, on_request, w };
    w->ep = coap_ep_new(l, cp, ch);
    w->reg = registrar_new(p->harness_cse_id, p->cse_base_name, p->release);
    loop_add_fd(l, w->plain.fd, plain_readable, w);
    return w;
}

void wire_close(wire *w)
{
    if (!w) return;
    if (w->plain.fd >= 0) loop_del_fd(w->loop, w->plain.fd);
    for (peer_link *pl = w->links; pl; pl = pl->next)
        if (pl->conn && dtls_conn_state(pl->conn) == DTLS_UP) dtls_close(pl->conn);
    coap_ep_free(w->ep);
    dtls_server_free(w->dsrv);
    mef_close(w->mef);
    registrar_free(w->reg);
    for (peer_link *pl = w->links, *n; pl; pl = n) {
        n = pl->next;
        if (pl->own_sock) {   /* newest first: a link sharing a socket goes before its owner */
            dtls_client_free(pl->conn);
            if (!pl->shared_sock) udp_close(pl->own_sock);
            if (!pl->shared_sock) free(pl->own_sock);
        }
        free(pl);
    }
    udp_close(&w->plain);
    udp_close(&w->secure);
    if (w->psk_key) memset(w->psk_key, 0, w->p->psk_key_len);
    free(w->psk_key);
    free(w->psk_identity);
    free(w->rpk_pins);
    rxdup_free(w->dups);
    free(w);
}

/* The positive control of a refused handshake: what the profile gives, without the test's
 * <harness> variations (its suites and versions, a certificate or raw-key variant). */
static void control_params(const wire *w, dtls_params *dp)
{
    const profile *p = w->p;
    dp->priority = NULL;
    if (p->x509_cert) {
        dp->cert_file = p->x509_cert;
        dp->key_file = p->x509_key;
    }
    if (p->rpk_pub) {
        dp->rpk_pub_file = p->rpk_pub;
        dp->rpk_key_file = p->rpk_key;
    }
}

/* The harness as DTLS client toward `to` on a socket of its own, offering psk with the
 * test's suites and versions (w->dp) and the IUT's host name as SNI; its events carry
 * side=client and sa=number. */
static int open_client(wire *w, const net_addr *to, const char *label, dtls_psk psk, unsigned number,
                       int reuse, char *err, size_t errlen)
{
    peer_link *old = NULL;   /* reuse: after <drop-associations/>, from the same address and port */
    for (peer_link *q = w->links; reuse && q && !old; q = q->next)
        if (q->old_epoch == 1) old = q;
    peer_link *pl = link_add(w, 1, label);
    if (old) {
        pl->own_sock = old->own_sock;
        pl->shared_sock = 1;
        old->old_epoch = 2;
    } else {
        pl->own_sock = xcalloc(1, sizeof *pl->own_sock);
        pl->own_sock->fd = -1;
        if (udp_bind(pl->own_sock, w->p->harness_address ? w->p->harness_address : "127.0.0.1", 0, err, errlen) < 0)
            return -1;
    }
    pl->psk = psk;
    pl->dp = w->dp;
    if (w->control_assoc) control_params(w, &pl->dp);
    pl->dp.psks = &pl->psk;
    pl->dp.npsks = 1;
    pl->dp.sni = w->p->iut_host;
    pl->dp.client_number = number;
    dtls_hooks h = { on_client_data, NULL, on_client_datagram, pl };   /* a handshake answer shows the peer */
    if (link_current()) link_add_sock_any(link_current(), pl->own_sock);   /* under link control too */
    pl->conn = dtls_client_new(w->loop, pl->own_sock, to, &pl->dp, w->tl, h, err, errlen);
    if (!pl->conn) return -1;
    if (old) dtls_client_set_shadow(pl->conn, old->conn);   /* answers in the old epoch show */
    pl->link.sa = dtls_conn_number(pl->conn);
    snprintf(pl->link.peer, sizeof pl->link.peer, "%s", dtls_conn_peer(pl->conn));
    return 0;
}

static int open_association(wire *w, int second_registree, char *err, size_t errlen);

int wire_open_reverse(wire *w, const char *poa, char *err, size_t errlen)
{
    char host[256];
    int port = 0;
    int ok = poa && (sscanf(poa, "coaps://[%255[^]]]:%d", host, &port) == 2 ||
                     sscanf(poa, "coaps://%255[^:/[]:%d", host, &port) == 2);
    if (!ok || port <= 0 || port > 65535) {
        snprintf(err, errlen, "point of access '%s' is not coaps://address:port", poa ? poa : "");
        return -1;
    }
    net_addr to;
    if (net_addr_parse(host, port, &to) < 0) {
        snprintf(err, errlen, "point of access '%s': not an IP address (no name resolution here)", poa);
        return -1;
    }
    /* SA1's credentials (TS-0003 §8.2.1): the profile's, under the identity SA1 was set up
     * with when that was the profile's alias */
    dtls_psk psk = { w->p->psk_identity, w->p->psk_key, w->p->psk_key_len, NULL };
    for (peer_link *pl = w->links; pl && w->p->psk_alias; pl = pl->next) {
        const char *id = pl->conn && !pl->own_sock ? dtls_conn_identity(pl->conn) : NULL;
        if (id && !strcmp(id, w->p->psk_alias)) psk.identity = w->p->psk_alias;
    }
    return open_client(w, &to, poa, psk, 101 + w->reverse_count++, 0, err, errlen);
}

int wire_open_association(wire *w, int cred, char *err, size_t errlen)
{
    w->control_assoc = cred == WIRE_CRED_PROFILE;
    int r = open_association(w, cred == WIRE_CRED_SECOND, err, errlen);
    w->control_assoc = 0;
    return r;
}

static int open_association(wire *w, int second_registree, char *err, size_t errlen)
{
    const profile *p = w->p;
    const profile_registree *second = p->second_registree;
    if (second_registree && !second) {
        snprintf(err, errlen, "the profile has no second registree credential (a second <psk cse-id=...>)");
        return -1;
    }
    net_addr to;
    if (!p->iut_address || p->iut_coaps_port <= 0 || net_addr_parse(p->iut_address, p->iut_coaps_port, &to) < 0) {
        snprintf(err, errlen, "the profile gives no IUT address and coaps-port to connect to");
        return -1;
    }
    char label[64];
    net_addr_str(&to, label, sizeof label);
    /* The test's credential: the profile's, a wrong key or an unknown identity (setup_psk);
     * the profile's own for the positive control. */
    dtls_psk psk = w->psk[0];
    if (w->control_assoc) psk = (dtls_psk){ p->psk_identity, p->psk_key, p->psk_key_len, w->psk[0].bound_id };
    if (second_registree) {   /* another registree CSE: its own identity and key, as the profile gives them */
        psk = (dtls_psk){ second->psk_identity, second->psk_key, second->psk_key_len, w->psk[0].bound_id };
    } else if (p->mef && p->mef->at_iut) {
        /* The IUT's MEF: enrol as enrolee, then present KeID with the key derived here. An
         * enrolment that does not finish leaves no association to open (prov.fail side=client),
         * unless the harness interrupted it: then it presents the half-enrolled KeID. */
        /* A finished enrolment is reused until the test interrupts the next one or discards it
         * (enrol="again"): the enrolee enrols again only when it has no KeID (R-FLOW-05), so an
         * expired KeID, or one of a former service provider, is presented. */
        int rc = w->men.keid[0] && !w->men.half && !w->enrol_interrupt ? 0
                 : field_enrol_iut(w->loop, p, w->control_assoc ? NULL : w->h, w->iut_mef_port, w->enrol_interrupt, ++w->enrol_count, w->tl,
                                   &w->men, err, errlen);
        w->enrol_interrupt = 0;
        if (w->men.mef_heard) {   /* the IUT's MEF answered: the IUT is reachable, whatever came of it */
            char mef_peer[64];
            snprintf(mef_peer, sizeof mef_peer, "%s:%d", p->iut_address, w->iut_mef_port);
            note_peer(w, mef_peer);
        }
        if (rc < 0) return -1;
        if (rc == 1 && !w->men.half) return 0;
        psk = (dtls_psk){ w->men.keid, w->men.key, sizeof w->men.key, p->harness_cse_id };
    } else if (w->mef && p->role && !strcmp(p->role, "field")) {
        /* Remote provisioning, role field: the harness enrols with its own MEF first, then
         * presents KeID with the derived key; the IUT (enrolment target) must fetch it from
         * the MEF (R-ENR-07). */
        if (mef_enrol(w->loop, "127.0.0.1", p->harness_address ? p->harness_address : "127.0.0.1", mef_port(w->mef),
                      p, NULL, &w->men, err, errlen) < 0)
            return -1;
        psk = (dtls_psk){ w->men.keid, w->men.key, sizeof w->men.key, p->harness_cse_id };
    }
    return open_client(w, &to, label, psk, 1 + w->assoc_count++, 1, err, errlen);
}

int wire_close_associations(wire *w)
{
    int n = 0;
    for (peer_link *pl = w->links; pl; pl = pl->next)
        if (pl->conn && dtls_conn_state(pl->conn) == DTLS_UP) {
            dtls_close(pl->conn);
            n++;
        }
    return n;
}

int wire_drop_associations(wire *w)
{
    int n = 0, field = w->p->role && !strcmp(w->p->role, "field");
    for (peer_link *pl = w->links; pl; pl = pl->next) {
        if (!pl->conn || dtls_conn_state(pl->conn) != DTLS_UP || (pl->own_sock && !field)) continue;
        dtls_forget(pl->conn);
        n++;
        if (!pl->own_sock) continue;
        /* Field role: the harness is the node that lost its state. Its keys stay aside for
         * <send secure="old">; the next association runs on the same socket (open_client). */
        dtls_client_release_socket(pl->conn);
        pl->old_epoch = 1;
        pl->link.send = old_send;
    }
    return n;
}

void wire_forget_registrations(wire *w)
{
    registrar_free(w->reg);
    w->reg = registrar_new(w->p->harness_cse_id, w->p->cse_base_name, w->p->release);
    timeline_add(w->tl, "reg.forgotten", NULL, "reason", "the registrar lost its state", (char *)NULL);
}

udp_sock *wire_socket(wire *w, int secure) { return secure ? &w->secure : &w->plain; }
evloop *wire_loop(wire *w) { return w->loop; }

int wire_client_sockets(wire *w, udp_sock **out, int max)
{
    int n = 0;
    for (peer_link *pl = w->links; pl && n < max; pl = pl->next)
        if (pl->own_sock) out[n++] = pl->own_sock;
    return n;
}

void wire_set_responder(wire *w, wire_responder fn, void *ctx)
{
    w->responder = fn;
    w->responder_ctx = ctx;
}

int wire_coap_port(const wire *w) { return udp_port(&w->plain); }
int wire_coaps_port(const wire *w) { return udp_port(&w->secure); }
int wire_mef_port(const wire *w) { return w->mef ? mef_port(w->mef) : w->iut_mef_port; }
void wire_discard_enrolment(wire *w)
{
    explicit_bzero(&w->men, sizeof w->men);
}

int wire_mef_interrupt(wire *w)
{
    if (w->iut_mef_port) {   /* the IUT's MEF: the harness, as enrolee, drops the next session */
        w->enrol_interrupt = 1;
        return 0;
    }
    if (!w->mef) return -1;
    mef_interrupt(w->mef);
    return 0;
}
void wire_set_net_controlled(wire *w) { w->net_controlled = 1; }
int wire_peer_seen(const wire *w) { return w->peer_seen || (w->mef && mef_heard(w->mef)); }   /* the MEF's peer too */

static void on_send_response(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)rsp; (void)reset; (void)ctx;   /* the response is in the timeline as msg.rx */
}

int wire_send_request(wire *w, const m2m_prim *req, const wire_send_opts *o, char *err, size_t errlen)
{
    int secure = o->secure;
    peer_link *target = NULL;
    for (peer_link *pl = w->links; pl; pl = pl->next) {
        if (secure == 2 && pl->old_epoch) { target = pl; break; }   /* secure="old" */
        if (secure == 2 || pl->link.secure != secure) continue;
        if (secure && dtls_conn_state(pl->conn) != DTLS_UP) continue;
        target = pl;     /* newest first */
        break;
    }
    if (!target && !secure && w->p->iut_address && w->p->iut_coap_port > 0) {
        char peer[64];
        net_addr a;
        if (net_addr_parse(w->p->iut_address, w->p->iut_coap_port, &a) == 0) {
            net_addr_str(&a, peer, sizeof peer);
            target = link_add(w, 0, peer);
            target->addr = a;
        }
    }
    if (!target) {
        snprintf(err, errlen, "no %s link to the IUT to send on",
                 secure == 2 ? "dropped (old-epoch)" : secure ? "security association" : "plain CoAP");
        return -1;
    }
    cm_msg m;
    cm_msg_init(&m);
    m.type = o->non ? CM_NON : CM_CON;
    if (m2m_request_to_coap(req, &w->p->options, &m) < 0) {
        snprintf(err, errlen, "the request cannot be mapped to CoAP");
        cm_msg_free(&m);
        return -1;
    }
    if (o->onum) cm_msg_add_opt(&m, o->onum, o->oval, o->olen);
    int r = coap_ep_request(w->ep, &target->link, &m, on_send_response, NULL);
    /* The same message again (same message id, token, bytes): each copy a new DTLS record,
     * so the IUT's CoAP layer, not DTLS replay protection, has to see the duplicate. */
    uint8_t buf[2048];
    size_t n = r == 0 && o->repeat > 1 ? cm_encode(&m, buf, sizeof buf) : 0;
    for (int i = 1; n && i < o->repeat; i++)
        if (coap_ep_send_raw(w->ep, &target->link, buf, n) < 0) r = -1;
    cm_msg_free(&m);
    if (r < 0) snprintf(err, errlen, "sending failed");
    return r;
}
