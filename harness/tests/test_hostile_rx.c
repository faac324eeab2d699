/* What a hostile IN-CSE showed in the harness's field role (e2e robustness_field.sh):
 * a response whose token matches no request, or that carries an unrecognized critical
 * option, answers nothing (RFC 7252 §5.3.2, §5.4.1); a failed step says what arrived that
 * could not be used; datagrams that are not DTLS records are named, not dropped unseen. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "exec/match.h"
#include "net/coap_ep.h"
#include "net/dtls.h"
#include "net/udp.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

static int sink(void *ctx, const uint8_t *p, size_t n) { (void)ctx; (void)p; (void)n; return 0; }

static void test_response_token_known(void)
{
    evloop *l = loop_new();
    coap_params p = { NS_PER_SEC, 2 };
    coap_ep_hooks h = { NULL, NULL, NULL };
    coap_ep *ep = coap_ep_new(l, p, h);
    cm_link link = { sink, NULL, 1, 1, "127.0.0.1:5684" }, other = { sink, NULL, 1, 2, "127.0.0.1:5685" };
    cm_msg req;
    cm_msg_init(&req);
    req.type = CM_CON;
    req.code = CM_GET;
    CU_ASSERT_EQUAL(coap_ep_request(ep, &link, &req, NULL, NULL), 0);
    cm_msg rsp;
    cm_msg_init(&rsp);
    rsp.ver = 1;
    rsp.type = CM_ACK;
    rsp.code = CM_CODE(2, 5);
    rsp.mid = req.mid;
    rsp.tkl = req.tkl;
    memcpy(rsp.token, req.token, req.tkl);
    CU_ASSERT_EQUAL(coap_ep_rsp_known(ep, &link, &rsp), 1);    /* pending */
    CU_ASSERT_EQUAL(coap_ep_rsp_known(ep, &other, &rsp), 0);   /* the token on another link */
    rsp.token[0] ^= 0xff;
    CU_ASSERT_EQUAL(coap_ep_rsp_known(ep, &link, &rsp), 0);    /* another token */
    rsp.token[0] ^= 0xff;
    uint8_t buf[64];
    size_t n = cm_encode(&rsp, buf, sizeof buf);
    coap_ep_input(ep, &link, buf, n);                           /* answered */
    CU_ASSERT_EQUAL(coap_ep_pending(ep), 0);
    CU_ASSERT_EQUAL(coap_ep_rsp_known(ep, &link, &rsp), 1);    /* a duplicate of the answer */
    cm_msg_free(&rsp);
    cm_msg_free(&req);
    coap_ep_free(ep);
    loop_free(l);
}

static void test_rejected_response_matches_nothing(void)
{
    timeline tl;
    timeline_init(&tl);
    const char *attrs[] = { "secure", "true", "rsc", "2000", "rqi", "cb-1", NULL };
    tl_event *e = timeline_add_at(&tl, 1000, "msg.rx", "127.0.0.1:5684", attrs);
    tc_alt a;
    memset(&a, 0, sizeof a);
    a.kind = ALT_MSG;
    a.on_match = VERDICT_PASS;
    kvlist_add(&a.match, "rqi", "cb-1");
    vars v;
    vars_init(&v);
    char err[128];
    CU_ASSERT_EQUAL(match_alt(&a, e, &v, err, sizeof err), 1);
    tl_event_set(e, "rejected", "its token matches no request sent (RFC 7252 5.3.2)");
    CU_ASSERT_EQUAL(match_alt(&a, e, &v, err, sizeof err), 0);
    kvlist_free(&a.match);
    vars_free(&v);
    timeline_free(&tl);
}

static void test_unusable_summary(void)
{
    timeline tl;
    timeline_init(&tl);
    char buf[600];
    rx_unusable(&tl, 0, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "");
    const char *ok[] = { "rsc", "2000", "rqi", "x", NULL };
    timeline_add_at(&tl, 1000, "msg.rx", "p", ok);
    rx_unusable(&tl, 0, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "");
    const char *mal[] = { "fatal", "true", "reason", "@4: token of 4 bytes at offset 4 runs past the end", NULL };
    timeline_add_at(&tl, 2000, "msg.rx.malformed", "p", mal);
    const char *noid[] = { "rsc", "2000", "problems", "response without rqi\n", NULL };
    timeline_add_at(&tl, 3000, "msg.rx", "p", noid);
    rx_unusable(&tl, 0, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "received but unusable: malformed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "token of 4 bytes at offset 4 runs past the end"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "defective"));
    CU_ASSERT_PTR_NULL(strchr(buf, '\n'));
    rx_unusable(&tl, 2, buf, sizeof buf);                  /* from the third event only */
    CU_ASSERT_PTR_NULL(strstr(buf, "malformed"));
    for (int i = 0; i < 5; i++) timeline_add_at(&tl, 4000 + i, "msg.rx.malformed", "p", mal);
    rx_unusable(&tl, 0, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "; and 4 more"));
    timeline_free(&tl);
}

static void test_dtls_datagram_problem(void)
{
    char why[160];
    static const uint8_t alert[] = { 21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 40 };
    CU_ASSERT_PTR_NULL(dtls_datagram_problem(alert, sizeof alert, why, sizeof why));
    uint8_t two[2 * sizeof alert];
    memcpy(two, alert, sizeof alert);
    memcpy(two + sizeof alert, alert, sizeof alert);
    CU_ASSERT_PTR_NULL(dtls_datagram_problem(two, sizeof two, why, sizeof why));   /* two records */
    CU_ASSERT_PTR_NOT_NULL(dtls_datagram_problem(two, sizeof two - 1, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "offset 15"));
    static const uint8_t text[] = "GET / HTTP/1.1\r\n";
    CU_ASSERT_PTR_NOT_NULL(dtls_datagram_problem(text, sizeof text - 1, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "content type 71"));
    CU_ASSERT_PTR_NOT_NULL(dtls_datagram_problem(alert, 5, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "header cut"));
    uint8_t tls[sizeof alert];
    memcpy(tls, alert, sizeof alert);
    tls[1] = 3;                                             /* TLS, not DTLS */
    CU_ASSERT_PTR_NOT_NULL(dtls_datagram_problem(tls, sizeof tls, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(dtls_datagram_problem(alert, 0, why, sizeof why));
}

static void test_dtls_strip_handshake_records(void)
{
    /* CCS (20), Handshake (22), ApplicationData (23): only the last stays */
    uint8_t d[] = { 20, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1, 1,
                    22, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 2, 0xaa, 0xbb,
                    23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 2, 0, 3, 'a', 'b', 'c' };
    size_t n = dtls_strip_handshake_records(d, sizeof d);
    CU_ASSERT_EQUAL(n, 16);
    CU_ASSERT_EQUAL(d[0], 23);
    CU_ASSERT_NSTRING_EQUAL(d + 13, "abc", 3);
    CU_ASSERT_EQUAL(dtls_strip_handshake_records(d, 14), 14);   /* badly framed: untouched */
    uint8_t ccs[] = { 20, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1, 1 };
    CU_ASSERT_EQUAL(dtls_strip_handshake_records(ccs, sizeof ccs), 0);
}

static const tl_event *find_ev(const timeline *tl, const char *name, const char *attr, const char *part)
{
    for (size_t i = 0; i < tl->n; i++) {
        const char *v = tl_event_get(&tl->ev[i], attr);
        if (!strcmp(tl->ev[i].name, name) && v && strstr(v, part)) return &tl->ev[i];
    }
    return NULL;
}

static int not_handshaking(void *ctx) { return dtls_conn_state(ctx) != DTLS_HANDSHAKING; }

/* A server that answers the ClientHello with a datagram that is not DTLS, then nothing: the
 * datagram is named, and the client's handshake ends at its total timeout (600 ms), not at
 * GnuTLS's next retransmission (1.4 s with 200 ms doubling). */
static void test_client_handshake_bounded(void)
{
    dtls_global_init();
    evloop *l = loop_new();
    timeline tl;
    timeline_init(&tl);
    char err[256];
    udp_sock srv = { .fd = -1 }, cli = { .fd = -1 };
    CU_ASSERT_EQUAL_FATAL(udp_bind(&srv, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&cli, "127.0.0.1", 0, err, sizeof err), 0);
    net_addr peer, from;
    net_addr_parse("127.0.0.1", udp_port(&srv), &peer);
    static const uint8_t key[] = "k";
    dtls_psk psk = { "x@in.m2m-harness.test", key, 1, NULL };
    dtls_params cp = { .psks = &psk, .npsks = 1, .retrans_ms = 200, .total_ms = 600 };
    dtls_hooks h = { NULL, NULL, NULL, NULL };
    int64_t t0 = mono_now_ns();
    dtls_conn *c = dtls_client_new(l, &cli, &peer, &cp, &tl, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    loop_run_until(l, mono_now_ns() + 50 * NS_PER_MS, NULL, NULL);
    uint8_t buf[2048];
    CU_ASSERT_TRUE(udp_recv(&srv, buf, sizeof buf, &from) > 0);   /* the ClientHello */
    udp_send(&srv, "GET / HTTP/1.1\r\n", 16, &from);
    loop_run_until(l, t0 + 3 * NS_PER_SEC, not_handshaking, c);
    int64_t ms = (mono_now_ns() - t0) / NS_PER_MS;
    CU_ASSERT_EQUAL(dtls_conn_state(c), DTLS_FAILED);
    CU_ASSERT_TRUE(ms >= 550 && ms < 1000);
    CU_ASSERT_PTR_NOT_NULL(find_ev(&tl, "sae.fail", "reason", "timed out"));
    CU_ASSERT_PTR_NOT_NULL(find_ev(&tl, "net.rx.ignored", "reason", "not a DTLS record: content type 71"));
    dtls_client_free(c);
    udp_close(&srv);
    udp_close(&cli);
    loop_free(l);
    timeline_free(&tl);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("hostile_rx", NULL, NULL);
    CU_add_test(s, "a response's token: pending, answered, or matching nothing", test_response_token_known);
    CU_add_test(s, "a rejected response matches no <message>", test_rejected_response_matches_nothing);
    CU_add_test(s, "a failed step names what arrived unusable", test_unusable_summary);
    CU_add_test(s, "datagrams that are not DTLS records are named", test_dtls_datagram_problem);
    CU_add_test(s, "a finished client drops repeated handshake records only", test_dtls_strip_handshake_records);
    CU_add_test(s, "a client's handshake: garbage named, ended at dtls-total", test_client_handshake_bounded);
}
