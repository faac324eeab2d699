/* The CoAP message layer between two endpoints joined by an in-memory link that can drop
 * datagrams: piggybacked responses, retransmission with back-off, duplicate detection
 * (the operation is not executed twice, RFC 7252 §4.5), give-up after MAX_RETRANSMIT.
 * Separate responses (RFC 7252 §5.2.2) over real UDP sockets on 127.0.0.1, one end an
 * endpoint, the other a bare socket the test writes and reads byte by byte. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "net/coap_ep.h"
#include "net/udp.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

typedef struct side {
    struct side *other;
    coap_ep *ep;
    cm_link link;
    int drop_next;      /* drop this many outgoing datagrams */
    int sent;           /* datagrams sent */
    int requests;       /* on_request calls */
    int replay_next;    /* send the next datagram twice */
} side;

typedef struct inflight { side *to; uint8_t *p; size_t n; uint64_t timer; struct inflight *next; } inflight;
static evloop *L;
static inflight *in_flight;   /* datagrams "on the wire": freed at teardown if not delivered */

static void unlink_flight(inflight *f)
{
    for (inflight **pp = &in_flight; *pp; pp = &(*pp)->next)
        if (*pp == f) { *pp = f->next; return; }
}

static void deliver(evloop *l, void *ctx)
{
    (void)l;
    inflight *f = ctx;
    unlink_flight(f);
    coap_ep_input(f->to->ep, &f->to->link, f->p, f->n);
    free(f->p);
    free(f);
}

static void post(side *s, const uint8_t *p, size_t n)
{
    inflight *f = xcalloc(1, sizeof *f);
    f->to = s->other;
    f->p = xmalloc(n);
    memcpy(f->p, p, n);
    f->n = n;
    f->timer = loop_timer_add(L, NS_PER_MS, deliver, f);   /* 1 ms "network" */
    f->next = in_flight;
    in_flight = f;
}

static int link_send(void *ctx, const uint8_t *p, size_t n)
{
    side *s = ctx;
    s->sent++;
    if (s->drop_next > 0) { s->drop_next--; return 0; }
    post(s, p, n);
    if (s->replay_next) { s->replay_next = 0; post(s, p, n); }
    return 0;
}

/* Every request is answered 2.05 "ok". */
static void answer_ok(coap_ep *ep, const cm_link *link, const cm_msg *req)
{
    cm_msg rsp;
    cm_msg_init(&rsp);
    rsp.code = CM_CODE(2, 5);
    cm_msg_set_payload(&rsp, "ok", 2);
    coap_ep_respond(ep, link, req, &rsp);
    cm_msg_free(&rsp);
}

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    ((side *)ctx)->requests++;
    answer_ok(ep, link, req);
}

typedef struct outcome { int done, reset, code; } outcome;
static void on_rsp(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep;
    outcome *o = ctx;
    o->done++;
    o->reset = reset;
    o->code = rsp ? rsp->code : -1;
}
static int is_done(void *ctx) { return ((outcome *)ctx)->done > 0; }

static void setup(side *a, side *b, int64_t ack_ns)
{
    L = loop_new();
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->other = b;
    b->other = a;
    coap_params p = { ack_ns, 3 };
    coap_ep_hooks ha = { NULL, NULL, a }, hb = { NULL, on_request, b };
    a->ep = coap_ep_new(L, p, ha);
    b->ep = coap_ep_new(L, p, hb);
    a->link = (cm_link){ link_send, a, 0, 0, "a" };
    b->link = (cm_link){ link_send, b, 0, 0, "b" };
}

static void teardown(side *a, side *b)
{
    coap_ep_free(a->ep);
    coap_ep_free(b->ep);
    while (in_flight) {
        inflight *f = in_flight;
        in_flight = f->next;
        loop_timer_cancel(L, f->timer);
        free(f->p);
        free(f);
    }
    loop_free(L);
}

static void request(side *a, outcome *o)
{
    cm_msg m;
    cm_msg_init(&m);
    m.type = CM_CON;
    m.code = CM_GET;
    CU_ASSERT_EQUAL(coap_ep_request(a->ep, &a->link, &m, on_rsp, o), 0);
    cm_msg_free(&m);
}

static void test_piggybacked_response(void)
{
    side a, b;
    outcome o = { 0 };
    setup(&a, &b, 50 * NS_PER_MS);
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + NS_PER_SEC, is_done, &o);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(o.code, CM_CODE(2, 5));
    CU_ASSERT_EQUAL(a.sent, 1);
    CU_ASSERT_EQUAL(b.sent, 1);
    CU_ASSERT_EQUAL(b.requests, 1);
    CU_ASSERT_EQUAL(coap_ep_pending(a.ep), 0);
    teardown(&a, &b);
}

static void test_retransmission_after_loss(void)
{
    side a, b;
    outcome o = { 0 };
    setup(&a, &b, 30 * NS_PER_MS);
    a.drop_next = 2;   /* the request and its first retransmission are lost */
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 2 * NS_PER_SEC, is_done, &o);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(o.code, CM_CODE(2, 5));
    CU_ASSERT_EQUAL(a.sent, 3);
    CU_ASSERT_EQUAL(b.requests, 1);
    teardown(&a, &b);
}

static void test_duplicate_answered_from_cache(void)
{
    side a, b;
    outcome o = { 0 };
    setup(&a, &b, 50 * NS_PER_MS);
    a.replay_next = 1; /* the network duplicates the request */
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 200 * NS_PER_MS, NULL, NULL);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(b.requests, 1);     /* executed once */
    CU_ASSERT_EQUAL(b.sent, 2);         /* answered twice, the same bytes */
    teardown(&a, &b);
}

static void test_lost_response_recovered_without_reexecution(void)
{
    side a, b;
    outcome o = { 0 };
    setup(&a, &b, 30 * NS_PER_MS);
    b.drop_next = 1;   /* the piggybacked response is lost: the CON is retransmitted */
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 2 * NS_PER_SEC, is_done, &o);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(o.code, CM_CODE(2, 5));
    CU_ASSERT_EQUAL(b.requests, 1);
    CU_ASSERT_EQUAL(a.sent, 2);
    teardown(&a, &b);
}

static void test_gives_up_after_max_retransmit(void)
{
    side a, b;
    outcome o = { 0 };
    setup(&a, &b, 10 * NS_PER_MS);
    a.drop_next = 100;
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 3 * NS_PER_SEC, is_done, &o);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(o.code, -1);
    CU_ASSERT_EQUAL(o.reset, 0);
    CU_ASSERT_EQUAL(a.sent, 4);         /* 1 + MAX_RETRANSMIT (3) */
    teardown(&a, &b);
}

static void test_malformed_con_gets_rst(void)
{
    side a, b;
    setup(&a, &b, 50 * NS_PER_MS);
    /* CON GET, mid 0x1234, TKL 9: a message format error */
    static const uint8_t bad[] = { 0x49, 0x01, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    coap_ep_input(b.ep, &b.link, bad, sizeof bad);
    CU_ASSERT_EQUAL(b.sent, 1);
    CU_ASSERT_EQUAL(b.requests, 0);
    teardown(&a, &b);
}

/* ---- separate responses over UDP: an endpoint on one socket, a bare socket on the other ---- */

typedef struct udp_end {
    coap_ep *ep;
    udp_sock sock;       /* the endpoint's */
    udp_sock bare;       /* the test's: what it sends and receives is checked byte by byte */
    net_addr bare_addr;
    cm_link link;
    int requests;
} udp_end;

static int udp_link_send(void *ctx, const uint8_t *p, size_t n)
{
    udp_end *u = ctx;
    return udp_send(&u->sock, p, n, &u->bare_addr) < 0 ? -1 : 0;
}

static void udp_readable(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)fd; (void)ev;
    udp_end *u = ctx;
    uint8_t buf[2048];
    net_addr from;
    ssize_t n;
    while ((n = udp_recv(&u->sock, buf, sizeof buf, &from)) >= 0) coap_ep_input(u->ep, &u->link, buf, (size_t)n);
}

static void udp_on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    ((udp_end *)ctx)->requests++;
    answer_ok(ep, link, req);
}

/* ACK_TIMEOUT 20 ms, MAX_RETRANSMIT 2: a whole exchange gives up within about 200 ms. */
static void udp_setup(udp_end *u, int separate, coap_ep_hooks h)
{
    char err[256];
    L = loop_new();
    memset(u, 0, sizeof *u);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&u->sock, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&u->bare, "127.0.0.1", 0, err, sizeof err), 0);
    net_addr_parse("127.0.0.1", udp_port(&u->bare), &u->bare_addr);
    h.ctx = u;
    u->ep = coap_ep_new(L, (coap_params){ 20 * NS_PER_MS, 2 }, h);
    coap_ep_set_separate(u->ep, separate);
    u->link = (cm_link){ udp_link_send, u, 0, 0, "bare" };
    loop_add_fd(L, u->sock.fd, udp_readable, u);
}

static void udp_teardown(udp_end *u)
{
    loop_del_fd(L, u->sock.fd);
    coap_ep_free(u->ep);
    udp_close(&u->sock);
    udp_close(&u->bare);
    loop_free(L);
}

static void bare_send(udp_end *u, const uint8_t *p, size_t n)
{
    net_addr to;
    net_addr_parse("127.0.0.1", udp_port(&u->sock), &to);
    CU_ASSERT_EQUAL(udp_send(&u->bare, p, n, &to), (ssize_t)n);
}

/* The next datagram the endpoint sends to the bare socket within wait_ms (the loop runs
 * meanwhile), decoded into m; 0 when none came. */
static size_t bare_recv(udp_end *u, cm_msg *m, uint8_t *raw, size_t cap, int wait_ms)
{
    int64_t end = mono_now_ns() + wait_ms * NS_PER_MS;
    do {
        net_addr from;
        ssize_t n = udp_recv(&u->bare, raw, cap, &from);
        if (n >= 0) {
            cm_defects d;
            cm_msg_free(m);
            CU_ASSERT_EQUAL(cm_decode(raw, (size_t)n, m, &d), 0);
            return (size_t)n;
        }
        loop_run_once(L, NS_PER_MS);
    } while (mono_now_ns() < end);
    return 0;
}

static const uint8_t con_get[] = { 0x44, 0x01, 0x12, 0x34, 0xa1, 0xb2, 0xc3, 0xd4 };   /* CON GET mid 0x1234, token a1b2c3d4 */

static void send_empty_to(udp_end *u, uint8_t type, uint16_t mid)
{
    uint8_t b[4] = { (uint8_t)(0x40 | type << 4), 0, (uint8_t)(mid >> 8), (uint8_t)mid };
    bare_send(u, b, sizeof b);
}

/* The request, then: an empty ACK of its Message ID, then the response in a CON of its own. */
static uint16_t expect_empty_ack_then_con(udp_end *u, cm_msg *m, uint8_t *raw, size_t cap)
{
    CU_ASSERT_FATAL(bare_recv(u, m, raw, cap, 500) > 0);
    CU_ASSERT_EQUAL(m->type, CM_ACK);
    CU_ASSERT_EQUAL(m->code, CM_EMPTY);
    CU_ASSERT_EQUAL(m->mid, 0x1234);
    CU_ASSERT_EQUAL(m->tkl, 0);
    CU_ASSERT_FATAL(bare_recv(u, m, raw, cap, 500) > 0);
    CU_ASSERT_EQUAL(m->type, CM_CON);
    CU_ASSERT_EQUAL(m->code, CM_CODE(2, 5));
    CU_ASSERT_NOT_EQUAL(m->mid, 0x1234);
    CU_ASSERT_EQUAL(m->tkl, 4);
    CU_ASSERT_EQUAL(memcmp(m->token, con_get + 4, 4), 0);
    CU_ASSERT_EQUAL(m->plen, 2);
    return m->mid;
}

static void test_separate_response_acked(void)
{
    udp_end u;
    udp_setup(&u, 1, (coap_ep_hooks){ NULL, udp_on_request, NULL });
    cm_msg m;
    cm_msg_init(&m);
    uint8_t raw[2048];
    bare_send(&u, con_get, sizeof con_get);
    uint16_t mid = expect_empty_ack_then_con(&u, &m, raw, sizeof raw);
    CU_ASSERT_EQUAL(coap_ep_pending(u.ep), 1);   /* the response waits for its ACK */
    send_empty_to(&u, CM_ACK, mid);
    CU_ASSERT_EQUAL(bare_recv(&u, &m, raw, sizeof raw, 300), 0);   /* ACKed: never sent again */
    CU_ASSERT_EQUAL(coap_ep_pending(u.ep), 0);
    CU_ASSERT_EQUAL(u.requests, 1);
    cm_msg_free(&m);
    udp_teardown(&u);
}

static void test_separate_response_retransmitted_until_max(void)
{
    udp_end u;
    udp_setup(&u, 1, (coap_ep_hooks){ NULL, udp_on_request, NULL });
    cm_msg m;
    cm_msg_init(&m);
    uint8_t first[2048], raw[2048];
    bare_send(&u, con_get, sizeof con_get);
    uint16_t mid = expect_empty_ack_then_con(&u, &m, first, sizeof first);
    size_t n = cm_encode(&m, first, sizeof first);
    for (int i = 0; i < 2; i++) {   /* MAX_RETRANSMIT copies, the same bytes */
        size_t k = bare_recv(&u, &m, raw, sizeof raw, 300);
        CU_ASSERT_EQUAL(k, n);
        CU_ASSERT_EQUAL(m.type, CM_CON);
        CU_ASSERT_EQUAL(m.mid, mid);
        CU_ASSERT_EQUAL(memcmp(raw, first, n), 0);
    }
    CU_ASSERT_EQUAL(bare_recv(&u, &m, raw, sizeof raw, 400), 0);   /* then it gives up */
    CU_ASSERT_EQUAL(coap_ep_pending(u.ep), 0);
    CU_ASSERT_EQUAL(u.requests, 1);
    cm_msg_free(&m);
    udp_teardown(&u);
}

static void test_separate_response_stopped_by_rst(void)
{
    udp_end u;
    udp_setup(&u, 1, (coap_ep_hooks){ NULL, udp_on_request, NULL });
    cm_msg m;
    cm_msg_init(&m);
    uint8_t raw[2048];
    bare_send(&u, con_get, sizeof con_get);
    uint16_t mid = expect_empty_ack_then_con(&u, &m, raw, sizeof raw);
    send_empty_to(&u, CM_RST, mid);
    CU_ASSERT_EQUAL(bare_recv(&u, &m, raw, sizeof raw, 300), 0);
    CU_ASSERT_EQUAL(coap_ep_pending(u.ep), 0);
    cm_msg_free(&m);
    udp_teardown(&u);
}

static void test_separate_duplicate_request_not_executed_twice(void)
{
    udp_end u;
    udp_setup(&u, 1, (coap_ep_hooks){ NULL, udp_on_request, NULL });
    cm_msg m;
    cm_msg_init(&m);
    uint8_t raw[2048];
    bare_send(&u, con_get, sizeof con_get);
    uint16_t mid = expect_empty_ack_then_con(&u, &m, raw, sizeof raw);
    send_empty_to(&u, CM_ACK, mid);
    bare_send(&u, con_get, sizeof con_get);   /* the client missed the empty ACK */
    CU_ASSERT_FATAL(bare_recv(&u, &m, raw, sizeof raw, 500) == 4);
    CU_ASSERT_EQUAL(m.type, CM_ACK);           /* the same empty ACK again ... */
    CU_ASSERT_EQUAL(m.mid, 0x1234);
    CU_ASSERT_EQUAL(bare_recv(&u, &m, raw, sizeof raw, 300), 0);   /* ... and no second response */
    CU_ASSERT_EQUAL(u.requests, 1);
    cm_msg_free(&m);
    udp_teardown(&u);
}

static void test_non_request_still_answered_non(void)
{
    udp_end u;
    udp_setup(&u, 1, (coap_ep_hooks){ NULL, udp_on_request, NULL });
    cm_msg m;
    cm_msg_init(&m);
    uint8_t raw[2048], non_get[sizeof con_get];
    memcpy(non_get, con_get, sizeof con_get);
    non_get[0] = 0x54;   /* NON: no ACK to send, its response is a NON (RFC 7252 §5.2.3) */
    bare_send(&u, non_get, sizeof non_get);
    CU_ASSERT_FATAL(bare_recv(&u, &m, raw, sizeof raw, 500) > 0);
    CU_ASSERT_EQUAL(m.type, CM_NON);
    CU_ASSERT_EQUAL(m.code, CM_CODE(2, 5));
    CU_ASSERT_EQUAL(bare_recv(&u, &m, raw, sizeof raw, 100), 0);
    cm_msg_free(&m);
    udp_teardown(&u);
}

/* The client side: a separate CON response is ACKed and handed up once; a retransmission of
 * it (our ACK lost) is ACKed again, not reset (RFC 7252 §4.5). */
static void test_client_acks_separate_response_and_its_copy(void)
{
    udp_end u;
    udp_setup(&u, 0, (coap_ep_hooks){ NULL, NULL, NULL });
    outcome o = { 0 };
    cm_msg req, m;
    cm_msg_init(&req);
    cm_msg_init(&m);
    req.type = CM_CON;
    req.code = CM_GET;
    CU_ASSERT_EQUAL(coap_ep_request(u.ep, &u.link, &req, on_rsp, &o), 0);
    uint8_t raw[2048];
    CU_ASSERT_FATAL(bare_recv(&u, &m, raw, sizeof raw, 500) > 0);
    uint16_t req_mid = m.mid;
    uint8_t rsp[16] = { 0x44, CM_CODE(2, 5), 0x77, 0x01 };   /* CON 2.05 mid 0x7701, the request's token */
    memcpy(rsp + 4, m.token, 4);
    send_empty_to(&u, CM_ACK, req_mid);
    bare_send(&u, rsp, 8);
    for (int copy = 0; copy < 2; copy++) {
        CU_ASSERT_FATAL(bare_recv(&u, &m, raw, sizeof raw, 500) == 4);
        CU_ASSERT_EQUAL(m.type, CM_ACK);
        CU_ASSERT_EQUAL(m.mid, 0x7701);
        if (!copy) bare_send(&u, rsp, 8);
    }
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(o.code, CM_CODE(2, 5));
    CU_ASSERT_EQUAL(bare_recv(&u, &m, raw, sizeof raw, 200), 0);   /* no retransmission of the request */
    cm_msg_free(&req);
    cm_msg_free(&m);
    udp_teardown(&u);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("coap_ep", NULL, NULL);
    CU_add_test(s, "piggybacked response", test_piggybacked_response);
    CU_add_test(s, "retransmission after loss", test_retransmission_after_loss);
    CU_add_test(s, "duplicate CON answered from cache, executed once", test_duplicate_answered_from_cache);
    CU_add_test(s, "lost response: retransmitted CON not re-executed", test_lost_response_recovered_without_reexecution);
    CU_add_test(s, "gives up after MAX_RETRANSMIT", test_gives_up_after_max_retransmit);
    CU_add_test(s, "malformed CON answered with RST", test_malformed_con_gets_rst);
    CU_add_test(s, "separate: empty ACK, CON response with the token, ACKed", test_separate_response_acked);
    CU_add_test(s, "separate: response retransmitted until MAX_RETRANSMIT", test_separate_response_retransmitted_until_max);
    CU_add_test(s, "separate: client RST stops the response", test_separate_response_stopped_by_rst);
    CU_add_test(s, "separate: duplicate request gets the empty ACK, executed once", test_separate_duplicate_request_not_executed_twice);
    CU_add_test(s, "separate: a NON request is answered NON", test_non_request_still_answered_non);
    CU_add_test(s, "client: separate CON response and its copy ACKed", test_client_acks_separate_response_and_its_copy);
}
