/* DTLS over real sockets on 127.0.0.1: the harness's server and client complete a PSK
 * handshake with the cookie exchange; a wrong key or an unknown identity yields no
 * association; every step is a timeline event. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "net/dtls.h"
#include "util/xmem.h"

typedef struct pair {
    evloop *l;
    udp_sock ss, cs;
    dtls_server *srv;
    dtls_conn *cli;
    timeline tl;
    char got[64];
    size_t gotn;
} pair;

static const uint8_t key[] = "m2m-harness-test-psk-1";
static dtls_psk server_psk = { "dev1@in.m2m-harness.test", key, sizeof key - 1, "/asn-cse-1" };
static dtls_params server_params = { NULL, &server_psk, 1, NULL, NULL, 200, 3000 };

static void on_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    pair *x = ctx;
    (void)c;
    memcpy(x->got, p, n < sizeof x->got ? n : sizeof x->got);
    x->gotn = n;
}

static int settled(void *ctx)
{
    pair *x = ctx;
    return dtls_conn_state(x->cli) != DTLS_HANDSHAKING;
}

static void start(pair *x, dtls_params *cp)
{
    char err[256];
    memset(x, 0, sizeof *x);
    dtls_global_init();
    timeline_init(&x->tl);
    x->l = loop_new();
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x->ss, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x->cs, "127.0.0.1", 0, err, sizeof err), 0);
    dtls_hooks h = { on_data, NULL, NULL, x };
    x->srv = dtls_server_new(x->l, &x->ss, &server_params, &x->tl, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->srv);
    net_addr peer;
    net_addr_parse("127.0.0.1", udp_port(&x->ss), &peer);
    dtls_hooks ch = { NULL, NULL, NULL, NULL };
    x->cli = dtls_client_new(x->l, &x->cs, &peer, cp, NULL, ch, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->cli);
    loop_run_until(x->l, mono_now_ns() + 5000000000LL, settled, x);
}

static void stop(pair *x)
{
    dtls_client_free(x->cli);
    dtls_server_free(x->srv);
    udp_close(&x->ss);
    udp_close(&x->cs);
    loop_free(x->l);
    timeline_free(&x->tl);
}

static const tl_event *find(const timeline *tl, const char *name)
{
    for (size_t i = 0; i < tl->n; i++)
        if (strcmp(tl->ev[i].name, name) == 0) return &tl->ev[i];
    return NULL;
}

static int got_data(void *ctx) { return ((pair *)ctx)->gotn > 0; }

static void test_psk_handshake_and_data(void)
{
    dtls_psk cpsk = server_psk;
    dtls_params cp = { NULL, &cpsk, 1, NULL, "in-cse.m2m-harness.test", 200, 3000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    const tl_event *hello = find(&x.tl, "sae.start");
    CU_ASSERT_PTR_NOT_NULL_FATAL(hello);
    CU_ASSERT_STRING_EQUAL(tl_event_get(hello, "cookie"), "requested");
    const tl_event *done = find(&x.tl, "sae.done");
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "version"), "DTLS1.2");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "suite"), "TLS_PSK_WITH_AES_128_CCM_8");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "identity"), "dev1@in.m2m-harness.test");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "bound_id"), "/asn-cse-1");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "sni"), "in-cse.m2m-harness.test");
    CU_ASSERT_EQUAL(dtls_send(x.cli, "hello", 5), 0);
    loop_run_until(x.l, mono_now_ns() + 2000000000LL, got_data, &x);
    CU_ASSERT_EQUAL(x.gotn, 5);
    CU_ASSERT_NSTRING_EQUAL(x.got, "hello", 5);
    /* the key never appears in the timeline */
    for (size_t i = 0; i < x.tl.n; i++)
        for (size_t j = 0; j < x.tl.ev[i].nattrs; j++)
            CU_ASSERT_PTR_NULL(strstr(x.tl.ev[i].attrs[j].value, "m2m-harness-test-psk"));
    stop(&x);
}

static void test_wrong_key_no_association(void)
{
    static const uint8_t bad[] = "not-the-key";
    dtls_psk cpsk = { server_psk.identity, bad, sizeof bad - 1, NULL };
    dtls_params cp = { NULL, &cpsk, 1, NULL, NULL, 200, 2000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    CU_ASSERT_PTR_NOT_NULL(find(&x.tl, "sae.fail"));
    stop(&x);
}

static void test_unknown_identity_no_association(void)
{
    dtls_psk cpsk = { "stranger@elsewhere.test", key, sizeof key - 1, NULL };
    dtls_params cp = { NULL, &cpsk, 1, NULL, NULL, 200, 2000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    const tl_event *u = find(&x.tl, "sae.unknown_identity");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(tl_event_get(u, "identity"), "stranger@elsewhere.test");
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    stop(&x);
}

static void test_dtls10_only_client_refused(void)
{
    dtls_psk cpsk = server_psk;
    dtls_params cp = { "NORMAL:-VERS-ALL:+VERS-DTLS1.0:-KX-ALL:+PSK", &cpsk, 1, NULL, NULL, 200, 2000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    stop(&x);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("dtls", NULL, NULL);
    CU_add_test(s, "PSK handshake with cookie, CCM_8, SNI, data", test_psk_handshake_and_data);
    CU_add_test(s, "wrong key: no association", test_wrong_key_no_association);
    CU_add_test(s, "unknown identity: no association", test_unknown_identity_no_association);
    CU_add_test(s, "DTLS 1.0-only client refused", test_dtls10_only_client_refused);
}
