#include "enrolee.h"
#include "exec/mef.h"
#include "net/coap_ep.h"
#include "net/dtls.h"
#include "net/udp.h"
#include "util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
    dtls_conn *c;
    coap_ep *ep;
    cm_link link;
    int got, end;
    uint8_t code;
} run;

static int run_send(void *ctx, const uint8_t *b, size_t n) { return dtls_send(((run *)ctx)->c, b, n); }
static void run_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    (void)c;
    run *r = ctx;
    coap_ep_input(r->ep, &r->link, p, n);
}
static int settled(void *ctx) { return dtls_conn_state(((run *)ctx)->c) != DTLS_HANDSHAKING; }
static int answered(void *ctx) { return ((run *)ctx)->got; }
static int closed(void *ctx) { return dtls_conn_state(((run *)ctx)->c) != DTLS_UP; }

static void on_rsp(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)reset;
    run *r = ctx;
    r->got = 1;
    if (!rsp) return;
    r->code = rsp->code;
    r->end = mef_is_end(rsp->payload, rsp->plen, &MEF_NAMES_DEFAULT);
}

int sim_enrol(evloop *l, const char *bind_addr, const char *mef_addr, int mef_port, const profile *p,
              sim_enrolment *out, char *err, size_t errlen)
{
    mef_config cfg;   /* the same settings as the harness's MEF: one profile describes both */
    if (mef_config_from_profile(p, &cfg, err, errlen) < 0) return -1;
    udp_sock s;
    if (udp_bind(&s, bind_addr, 0, err, errlen) < 0) return -1;
    net_addr to;
    net_addr_parse(mef_addr, mef_port, &to);
    dtls_psk psk = { cfg.kpm_id, cfg.kpm, cfg.kpm_len, NULL };
    dtls_params dp = { .psks = &psk, .npsks = 1, .retrans_ms = cfg.retrans_ms, .total_ms = cfg.total_ms };
    run r;
    memset(&r, 0, sizeof r);
    dtls_hooks h = { run_data, NULL, NULL, &r };
    int rc = -1;
    int64_t limit = p->dtls_total_ns ? p->dtls_total_ns : 20000000000LL;
    r.c = dtls_client_new(l, &s, &to, &dp, NULL, h, err, errlen);
    if (!r.c) goto out;
    loop_run_until(l, mono_now_ns() + limit, settled, &r);
    if (dtls_conn_state(r.c) != DTLS_UP) {
        snprintf(err, errlen, "bootstrap handshake with the MEF failed: %s", dtls_conn_fail_reason(r.c));
        goto out;
    }
    enrol_keys k;
    if (enrol_bootstrap(dtls_conn_session(r.c), cfg.fqdn, &cfg.keys, &k, err, errlen) < 0) goto out;
    r.ep = coap_ep_new(l, cfg.coap, (coap_ep_hooks){ NULL, NULL, NULL });
    r.link = (cm_link){ run_send, &r, 1, 1, "mef" };
    mef_indications in = { 0, 0, 0 };
    char *body = mef_build_indications(&cfg.names, &in);
    const char *path = cfg.path ? cfg.path : MEF_DEFAULT_PATH;
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
    coap_ep_request(r.ep, &r.link, &req, on_rsp, &r);
    cm_msg_free(&req);
    loop_run_until(l, mono_now_ns() + limit, answered, &r);
    if (!r.end) {
        char code[8];
        cm_code_str(r.code, code);
        snprintf(err, errlen, "no end of exchange from the MEF (%s)", r.got ? code : "no answer");
        goto out;
    }
    /* The MEF closes the session after "end of exchange"; wait for it a bounded moment. */
    loop_run_until(l, mono_now_ns() + 2000000000LL, closed, &r);
    if (enrol_sae_key(&k, &cfg.keys, cfg.enrolee_b_id, cfg.suid ? cfg.suid : "22", cfg.target_fqdn,
                      out->key, err, errlen) < 0)
        goto out;
    memcpy(out->keid, k.keid, sizeof out->keid);
    rc = 0;
out:
    if (r.c && dtls_conn_state(r.c) == DTLS_UP) dtls_close(r.c);
    coap_ep_free(r.ep);
    dtls_client_free(r.c);
    udp_close(&s);
    return rc;
}
