#include "mef.h"
#include "../model/profile.h"
#include "../net/udp.h"
#include "mef_cred.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mef_key {
    char keid[sizeof ((enrol_keys *)0)->keid];
    uint8_t key[ENROL_KEY_LEN];
    uint8_t ke[ENROL_KE_LEN];    /* for the target's fetchCredentials (§10.3.7) */
    char *bound_id;
    int64_t expires_ns;          /* Enrolment Expiry (monotonic), 0 = never */
    int expired;                 /* prov.expire recorded */
} mef_key;

typedef struct mef_link {
    struct mef *m;
    cm_link link;
    dtls_conn *conn;
    int done;                    /* prov.done or prov.fail recorded for this association */
    unsigned n;                  /* enrolment number: 1 for the first bootstrap handshake */
    int target;                  /* the enrolment target's session (fetchCredentials), not an enrolee's */
    struct mef_link *next;
} mef_link;

struct mef {
    evloop *loop;
    const mef_config *cfg;
    timeline *tl;
    udp_sock sock;
    dtls_psk psk[2];             /* the enrolee's KpmID/Kpm; the enrolment target's PSK */
    dtls_params dp;
    dtls_server *srv;
    coap_ep *ep;
    mef_link *links;
    mef_key *keys;
    size_t nkeys, cap;
    unsigned nboot;              /* bootstrap handshakes so far */
    int interrupt;               /* the next Enrolment Exchange: MEF_DROP (mef_interrupt) or MEF_REFUSE (mef_refuse_next) */
    uint64_t timer;              /* next Ke expiry */
    int heard;                   /* a handshake with the enrolee got somewhere (up or failed) */
};

enum { MEF_DROP = 1, MEF_REFUSE = 2 };

#define RSPF(m) ((m)->cfg->set->rspf_cert ? "cert" : "ppsk")   /* §8.3.2.2 / §8.3.2.1 */

static void num(char *buf, size_t len, unsigned n) { snprintf(buf, len, "%u", n); }

static void prov_fail(mef *m, mef_link *ml, const char *peer, const char *reason)
{
    char n[16] = "";
    if (ml) {
        ml->done = 1;
        num(n, sizeof n, ml->n);
    }
    timeline_add(m->tl, "prov.fail", peer, "rspf", RSPF(m), "reason", reason, ml ? "enrolment" : NULL, n, (char *)NULL);
}

static int link_send(void *ctx, const uint8_t *buf, size_t n)
{
    mef_link *ml = ctx;
    return dtls_send(ml->conn, buf, n);
}

static mef_link *link_for(mef *m, dtls_conn *c)
{
    for (mef_link *ml = m->links; ml; ml = ml->next)
        if (ml->conn == c) return ml;
    mef_link *ml = xcalloc(1, sizeof *ml);
    ml->m = m;
    ml->conn = c;
    ml->link.send = link_send;
    ml->link.ctx = ml;
    ml->link.secure = 1;
    ml->link.sa = dtls_conn_number(c);
    snprintf(ml->link.peer, sizeof ml->link.peer, "%s", dtls_conn_peer(c));
    ml->next = m->links;
    m->links = ml;
    return ml;
}

/* "/a/b" from the Uri-Path options. */
static void req_path(const cm_msg *req, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < req->nopts && o + 1 < len; i++) {
        if (req->opts[i].num != CM_OPT_URI_PATH) continue;
        int w = snprintf(out + o, len - o, "/%.*s", (int)req->opts[i].len, (const char *)req->opts[i].val);
        if (w < 0) break;
        o += (size_t)w < len - o ? (size_t)w : len - o - 1;
    }
}

static void answer(mef *m, const cm_link *link, const cm_msg *req, uint8_t code, const char *body)
{
    cm_msg out;
    cm_msg_init(&out);
    out.code = code;
    if (body) {
        cm_msg_add_uint_opt(&out, CM_OPT_CONTENT_FORMAT, 50);   /* application/json */
        cm_msg_set_payload(&out, body, strlen(body));
    }
    coap_ep_respond(m->ep, link, req, &out);
    cm_msg_free(&out);
}

/* Ke/KeID from this association's exporter, the enrolee's SAE key, kept for the registrar. */
static int derive(mef *m, mef_link *ml, char *err, size_t errlen)
{
    const mef_config *cf = m->cfg;
    enrol_keys k;
    if (enrol_bootstrap(dtls_conn_session(ml->conn), cf->set->fqdn, &cf->keys, &k, err, errlen) < 0) return -1;
    uint8_t key[ENROL_KEY_LEN];
    if (enrol_sae_key(&k, &cf->keys, cf->enrolee_b_id, cf->set->suid ? cf->set->suid : "22", cf->target_fqdn,
                      key, err, errlen) < 0)
        return -1;
    xgrow((void **)&m->keys, &m->cap, m->nkeys + 1, sizeof *m->keys);
    mef_key *mk = &m->keys[m->nkeys++];
    memcpy(mk->keid, k.keid, sizeof mk->keid);
    memcpy(mk->key, key, sizeof key);
    memcpy(mk->ke, k.ke, sizeof mk->ke);
    mk->bound_id = xstrdup(cf->enrolee_b_id);
    mk->expires_ns = cf->set->lifetime_ns > 0 ? mono_now_ns() + cf->set->lifetime_ns : 0;
    mk->expired = 0;
    return 0;
}

/* Ke's Enrolment Expiry passed (§8.3.2.1, §10.7): prov.expire, once per key; the keys
 * derived from it are refused from now on (mef_psk_lookup). */
static void on_expiry(evloop *l, void *ctx)
{
    mef *m = ctx;
    m->timer = 0;
    int64_t now = mono_now_ns(), next = 0;
    for (size_t i = 0; i < m->nkeys; i++) {
        mef_key *k = &m->keys[i];
        if (!k->expires_ns || k->expired) continue;
        if (k->expires_ns <= now) {
            k->expired = 1;
            char life[32];
            snprintf(life, sizeof life, "%.3gs", ns_to_sec(m->cfg->set->lifetime_ns));
            timeline_add(m->tl, "prov.expire", NULL, "rspf", RSPF(m), "keid", k->keid, "lifetime", life, (char *)NULL);
        } else if (!next || k->expires_ns < next) {
            next = k->expires_ns;
        }
    }
    if (next) m->timer = loop_timer_add(l, next - now, on_expiry, m);
}

static void arm_expiry(mef *m)
{
    if (m->timer || !m->cfg->set->lifetime_ns) return;
    m->timer = loop_timer_add(m->loop, m->cfg->set->lifetime_ns, on_expiry, m);
}

/* The enrolment target's RETRIEVE /fetchCredentials/<KeID>/<SUID> (§8.3.2.1, R-ENR-07) in a
 * session authenticated with the target's PSK: the usage-constrained key (§10.3.7) for that
 * KeID, SUID and the target's FQDN — only for SUID 22 (RSPF-provisioned SAEF key), a KeID
 * of a finished enrolment whose Ke has not expired. Event prov.fetch. */
static void fetch(mef *m, const cm_link *link, const cm_msg *req)
{
    const mef_config *cf = m->cfg;
    char seg[3][160] = { "", "", "" }, why[480] = "";
    size_t nseg = 0;
    for (size_t i = 0; i < req->nopts; i++)
        if (req->opts[i].num == CM_OPT_URI_PATH && nseg < 4) {
            if (nseg < 3) snprintf(seg[nseg], sizeof seg[nseg], "%.*s", (int)(req->opts[i].len < 159 ? req->opts[i].len : 159), (const char *)req->opts[i].val);
            nseg++;
        }
    const mef_key *mk = NULL;
    for (size_t i = m->nkeys; i-- > 0;)
        if (!strcmp(m->keys[i].keid, seg[1])) { mk = &m->keys[i]; break; }
    uint8_t code = CM_CODE(2, 5);
    if (req->code != CM_GET || nseg != 3 || strcmp(seg[0], "fetchCredentials") != 0) {
        snprintf(why, sizeof why, "not RETRIEVE /fetchCredentials/<KeID>/<SUID>");
        code = CM_CODE(4, 0);
    } else if (!mk) {
        snprintf(why, sizeof why, "unknown KeID");
        code = CM_CODE(4, 4);
    } else if (mk->expires_ns && mk->expires_ns <= mono_now_ns()) {
        snprintf(why, sizeof why, "the Ke of this KeID has expired");
        code = CM_CODE(4, 3);
    } else if (strcmp(seg[2], cf->set->suid ? cf->set->suid : "22") != 0) {
        snprintf(why, sizeof why, "SUID %s is not provisioned for this target (only %s)", seg[2], cf->set->suid ? cf->set->suid : "22");
        code = CM_CODE(4, 3);
    }
    uint8_t key[ENROL_KEY_LEN];
    char err[256];
    if (!why[0] && enrol_usage_key(mk->ke, seg[2], cf->target_fqdn, &cf->keys, key, err, sizeof err) < 0) {
        snprintf(why, sizeof why, "%s", err);
        code = CM_CODE(5, 0);
    }
    char *body = why[0] ? mef_build_cred_error(why)
                        : mef_build_credential(key, sizeof key, mk->bound_id, (long)(cf->set->lifetime_ns / NS_PER_SEC));
    explicit_bzero(key, sizeof key);
    answer(m, link, req, code, body);
    explicit_bzero(body, strlen(body));
    free(body);
    timeline_add(m->tl, "prov.fetch", link->peer, "target", cf->set->target_id, "keid", seg[1], "suid", seg[2],
                 "status", why[0] ? "false" : "true", why[0] ? "reason" : NULL, why, (char *)NULL);
}

/* The harness's own test step (<drop-associations of="mef">: mef_interrupt, mef_refuse_next)
 * at the Enrolment Exchange request: the bootstrap session is up and the request is in, no
 * answer yet. The MEF keeps nothing from this session: its exporter gives no usable key
 * (R-ENR-08). Either it forgets the session silently (no answer, no close_notify), or it
 * answers with an error whose JSON body is not "end of exchange" and closes the session. */
static void interrupted(mef *m, mef_link *ml, const cm_link *link, const cm_msg *req)
{
    int refuse = m->interrupt == MEF_REFUSE;
    m->interrupt = 0;
    if (refuse) {
        answer(m, link, req, CM_CODE(5, 0), "{\"errorString\":\"the MEF cannot complete this enrolment\"}");
        prov_fail(m, ml, link->peer, "refused: the MEF answered the enrolment exchange with an error, no end of exchange");
        dtls_close(ml->conn);
        return;
    }
    prov_fail(m, ml, link->peer, "interrupted: the MEF dropped the session before answering the enrolment exchange");
    dtls_forget(ml->conn);
}

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    (void)ep;
    mef *m = ctx;
    mef_link *ml = link->ctx;
    if (ml->target) {
        fetch(m, link, req);
        return;
    }
    const char *want = m->cfg->set->path ? m->cfg->set->path : MEF_DEFAULT_PATH;
    char path[256], err[600];
    req_path(req, path, sizeof path);
    if (strcmp(path, want) != 0 || req->code != CM_POST) {
        snprintf(err, sizeof err, "%s %s is not the Enrolment Exchange (POST %s)",
                 cm_method_name(req->code) ? cm_method_name(req->code) : "?", path[0] ? path : "/", want);
        answer(m, link, req, strcmp(path, want) != 0 ? CM_CODE(4, 4) : CM_CODE(4, 5), NULL);
        prov_fail(m, ml, link->peer, err);
        return;
    }
    if (m->interrupt) {
        interrupted(m, ml, link, req);
        return;
    }
    mef_indications in;
    if (mef_parse_indications(req->payload, req->plen, &m->cfg->names, &in, err, sizeof err) < 0) {
        answer(m, link, req, CM_CODE(4, 0), NULL);
        char why[640];
        snprintf(why, sizeof why, "enrolment request: %s", err);
        prov_fail(m, ml, link->peer, why);
        return;
    }
    if (derive(m, ml, err, sizeof err) < 0) {
        answer(m, link, req, CM_CODE(5, 0), NULL);
        prov_fail(m, ml, link->peer, err);
        return;
    }
    /* The harness offers no certificate, MAF or remote-management instructions: it answers
     * "end of exchange" at once and closes the session (tables 8.3.2.1-2..4). */
    char *end = mef_build_end(&m->cfg->names);
    answer(m, link, req, CM_CODE(2, 4), end);
    free(end);
    ml->done = 1;
    const mef_key *mk = &m->keys[m->nkeys - 1];
    char ind[64], n[16];
    snprintf(ind, sizeof ind, "cert=%d maf=%d rmgmt=%d", in.cert, in.maf, in.rmgmt);
    num(n, sizeof n, ml->n);
    timeline_add(m->tl, "prov.done", link->peer, "rspf", RSPF(m), "keid", mk->keid, "identity", mk->bound_id,
                 "derive", m->cfg->keys.derive == ENROL_DERIVE_USAGE ? "usage-constrained" : "kpsa",
                 "mef", m->cfg->set->fqdn, "indications", ind, "enrolment", n, (char *)NULL);
    arm_expiry(m);
    dtls_close(ml->conn);
}

static void on_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    mef *m = ctx;
    coap_ep_input(m->ep, &link_for(m, c)->link, p, n);
}

static void on_state(dtls_conn *c, dtls_state st, void *ctx)
{
    mef *m = ctx;
    m->heard = 1;
    if (st == DTLS_UP) {
        mef_link *ml = link_for(m, c);
        const char *who = dtls_conn_identity(c);
        ml->target = m->cfg->set->target_psk_id && who && !strcmp(who, m->cfg->set->target_psk_id);
        if (ml->target) {        /* the enrolment target's own session: no enrolment */
            ml->done = 1;
            return;
        }
        ml->done = 0;            /* a new session on a known conn: a new enrolment */
        ml->n = ++m->nboot;
        char n[16];
        num(n, sizeof n, ml->n);
        gnutls_session_t s = dtls_conn_session(c);
        timeline_add(m->tl, "prov.start", dtls_conn_peer(c), "rspf", RSPF(m), "stage", "bootstrap handshake",
                     "enrolment", n, "identity", dtls_conn_identity(c) ? dtls_conn_identity(c) : "",
                     "version", gnutls_protocol_get_name(gnutls_protocol_get_version(s)),
                     "suite", gnutls_ciphersuite_get(s), (char *)NULL);
        char why[300];
        if ((m->cfg->faults & MEF_FAULT_KEYS_AT_HANDSHAKE) && derive(m, ml, why, sizeof why) < 0)
            prov_fail(m, ml, dtls_conn_peer(c), why);
    } else if (st == DTLS_FAILED) {
        char why[320];
        snprintf(why, sizeof why, "bootstrap handshake: %s", dtls_conn_fail_reason(c));
        prov_fail(m, NULL, dtls_conn_peer(c), why);
    } else if (st == DTLS_CLOSED) {
        mef_link *ml = link_for(m, c);
        if (!ml->done) prov_fail(m, ml, dtls_conn_peer(c), "bootstrap session ended before the enrolment exchange");
    }
}

mef *mef_open(evloop *l, const mef_config *cfg, timeline *tl, char *err, size_t errlen)
{
    if (!cfg->set || !cfg->set->fqdn || !cfg->enrolee_b_id ||
        (cfg->set->rspf_cert ? !cfg->cert || !cfg->key || !cfg->trust || !cfg->set->enrolee_cert_id : !cfg->set->kpm_id || !cfg->set->kpm_len)) {
        snprintf(err, errlen, "MEF needs an FQDN, the enrolee's identity, and a KpmID and Kpm (or, rspf cert, "
                              "its certificate, key, trust anchors and the enrolee's certificate identity)");
        return NULL;
    }
    mef *m = xcalloc(1, sizeof *m);
    m->loop = l;
    m->cfg = cfg;
    m->tl = tl;
    m->sock.fd = -1;
    if (udp_bind(&m->sock, cfg->address ? cfg->address : "127.0.0.1", cfg->port, err, errlen) < 0) {
        mef_close(m);
        return NULL;
    }
    if (cfg->set->rspf_cert) {   /* §8.3.2.2: mutual certificate authentication, SAN checked exactly */
        m->dp.cert_file = cfg->cert;
        m->dp.key_file = cfg->key;
        m->dp.trust_file = cfg->trust;
        m->dp.peer_cert_id = cfg->set->enrolee_cert_id;
        m->dp.peer_bound_id = cfg->enrolee_b_id;
    } else {
        m->psk[0] = (dtls_psk){ cfg->faults & MEF_FAULT_ANY_KPM_ID ? NULL : cfg->set->kpm_id, cfg->set->kpm, cfg->set->kpm_len, NULL };
        m->dp.psks = m->psk;
        m->dp.npsks = 1;
    }
    if (cfg->set->target_psk_id && !cfg->set->rspf_cert) {   /* the enrolment target's fetch sessions */
        m->psk[1] = (dtls_psk){ cfg->set->target_psk_id, (const uint8_t *)cfg->set->target_psk,
                                cfg->set->target_psk ? strlen(cfg->set->target_psk) : 0, cfg->set->target_id };
        m->dp.npsks = 2;
    }
    m->dp.retrans_ms = cfg->retrans_ms;
    m->dp.total_ms = cfg->total_ms;
    dtls_hooks h = { on_data, on_state, NULL, m };
    m->srv = dtls_server_new(l, &m->sock, &m->dp, NULL, h, err, errlen);   /* no sae.*: not an SAE */
    if (!m->srv) {
        mef_close(m);
        return NULL;
    }
    coap_ep_hooks ch = { NULL, on_request, m };
    m->ep = coap_ep_new(l, cfg->coap, ch);
    return m;
}

void mef_close(mef *m)
{
    if (!m) return;
    if (m->timer) loop_timer_cancel(m->loop, m->timer);
    coap_ep_free(m->ep);
    dtls_server_free(m->srv);
    if (m->sock.fd >= 0) udp_close(&m->sock);
    for (mef_link *ml = m->links, *n; ml; ml = n) {
        n = ml->next;
        free(ml);
    }
    for (size_t i = 0; i < m->nkeys; i++) free(m->keys[i].bound_id);
    if (m->keys) explicit_bzero(m->keys, m->nkeys * sizeof *m->keys);   /* Ke and the derived keys */
    free(m->keys);
    free(m);
}

size_t mef_forget(mef *m, const char *keid, const char *reason)
{
    size_t kept = 0, n = m->nkeys;
    for (size_t i = 0; i < n; i++) {
        mef_key *k = &m->keys[i];
        if (keid && strcmp(k->keid, keid) != 0) {
            m->keys[kept++] = *k;
            continue;
        }
        free(k->bound_id);
    }
    m->nkeys = kept;
    if (kept < n) {
        explicit_bzero(m->keys + kept, (n - kept) * sizeof *m->keys);   /* Ke, keys, copies of moved ones */
        char count[16];
        num(count, sizeof count, (unsigned)(n - kept));
        timeline_add(m->tl, "prov.forgotten", NULL, "rspf", RSPF(m), keid ? "keid" : "count", keid ? keid : count,
                     "reason", reason, (char *)NULL);
    }
    return n - kept;
}

int mef_port(const mef *m) { return udp_port(&m->sock); }
void mef_interrupt(mef *m) { m->interrupt = MEF_DROP; }
void mef_refuse_next(mef *m) { m->interrupt = MEF_REFUSE; }
int mef_heard(const mef *m) { return m->heard; }
size_t mef_enrolments(const mef *m) { return m->nkeys; }

int mef_psk_lookup(const char *identity, dtls_psk *out, void *ctx)
{
    mef *m = ctx;
    for (size_t i = m ? m->nkeys : 0; i-- > 0;)
        if (strcmp(m->keys[i].keid, identity) == 0) {
            if (m->keys[i].expires_ns && m->keys[i].expires_ns <= mono_now_ns() &&
                !(m->cfg->faults & MEF_FAULT_IGNORE_EXPIRY)) {
                timeline_add(m->tl, "prov.refused", NULL, "rspf", RSPF(m), "keid", identity,
                             "reason", "the Ke this key derives from has expired", (char *)NULL);
                return -1;
            }
            *out = (dtls_psk){ m->keys[i].keid, m->keys[i].key, ENROL_KEY_LEN, m->keys[i].bound_id };
            return 0;
        }
    return -1;
}

int mef_config_from_profile(const struct profile *p, mef_config *cfg, char *err, size_t errlen)
{
    const profile_mef *pm = p->mef;
    if (!pm) {
        snprintf(err, errlen, "the profile has no <mef>");
        return -1;
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->set = pm;
    cfg->address = p->harness_address;
    cfg->port = pm->port;
    int field = p->role && !strcmp(p->role, "field");   /* there the harness is the enrolee, the IUT the target */
    cfg->enrolee_b_id = pm->enrolee_id ? pm->enrolee_id
                        : field ? (p->harness_cse_id ? p->harness_cse_id : p->harness_ae_id)
                        : p->iut_cse_id ? p->iut_cse_id : p->iut_ae_id;
    cfg->target_fqdn = pm->target_fqdn ? pm->target_fqdn : field ? p->iut_host : p->harness_host;
    cfg->cert = pm->cert;   /* the reference IN-CSE's own MEF may serve another certificate */
    cfg->key = pm->key;
    cfg->trust = pm->trust;
    cfg->names = MEF_NAMES_DEFAULT;
    enrol_settings_default(&cfg->keys);
    if ((pm->context && enrol_parse_context(pm->context, &cfg->keys.context) < 0) ||
        (pm->keid_case && enrol_parse_case(pm->keid_case, &cfg->keys.keid_upper) < 0) ||
        (pm->derive && enrol_parse_derive(pm->derive, &cfg->keys.derive) < 0) ||
        (pm->suid_encoding && enrol_parse_suid(pm->suid_encoding, &cfg->keys.suid) < 0)) {
        snprintf(err, errlen, "<mef>: unknown setting word");
        return -1;
    }
    if (!cfg->enrolee_b_id) {
        snprintf(err, errlen, "<mef>: no enrolee identity (enrolee-id, or the IUT's CSE-ID / AE-ID)");
        return -1;
    }
    if (cfg->keys.derive == ENROL_DERIVE_USAGE && !cfg->target_fqdn) {
        snprintf(err, errlen, "<mef derive=\"usage-constrained\">: no target-fqdn and no harness host");
        return -1;
    }
    cfg->retrans_ms = (unsigned)(p->dtls_retrans_ns / NS_PER_MS);
    cfg->total_ms = (unsigned)(p->dtls_total_ns / NS_PER_MS);
    cfg->coap = (coap_params){ p->ack_timeout_ns, p->max_retransmit };
    return 0;
}
