#include "mef.h"
#include "../model/profile.h"
#include "../net/udp.h"
#include "../util/xmem.h"
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mef_key {
    char keid[sizeof ((enrol_keys *)0)->keid];
    uint8_t key[ENROL_KEY_LEN];
    char *bound_id;
} mef_key;

typedef struct mef_link {
    struct mef *m;
    cm_link link;
    dtls_conn *conn;
    int done;                    /* prov.done or prov.fail recorded for this association */
    struct mef_link *next;
} mef_link;

struct mef {
    evloop *loop;
    const mef_config *cfg;
    timeline *tl;
    udp_sock sock;
    dtls_psk psk;
    dtls_params dp;
    dtls_server *srv;
    coap_ep *ep;
    mef_link *links;
    mef_key *keys;
    size_t nkeys, cap;
};

static void prov_fail(mef *m, mef_link *ml, const char *peer, const char *reason)
{
    if (ml) ml->done = 1;
    timeline_add(m->tl, "prov.fail", peer, "rspf", "ppsk", "reason", reason, (char *)NULL);
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
    if (enrol_bootstrap(dtls_conn_session(ml->conn), cf->fqdn, &cf->keys, &k, err, errlen) < 0) return -1;
    uint8_t key[ENROL_KEY_LEN];
    if (enrol_sae_key(&k, &cf->keys, cf->enrolee_b_id, cf->suid ? cf->suid : "22", cf->target_fqdn,
                      key, err, errlen) < 0)
        return -1;
    xgrow((void **)&m->keys, &m->cap, m->nkeys + 1, sizeof *m->keys);
    mef_key *mk = &m->keys[m->nkeys++];
    memcpy(mk->keid, k.keid, sizeof mk->keid);
    memcpy(mk->key, key, sizeof key);
    mk->bound_id = xstrdup(cf->enrolee_b_id);
    return 0;
}

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    (void)ep;
    mef *m = ctx;
    mef_link *ml = link->ctx;
    const char *want = m->cfg->path ? m->cfg->path : MEF_DEFAULT_PATH;
    char path[256], err[600];
    req_path(req, path, sizeof path);
    if (strcmp(path, want) != 0 || req->code != CM_POST) {
        snprintf(err, sizeof err, "%s %s is not the Enrolment Exchange (POST %s)",
                 cm_method_name(req->code) ? cm_method_name(req->code) : "?", path[0] ? path : "/", want);
        answer(m, link, req, strcmp(path, want) != 0 ? CM_CODE(4, 4) : CM_CODE(4, 5), NULL);
        prov_fail(m, ml, link->peer, err);
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
    char ind[64];
    snprintf(ind, sizeof ind, "cert=%d maf=%d rmgmt=%d", in.cert, in.maf, in.rmgmt);
    timeline_add(m->tl, "prov.done", link->peer, "rspf", "ppsk", "keid", mk->keid, "identity", mk->bound_id,
                 "derive", m->cfg->keys.derive == ENROL_DERIVE_USAGE ? "usage-constrained" : "kpsa",
                 "mef", m->cfg->fqdn, "indications", ind, (char *)NULL);
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
    if (st == DTLS_UP) {
        link_for(m, c);
        gnutls_session_t s = dtls_conn_session(c);
        timeline_add(m->tl, "prov.start", dtls_conn_peer(c), "rspf", "ppsk", "stage", "bootstrap handshake",
                     "identity", dtls_conn_identity(c),
                     "version", gnutls_protocol_get_name(gnutls_protocol_get_version(s)),
                     "suite", gnutls_ciphersuite_get(s), (char *)NULL);
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
    if (!cfg->fqdn || !cfg->kpm_id || !cfg->kpm_len || !cfg->enrolee_b_id) {
        snprintf(err, errlen, "MEF needs an FQDN, a KpmID, a Kpm and the enrolee's identity");
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
    m->psk = (dtls_psk){ cfg->kpm_id, cfg->kpm, cfg->kpm_len, NULL };
    m->dp.psks = &m->psk;
    m->dp.npsks = 1;
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
    coap_ep_free(m->ep);
    dtls_server_free(m->srv);
    if (m->sock.fd >= 0) udp_close(&m->sock);
    for (mef_link *ml = m->links, *n; ml; ml = n) {
        n = ml->next;
        free(ml);
    }
    for (size_t i = 0; i < m->nkeys; i++) free(m->keys[i].bound_id);
    free(m->keys);
    free(m);
}

int mef_port(const mef *m) { return udp_port(&m->sock); }
size_t mef_enrolments(const mef *m) { return m->nkeys; }

int mef_psk_lookup(const char *identity, dtls_psk *out, void *ctx)
{
    mef *m = ctx;
    for (size_t i = m ? m->nkeys : 0; i-- > 0;)
        if (strcmp(m->keys[i].keid, identity) == 0) {
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
    cfg->address = p->harness_address;
    cfg->port = pm->port;
    cfg->fqdn = pm->fqdn;
    cfg->kpm_id = pm->kpm_id;
    cfg->kpm = pm->kpm;
    cfg->kpm_len = pm->kpm_len;
    cfg->path = pm->path;
    cfg->enrolee_b_id = pm->enrolee_id ? pm->enrolee_id : p->iut_cse_id ? p->iut_cse_id : p->iut_ae_id;
    cfg->suid = pm->suid;
    cfg->target_fqdn = pm->target_fqdn ? pm->target_fqdn : p->harness_host;
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
    cfg->retrans_ms = (unsigned)(p->dtls_retrans_ns / 1000000);
    cfg->total_ms = (unsigned)(p->dtls_total_ns / 1000000);
    cfg->coap = (coap_params){ p->ack_timeout_ns, p->max_retransmit };
    return 0;
}
