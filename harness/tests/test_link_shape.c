/* Link control, second half: delay keeps order and holds every datagram, reorder swaps the
 * datagrams the seed picks with their followers (or lets them go after the hold), a held
 * datagram meets a link that went down, and rebinding shows the IUT from a new address and
 * maps the answers back, like a NAT. Real sockets on 127.0.0.1, the harness's loop. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "net/link.h"
#include "net/loop.h"
#include "net/udp.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

typedef struct {
    udp_sock *s;
    char got[32];
    size_t n;
    int64_t first_ns;
    net_addr from;
} reader;

static void readable(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)fd; (void)ev;
    reader *r = ctx;
    char b[8];
    ssize_t k;
    while ((k = udp_recv(r->s, b, sizeof b, &r->from)) > 0)
        if (r->n < sizeof r->got - 1) {
            if (!r->n) r->first_ns = mono_now_ns();
            r->got[r->n++] = b[0];
            r->got[r->n] = 0;
        }
}

static void drain_plain(udp_sock *d, char *got, size_t cap)
{
    size_t n = 0;
    char b[8];
    net_addr from;
    while (n < cap - 1 && udp_recv(d, b, sizeof b, &from) > 0) got[n++] = b[0];
    got[n] = 0;
}

typedef struct { evloop *l; udp_sock h, d; net_link link; reader r; timeline tl; } rig;

static void rig_open(rig *g)
{
    char err[160];
    memset(g, 0, sizeof *g);
    timeline_init(&g->tl);
    g->l = loop_new();
    CU_ASSERT_EQUAL_FATAL(udp_bind(&g->h, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&g->d, "127.0.0.1", 0, err, sizeof err), 0);
    link_init(&g->link, &g->tl, 1);
    link_attach(&g->link, &g->h);
    link_set_loop(&g->link, g->l);
    g->r.s = &g->h;
    loop_add_fd(g->l, g->h.fd, readable, &g->r);
}

static void rig_close(rig *g)
{
    link_detach(&g->link);
    loop_del_fd(g->l, g->h.fd);
    udp_close(&g->h);
    udp_close(&g->d);
    loop_free(g->l);
    timeline_free(&g->tl);
}

static void run_for(rig *g, int ms) { loop_run_until(g->l, mono_now_ns() + (int64_t)ms * NS_PER_MS, NULL, NULL); }

static size_t count(const timeline *tl, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < tl->n; i++) n += !strcmp(tl->ev[i].name, name);
    return n;
}

static void test_delay_keeps_order(void)
{
    rig g;
    rig_open(&g);
    char err[160];
    CU_ASSERT_EQUAL(link_set_shape(&g.link, 150, 0, 0, err, sizeof err), 0);
    int64_t t0 = mono_now_ns();
    for (int i = 0; i < 4; i++) udp_send(&g.d, &"abcd"[i], 1, &g.h.local);
    for (int i = 0; i < 3; i++) udp_send(&g.h, &"xyz"[i], 1, &g.d.local);
    run_for(&g, 60);
    char got[16];
    drain_plain(&g.d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "");    /* to the IUT: not yet */
    CU_ASSERT_EQUAL(g.r.n, 0);          /* from the IUT: not yet */
    run_for(&g, 250);
    drain_plain(&g.d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "xyz");
    CU_ASSERT_STRING_EQUAL(g.r.got, "abcd");
    CU_ASSERT(g.r.first_ns - t0 >= 140 * NS_PER_MS);
    CU_ASSERT_EQUAL(count(&g.tl, "net.delay"), 1);
    CU_ASSERT_EQUAL(g.link.delayed[LINK_FROM_IUT], 4);
    rig_close(&g);
}

/* The first index in dir the seed picks for reordering under ppm. */
static uint64_t first_pick(uint64_t seed, int dir, uint32_t ppm)
{
    for (uint64_t i = 0;; i++)
        if (link_lost(seed ^ LINK_REORDER_SALT, dir, i, ppm)) return i;
}

static void test_reorder_swaps_picked_with_next(void)
{
    const char *msg = "abcdefgh";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        rig g;
        rig_open(&g);
        char err[160];
        g.link.seed = seed;
        CU_ASSERT_EQUAL(link_set_shape(&g.link, 0, 250000, 300, err, sizeof err), 0);
        /* Expected: each picked datagram comes after the next unpicked one (a run of picked
         * ones waits for the same follower and keeps its own order). */
        char want[16] = "", wait[16] = "";
        size_t wn = 0, kn = 0;
        for (uint64_t i = 0; i < 8; i++) {
            if (link_lost(seed ^ LINK_REORDER_SALT, LINK_FROM_IUT, i, 250000)) {
                wait[kn++] = msg[i];
                continue;
            }
            want[wn++] = msg[i];
            memcpy(want + wn, wait, kn);
            wn += kn;
            kn = 0;
        }
        memcpy(want + wn, wait, kn);   /* trailing picked ones: after the hold */
        want[wn + kn] = 0;
        for (int i = 0; i < 8; i++) {
            udp_send(&g.d, msg + i, 1, &g.h.local);
            run_for(&g, 5);   /* one at a time, as a peer sends */
        }
        run_for(&g, 400);
        CU_ASSERT_STRING_EQUAL(g.r.got, want);
        CU_ASSERT_EQUAL(count(&g.tl, "net.reorder"), g.link.reordered[LINK_FROM_IUT]);
        CU_ASSERT(first_pick(seed, LINK_FROM_IUT, 250000) < 64);
        rig_close(&g);
    }
}

static void test_reorder_to_iut_and_hold(void)
{
    rig g;
    rig_open(&g);
    char err[160];
    g.link.seed = 9;
    uint64_t p = first_pick(9, LINK_TO_IUT, 1000000);   /* every datagram picked: 0 */
    CU_ASSERT_EQUAL(p, 0);
    CU_ASSERT_EQUAL(link_set_shape(&g.link, 0, 1000000, 100, err, sizeof err), 0);
    udp_send(&g.h, "a", 1, &g.d.local);
    run_for(&g, 40);
    char got[16];
    drain_plain(&g.d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "");   /* held: nothing follows it */
    run_for(&g, 120);
    drain_plain(&g.d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "a");  /* the hold ran out */
    rig_close(&g);
}

static void test_down_at_release_drops(void)
{
    rig g;
    rig_open(&g);
    char err[160];
    CU_ASSERT_EQUAL(link_set_shape(&g.link, 100, 0, 0, err, sizeof err), 0);
    udp_send(&g.d, "a", 1, &g.h.local);
    run_for(&g, 30);
    link_set_up(&g.link, 0);
    run_for(&g, 150);
    CU_ASSERT_EQUAL(g.r.n, 0);
    CU_ASSERT_EQUAL(g.link.dropped[LINK_FROM_IUT], 1);
    const tl_event *last = &g.tl.ev[g.tl.n - 1];
    CU_ASSERT_STRING_EQUAL(last->name, "net.drop");
    CU_ASSERT_STRING_EQUAL(tl_event_get(last, "reason"), "down");
    rig_close(&g);
}

static void test_shape_needs_loop(void)
{
    net_link l;
    udp_sock s = { .fd = -1 };
    char err[160];
    link_init(&l, NULL, 1);
    link_attach(&l, &s);
    CU_ASSERT_EQUAL(link_set_shape(&l, 10, 0, 0, err, sizeof err), -1);
    CU_ASSERT_EQUAL(link_set_shape(&l, 0, 0, 0, err, sizeof err), 0);
    link_detach(&l);
}

static void test_rebind_maps_like_a_nat(void)
{
    rig g;
    rig_open(&g);
    char err[160];
    CU_ASSERT_EQUAL(link_set_rebind(&g.link, "127.0.0.2:+7", err, sizeof err), 0);
    udp_send(&g.d, "a", 1, &g.h.local);
    run_for(&g, 30);
    CU_ASSERT_STRING_EQUAL(g.r.got, "a");
    char seen[64], want[64];
    net_addr_str(&g.r.from, seen, sizeof seen);
    snprintf(want, sizeof want, "127.0.0.2:%d", udp_port(&g.d) + 7);
    CU_ASSERT_STRING_EQUAL(seen, want);
    net_addr ext = g.r.from;
    udp_send(&g.h, "b", 1, &ext);          /* to the external address: reaches the device */
    udp_send(&g.h, "c", 1, &g.d.local);    /* to its old address: lost to the rebinding */
    run_for(&g, 30);
    char got[16];
    drain_plain(&g.d, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "b");
    CU_ASSERT_EQUAL(count(&g.tl, "net.rebind"), 1);
    CU_ASSERT_EQUAL(count(&g.tl, "net.nat"), 1);
    CU_ASSERT_STRING_EQUAL(tl_event_get(&g.tl.ev[g.tl.n - 1], "reason"), "rebind");
    CU_ASSERT_EQUAL(link_set_rebind(&g.link, "nowhere", err, sizeof err), -1);
    CU_ASSERT_EQUAL(link_set_rebind(&g.link, "127.0.0.2:+x", err, sizeof err), -1);
    CU_ASSERT_EQUAL(link_set_rebind(&g.link, "off", err, sizeof err), 0);
    udp_send(&g.d, "d", 1, &g.h.local);
    run_for(&g, 30);
    CU_ASSERT_EQUAL(net_addr_equal(&g.r.from, &g.d.local), 1);   /* off: seen as it is */
    rig_close(&g);
}

static void test_ms_parse(void)
{
    CU_ASSERT_EQUAL(link_parse_ms("200ms"), 200);
    CU_ASSERT_EQUAL(link_parse_ms("1.5s"), 1500);
    CU_ASSERT_EQUAL(link_parse_ms("200"), -1);
    CU_ASSERT_EQUAL(link_parse_ms("61s"), -1);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("link_shape", NULL, NULL);
    CU_add_test(s, "delay keeps order", test_delay_keeps_order);
    CU_add_test(s, "reorder swaps picked with next", test_reorder_swaps_picked_with_next);
    CU_add_test(s, "reorder to the IUT and the hold", test_reorder_to_iut_and_hold);
    CU_add_test(s, "down at release drops", test_down_at_release_drops);
    CU_add_test(s, "shape needs a loop", test_shape_needs_loop);
    CU_add_test(s, "rebind maps like a NAT", test_rebind_maps_like_a_nat);
    CU_add_test(s, "ms parse", test_ms_parse);
}
