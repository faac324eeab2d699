/* The harness as MEF (exec/mef.h), over real DTLS on 127.0.0.1: an enrolee with only
 * KpmID/Kpm enrols (POST of its indications, "end of exchange", the MEF closes), derives
 * KeID/Kpsa on its side of the bootstrap session, and only then does a DTLS server with
 * mef_psk_lookup (the registrar's) accept KeID with Kpsa. Kpm used as Kpsa, a KeID before
 * enrolment, a wrong path and a bad payload are refused, each with its event. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "enrol/mef.h"
#include "enrol/mef_cred.h"
#include "model/profile.h"
#include "model/profile_redact.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

static uint8_t kpm[] = "Kpm-asn-cse-1-key";
static char kpm_id[] = "kpm-asn-cse-1@mef.m2m-harness.test";
static char mef_fqdn[] = "mef.m2m-harness.test";
#define KPM_ID "kpm-asn-cse-1@mef.m2m-harness.test"

typedef struct env {
    evloop *l;
    timeline tl;            /* the MEF's and the registrar's events, one test timeline */
    profile_mef set;        /* the <mef> settings the MEF uses as written */
    mef_config cfg;
    mef *m;
    udp_sock rs;            /* registrar's coaps */
    dtls_params rp;
    dtls_server *reg;
} env;

static void env_open(env *e, enrol_derive_mode derive)
{
    char err[256];
    memset(e, 0, sizeof *e);
    dtls_global_init();
    timeline_init(&e->tl);
    e->l = loop_new();
    e->set.fqdn = mef_fqdn;
    e->set.kpm_id = kpm_id;
    e->set.kpm = kpm;
    e->set.kpm_len = sizeof kpm - 1;
    e->cfg.set = &e->set;
    e->cfg.enrolee_b_id = "/asn-cse-1";
    e->cfg.target_fqdn = "in-cse.m2m-harness.test";
    enrol_settings_default(&e->cfg.keys);
    e->cfg.keys.derive = derive;
    e->cfg.names = MEF_NAMES_DEFAULT;
    e->cfg.retrans_ms = 200;
    e->cfg.total_ms = 3000;
    e->cfg.coap = (coap_params){ 500 * NS_PER_MS, 2 };
    e->m = mef_open(e->l, &e->cfg, &e->tl, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e->m);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&e->rs, "127.0.0.1", 0, err, sizeof err), 0);
    e->rp = (dtls_params){ .retrans_ms = 200, .total_ms = 3000, .psk_lookup = mef_psk_lookup, .psk_lookup_ctx = e->m };
    dtls_hooks h = { NULL, NULL, NULL, NULL };
    e->reg = dtls_server_new(e->l, &e->rs, &e->rp, &e->tl, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e->reg);
}

static void env_close(env *e)
{
    dtls_server_free(e->reg);
    udp_close(&e->rs);
    mef_close(e->m);
    loop_free(e->l);
    timeline_free(&e->tl);
}

static const tl_event *find(const timeline *tl, const char *name)
{
    for (size_t i = 0; i < tl->n; i++)
        if (strcmp(tl->ev[i].name, name) == 0) return &tl->ev[i];
    return NULL;
}

/* ---- the enrolee side, written here on the plain DTLS client and CoAP layer ---- */

typedef struct enrolee {
    udp_sock s;
    dtls_psk psk;
    dtls_params dp;
    dtls_conn *c;
    coap_ep *ep;
    cm_link link;
    int got;                /* response arrived */
    uint8_t code;
    char body[256];
    enrol_keys k;
    int have_keys;
} enrolee;

static int enrolee_send(void *ctx, const uint8_t *buf, size_t n) { return dtls_send(((enrolee *)ctx)->c, buf, n); }

static void enrolee_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    (void)c;
    enrolee *en = ctx;
    coap_ep_input(en->ep, &en->link, p, n);
}

static void on_rsp(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)reset;
    enrolee *en = ctx;
    en->got = 1;
    if (!rsp) return;
    en->code = rsp->code;
    snprintf(en->body, sizeof en->body, "%.*s", (int)rsp->plen, rsp->payload ? (const char *)rsp->payload : "");
}

static int settled(void *ctx) { return dtls_conn_state(ctx) != DTLS_HANDSHAKING; }
static int answered(void *ctx) { return ((enrolee *)ctx)->got; }
static int closed(void *ctx) { return dtls_conn_state(ctx) == DTLS_CLOSED; }

/* Enrols with path and body; 0 when the bootstrap handshake came up. */
static int enrol(env *e, enrolee *en, const char *path, const char *body)
{
    char err[256];
    memset(en, 0, sizeof *en);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&en->s, "127.0.0.1", 0, err, sizeof err), 0);
    en->psk = (dtls_psk){ KPM_ID, kpm, sizeof kpm - 1, NULL };
    en->dp = (dtls_params){ .psks = &en->psk, .npsks = 1, .retrans_ms = 200, .total_ms = 3000 };
    net_addr mef_addr;
    net_addr_parse("127.0.0.1", mef_port(e->m), &mef_addr);
    dtls_hooks h = { enrolee_data, NULL, NULL, en };
    en->c = dtls_client_new(e->l, &en->s, &mef_addr, &en->dp, NULL, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(en->c);
    loop_run_until(e->l, mono_now_ns() + 3 * NS_PER_SEC, settled, en->c);
    if (dtls_conn_state(en->c) != DTLS_UP) return -1;
    en->have_keys = enrol_bootstrap(dtls_conn_session(en->c), "mef.m2m-harness.test", &e->cfg.keys, &en->k,
                                    err, sizeof err) == 0;
    en->ep = coap_ep_new(e->l, (coap_params){ 500 * NS_PER_MS, 2 }, (coap_ep_hooks){ NULL, NULL, NULL });
    en->link = (cm_link){ enrolee_send, en, 1, 1, "mef" };
    cm_msg req;
    cm_msg_init(&req);
    req.type = CM_CON;
    req.code = CM_POST;
    cm_msg_add_opt(&req, CM_OPT_URI_PATH, path, strlen(path));
    cm_msg_add_uint_opt(&req, CM_OPT_CONTENT_FORMAT, 50);
    cm_msg_set_payload(&req, body, strlen(body));
    coap_ep_request(en->ep, &en->link, &req, on_rsp, en);
    cm_msg_free(&req);
    loop_run_until(e->l, mono_now_ns() + 3 * NS_PER_SEC, answered, en);
    return 0;
}

static void enrolee_free(enrolee *en)
{
    coap_ep_free(en->ep);
    dtls_client_free(en->c);
    udp_close(&en->s);
}

/* SAE toward the registrar's server; returns the final state. */
static dtls_state associate(env *e, const char *identity, const uint8_t *key, size_t keylen)
{
    char err[256];
    udp_sock s;
    CU_ASSERT_EQUAL_FATAL(udp_bind(&s, "127.0.0.1", 0, err, sizeof err), 0);
    dtls_psk psk = { identity, key, keylen, NULL };
    dtls_params dp = { .psks = &psk, .npsks = 1, .retrans_ms = 200, .total_ms = 1500 };
    net_addr to;
    net_addr_parse("127.0.0.1", udp_port(&e->rs), &to);
    dtls_hooks h = { NULL, NULL, NULL, NULL };
    dtls_conn *c = dtls_client_new(e->l, &s, &to, &dp, NULL, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    loop_run_until(e->l, mono_now_ns() + 3 * NS_PER_SEC, settled, c);
    dtls_state st = dtls_conn_state(c);
    if (st == DTLS_UP) dtls_close(c);
    dtls_client_free(c);
    udp_close(&s);
    return st;
}

static const char *ALL_FALSE =
    "{\"certificateEnrolmentIndication\":false,\"mafEnrolmentIndication\":false,\"remoteManagementIndication\":false}";

static void test_enrol_then_sae_with_keid(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    enrolee en;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);
    CU_ASSERT_TRUE_FATAL(en.have_keys);
    CU_ASSERT_EQUAL(en.code, CM_CODE(2, 4));
    CU_ASSERT_TRUE(mef_is_end((const uint8_t *)en.body, strlen(en.body), &MEF_NAMES_DEFAULT));
    loop_run_until(e.l, mono_now_ns() + 2 * NS_PER_SEC, closed, en.c);
    CU_ASSERT_EQUAL(dtls_conn_state(en.c), DTLS_CLOSED);   /* the MEF ends the exchange */
    const tl_event *start = find(&e.tl, "prov.start"), *done = find(&e.tl, "prov.done");
    CU_ASSERT_PTR_NOT_NULL_FATAL(start);
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    CU_ASSERT_STRING_EQUAL(tl_event_get(start, "identity"), KPM_ID);
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "keid"), en.k.keid);
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "identity"), "/asn-cse-1");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "derive"), "kpsa");
    CU_ASSERT_PTR_NULL(find(&e.tl, "sae.done"));      /* the bootstrap handshake is no SAE */
    CU_ASSERT_PTR_NULL(find(&e.tl, "prov.fail"));
    uint8_t kpsa[ENROL_KEY_LEN];
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(en.k.ke, "/asn-cse-1", kpsa, err, sizeof err), 0);
    printf("\n  enrolled: KeID=%s ", en.k.keid);
    CU_ASSERT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);
    const tl_event *sae = find(&e.tl, "sae.done");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sae);
    CU_ASSERT_STRING_EQUAL(tl_event_get(sae, "identity"), en.k.keid);
    CU_ASSERT_STRING_EQUAL(tl_event_get(sae, "bound_id"), "/asn-cse-1");
    CU_ASSERT_TRUE(done < sae);                        /* prov.done before sae.done */
    /* Kpm presented as if it were Kpsa: refused (fault kpm-as-kpsa). */
    CU_ASSERT_NOT_EQUAL(associate(&e, en.k.keid, kpm, sizeof kpm - 1), DTLS_UP);
    enrolee_free(&en);
    env_close(&e);
}

static void test_usage_constrained_key(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_USAGE);
    enrolee en;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);
    CU_ASSERT_TRUE_FATAL(en.have_keys);
    uint8_t uck[ENROL_KEY_LEN], kpsa[ENROL_KEY_LEN];
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_usage_key(en.k.ke, "22", "in-cse.m2m-harness.test", &e.cfg.keys, uck, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(en.k.ke, "/asn-cse-1", kpsa, err, sizeof err), 0);
    CU_ASSERT_NOT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);   /* the other derivation */
    CU_ASSERT_EQUAL(associate(&e, en.k.keid, uck, sizeof uck), DTLS_UP);
    enrolee_free(&en);
    env_close(&e);
}

static void test_no_keid_before_enrolment(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    uint8_t key[ENROL_KEY_LEN] = { 1 };
    CU_ASSERT_NOT_EQUAL(associate(&e, "00112233445566778899aabbccddeeff@mef.m2m-harness.test", key, sizeof key), DTLS_UP);
    const tl_event *u = find(&e.tl, "sae.unknown_identity");
    CU_ASSERT_PTR_NOT_NULL(u);
    env_close(&e);
}

static void expect_fail(const char *path, const char *body, uint8_t code, const char *why)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    enrolee en;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, path, body), 0);
    CU_ASSERT_EQUAL(en.code, code);
    const tl_event *f = find(&e.tl, "prov.fail");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(tl_event_get(f, "reason"), why));
    CU_ASSERT_PTR_NULL(find(&e.tl, "prov.done"));
    CU_ASSERT_EQUAL(mef_enrolments(e.m), 0);           /* nothing half-used */
    enrolee_free(&en);
    env_close(&e);
}

static void test_wrong_path(void) { expect_fail("bootstrap", ALL_FALSE, CM_CODE(4, 4), "not the Enrolment Exchange"); }
static void test_bad_payload(void)
{
    expect_fail("enrolment", "{\"certificateEnrolmentIndication\":false,\"mafEnrolmentIndication\":0,"
                "\"remoteManagementIndication\":false}", CM_CODE(4, 0), "mafEnrolmentIndication\" is not a boolean");
}

/* R-ENR-08: an enrolment the MEF drops mid-exchange leaves no key; the exporter output of
 * that session (which the enrolee has) is an unknown identity; a new enrolment works. */
static void test_interrupted_enrolment(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    mef_interrupt(e.m);
    enrolee en;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);
    CU_ASSERT_TRUE_FATAL(en.have_keys);
    CU_ASSERT_NOT_EQUAL(en.code, CM_CODE(2, 4));                 /* never answered */
    const tl_event *f = find(&e.tl, "prov.fail");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(tl_event_get(f, "reason"), "interrupted"));
    CU_ASSERT_STRING_EQUAL(tl_event_get(f, "enrolment"), "1");
    CU_ASSERT_EQUAL(mef_enrolments(e.m), 0);
    uint8_t kpsa[ENROL_KEY_LEN];
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(en.k.ke, "/asn-cse-1", kpsa, err, sizeof err), 0);
    CU_ASSERT_NOT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);   /* the half result */
    CU_ASSERT_PTR_NOT_NULL(find(&e.tl, "sae.unknown_identity"));
    enrolee_free(&en);
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);           /* armed once only */
    CU_ASSERT_EQUAL(en.code, CM_CODE(2, 4));
    const tl_event *done = find(&e.tl, "prov.done");
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "enrolment"), "2");
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(en.k.ke, "/asn-cse-1", kpsa, err, sizeof err), 0);
    CU_ASSERT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);
    enrolee_free(&en);
    env_close(&e);
}

/* R-ENR-08: an enrolment the MEF refuses (5.00 with a JSON body, no end of exchange) leaves
 * no key either: the body is not "end of exchange", and the session's KeID is unknown. */
static void test_refused_enrolment(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    mef_refuse_next(e.m);
    enrolee en;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);
    CU_ASSERT_TRUE_FATAL(en.got);
    CU_ASSERT_EQUAL(en.code, CM_CODE(5, 0));
    CU_ASSERT_PTR_NOT_NULL(strstr(en.body, "errorString"));
    CU_ASSERT_FALSE(mef_is_end((const uint8_t *)en.body, strlen(en.body), &MEF_NAMES_DEFAULT));
    const tl_event *f = find(&e.tl, "prov.fail");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(tl_event_get(f, "reason"), "refused"));
    CU_ASSERT_EQUAL(mef_enrolments(e.m), 0);
    uint8_t kpsa[ENROL_KEY_LEN];
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(en.k.ke, "/asn-cse-1", kpsa, err, sizeof err), 0);
    CU_ASSERT_NOT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);
    enrolee_free(&en);
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);           /* armed once only */
    CU_ASSERT_EQUAL(en.code, CM_CODE(2, 4));
    enrolee_free(&en);
    env_close(&e);
}

/* R-ENR-05: after the Enrolment Expiry, prov.expire, and the KeID is refused (prov.refused). */
static void test_expired_ke_refused(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    e.set.lifetime_ns = 400 * NS_PER_MS;       /* the MEF reads its cfg at each enrolment */
    enrolee en;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &en, "enrolment", ALL_FALSE), 0);
    uint8_t kpsa[ENROL_KEY_LEN];
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(en.k.ke, "/asn-cse-1", kpsa, err, sizeof err), 0);
    CU_ASSERT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);      /* within the lifetime */
    CU_ASSERT_PTR_NULL(find(&e.tl, "prov.refused"));
    loop_run_until(e.l, mono_now_ns() + 500 * NS_PER_MS, NULL, NULL);
    const tl_event *x = find(&e.tl, "prov.expire");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_STRING_EQUAL(tl_event_get(x, "keid"), en.k.keid);
    CU_ASSERT_NOT_EQUAL(associate(&e, en.k.keid, kpsa, sizeof kpsa), DTLS_UP);
    const tl_event *r = find(&e.tl, "prov.refused");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(tl_event_get(r, "keid"), en.k.keid);
    enrolee_free(&en);
    env_close(&e);
}

/* fetchCredentials answer (sec/mef_cred.h, tables 8.3.2.1-5/-6): built, read back; Status=False. */
/* mef_forget: one KeID (the ref-in-cse fault forget-enrolment-on-close), then every one (a
 * change of service provider): each forgotten KeID is refused, the others still serve. */
static void test_forget_enrolments(void)
{
    env e;
    env_open(&e, ENROL_DERIVE_KPSA);
    enrolee a, b;
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &a, "enrolment", ALL_FALSE), 0);
    CU_ASSERT_EQUAL_FATAL(enrol(&e, &b, "enrolment", ALL_FALSE), 0);
    CU_ASSERT_EQUAL_FATAL(mef_enrolments(e.m), 2);
    uint8_t ka[ENROL_KEY_LEN], kb[ENROL_KEY_LEN];
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(a.k.ke, "/asn-cse-1", ka, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(b.k.ke, "/asn-cse-1", kb, err, sizeof err), 0);
    CU_ASSERT_EQUAL(mef_forget(e.m, a.k.keid, "association ended"), 1);
    const tl_event *f = find(&e.tl, "prov.forgotten");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(tl_event_get(f, "keid"), a.k.keid);
    CU_ASSERT_NOT_EQUAL(associate(&e, a.k.keid, ka, sizeof ka), DTLS_UP);
    CU_ASSERT_EQUAL(associate(&e, b.k.keid, kb, sizeof kb), DTLS_UP);
    CU_ASSERT_EQUAL(mef_forget(e.m, a.k.keid, "again"), 0);   /* nothing left to forget: no event */
    CU_ASSERT_EQUAL(mef_forget(e.m, NULL, "change of service provider"), 1);
    CU_ASSERT_EQUAL(mef_enrolments(e.m), 0);
    CU_ASSERT_NOT_EQUAL(associate(&e, b.k.keid, kb, sizeof kb), DTLS_UP);
    size_t n = 0;
    for (size_t i = 0; i < e.tl.n; i++) n += !strcmp(e.tl.ev[i].name, "prov.forgotten");
    CU_ASSERT_EQUAL(n, 2);
    enrolee_free(&a);
    enrolee_free(&b);
    env_close(&e);
}

static void test_credential_answer(void)
{
    uint8_t key[ENROL_KEY_LEN], got[MEF_CRED_MAX];
    for (int i = 0; i < ENROL_KEY_LEN; i++) key[i] = (uint8_t)i;
    char *s = mef_build_credential(key, sizeof key, "/asn-cse-1", 3600);
    CU_ASSERT_STRING_EQUAL(s, "{\"status\":true,\"credential\":\"000102030405060708090a0b0c0d0e0f"
                              "101112131415161718191a1b1c1d1e1f\",\"enroleeID\":\"/asn-cse-1\",\"lifetime\":3600}");
    size_t kl = 0;
    char id[64], err[256];
    long life = 0;
    CU_ASSERT_EQUAL(mef_parse_credential((const uint8_t *)s, strlen(s), got, &kl, id, sizeof id, &life, err, sizeof err), 1);
    CU_ASSERT_EQUAL(kl, sizeof key);
    CU_ASSERT_EQUAL(memcmp(got, key, kl), 0);
    CU_ASSERT_STRING_EQUAL(id, "/asn-cse-1");
    CU_ASSERT_EQUAL(life, 3600);
    free(s);
    s = mef_build_cred_error("unknown KeID");
    CU_ASSERT_EQUAL(mef_parse_credential((const uint8_t *)s, strlen(s), got, &kl, id, sizeof id, &life, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown KeID"));
    free(s);
    static const char bad[] = "{\"status\":true,\"credential\":\"0g\"}";
    CU_ASSERT_EQUAL(mef_parse_credential((const uint8_t *)bad, strlen(bad), got, &kl, id, sizeof id, &life, err, sizeof err), -1);
}

#define SCHEMA M2M_DATA_DIR "/fixtures/schema/profile.xsd"
static char *profile_xml(const char *mef_attrs)
{
    return xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                     "  <iut kind=\"asn-cse\" address=\"127.0.0.1\"><cse-id>/asn-cse-1</cse-id></iut>\n"
                     "  <harness host=\"in-cse.m2m-harness.test\"><cse-id>/in-cse</cse-id><cse-base>in-name</cse-base></harness>\n"
                     "  <mef fqdn=\"mef.m2m-harness.test\" kpm-id=\"" KPM_ID "\" %s/>\n"
                     "</profile>\n", mef_attrs);
}

static void test_profile_mef_section(void)
{
    char *xml = profile_xml("kpm=\"4b706d2d6b6579\" encoding=\"hex\" derive=\"usage-constrained\" keid-case=\"upper\" lifetime=\"90s\"");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = profile_load_mem("p.xml", xml, strlen(xml), SCHEMA, &p, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->mef);
    CU_ASSERT_EQUAL(p->mef->kpm_len, 7);
    CU_ASSERT_EQUAL(memcmp(p->mef->kpm, "Kpm-key", 7), 0);
    mef_config cfg;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(mef_config_from_profile(p, &cfg, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(cfg.enrolee_b_id, "/asn-cse-1");             /* default: the IUT's CSE-ID */
    CU_ASSERT_STRING_EQUAL(cfg.target_fqdn, "in-cse.m2m-harness.test");  /* default: the harness host */
    CU_ASSERT_EQUAL(cfg.keys.derive, ENROL_DERIVE_USAGE);
    CU_ASSERT_EQUAL(cfg.keys.keid_upper, 1);
    CU_ASSERT_EQUAL(cfg.keys.context, ENROL_CTX_ABSENT);
    CU_ASSERT_EQUAL(cfg.set->lifetime_ns, 90 * NS_PER_SEC);                    /* Enrolment Expiry */
    CU_ASSERT_PTR_NULL(cfg.set->path);                                     /* MEF_DEFAULT_PATH */
    /* The report's copy of the profile carries no Kpm. */
    char src[] = "/tmp/m2m-test-mef-XXXXXX", dst[] = "/tmp/m2m-test-mef-red-XXXXXX";
    int fd = mkstemp(src), fd2 = mkstemp(dst);
    CU_ASSERT_FATAL(fd >= 0 && fd2 >= 0);
    CU_ASSERT_EQUAL(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
    close(fd);
    close(fd2);
    CU_ASSERT_EQUAL(profile_write_redacted(src, dst), 0);
    FILE *f = fopen(dst, "r");
    char buf[4096] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
    CU_ASSERT_PTR_NULL(strstr(buf, "4b706d2d6b6579"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, PROFILE_REDACTED_KEY));
    unlink(src);
    unlink(dst);
    profile_free(p);
    diag_free(&d);
    free(xml);
    /* A setting word outside the schema's list is refused before anything runs. */
    xml = profile_xml("kpm=\"k\" context=\"none\"");
    diag_init(&d);
    p = NULL;
    CU_ASSERT_EQUAL(profile_load_mem("p.xml", xml, strlen(xml), SCHEMA, &p, &d), -1);
    profile_free(p);
    diag_free(&d);
    free(xml);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("mef", NULL, NULL);
    CU_add_test(s, "enrol with Kpm, then SAE with KeID/Kpsa; Kpm as Kpsa refused", test_enrol_then_sae_with_keid);
    CU_add_test(s, "usage-constrained derivation setting: that key, not Kpsa", test_usage_constrained_key);
    CU_add_test(s, "a KeID before any enrolment: unknown identity", test_no_keid_before_enrolment);
    CU_add_test(s, "wrong Enrolment Exchange path: 4.04, prov.fail", test_wrong_path);
    CU_add_test(s, "indication not a boolean: 4.00, prov.fail", test_bad_payload);
    CU_add_test(s, "profile <mef>: settings, defaults, Kpm redacted", test_profile_mef_section);
    CU_add_test(s, "interrupted enrolment: no key kept, the half result refused, a new one works", test_interrupted_enrolment);
    CU_add_test(s, "refused enrolment: an error answer is no end of exchange, no key kept", test_refused_enrolment);
    CU_add_test(s, "Enrolment Expiry: prov.expire, then the KeID refused", test_expired_ke_refused);
    CU_add_test(s, "mef_forget: one KeID, then all; forgotten KeIDs refused", test_forget_enrolments);
    CU_add_test(s, "fetchCredentials answer: built and read back, Status=False, bad hex", test_credential_answer);
}
