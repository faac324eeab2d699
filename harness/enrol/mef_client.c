#include "mef_client.h"
#include "../net/dgram_class.h"
#include "mef.h"
#include "mef_cred.h"
#include "../model/defaults.h"
#include "../net/coap_ep.h"
#include "../net/dtls.h"
#include "../net/udp.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A client's CoAP-over-DTLS session with a MEF: the enrolee's and the enrolment target's.
 * The callbacks below take the session as ctx (it is the first member of run and fetch_run). */
typedef struct mef_session {
    dtls_conn *c;
    coap_ep *ep;
    cm_link link;
    int got;
    uint8_t code;
} mef_session;

static int sess_send(void *ctx, const uint8_t *b, size_t n) { return dtls_send(((mef_session *)ctx)->c, b, n); }
static void sess_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    (void)c;
    mef_session *ms = ctx;
    coap_ep_input(ms->ep, &ms->link, p, n);
}
static int settled(void *ctx) { return dtls_conn_state(((mef_session *)ctx)->c) != DTLS_HANDSHAKING; }
static int answered(void *ctx) { return ((mef_session *)ctx)->got; }
static int closed(void *ctx) { return dtls_conn_state(((mef_session *)ctx)->c) != DTLS_UP; }

/* Opens the session and waits for its handshake; -1 with "<what> with the MEF failed: why"
 * (or dtls_client_new's reason) in err. */
static int sess_start(mef_session *ms, evloop *l, udp_sock *s, const net_addr *to, const dtls_params *dp,
                      dtls_hooks h, int64_t limit, const char *what, char *err, size_t errlen)
{
    ms->c = dtls_client_new(l, s, to, dp, NULL, h, err, errlen);
    if (!ms->c) return -1;
    loop_run_until(l, mono_now_ns() + limit, settled, ms);
    if (dtls_conn_state(ms->c) != DTLS_UP) {
        snprintf(err, errlen, "%s with the MEF failed: %s", what, dtls_conn_fail_reason(ms->c));
        return -1;
    }
    return 0;
}

/* The CoAP endpoint over the session, once it is up. */
static void sess_coap(mef_session *ms, evloop *l, coap_params cp)
{
    ms->ep = coap_ep_new(l, cp, (coap_ep_hooks){ NULL, NULL, NULL });
    ms->link = (cm_link){ sess_send, ms, 1, 1, "mef" };
}

/* Notes an answer (NULL: none came); returns whether there is one to read. */
static int sess_answer(mef_session *ms, const cm_msg *rsp)
{
    ms->got = 1;
    if (rsp) ms->code = rsp->code;
    return rsp != NULL;
}

static void sess_end(mef_session *ms)
{
    if (ms->c && dtls_conn_state(ms->c) == DTLS_UP) dtls_close(ms->c);
    coap_ep_free(ms->ep);
    dtls_client_free(ms->c);
}

typedef struct run {
    mef_session s;
    int end, heard;
    const char *dtls, *dtls_hs;   /* the first datagram from the MEF that was DTLS (dgram_class.h) */
} run;

static void run_heard(const char *peer, const uint8_t *p, size_t n, void *ctx)
{
    (void)peer;
    run *r = ctx;
    r->heard = 1;
    dgram_class dc;
    if (!r->dtls && dgram_classify(p, n, &dc) == DGRAM_DTLS) {
        r->dtls = dc.type;
        r->dtls_hs = dc.hs;
    }
}

static void on_rsp(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)reset;
    run *r = ctx;
    if (!sess_answer(&r->s, rsp)) return;
    r->end = mef_is_end(rsp->payload, rsp->plen, &MEF_NAMES_DEFAULT);
}

int mef_enrol(evloop *l, const char *bind_addr, const char *mef_addr, int mef_port, const profile *p,
              const char *const *cert, mef_enrolment *out, char *err, size_t errlen)
{
    return mef_enrol_opt(l, bind_addr, mef_addr, mef_port, p, cert, NULL, out, err, errlen);
}

int mef_enrol_opt(evloop *l, const char *bind_addr, const char *mef_addr, int mef_port, const profile *p,
                  const char *const *cert, const mef_enrol_opts *o, mef_enrolment *out, char *err, size_t errlen)
{
    mef_config cfg;   /* the same settings as the harness's MEF: one profile describes both */
    if (mef_config_from_profile(p, &cfg, err, errlen) < 0) return -1;
    udp_sock s;
    if (udp_bind(&s, bind_addr, 0, err, errlen) < 0) return -1;
    net_addr to;
    net_addr_parse(mef_addr, mef_port, &to);
    dtls_psk psk = { o && o->kpm_id ? o->kpm_id : cfg.set->kpm_id, o && o->kpm ? o->kpm : cfg.set->kpm,
                     o && o->kpm ? o->kpm_len : cfg.set->kpm_len, NULL };
    dtls_params dp = { .psks = &psk, .npsks = 1, .retrans_ms = cfg.retrans_ms, .total_ms = cfg.total_ms };
    char mef_id[sizeof out->mef_cert_id];
    snprintf(mef_id, sizeof mef_id, "dns:%s", cfg.set->fqdn);
    if (cfg.set->rspf_cert) {   /* §8.3.2.2: our certificate; the MEF's must name its FQDN in SAN (§10.1.1.6) */
        if (!cert || !cert[0] || !cert[1] || !cert[2]) {
            snprintf(err, errlen, "certificate-based enrolment needs the enrolee's certificate, key and trust anchors");
            udp_close(&s);
            return -1;
        }
        /* verify_name alone would take a CN when the certificate has no SAN dNSName (GnuTLS's
         * hostname rule): peer_cert_id asks for the SAN entry itself */
        dp = (dtls_params){ .cert_file = cert[0], .key_file = cert[1], .trust_file = cert[2],
                            .verify_name = cfg.set->fqdn, .peer_cert_id = mef_id,
                            .retrans_ms = cfg.retrans_ms, .total_ms = cfg.total_ms };
    }
    run r;
    memset(&r, 0, sizeof r);
    uint8_t key[ENROL_KEY_LEN] = { 0 };   /* derivable once the session is up: used only if it ends well */
    dtls_hooks h = { sess_data, NULL, run_heard, &r };   /* &r: run_heard's run, and sess_data's session (its first member) */
    int rc = -1;
    int64_t limit = p->dtls_total_ns;
    if (sess_start(&r.s, l, &s, &to, &dp, h, limit, "bootstrap handshake", err, errlen) < 0) goto out;
    enrol_keys k;
    if (enrol_bootstrap(dtls_conn_session(r.s.c), cfg.set->fqdn, &cfg.keys, &k, err, errlen) < 0 ||
        enrol_sae_key(&k, &cfg.keys, cfg.enrolee_b_id, cfg.set->suid ? cfg.set->suid : "22", cfg.target_fqdn,
                      key, err, errlen) < 0)
        goto out;
    memset(out, 0, sizeof *out);
    if (cfg.set->rspf_cert && dtls_conn_identity(r.s.c))
        snprintf(out->mef_cert_id, sizeof out->mef_cert_id, "%s", dtls_conn_identity(r.s.c));
    if (o && o->interrupt) {   /* gone before the exchange: no answer, no close_notify */
        snprintf(err, errlen, "interrupted: the enrolee dropped the session before the enrolment exchange");
        memcpy(out->keid, k.keid, sizeof out->keid);
        memcpy(out->key, key, sizeof key);
        out->half = 1;
        dtls_forget(r.s.c);
        rc = -2;
        goto out;
    }
    sess_coap(&r.s, l, cfg.coap);
    mef_indications in = { 0, 0, 0 };
    char *body = mef_build_indications(&cfg.names, &in);
    const char *path = cfg.set->path ? cfg.set->path : MEF_DEFAULT_PATH;
    cm_msg req;
    cm_msg_init(&req);
    req.type = CM_CON;
    req.code = CM_POST;
    for (const char *seg = path; *seg;) {   /* one Uri-Path option per segment */
        while (*seg == '/') seg++;
        size_t n = strcspn(seg, "/");
        if (n) cm_msg_add_opt(&req, CM_OPT_URI_PATH, seg, n);
        seg += n;
    }
    cm_msg_add_uint_opt(&req, CM_OPT_CONTENT_FORMAT, 50);
    cm_msg_set_payload(&req, body, strlen(body));
    free(body);
    coap_ep_request(r.s.ep, &r.s.link, &req, on_rsp, &r);
    cm_msg_free(&req);
    loop_run_until(l, mono_now_ns() + limit, answered, &r.s);
    if (!r.end) {
        char code[8];
        cm_code_str(r.s.code, code);
        snprintf(err, errlen, "no end of exchange from the MEF (%s)", r.s.got ? code : "no answer");
        /* What an interrupted enrolment leaves: the keys of a session that never finished. */
        memcpy(out->keid, k.keid, sizeof out->keid);
        memcpy(out->key, key, sizeof key);
        out->half = 1;
        rc = -2;
        goto out;
    }
    /* The MEF closes the session after "end of exchange"; wait for it a bounded moment. */
    loop_run_until(l, mono_now_ns() + 2 * NS_PER_SEC, closed, &r.s);
    memcpy(out->key, key, sizeof key);
    memcpy(out->keid, k.keid, sizeof out->keid);
    rc = 0;
out:
    out->mef_heard = r.heard;
    out->mef_dtls = r.dtls;
    out->mef_dtls_hs = r.dtls_hs;
    explicit_bzero(key, sizeof key);
    sess_end(&r.s);
    udp_close(&s);
    return rc;
}

/* ---- the enrolment target's side: fetchCredentials (§8.3.2.1, R-ENR-07) ---- */

typedef struct fetch_run {
    mef_session s;
    uint8_t body[512];
    size_t blen;
} fetch_run;

static void fetch_rsp(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)reset;
    fetch_run *r = ctx;
    if (!sess_answer(&r->s, rsp)) return;
    r->blen = rsp->plen < sizeof r->body ? rsp->plen : sizeof r->body;
    if (rsp->payload) memcpy(r->body, rsp->payload, r->blen);
}

int mef_fetch_credentials(const char *bind_addr, const char *mef_addr, int mef_port, const dtls_psk *psk,
                          const char *keid, const char *suid, unsigned retrans_ms, unsigned total_ms,
                          uint8_t key[MEF_CRED_MAX], size_t *keylen, char *err, size_t errlen)
{
    evloop *l = loop_new();   /* a loop of its own: called from inside a handshake callback */
    udp_sock s;
    s.fd = -1;
    fetch_run r;
    memset(&r, 0, sizeof r);
    int rc = -1;
    if (udp_bind(&s, bind_addr, 0, err, errlen) < 0) goto out;
    net_addr to;
    net_addr_parse(mef_addr, mef_port, &to);
    dtls_params dp = { .psks = psk, .npsks = 1, .retrans_ms = retrans_ms, .total_ms = total_ms };
    dtls_hooks h = { sess_data, NULL, NULL, &r.s };
    int64_t limit = ms_to_ns(total_ms);
    if (sess_start(&r.s, l, &s, &to, &dp, h, limit, "handshake", err, errlen) < 0) goto out;
    sess_coap(&r.s, l, (coap_params){ ms_to_ns(M2M_MEF_FETCH_ACK_TIMEOUT_MS), M2M_MEF_FETCH_MAX_RETRANSMIT });
    cm_msg req;
    cm_msg_init(&req);
    req.type = CM_CON;
    req.code = CM_GET;
    const char *segs[3] = { "fetchCredentials", keid, suid };
    for (int i = 0; i < 3; i++) cm_msg_add_opt(&req, CM_OPT_URI_PATH, segs[i], strlen(segs[i]));
    coap_ep_request(r.s.ep, &r.s.link, &req, fetch_rsp, &r);
    cm_msg_free(&req);
    loop_run_until(l, mono_now_ns() + limit, answered, &r.s);
    if (!r.s.got || !r.blen) {
        snprintf(err, errlen, "no answer from the MEF");
        goto out;
    }
    char enrolee[128];
    long life = 0;
    rc = mef_parse_credential(r.body, r.blen, key, keylen, enrolee, sizeof enrolee, &life, err, errlen);
out:
    explicit_bzero(r.body, sizeof r.body);
    sess_end(&r.s);
    if (s.fd >= 0) udp_close(&s);
    loop_free(l);
    return rc;
}
