/* The wire, its shared part: every datagram in and out becomes a timeline event with its
 * decoded primitive, the requests the harness sends, the accessors and the test's link. The
 * harness's listening side is wire_in.c, the associations it opens as client wire_field.c. */
#include "wire_int.h"
#include "../util/xmem.h"
#include "../util/hex.h"
#include "../net/dgram_class.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wire_note_peer(wire *w, const char *peer)
{
    if (w->peer_seen) return;
    w->peer_seen = 1;
    if (w->link || w->net_controlled) return;   /* under link control net.up is the harness's own step */
    /* Without link control the harness can only infer connectivity from the first datagram. */
    timeline_add(w->tl, "net.up", peer, "inferred", "first-datagram", (char *)NULL);
}

/* The Location-Path of a response read as a `to` is read from Uri-Path (TS-0008 §6.2.2.3:
 * "~" an SP-relative address, "_" an absolute one), so a test compares it with the
 * addresses it sends; NULL without Location-Path. */
static char *location_of(const cm_msg *m)
{
    char **segs = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < m->nopts; i++) {
        if (m->opts[i].num != CM_OPT_LOCATION_PATH) continue;
        xgrow((void **)&segs, &cap, n + 1, sizeof *segs);
        segs[n++] = xstrndup(m->opts[i].len ? (const char *)m->opts[i].val : "", m->opts[i].len);
    }
    char *to = n ? m2m_uri_path_to_to(segs, n) : NULL;
    m2m_uri_path_free(segs, n);
    return to;
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
    /* the serialization in use (10001 or 50 JSON, 10014 or 41 XML) and what a request accepts */
    if (pr->cf >= 0) { snprintf(num, sizeof num, "%d", pr->cf); tl_event_set(e, "cf", num); }
    if (pr->accept >= 0) { snprintf(num, sizeof num, "%d", pr->accept); tl_event_set(e, "accept", num); }
}

/* The Accept of the request the harness sent to peer with that token, or NULL. */
static const char *accept_asked(const timeline *tl, const char *peer, const char *token)
{
    for (size_t i = tl->n; token && i-- > 0;) {
        const tl_event *e = &tl->ev[i];
        const char *t = tl_event_get(e, "token");
        if (!strcmp(e->name, "msg.tx") && t && !strcmp(t, token) && e->peer && !strcmp(e->peer, peer))
            return tl_event_get(e, "accept");
    }
    return NULL;
}

/* Content from the IUT in a Content-Format the profile does not accept (<coap
 * accept-formats>) nor the request asked for (Accept) is a problem of its message, not
 * content to read as if it were one. */
static void note_format(const wire *w, const tl_event *e, const m2m_prim *pr, char *problems, size_t plen)
{
    if (!pr->pc || !pr->pclen || pr->cf < 0) return;
    const profile *p = w->p;
    char cf[16];
    snprintf(cf, sizeof cf, "%d", pr->cf);
    const char *asked = pr->is_response ? accept_asked(w->tl, e->peer, tl_event_get(e, "token")) : NULL;
    if (asked && !strcmp(asked, cf)) return;
    strbuf ok;
    sb_init(&ok);
    for (size_t i = 0; i < p->naccept_formats; i++) {
        if (p->accept_formats[i] == pr->cf) { sb_free(&ok); return; }
        sb_addf(&ok, "%s%d", i ? ", " : "", p->accept_formats[i]);
    }
    size_t n = strlen(problems);   /* one line per problem, as the decoder writes them */
    snprintf(problems + n, plen - n, "Content-Format %d is not one the profile accepts (%s)\n", pr->cf, ok.s ? ok.s : "");
    sb_free(&ok);
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

void wire_on_wire(coap_ep *ep, const cm_link *link, int tx, const uint8_t *raw, size_t n,
                  const cm_msg *m, int rc, const cm_defects *d, int xok, const char *xwhy, void *ctx)
{
    wire *w = ctx;
    if (!tx) wire_note_peer(w, link->peer);
    char sa[16];
    snprintf(sa, sizeof sa, "%u", link->sa);
    if (rc < 0 || (d && d->n)) {
        strbuf why;
        sb_init(&why);
        for (size_t i = 0; d && i < d->n; i++)
            sb_addf(&why, "%s@%zu: %s", i ? "; " : "", d->d[i].offset, d->d[i].reason);
        char *hex = hex_encode(raw, n > 512 ? 512 : n), hmid[8];
        /* the Message ID when the header is there: what a matching RST must echo (RFC 7252 §4.2) */
        snprintf(hmid, sizeof hmid, "%u", n >= 4 ? (unsigned)(raw[2] << 8 | raw[3]) : 0u);
        timeline_add(w->tl, tx ? "msg.tx.malformed" : "msg.rx.malformed", link->peer,
                     "secure", link->secure ? "true" : "false", "fatal", rc < 0 ? "true" : "false",
                     "reason", why.s ? why.s : "", "bytes", hex, "mid", n >= 4 ? hmid : NULL, (char *)NULL);
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
    /* what the IUT sends in an association carries the identity bound to it: which of the
     * IUT's credentials (identities) it came under */
    const node_peer *np = !tx && link->secure ? node_peer_of(link) : NULL;
    if (np && np->conn && dtls_conn_bound_id(np->conn)) tl_event_set(e, "bound_id", dtls_conn_bound_id(np->conn));
    /* an empty ACK too: under separate responses it is what a duplicate CON gets again */
    if (!tx && (m->type == CM_ACK || (m->type == CM_CON && m->code != CM_EMPTY)))
        tl_event_set(e, "dup", rxdup_note(w->dups, link->peer, m->type, m->mid, raw, n));
    if (m->code == CM_EMPTY) return;
    if (!tx && (m->code >> 5) >= 2) note_rejected(ep, link, m, &w->p->options, e);
    m2m_prim pr;
    m2m_prim_init(&pr);
    char problems[512] = "";
    if (m2m_from_coap(m, &w->p->options, &pr, problems, sizeof problems) == 0) {
        add_prim_attrs(e, &pr);
        if (pr.is_response) {
            char *loc = location_of(m);
            if (loc) tl_event_set(e, "location", loc);
            free(loc);
        } else {
            /* an empty oneM2M-TY too: TS-0004 Table 7.2.1.1-1 has Resource Type only in a CREATE */
            uint16_t ty = w->p->options.num[M2M_OPT_TY];
            tl_event_set(e, "ty_option", ty && cm_msg_find_opt(m, ty, 0) ? "true" : "false");
        }
        if (!tx) note_format(w, e, &pr, problems, sizeof problems);
    }
    if (problems[0]) tl_event_set(e, "problems", problems);
    /* How a response was carried (RFC 7252 §5.2): in the ACK of its request, or in a CON or
     * NON of its own; tests that only care that it came match response="any". */
    if ((m->code >> 5) >= 2) tl_event_set(e, "response", m->type == CM_ACK ? "piggybacked" : "separate");
    m2m_prim_free(&pr);
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

/* Every datagram on a coaps socket: the server's (pr NULL) or an association the harness
 * opened as client. */
void wire_on_datagram(node_peer *pr, const char *peer, const uint8_t *p, size_t n, void *ctx)
{
    wire *w = ctx;
    wire_note_peer(w, peer);
    if (pr) note_coaps_dgram(w, peer, "client", pr->link.sa, &pr->rx_dtls, p, n);
    else note_coaps_dgram(w, peer, "server", 0, &w->srv_dtls_seen, p, n);
}

net_link *wire_link(wire *w, int attach)
{
    if (w->link || !attach) return w->link;
    w->link = xcalloc(1, sizeof *w->link);
    link_init(w->link, w->tl, 1);
    link_set_loop(w->link, w->loop);
    node_set_link(w->node, w->link);
    return w->link;
}

void wire_set_responder(wire *w, wire_responder fn, void *ctx)
{
    w->responder = fn;
    w->responder_ctx = ctx;
}

int wire_coap_port(const wire *w) { return udp_port(node_plain_sock(w->node)); }
int wire_coaps_port(const wire *w) { return udp_port(node_secure_sock(w->node)); }
void wire_set_net_controlled(wire *w) { w->net_controlled = 1; }
int wire_peer_seen(const wire *w) { return w->peer_seen || (w->mef && mef_heard(w->mef)); }   /* the MEF's peer too */

static void on_send_response(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)rsp; (void)reset; (void)ctx;   /* the response is in the timeline as msg.rx */
}

/* m with a payload marker and no payload after it (RFC 7252 §3: "The presence of a marker
 * followed by a zero-length payload MUST be processed as a message format error"), under the
 * endpoint's next message id and a token of its own: sent once as it is, not kept as an
 * exchange the harness waits on. */
static int send_format_error(coap_ep *ep, const cm_link *link, cm_msg *m, char *err, size_t errlen)
{
    if (m->plen) {
        snprintf(err, errlen, "format-error=\"empty-payload\": the request has a payload already");
        return -1;
    }
    m->ver = 1;
    m->tkl = 4;
    /* a Message ID whose low byte differs from every other header byte and from the token's
     * first byte: an RST that echoes anything but the two id bytes cannot match it by chance */
    uint8_t b0 = (uint8_t)(0x40 | (m->type & 3) << 4 | m->tkl);
    do m->mid = coap_ep_take_mid(ep);
    while ((m->mid & 0xff) == (m->mid >> 8) || (m->mid & 0xff) == b0 || (m->mid & 0xff) == m->code);
    const uint8_t tok[4] = { (uint8_t)~m->mid, 0xfe, 0xed, 0x01 };
    memcpy(m->token, tok, 4);
    uint8_t buf[2048];
    size_t n = cm_encode(m, buf, sizeof buf - 1);
    if (!n) {
        snprintf(err, errlen, "the request cannot be encoded");
        return -1;
    }
    buf[n++] = 0xFF;
    if (coap_ep_send_raw(ep, link, buf, n) < 0) {
        snprintf(err, errlen, "sending failed");
        return -1;
    }
    return 0;
}

int wire_send_request(wire *w, const m2m_prim *req, const wire_send_opts *o, char *err, size_t errlen)
{
    int secure = o->secure;
    node_peer *target = NULL;
    for (node_peer *pr = node_peers(w->node); pr; pr = pr->next) {
        if (secure == 2 && pr->dropped) { target = pr; break; }   /* secure="old" */
        if (secure == 2 || pr->link.secure != secure) continue;
        if (secure && (!pr->conn || dtls_conn_state(pr->conn) != DTLS_UP)) continue;
        if (secure && o->sa && pr->link.sa != o->sa) continue;
        target = pr;     /* newest first */
        break;
    }
    if (!target && !secure && env_iut_address(w->env, w->p) && env_iut_coap_port(w->env, w->p) > 0) {
        net_addr a;
        if (net_addr_parse(env_iut_address(w->env, w->p), env_iut_coap_port(w->env, w->p), &a) == 0) target = node_plain_peer(w->node, &a);
    }
    if (!target) {
        snprintf(err, errlen, "no %s link to the IUT to send on",
                 secure == 2 ? "dropped (old-epoch)" : secure ? "security association" : "plain CoAP");
        return -1;
    }
    cm_msg m;
    cm_msg_init(&m);
    m.type = o->type >= CM_CON && o->type <= CM_RST ? (uint8_t)o->type : CM_CON;
    if (m2m_request_to_coap(req, &w->p->options, &m) < 0) {
        snprintf(err, errlen, "the request cannot be mapped to CoAP");
        cm_msg_free(&m);
        return -1;
    }
    for (size_t i = 0; i < o->nopt && i < WIRE_MAX_OPTS; i++) cm_msg_add_opt(&m, o->onum[i], o->oval[i], o->olen[i]);
    if (o->format_error) {
        int r = send_format_error(node_ep(w->node), &target->link, &m, err, errlen);
        cm_msg_free(&m);
        return r;
    }
    int r = coap_ep_request(node_ep(w->node), &target->link, &m, on_send_response, NULL);
    /* The same message again (same message id, token, bytes): each copy a new DTLS record,
     * so the IUT's CoAP layer, not DTLS replay protection, has to see the duplicate. */
    uint8_t buf[2048];
    size_t n = r == 0 && o->repeat > 1 ? cm_encode(&m, buf, sizeof buf) : 0;
    for (int i = 1; n && i < o->repeat; i++)
        if (coap_ep_send_raw(node_ep(w->node), &target->link, buf, n) < 0) r = -1;
    cm_msg_free(&m);
    if (r < 0) snprintf(err, errlen, "sending failed");
    return r;
}
