/* The wire, the harness's listening side: the coap and coaps ports (the DTLS server with the
 * test's credentials and suites, the harness's own MEF for remote provisioning) and the
 * registrar that answers what arrives on them, unless the test's <respond> does. */
#include "wire_int.h"
#include "../onem2m/release.h"
#include "../enrol/field_enrol.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sa_info sa_of(const cm_link *link)
{
    sa_info sa = { 0 };
    sa.secure = link->secure;
    sa.sa = link->sa;
    if (link->secure) {
        const node_peer *pr = node_peer_of(link);
        sa.identity = dtls_conn_identity(pr->conn);
        sa.bound_id = dtls_conn_bound_id(pr->conn);
    }
    return sa;
}

/* <respond carry="separate-twice">: the request's empty ACK, then rsp in a CON of its own
 * (RFC 7252 §5.2.2) sent twice, byte for byte, each copy a new DTLS record, as the
 * retransmission of a server whose ACK was lost: the IUT must acknowledge both copies
 * and take the response once (§4.5). Not kept as an exchange: the IUT's ACKs are only
 * recorded (msg.rx, the second one dup=identical). */
static void respond_separate_twice(coap_ep *ep, const cm_link *link, const cm_msg *req, cm_msg *rsp)
{
    uint8_t ack[4] = { (uint8_t)(0x40 | CM_ACK << 4), CM_EMPTY, (uint8_t)(req->mid >> 8), (uint8_t)req->mid };
    if (coap_ep_send_raw(ep, link, ack, sizeof ack) < 0) return;
    rsp->ver = 1;
    rsp->type = CM_CON;
    rsp->mid = coap_ep_take_mid(ep);
    rsp->tkl = req->tkl;
    memcpy(rsp->token, req->token, req->tkl);
    uint8_t buf[2048];
    size_t n = cm_encode(rsp, buf, sizeof buf);
    for (int i = 0; n && i < 2; i++)
        if (coap_ep_send_raw(ep, link, buf, n) < 0) return;
}

void wire_on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
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
    int how = w->responder && ev ? w->responder(ev, &pr, &rsp, w->responder_ctx) : 0;
    if (!(how & WIRE_RSP_OWN)) {
        sa_info sa = sa_of(link);
        /* the IUT's credential bound to AE-IDs by the profile (<psk ae-id>) */
        if (sa.secure && w->p->psk_ae_ids && sa.identity && w->p->psk_identity &&
            strcmp(sa.identity, w->p->psk_identity) == 0)
            sa.ae_ids = w->p->psk_ae_ids;
        registrar_handle(w->reg, &pr, &sa, &rsp, w->tl, link->peer);
    }
    if (m2m_response_to_coap(&rsp, &w->p->options, &out) == 0) {
        if ((how & WIRE_RSP_SEPARATE_TWICE) && req->type == CM_CON) respond_separate_twice(ep, link, req, &out);
        else coap_ep_respond(ep, link, req, &out);
    }
    cm_msg_free(&out);
    m2m_prim_free(&rsp);
    m2m_prim_free(&pr);
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
    size_t n = 1;
    int altered = h && (h->psk == TC_PSK_UNKNOWN_IDENTITY || h->psk == TC_PSK_OTHER_ISSUER || h->psk == TC_PSK_WRONG_KEY);
    if (p->psk_alias && !(h && (h->psk == TC_PSK_UNKNOWN_IDENTITY || h->psk == TC_PSK_OTHER_ISSUER))) {
        w->psk[n] = w->psk[0];
        w->psk[n++].identity = p->psk_alias;
    }
    /* The IUT's second credential (role in-cse), bound to its other identity; not where the
     * test's harness alters the PSK: that registrar knows none of the device's keys. */
    const profile_registree *r = p->second_registree;
    if (r && p->role && !strcmp(p->role, "in-cse") && !altered && r->psk_key)
        w->psk[n++] = (dtls_psk){ r->psk_identity, r->psk_key, r->psk_key_len, r->ae_id ? r->ae_id : r->cse_id };
    w->npsk = p->psk_identity ? n : 0;
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

/* The harness's registrar is of the IUT's release. An IUT on an option numbering without a
 * number for rvi (legacy) can send none: its requests are Release-1 requests (TS-0004
 * §7.3.2.1), served here so that it can register at all. */
static registrar *new_registrar(const profile *p)
{
    registrar *r = registrar_new(p->harness_cse_id, p->cse_base_name, p->release);
    if (!p->options.num[M2M_OPT_RVI]) registrar_support_release(r, M2M_REL_1, 1);
    registrar_set_format(r, p->content_format);   /* when a request names none */
    /* As the IN-CSE toward a field AE, SAE on Mca is mandatory (TS-0003 §6.1.2.2.1): a plain
     * AE registration is refused with 4107 like any plain request (TS-0004 §7.3.2.1), not
     * registered. As a field-domain registrar it is only strongly recommended: served. */
    if (p->iut_kind && !strcmp(p->iut_kind, "ae") && profile_has_pics(p, "CFG_REGISTRAR_IN_CSE"))
        registrar_require_sae(r, 1);
    return r;
}

wire *wire_open(evloop *l, const profile *p, const test_env *env, const tc_harness *h, timeline *tl, char *err,
                size_t errlen)
{
    wire *w = xcalloc(1, sizeof *w);
    w->loop = l;
    w->p = p;
    w->env = env;
    w->tl = tl;
    w->dups = rxdup_new();
    const node_hooks nh = { { wire_on_wire, wire_on_request, w }, NULL, wire_on_datagram, NULL, w };
    w->node = node_new(l, (coap_params){ p->ack_timeout_ns, p->max_retransmit }, &nh);
    const char *addr = env_harness_address(env, p);
    if (node_listen_plain(w->node, addr, p->listen_coap, err, errlen) < 0 ||
        node_bind_secure(w->node, addr, p->listen_coaps, err, errlen) < 0) {
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
    w->dp.npsks = w->npsk;
    w->dp.psk_hint = p->psk_hint;
    w->dp.retrans_ms = (unsigned)(p->dtls_retrans_ns / NS_PER_MS);
    w->dp.total_ms = (unsigned)(p->dtls_total_ns / NS_PER_MS);
    w->h = h;
    if (p->mef && p->mef->at_iut) w->iut_mef_port = field_enrol_pick_port(p, env);
    else if (p->mef) {   /* remote provisioning: a KeID is accepted once its enrolment is done */
        if (mef_config_from_profile(p, &w->mef_cfg, err, errlen) == 0)
            w->mef_cfg.address = env_harness_address(env, p);   /* the veth's host end under netns */
        else w->mef_cfg.address = NULL;
        if (!w->mef_cfg.address || !(w->mef = mef_open(l, &w->mef_cfg, tl, err, errlen))) {
            wire_close(w);
            return NULL;
        }
        w->dp.psk_lookup = mef_psk_lookup;
        w->dp.psk_lookup_ctx = w->mef;
    }
    if (node_serve_secure(w->node, &w->dp, tl, err, errlen) < 0) {
        wire_close(w);
        return NULL;
    }
    w->reg = new_registrar(p);
    return w;
}

void wire_close(wire *w)
{
    if (!w) return;
    if (w->link) link_detach(w->link);
    free(w->link);
    if (w->node) node_close_all(w->node);
    node_free(w->node);
    mef_close(w->mef);
    registrar_free(w->reg);
    if (w->psk_key) memset(w->psk_key, 0, w->p->psk_key_len);
    free(w->psk_key);
    free(w->psk_identity);
    free(w->rpk_pins);
    rxdup_free(w->dups);
    free(w);
}

void wire_forget_registrations(wire *w)
{
    registrar_free(w->reg);
    w->reg = new_registrar(w->p);
    timeline_add(w->tl, "reg.forgotten", NULL, "reason", "the registrar lost its state", (char *)NULL);
}

int wire_mef_port(const wire *w) { return w->mef ? mef_port(w->mef) : w->iut_mef_port; }
