/* DTLS over real sockets on 127.0.0.1: the harness's server and client complete a PSK
 * handshake with the cookie exchange; a wrong key or an unknown identity yields no
 * association; every step is a timeline event. */
#include <CUnit/CUnit.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>
#include "net/dtls.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

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
static dtls_params server_params = { .psks = &server_psk, .npsks = 1, .retrans_ms = 200, .total_ms = 3000 };

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

static void start_with(pair *x, dtls_params *cp, const dtls_params *sp)
{
    char err[256];
    memset(x, 0, sizeof *x);
    dtls_global_init();
    timeline_init(&x->tl);
    x->l = loop_new();
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x->ss, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x->cs, "127.0.0.1", 0, err, sizeof err), 0);
    dtls_hooks h = { on_data, NULL, NULL, x };
    x->srv = dtls_server_new(x->l, &x->ss, sp, &x->tl, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->srv);
    net_addr peer;
    net_addr_parse("127.0.0.1", udp_port(&x->ss), &peer);
    dtls_hooks ch = { NULL, NULL, NULL, NULL };
    x->cli = dtls_client_new(x->l, &x->cs, &peer, cp, NULL, ch, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->cli);
    loop_run_until(x->l, mono_now_ns() + 5 * NS_PER_SEC, settled, x);
}

static void start(pair *x, dtls_params *cp) { start_with(x, cp, &server_params); }

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

static const tl_event *find_side(const timeline *tl, const char *name, const char *side)
{
    for (size_t i = 0; i < tl->n; i++)
        if (!strcmp(tl->ev[i].name, name) && tl_event_get(&tl->ev[i], "side") &&
            !strcmp(tl_event_get(&tl->ev[i], "side"), side))
            return &tl->ev[i];
    return NULL;
}

/* NULL-safe: a missing attribute fails the assertion instead of crashing the run. */
#define ATTR(ev, k) (tl_event_get(ev, k) ? tl_event_get(ev, k) : "(absent)")

static int server_failed(void *ctx) { return find(&((pair *)ctx)->tl, "sae.fail") != NULL; }

static int got_data(void *ctx) { return ((pair *)ctx)->gotn > 0; }

static void test_psk_handshake_and_data(void)
{
    dtls_psk cpsk = server_psk;
    dtls_params cp = { .psks = &cpsk, .npsks = 1, .sni = "in-cse.m2m-harness.test", .retrans_ms = 200, .total_ms = 3000 };
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
    loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, got_data, &x);
    CU_ASSERT_EQUAL(x.gotn, 5);
    CU_ASSERT_NSTRING_EQUAL(x.got, "hello", 5);
    /* the key never appears in the timeline */
    for (size_t i = 0; i < x.tl.n; i++)
        for (size_t j = 0; j < x.tl.ev[i].nattrs; j++)
            CU_ASSERT_PTR_NULL(strstr(x.tl.ev[i].attrs[j].value, "m2m-harness-test-psk"));
    stop(&x);
}

/* RFC 6347 §4.1.2.7: "Invalid records SHOULD be silently discarded, thus preserving the
 * association". A datagram too short to hold a DTLS record header (13 bytes) from the peer's
 * address, in either direction, is dropped whole: the next record of the association is
 * still read. GnuTLS kept such bytes as the start of a header and lost the next record. */
static void test_short_datagram_dropped_association_kept(void)
{
    dtls_psk cpsk = server_psk;
    dtls_params cp = { .psks = &cpsk, .npsks = 1, .retrans_ms = 200, .total_ms = 3000 };
    static const size_t sizes[] = { 1, 5, 12 };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        pair x;
        start(&x, &cp);
        CU_ASSERT_EQUAL_FATAL(dtls_conn_state(x.cli), DTLS_UP);
        /* from the client's own socket, so from the association's address */
        net_addr srv;
        net_addr_parse("127.0.0.1", udp_port(&x.ss), &srv);
        static const uint8_t junk[12] = { 23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 9, 0 };
        CU_ASSERT_EQUAL(udp_send(&x.cs, junk, sizes[k], &srv), (ssize_t)sizes[k]);
        CU_ASSERT_EQUAL(dtls_send(x.cli, "after", 5), 0);
        loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, got_data, &x);
        CU_ASSERT_EQUAL(x.gotn, 5);
        CU_ASSERT_NSTRING_EQUAL(x.got, "after", 5);
        stop(&x);
    }
}

/* RFC 6347 §4.2.4: a server that misses the client's Finished repeats its last flight
 * (ChangeCipherSpec, Finished) after the client is done. The client must stay up and keep
 * reading data; GnuTLS's client, given that flight, used to end the session (E_TIMEDOUT),
 * which lost the next response (found under TC_SEC_NET_004's reordering). */

/* A fleet on one server socket: each association found by its address among the others, and
 * each that ends (close_notify here) gives up its GnuTLS state at once, while its record stays
 * for the evidence: a record sent afterwards in it is still seen as sae.stale_record. */
#define FLEET 40
static int server_closed_n(void *ctx)
{
    const pair *x = ctx;
    size_t n = 0;
    for (size_t i = 0; i < x->tl.n; i++)
        if (!strcmp(x->tl.ev[i].name, "sae.closed") && !strcmp(ATTR(&x->tl.ev[i], "side"), "server")) n++;
    return n == FLEET;
}

static int stale_seen(void *ctx) { return find(&((pair *)ctx)->tl, "sae.stale_record") != NULL; }

static void test_fleet_lookup_and_release(void)
{
    char err[256];
    pair x;
    memset(&x, 0, sizeof x);
    dtls_global_init();
    timeline_init(&x.tl);
    x.l = loop_new();
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x.ss, "127.0.0.1", 0, err, sizeof err), 0);
    dtls_hooks h = { on_data, NULL, NULL, &x };
    x.srv = dtls_server_new(x.l, &x.ss, &server_params, &x.tl, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x.srv);
    net_addr peer;
    net_addr_parse("127.0.0.1", udp_port(&x.ss), &peer);
    static dtls_params cp = { .psks = &server_psk, .npsks = 1, .retrans_ms = 200, .total_ms = 3000 };
    udp_sock cs[FLEET];
    dtls_conn *cli[FLEET];
    dtls_hooks ch = { NULL, NULL, NULL, NULL };
    for (int i = 0; i < FLEET; i++) {
        CU_ASSERT_EQUAL_FATAL(udp_bind(&cs[i], "127.0.0.1", 0, err, sizeof err), 0);
        cli[i] = dtls_client_new(x.l, &cs[i], &peer, &cp, NULL, ch, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(cli[i]);
        x.cli = cli[i];
        loop_run_until(x.l, mono_now_ns() + 5 * NS_PER_SEC, settled, &x);
        CU_ASSERT_EQUAL(dtls_conn_state(cli[i]), DTLS_UP);
    }
    size_t live = 0;
    CU_ASSERT_EQUAL(dtls_server_count(x.srv, &live), FLEET);
    CU_ASSERT_EQUAL(live, FLEET);
    for (int i = 0; i < FLEET; i++) {   /* each address finds its own association */
        net_addr a;
        net_addr_parse("127.0.0.1", udp_port(&cs[i]), &a);
        dtls_conn *sc = dtls_server_find(x.srv, &a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        CU_ASSERT_TRUE(net_addr_equal(dtls_conn_addr(sc), &a));
        CU_ASSERT_PTR_NOT_NULL(dtls_conn_session(sc));
        dtls_close(cli[i]);
    }
    loop_run_until(x.l, mono_now_ns() + 5 * NS_PER_SEC, server_closed_n, &x);
    CU_ASSERT_EQUAL(dtls_server_count(x.srv, &live), FLEET);
    CU_ASSERT_EQUAL(live, 0);          /* every ended association freed its GnuTLS state */
    net_addr a0;
    net_addr_parse("127.0.0.1", udp_port(&cs[0]), &a0);
    dtls_conn *sc0 = dtls_server_find(x.srv, &a0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc0);
    CU_ASSERT_EQUAL(dtls_conn_state(sc0), DTLS_CLOSED);
    CU_ASSERT_PTR_NULL(dtls_conn_session(sc0));
    /* the peer goes on in the ended association: the evidence is still recorded */
    static const uint8_t late[] = { 23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 4, 'l', 'a', 't', 'e' };
    CU_ASSERT_TRUE(udp_send(&cs[0], late, sizeof late, &peer) > 0);
    loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, stale_seen, &x);
    const tl_event *st = find(&x.tl, "sae.stale_record");
    CU_ASSERT_PTR_NOT_NULL(st);
    if (st) CU_ASSERT_STRING_EQUAL(ATTR(st, "sa"), "1");
    for (int i = 0; i < FLEET; i++) {
        dtls_client_free(cli[i]);
        udp_close(&cs[i]);
    }
    x.cli = NULL;
    dtls_server_free(x.srv);
    udp_close(&x.ss);
    loop_free(x.l);
    timeline_free(&x.tl);
}

/* The harness closes an association while the peer's record is on its way: a record that
 * arrives within one measured round trip plus DTLS_CROSSING_MARGIN_MS of the close_notify
 * crossed it (sae.crossed_record); one sent after the grace is stale (sae.stale_record). */
static int crossed_seen(void *ctx) { return find(&((pair *)ctx)->tl, "sae.crossed_record") != NULL; }

static void test_close_grace_crossed_then_stale(void)
{
    dtls_psk cpsk = server_psk;
    dtls_params cp = { .psks = &cpsk, .npsks = 1, .retrans_ms = 200, .total_ms = 3000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_EQUAL_FATAL(dtls_conn_state(x.cli), DTLS_UP);
    net_addr ca;
    net_addr_parse("127.0.0.1", udp_port(&x.cs), &ca);
    dtls_conn *sc = dtls_server_find(x.srv, &ca);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    dtls_close(sc);
    const tl_event *closed = find_side(&x.tl, "sae.closed", "server");
    CU_ASSERT_PTR_NOT_NULL_FATAL(closed);
    double rtt = atof(ATTR(closed, "rtt_ms"));   /* measured in the handshake: server flight to Finished */
    CU_ASSERT_TRUE(rtt > 0 && rtt < 1000);
    /* the client has not read the close yet: its record crosses it */
    CU_ASSERT_EQUAL(dtls_send(x.cli, "early", 5), 0);
    loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, crossed_seen, &x);
    const tl_event *cr = find(&x.tl, "sae.crossed_record");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cr);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.stale_record"));
    double since = atof(ATTR(cr, "since_close_ms")), grace = atof(ATTR(cr, "grace_ms"));
    CU_ASSERT_TRUE(since <= grace);
    CU_ASSERT_DOUBLE_EQUAL(grace, rtt + DTLS_CROSSING_MARGIN_MS, 0.002);
    CU_ASSERT_EQUAL(x.gotn, 0);   /* never delivered as data */
    /* after the grace: the peer could have seen the close, its record is stale */
    loop_run_until(x.l, mono_now_ns() + (int64_t)((grace + 20) * NS_PER_MS), NULL, NULL);
    CU_ASSERT_EQUAL(dtls_conn_state(x.cli), DTLS_CLOSED);   /* it read the close_notify */
    CU_ASSERT_EQUAL(dtls_send_anyway(x.cli, "late", 4), 0);
    loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, stale_seen, &x);
    const tl_event *st = find(&x.tl, "sae.stale_record");
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_TRUE(atof(ATTR(st, "since_close_ms")) > atof(ATTR(st, "grace_ms")));
    CU_ASSERT_EQUAL(x.gotn, 0);
    stop(&x);
}

typedef struct replay {
    pair *x;
    uint8_t flight[4][256];
    size_t n[4], count;
    dtls_conn *srv_conn;
    char cgot[16];
    size_t cgotn;
} replay;

static void replay_server_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    (void)p; (void)n;
    ((replay *)ctx)->srv_conn = c;
}

static void replay_client_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    replay *r = ctx;
    (void)c;
    memcpy(r->cgot, p, n < sizeof r->cgot ? n : sizeof r->cgot);
    r->cgotn = n;
}

static void replay_keep_last_flight(const char *peer, const uint8_t *p, size_t n, void *ctx)
{
    replay *r = ctx;
    (void)peer;
    /* ChangeCipherSpec, or a handshake record of epoch 1 (the encrypted Finished) */
    int last = n >= 13 && (p[0] == 20 || (p[0] == 22 && p[3] == 0 && p[4] == 1));
    if (last && r->count < 4 && n <= sizeof r->flight[0]) {
        memcpy(r->flight[r->count], p, n);
        r->n[r->count++] = n;
    }
}

static int replay_srv_ready(void *ctx) { return ((replay *)ctx)->srv_conn != NULL; }
static int replay_client_got(void *ctx) { return ((replay *)ctx)->cgotn > 0; }

static void test_client_stays_up_when_server_repeats_last_flight(void)
{
    pair x;
    replay r;
    memset(&r, 0, sizeof r);
    char err[256];
    memset(&x, 0, sizeof x);
    dtls_global_init();
    timeline_init(&x.tl);
    x.l = loop_new();
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x.ss, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&x.cs, "127.0.0.1", 0, err, sizeof err), 0);
    x.srv = dtls_server_new(x.l, &x.ss, &server_params, &x.tl, (dtls_hooks){ replay_server_data, NULL, NULL, &r },
                            err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x.srv);
    net_addr srv, cli;
    net_addr_parse("127.0.0.1", udp_port(&x.ss), &srv);
    net_addr_parse("127.0.0.1", udp_port(&x.cs), &cli);
    dtls_psk cpsk = server_psk;
    dtls_params cp = { .psks = &cpsk, .npsks = 1, .retrans_ms = 200, .total_ms = 3000 };
    x.cli = dtls_client_new(x.l, &x.cs, &srv, &cp, NULL,
                            (dtls_hooks){ replay_client_data, NULL, replay_keep_last_flight, &r }, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x.cli);
    loop_run_until(x.l, mono_now_ns() + 5 * NS_PER_SEC, settled, &x);
    CU_ASSERT_EQUAL_FATAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_EQUAL_FATAL(r.count, 2);   /* GnuTLS sends ChangeCipherSpec and Finished apart */
    CU_ASSERT_EQUAL(dtls_send(x.cli, "ping", 4), 0);
    loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, replay_srv_ready, &r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.srv_conn);
    for (size_t i = 0; i < r.count; i++)    /* the repeated last flight, from the server's port */
        CU_ASSERT_EQUAL(udp_send(&x.ss, r.flight[i], r.n[i], &cli), (ssize_t)r.n[i]);
    loop_run_until(x.l, mono_now_ns() + 300 * NS_PER_MS, NULL, NULL);
    CU_ASSERT_EQUAL(dtls_send(r.srv_conn, "pong", 4), 0);
    loop_run_until(x.l, mono_now_ns() + 2 * NS_PER_SEC, replay_client_got, &r);
    CU_ASSERT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_EQUAL(r.cgotn, 4);
    CU_ASSERT_NSTRING_EQUAL(r.cgot, "pong", 4);
    stop(&x);
}

static void test_wrong_key_no_association(void)
{
    static const uint8_t bad[] = "not-the-key";
    dtls_psk cpsk = { server_psk.identity, bad, sizeof bad - 1, NULL };
    dtls_params cp = { .psks = &cpsk, .npsks = 1, .retrans_ms = 200, .total_ms = 2000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    /* the client gives up at its dtls-total (2 s); the server at its own (3 s) */
    loop_run_until(x.l, mono_now_ns() + 5 * NS_PER_SEC, server_failed, &x);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    CU_ASSERT_PTR_NOT_NULL(find(&x.tl, "sae.fail"));
    stop(&x);
}

static void test_unknown_identity_no_association(void)
{
    dtls_psk cpsk = { "stranger@elsewhere.test", key, sizeof key - 1, NULL };
    dtls_params cp = { .psks = &cpsk, .npsks = 1, .retrans_ms = 200, .total_ms = 2000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    const tl_event *u = find(&x.tl, "sae.unknown_identity");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(tl_event_get(u, "identity"), "stranger@elsewhere.test");
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    /* refused with an alert (RFC 4279 §2), so the client ends on it, not on its timer */
    const char *alert = gnutls_alert_get_name(GNUTLS_A_UNKNOWN_PSK_IDENTITY);
    const tl_event *srv = find_side(&x.tl, "sae.fail", "server");
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    CU_ASSERT_STRING_EQUAL(ATTR(srv, "alert_sent"), alert);
    CU_ASSERT_PTR_NOT_NULL(strstr(dtls_conn_fail_reason(x.cli), alert));   /* the client's own reason */
    stop(&x);
}

static void test_dtls10_only_client_refused(void)
{
    dtls_psk cpsk = server_psk;
    dtls_params cp = { .priority = "NORMAL:-VERS-ALL:+VERS-DTLS1.0:-KX-ALL:+PSK", .psks = &cpsk, .npsks = 1,
                       .retrans_ms = 200, .total_ms = 2000 };
    pair x;
    start(&x, &cp);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    stop(&x);
}

/* ---- X.509 (TS-0003 §8.2.2.2, §8.1.2): fixtures/certs/ ---- */

#define CERTS M2M_DATA_DIR "/fixtures/certs/"
static const dtls_params cert_server = {
    .cert_file = CERTS "in-cse.crt", .key_file = CERTS "in-cse.key", .trust_file = CERTS "test-ca.crt",
    .peer_cert_id = "dns:asn-cse-1.m2m-harness.test", .peer_bound_id = "/asn-cse-1",
    .retrans_ms = 200, .total_ms = 2000 };

static void cert_client(dtls_params *cp, const char *name)
{
    static char crt[256], keyf[256];
    snprintf(crt, sizeof crt, CERTS "%s.crt", name);
    snprintf(keyf, sizeof keyf, CERTS "%s.key", name);
    *cp = (dtls_params){ .cert_file = crt, .key_file = keyf, .trust_file = CERTS "test-ca.crt",
                         .verify_name = "in-cse.m2m-harness.test", .sni = "in-cse.m2m-harness.test",
                         .retrans_ms = 200, .total_ms = 2000 };
}

static void test_x509_mutual_with_san_identity(void)
{
    dtls_params cp;
    cert_client(&cp, "asn-cse-1");
    pair x;
    start_with(&x, &cp, &cert_server);
    CU_ASSERT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    const tl_event *done = find(&x.tl, "sae.done");
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "suite"), "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "identity"), "dns:asn-cse-1.m2m-harness.test");
    CU_ASSERT_STRING_EQUAL(tl_event_get(done, "bound_id"), "/asn-cse-1");
    CU_ASSERT_STRING_EQUAL(dtls_conn_identity(x.cli), "dns:in-cse.m2m-harness.test");
    stop(&x);
}

/* Each defective client certificate: no association, and the harness says why. */
static void expect_rejected(const char *name, const char *why)
{
    dtls_params cp;
    cert_client(&cp, name);
    pair x;
    start_with(&x, &cp, &cert_server);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    /* Rejected by our verification, or earlier: a client whose certificate no trusted CA
     * issued sends none (the CertificateRequest names the acceptable CAs). */
    const tl_event *rej = find(&x.tl, "sae.cert_rejected");
    if (!rej) rej = find(&x.tl, "sae.fail");
    CU_ASSERT_PTR_NOT_NULL(rej);
    if (rej && !strstr(tl_event_get(rej, "reason"), why)) {
        fprintf(stderr, "\n%s: reason '%s' lacks '%s'\n", name, tl_event_get(rej, "reason"), why);
        CU_FAIL("rejection reason");
    }
    /* the server refused with an alert, and the client ended on it */
    const tl_event *srv = find_side(&x.tl, "sae.fail", "server");
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    if (!tl_event_get(srv, "alert_sent") || !strstr(dtls_conn_fail_reason(x.cli), "alert")) {
        fprintf(stderr, "\n%s: server sent alert '%s', client's reason '%s'\n", name, ATTR(srv, "alert_sent"),
                dtls_conn_fail_reason(x.cli));
        CU_FAIL("refusal without an alert");
    }
    stop(&x);
}

static void test_x509_identity_in_cn_only_rejected(void) { expect_rejected("asn-cse-1-cn-only", "no dNSName or URI"); }
static void test_x509_other_identity_rejected(void) { expect_rejected("asn-cse-1-other-id", "is not dns:asn-cse-1"); }
static void test_x509_untrusted_rejected(void) { expect_rejected("asn-cse-1-untrusted", "certificate"); }
static void test_x509_expired_rejected(void) { expect_rejected("asn-cse-1-expired", "expired"); }
static void test_x509_wrong_purpose_rejected(void) { expect_rejected("asn-cse-1-wrong-eku", "rejected"); }

/* ---- raw public keys (RFC 7250): fixtures/certs/rpk-* ---- */

/* SHA-256 of rpk-asn-cse-1.pub's DER SubjectPublicKeyInfo, computed with openssl
 * (openssl pkey -pubin -outform DER | sha256sum): an oracle independent of GnuTLS. */
#define ASN_SPKI "f7549c6d45e7ec30b3396eb5b9222acdf6a6537c23ab623d58514b19c22a6ff8"
static const dtls_rpk_pin pin_asn = { "/asn-cse-1", ASN_SPKI, NULL };
static const dtls_rpk_pin pin_old = { "/asn-cse-1", NULL, CERTS "rpk-asn-cse-1-old.pub" };
static const dtls_rpk_pin pin_in_cse = { "/in-cse", NULL, CERTS "rpk-in-cse.pub" };

static void rpk_pair(pair *x, const dtls_rpk_pin *server_pin, const dtls_rpk_pin *client_pin)
{
    static dtls_params sp, cp;
    sp = (dtls_params){ .rpk_pub_file = CERTS "rpk-in-cse.pub", .rpk_key_file = CERTS "rpk-in-cse.key",
                        .rpk_pins = server_pin, .nrpk_pins = 1, .retrans_ms = 200, .total_ms = 2000 };
    cp = (dtls_params){ .rpk_pub_file = CERTS "rpk-asn-cse-1.pub", .rpk_key_file = CERTS "rpk-asn-cse-1.key",
                        .rpk_pins = client_pin, .nrpk_pins = 1, .retrans_ms = 200, .total_ms = 2000 };
    start_with(x, &cp, &sp);
}

static void test_rpk_mutual_identity_from_pin(void)
{
    pair x;
    rpk_pair(&x, &pin_asn, &pin_in_cse);
    CU_ASSERT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    const tl_event *done = find(&x.tl, "sae.done");
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    CU_ASSERT_STRING_EQUAL(ATTR(done, "ctype"), "rpk");
    CU_ASSERT_STRING_EQUAL(ATTR(done, "suite"), "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
    CU_ASSERT_STRING_EQUAL(ATTR(done, "identity"), "spki-sha256:" ASN_SPKI);
    CU_ASSERT_STRING_EQUAL(ATTR(done, "bound_id"), "/asn-cse-1");
    CU_ASSERT_STRING_EQUAL(dtls_conn_bound_id(x.cli) ? dtls_conn_bound_id(x.cli) : "(none)", "/in-cse");   /* the client pinned the file */
    stop(&x);
}

static void test_rpk_unknown_client_key_refused(void)
{
    pair x;
    rpk_pair(&x, &pin_old, &pin_in_cse);
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(x.cli), DTLS_UP);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    const tl_event *rej = find(&x.tl, "sae.cert_rejected");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rej);
    CU_ASSERT_STRING_EQUAL(ATTR(rej, "ctype"), "rpk");
    CU_ASSERT_PTR_NOT_NULL(strstr(ATTR(rej, "reason"), ASN_SPKI " is pinned for no identity"));
    stop(&x);
}

static void test_rpk_client_refuses_unpinned_server(void)
{
    pair x;
    rpk_pair(&x, &pin_asn, &pin_old);   /* the client pins a key that is not the server's */
    CU_ASSERT_EQUAL(dtls_conn_state(x.cli), DTLS_FAILED);
    CU_ASSERT_PTR_NULL(find(&x.tl, "sae.done"));
    /* refused by the raw-key check (which records the key it saw), not by something else */
    CU_ASSERT_STRING_EQUAL(dtls_conn_identity(x.cli) ? dtls_conn_identity(x.cli) : "(none)",
                           "spki-sha256:bff5521eb6c7edaf72fdab7739a37ee48cff1e379f1b20b4dee624576aeb6695");
    CU_ASSERT_PTR_NULL(dtls_conn_bound_id(x.cli));
    stop(&x);
}

static void test_rpk_fingerprints(void)
{
    char hex[65], err[128];
    FILE *f = fopen(CERTS "rpk-asn-cse-1.pub", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    CU_ASSERT_EQUAL(dtls_rpk_pubkey_sha256(buf, n, hex, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(hex, ASN_SPKI);
    CU_ASSERT_EQUAL(dtls_rpk_pubkey_sha256((const uint8_t *)"-----BEGIN nonsense", 19, hex, err, sizeof err), -1);
    dtls_rpk_pin upper = { "/x", "F7549C6D45E7EC30B3396EB5B9222ACDF6A6537C23AB623D58514B19C22A6FF8", NULL };
    CU_ASSERT_PTR_EQUAL(dtls_rpk_match(&upper, 1, ASN_SPKI), &upper);
    CU_ASSERT_PTR_NULL(dtls_rpk_match(&pin_old, 1, ASN_SPKI));
    dtls_rpk_pin short_pin = { "/x", "f7549c6d", NULL };   /* a prefix is not a pin */
    CU_ASSERT_PTR_NULL(dtls_rpk_match(&short_pin, 1, "f7549c6d"));
    CU_ASSERT_EQUAL(dtls_rpk_hex_ok(ASN_SPKI), 1);
    CU_ASSERT_EQUAL(dtls_rpk_hex_ok("xyz"), 0);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("dtls", NULL, NULL);
    CU_add_test(s, "PSK handshake with cookie, CCM_8, SNI, data", test_psk_handshake_and_data);
    CU_add_test(s, "a datagram shorter than a record header is dropped, the association kept", test_short_datagram_dropped_association_kept);
    CU_add_test(s, "client stays up when the server repeats its last flight", test_client_stays_up_when_server_repeats_last_flight);
    CU_add_test(s, "a fleet: lookup by address, ended associations release their state", test_fleet_lookup_and_release);
    CU_add_test(s, "harness close: a record within the grace crossed it, a later one is stale", test_close_grace_crossed_then_stale);
    CU_add_test(s, "wrong key: no association", test_wrong_key_no_association);
    CU_add_test(s, "unknown identity: no association", test_unknown_identity_no_association);
    CU_add_test(s, "DTLS 1.0-only client refused", test_dtls10_only_client_refused);
    CU_add_test(s, "X.509 mutual, ECDSA CCM_8, identity from subjectAltName", test_x509_mutual_with_san_identity);
    CU_add_test(s, "X.509 identity only in CN: rejected", test_x509_identity_in_cn_only_rejected);
    CU_add_test(s, "X.509 another identity: rejected", test_x509_other_identity_rejected);
    CU_add_test(s, "X.509 untrusted issuer: rejected", test_x509_untrusted_rejected);
    CU_add_test(s, "X.509 expired: rejected", test_x509_expired_rejected);
    CU_add_test(s, "X.509 without clientAuth purpose: rejected", test_x509_wrong_purpose_rejected);
    CU_add_test(s, "RPK mutual, CCM_8, identity bound by the pinned key", test_rpk_mutual_identity_from_pin);
    CU_add_test(s, "RPK client key pinned for no identity: refused", test_rpk_unknown_client_key_refused);
    CU_add_test(s, "RPK client refuses an unpinned server key", test_rpk_client_refuses_unpinned_server);
    CU_add_test(s, "RPK fingerprints and pin matching", test_rpk_fingerprints);
}
