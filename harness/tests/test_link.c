/* Link control: loss is a pure function of (seed, direction, index), the share holds,
 * lists drop/duplicate exactly, down drops everything, and real sockets obey it. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include "net/link.h"
#include "net/udp.h"
#include "m2m_test.h"

static void test_loss_is_pure_and_seeded(void)
{
    int same = 1, differ_seed = 0, differ_dir = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        int a = link_lost(42, LINK_FROM_IUT, i, 300000);
        same &= a == link_lost(42, LINK_FROM_IUT, i, 300000);
        differ_seed |= a != link_lost(43, LINK_FROM_IUT, i, 300000);
        differ_dir |= a != link_lost(42, LINK_TO_IUT, i, 300000);
    }
    CU_ASSERT_TRUE(same);
    CU_ASSERT_TRUE(differ_seed);   /* another seed is another loss pattern */
    CU_ASSERT_TRUE(differ_dir);    /* the directions are independent */
}

static void test_share_holds(void)
{
    const uint32_t shares[] = { 0, 100000, 300000, 1000000 };
    for (size_t k = 0; k < 4; k++) {
        unsigned lost = 0;
        for (uint64_t i = 0; i < 100000; i++) lost += (unsigned)link_lost(7, LINK_TO_IUT, i, shares[k]);
        double got = lost / 100000.0, want = shares[k] / 1e6;
        if (got < want - 0.01 || got > want + 0.01)
            CU_FAIL_FATAL("loss share off by more than 1 point");
        if (shares[k] == 0) CU_ASSERT_EQUAL(lost, 0);
        if (shares[k] == 1000000) CU_ASSERT_EQUAL(lost, 100000);
    }
}

/* The decision for datagram i in one direction does not depend on traffic in the other
 * direction or on when it happens: interleavings give the same per-direction drops. */
static void test_decisions_independent_of_interleaving(void)
{
    net_link a, b;
    udp_sock s = { .fd = -1 };
    link_init(&a, NULL, 1);
    link_attach(&a, &s);
    link_set_loss(&a, 99, 200000, 200000);
    int ra[2][200];
    for (int i = 0; i < 200; i++) ra[LINK_TO_IUT][i] = link_decide(&a, &s, LINK_TO_IUT);
    for (int i = 0; i < 200; i++) ra[LINK_FROM_IUT][i] = link_decide(&a, &s, LINK_FROM_IUT);
    link_init(&b, NULL, 1);
    link_attach(&b, &s);
    link_set_loss(&b, 99, 200000, 200000);
    int same = 1;
    for (int i = 0; i < 200; i++) {
        same &= ra[LINK_FROM_IUT][i] == link_decide(&b, &s, LINK_FROM_IUT);
        same &= ra[LINK_TO_IUT][i] == link_decide(&b, &s, LINK_TO_IUT);
    }
    CU_ASSERT_TRUE(same);
    CU_ASSERT(a.dropped[0] + a.dropped[1] > 0);
    udp_sock other = { .fd = -1 };
    CU_ASSERT_EQUAL(link_decide(&b, &other, LINK_TO_IUT), 1);   /* other sockets pass */
    link_detach(&a);
    link_detach(&b);
}

static void test_lists_and_down(void)
{
    timeline tl;
    timeline_init(&tl);
    net_link l;
    udp_sock s = { .fd = -1 };
    char err[160];
    link_init(&l, &tl, 0);
    link_attach(&l, &s);
    CU_ASSERT_EQUAL(link_decide(&l, &s, LINK_FROM_IUT), 0);   /* down: dropped */
    CU_ASSERT_EQUAL(link_decide(&l, &s, LINK_TO_IUT), 0);
    link_set_up(&l, 1);
    CU_ASSERT_EQUAL(link_set_list(&l, 'd', "from-iut:0,2;to-iut:1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(link_set_list(&l, 'u', "to-iut:2", err, sizeof err), 0);
    int from[4], to[3];
    for (int i = 0; i < 4; i++) from[i] = link_decide(&l, &s, LINK_FROM_IUT);
    for (int i = 0; i < 3; i++) to[i] = link_decide(&l, &s, LINK_TO_IUT);
    CU_ASSERT(from[0] == 0 && from[1] == 1 && from[2] == 0 && from[3] == 1);   /* down ones not numbered */
    CU_ASSERT(to[0] == 1 && to[1] == 0 && to[2] == 2);
    CU_ASSERT_EQUAL(link_set_list(&l, 'd', "sideways:1", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "to-iut"));
    CU_ASSERT_EQUAL(link_set_list(&l, 'd', "to-iut:x", err, sizeof err), -1);
    const char *want[] = { "net.down", "net.drop", "net.drop", "net.up", "net.loss", "net.loss",
                           "net.drop", "net.drop", "net.drop" };
    CU_ASSERT_EQUAL_FATAL(tl.n, 9);
    for (size_t i = 0; i < 9; i++) CU_ASSERT_STRING_EQUAL(tl.ev[i].name, want[i]);
    CU_ASSERT_STRING_EQUAL(tl_event_get(&tl.ev[1], "reason"), "down");
    CU_ASSERT_STRING_EQUAL(tl_event_get(&tl.ev[6], "reason"), "list");
    CU_ASSERT_STRING_EQUAL(tl_event_get(&tl.ev[8], "dir"), "to-iut");
    link_detach(&l);
    timeline_free(&tl);
}

static void test_share_parse(void)
{
    CU_ASSERT_EQUAL(link_parse_share("10%"), 100000);
    CU_ASSERT_EQUAL(link_parse_share("0.5%"), 5000);
    CU_ASSERT_EQUAL(link_parse_share("2500ppm"), 2500);
    CU_ASSERT_EQUAL(link_parse_share("10"), -1);
    CU_ASSERT_EQUAL(link_parse_share("101%"), -1);
}

static int recv_all(udp_sock *s, char *got, size_t cap)
{
    size_t n = 0;
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    while (poll(&p, 1, 100) > 0) {   /* bounded: 100 ms of silence ends the read */
        char b[8];
        net_addr from;
        ssize_t r;
        while ((r = udp_recv(s, b, sizeof b, &from)) > 0 && n < cap - 1) got[n++] = b[0];
        if (r < 0 && errno != EAGAIN) break;
    }
    got[n] = 0;
    return (int)n;
}

/* Real sockets on 127.0.0.1: the harness side is `h`, the IUT side `d`. */
static void test_real_sockets(void)
{
    udp_sock h, d;
    char err[160];
    CU_ASSERT_EQUAL_FATAL(udp_bind(&h, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&d, "127.0.0.1", 0, err, sizeof err), 0);
    net_link l;
    link_init(&l, NULL, 1);
    link_attach(&l, &h);
    CU_ASSERT_EQUAL(link_set_list(&l, 'd', "to-iut:1;from-iut:0", err, sizeof err), 0);
    CU_ASSERT_EQUAL(link_set_list(&l, 'u', "from-iut:2", err, sizeof err), 0);
    const char *msg = "abcd";
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(udp_send(&h, msg + i, 1, &d.local), 1);
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(udp_send(&d, msg + i, 1, &h.local), 1);
    char got[16];
    recv_all(&d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "acd");    /* to-iut index 1 dropped */
    recv_all(&h, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "bccd");   /* from-iut 0 dropped, 2 duplicated */
    link_set_up(&l, 0);
    udp_send(&d, "x", 1, &h.local);
    CU_ASSERT_EQUAL(recv_all(&h, got, sizeof got), 0);   /* down: read and discarded */
    link_detach(&l);
    udp_close(&h);
    udp_close(&d);
}

/* Each socket carries its own link: two links in one process shape only their own sockets,
 * and a socket taken off its link (link_detach) passes everything again. */
static void test_links_are_per_socket(void)
{
    udp_sock h1, h2, d;
    char err[160];
    CU_ASSERT_EQUAL_FATAL(udp_bind(&h1, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&h2, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&d, "127.0.0.1", 0, err, sizeof err), 0);
    net_link a, b;
    link_init(&a, NULL, 1);
    link_init(&b, NULL, 1);
    CU_ASSERT_EQUAL(link_attach(&a, &h1), 0);
    CU_ASSERT_EQUAL(link_attach(&b, &h2), 0);
    CU_ASSERT_EQUAL(link_attach(&b, &h2), 0);   /* again: nothing changes */
    CU_ASSERT_EQUAL(link_set_list(&a, 'd', "to-iut:0,1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(link_set_list(&b, 'd', "to-iut:1", err, sizeof err), 0);
    udp_send(&h1, "a", 1, &d.local);   /* a: index 0 dropped */
    udp_send(&h2, "b", 1, &d.local);   /* b: index 0 passes */
    udp_send(&h1, "c", 1, &d.local);   /* a: index 1 dropped */
    udp_send(&h2, "x", 1, &d.local);   /* b: index 1 dropped */
    udp_send(&d, "e", 1, &h1.local);   /* from the IUT: a passes it */
    char got[16];
    recv_all(&d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "b");
    recv_all(&h1, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "e");
    CU_ASSERT_EQUAL(a.index[LINK_TO_IUT], 2);
    CU_ASSERT_EQUAL(b.index[LINK_TO_IUT], 2);
    CU_ASSERT_EQUAL(a.passed[LINK_FROM_IUT], 1);
    CU_ASSERT_EQUAL(b.passed[LINK_FROM_IUT], 0);
    link_detach(&a);
    CU_ASSERT_PTR_NULL(h1.shaper);
    CU_ASSERT_PTR_NOT_NULL(h2.shaper);
    link_set_up(&b, 0);
    udp_send(&h1, "f", 1, &d.local);   /* off its link: passes */
    udp_send(&h2, "y", 1, &d.local);   /* b is down */
    recv_all(&d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "f");
    link_detach(&b);
    udp_close(&h1);
    udp_close(&h2);
    udp_close(&d);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("link", NULL, NULL);
    CU_add_test(s, "loss is pure and seeded", test_loss_is_pure_and_seeded);
    CU_add_test(s, "share holds", test_share_holds);
    CU_add_test(s, "decisions independent of interleaving", test_decisions_independent_of_interleaving);
    CU_add_test(s, "lists and down", test_lists_and_down);
    CU_add_test(s, "share parse", test_share_parse);
    CU_add_test(s, "real sockets", test_real_sockets);
    CU_add_test(s, "links are per socket", test_links_are_per_socket);
}
