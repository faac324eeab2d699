/* The CoAP node (net/node.h) over real sockets on 127.0.0.1: a server node with a plain port
 * and a DTLS-PSK server answers a client node over plain CoAP and in an association, with
 * one record per peer; a forgotten client association hands its socket to the next one (the
 * same port, as a node that rebooted) and keeps sending in its old epoch; a record that
 * reconnects keeps serving its exchanges from a new port; a link set on a node shapes the
 * sockets it opens later, and no other node's. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "net/node.h"
#include "util/timeutil.h"
#include "util/xmem.h"
#include "m2m_test.h"

static const uint8_t key[] = "m2m-harness-node-psk";
static const dtls_psk psk = { "node@in.m2m-harness.test", key, sizeof key - 1, "/node-1" };

typedef struct rig {
    evloop *l;
    node *srv, *cli;
    dtls_params sp, cp;
    int requests, new_peers, answers;
    char last[16];
} rig;

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    rig *g = ctx;
    g->requests++;
    cm_msg out;
    cm_msg_init(&out);
    out.code = CM_CODE(2, 5);
    const char *what = link->secure ? "secure" : "plain";
    out.payload = (uint8_t *)xstrdup(what);
    out.plen = strlen(what);
    coap_ep_respond(ep, link, req, &out);
    cm_msg_free(&out);
}

static void on_peer(node_peer *pr, void *ctx)
{
    (void)pr;
    ((rig *)ctx)->new_peers++;
}

static void on_answer(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)reset;
    rig *g = ctx;
    g->answers++;
    snprintf(g->last, sizeof g->last, "%.*s", rsp ? (int)rsp->plen : 0, rsp ? (const char *)rsp->payload : "");
}

static int answered(void *ctx) { return ((rig *)ctx)->answers > 0; }

static int up(void *ctx)
{
    const node_peer *pr = ctx;
    return pr->conn && dtls_conn_state(pr->conn) != DTLS_HANDSHAKING;
}

static void rig_open(rig *g)
{
    char err[200];
    memset(g, 0, sizeof *g);
    g->l = loop_new();
    g->sp = (dtls_params){ .psks = &psk, .npsks = 1, .retrans_ms = 100, .total_ms = 3000 };
    g->cp = g->sp;
    coap_params cp = { 300000000, 2 };
    const node_hooks sh = { { NULL, on_request, g }, NULL, NULL, on_peer, g };
    const node_hooks ch = { { NULL, NULL, g }, NULL, NULL, NULL, g };
    g->srv = node_new(g->l, cp, &sh);
    g->cli = node_new(g->l, cp, &ch);
    CU_ASSERT_EQUAL_FATAL(node_listen_plain(g->srv, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(node_bind_secure(g->srv, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(node_serve_secure(g->srv, &g->sp, NULL, err, sizeof err), 0);
}

static void rig_close(rig *g)
{
    node_free(g->cli);
    node_free(g->srv);
    loop_free(g->l);
}

/* One CON GET on pr's link; returns the answer's payload ("" for none). */
static const char *ask(rig *g, const node_peer *pr)
{
    cm_msg m;
    cm_msg_init(&m);
    m.type = CM_CON;
    m.code = CM_GET;
    g->answers = 0;
    g->last[0] = 0;
    coap_ep_request(node_ep(g->cli), &pr->link, &m, on_answer, g);
    cm_msg_free(&m);
    loop_run_until(g->l, mono_now_ns() + 2000000000LL, answered, g);
    return g->last;
}

static node_peer *connect_to(rig *g, node_peer *reuse)
{
    char err[200];
    net_addr to;
    net_addr_parse("127.0.0.1", udp_port(node_secure_sock(g->srv)), &to);
    node_peer *pr = node_connect(g->cli, "127.0.0.1", &to, &g->cp, &psk, reuse, NULL, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pr);
    loop_run_until(g->l, mono_now_ns() + 3000000000LL, up, pr);
    return pr;
}

static void test_plain_and_secure_peers(void)
{
    rig g;
    char err[200];
    rig_open(&g);
    CU_ASSERT_EQUAL_FATAL(node_listen_plain(g.cli, "127.0.0.1", 0, err, sizeof err), 0);
    net_addr to;
    net_addr_parse("127.0.0.1", udp_port(node_plain_sock(g.srv)), &to);
    node_peer *plain = node_plain_peer(g.cli, &to);
    CU_ASSERT_PTR_EQUAL(node_plain_peer(g.cli, &to), plain);   /* found again, not a second record */
    CU_ASSERT_STRING_EQUAL(ask(&g, plain), "plain");
    node_peer *sa = connect_to(&g, NULL);
    CU_ASSERT_EQUAL(dtls_conn_state(sa->conn), DTLS_UP);
    CU_ASSERT_STRING_EQUAL(ask(&g, sa), "secure");
    CU_ASSERT_STRING_EQUAL(ask(&g, sa), "secure");
    CU_ASSERT_EQUAL(g.requests, 3);
    CU_ASSERT_EQUAL(g.new_peers, 2);   /* the server: one plain peer, one association */
    const node_peer *s0 = node_peers(g.srv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s0->next);
    CU_ASSERT_EQUAL(s0->link.secure, 1);   /* newest first */
    CU_ASSERT_EQUAL(s0->link.sa, 1);
    CU_ASSERT_PTR_NOT_NULL(s0->conn);
    CU_ASSERT_PTR_NULL(s0->own_sock);      /* the server's socket, not one of its own */
    CU_ASSERT_EQUAL(s0->next->link.secure, 0);
    CU_ASSERT_PTR_NULL(s0->next->next);
    CU_ASSERT_EQUAL(node_close_all(g.cli), 1);
    rig_close(&g);
}

static void test_forget_hands_the_socket_on(void)
{
    rig g;
    rig_open(&g);
    node_peer *first = connect_to(&g, NULL);
    CU_ASSERT_STRING_EQUAL(ask(&g, first), "secure");
    int port = udp_port(first->own_sock);
    node_forget(first);
    CU_ASSERT_EQUAL(first->dropped, 1);
    CU_ASSERT_PTR_EQUAL((void *)first->link.send, (void *)node_send_old);
    node_peer *second = connect_to(&g, first);
    CU_ASSERT_EQUAL(first->dropped, 2);
    CU_ASSERT_PTR_EQUAL(second->own_sock, first->own_sock);
    CU_ASSERT_EQUAL(second->shared_sock, 1);
    CU_ASSERT_EQUAL(udp_port(second->own_sock), port);
    CU_ASSERT_EQUAL(dtls_conn_state(second->conn), DTLS_UP);
    CU_ASSERT_STRING_EQUAL(ask(&g, second), "secure");
    rig_close(&g);   /* the record sharing the socket goes first: no double close */
}

static void test_reconnect_keeps_the_record(void)
{
    rig g;
    char err[200];
    rig_open(&g);
    node_peer *pr = connect_to(&g, NULL);
    int port = udp_port(pr->own_sock);
    node_disconnect(pr);
    CU_ASSERT_PTR_NULL(pr->conn);
    CU_ASSERT_EQUAL(node_send_secure(pr, (const uint8_t *)"x", 1), -1);   /* nothing to send on */
    CU_ASSERT_EQUAL_FATAL(node_reconnect(pr, "127.0.0.1", NULL, err, sizeof err), 0);
    loop_run_until(g.l, mono_now_ns() + 3000000000LL, up, pr);
    CU_ASSERT_EQUAL(dtls_conn_state(pr->conn), DTLS_UP);
    CU_ASSERT_NOT_EQUAL(udp_port(pr->own_sock), port);
    CU_ASSERT_STRING_EQUAL(ask(&g, pr), "secure");
    CU_ASSERT_PTR_EQUAL(node_peers(g.cli), pr);
    CU_ASSERT_PTR_NULL(pr->next);
    rig_close(&g);
}

static void test_link_shapes_later_sockets(void)
{
    rig g;
    rig_open(&g);
    net_link l;
    link_init(&l, NULL, 0);   /* down */
    link_set_loop(&l, g.l);
    node_set_link(g.cli, &l);
    g.cp.total_ms = 600;   /* a handshake that cannot pass gives up soon */
    node_peer *pr = connect_to(&g, NULL);   /* its socket is opened now, under the link */
    CU_ASSERT_PTR_EQUAL(pr->own_sock->shaper, &l.io);
    CU_ASSERT_PTR_NULL(node_secure_sock(g.srv)->shaper);   /* the other node's: not shaped */
    CU_ASSERT_NOT_EQUAL(dtls_conn_state(pr->conn), DTLS_UP);
    CU_ASSERT(l.dropped[LINK_TO_IUT] > 0);
    link_detach(&l);
    CU_ASSERT_PTR_NULL(pr->own_sock->shaper);
    node_set_link(g.cli, NULL);
    rig_close(&g);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("node", NULL, NULL);
    CU_add_test(s, "plain and secure peers", test_plain_and_secure_peers);
    CU_add_test(s, "forget hands the socket on", test_forget_hands_the_socket_on);
    CU_add_test(s, "reconnect keeps the record", test_reconnect_keeps_the_record);
    CU_add_test(s, "link shapes later sockets", test_link_shapes_later_sockets);
}
