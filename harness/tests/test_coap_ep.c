/* The CoAP message layer between two endpoints joined by an in-memory link that can drop
 * datagrams: piggybacked responses, retransmission with back-off, duplicate detection
 * (the operation is not executed twice, RFC 7252 §4.5), give-up after MAX_RETRANSMIT. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "net/coap_ep.h"
#include "util/xmem.h"

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
    f->timer = loop_timer_add(L, 1000000, deliver, f);   /* 1 ms "network" */
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

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    side *s = ctx;
    s->requests++;
    cm_msg rsp;
    cm_msg_init(&rsp);
    rsp.code = CM_CODE(2, 5);
    cm_msg_set_payload(&rsp, "ok", 2);
    coap_ep_respond(ep, link, req, &rsp);
    cm_msg_free(&rsp);
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
    setup(&a, &b, 50000000LL);
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 1000000000LL, is_done, &o);
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
    setup(&a, &b, 30000000LL);
    a.drop_next = 2;   /* the request and its first retransmission are lost */
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 2000000000LL, is_done, &o);
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
    setup(&a, &b, 50000000LL);
    a.replay_next = 1; /* the network duplicates the request */
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 200000000LL, NULL, NULL);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(b.requests, 1);     /* executed once */
    CU_ASSERT_EQUAL(b.sent, 2);         /* answered twice, the same bytes */
    teardown(&a, &b);
}

static void test_lost_response_recovered_without_reexecution(void)
{
    side a, b;
    outcome o = { 0 };
    setup(&a, &b, 30000000LL);
    b.drop_next = 1;   /* the piggybacked response is lost: the CON is retransmitted */
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 2000000000LL, is_done, &o);
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
    setup(&a, &b, 10000000LL);
    a.drop_next = 100;
    request(&a, &o);
    loop_run_until(L, mono_now_ns() + 3000000000LL, is_done, &o);
    CU_ASSERT_EQUAL(o.done, 1);
    CU_ASSERT_EQUAL(o.code, -1);
    CU_ASSERT_EQUAL(o.reset, 0);
    CU_ASSERT_EQUAL(a.sent, 4);         /* 1 + MAX_RETRANSMIT (3) */
    teardown(&a, &b);
}

static void test_malformed_con_gets_rst(void)
{
    side a, b;
    setup(&a, &b, 50000000LL);
    /* CON GET, mid 0x1234, TKL 9: a message format error */
    static const uint8_t bad[] = { 0x49, 0x01, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    coap_ep_input(b.ep, &b.link, bad, sizeof bad);
    CU_ASSERT_EQUAL(b.sent, 1);
    CU_ASSERT_EQUAL(b.requests, 0);
    teardown(&a, &b);
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
}
