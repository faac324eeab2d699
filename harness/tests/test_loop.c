/* Event loop: timer order, cancel, fd dispatch, run_until bounds. */
#include <CUnit/CUnit.h>
#include <time.h>
#include <sys/socket.h>
#include "net/udp.h"
#include <unistd.h>
#include <stdlib.h>
#include <stdio.h>
#include "net/loop.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

static int order[8], norder;
static void mark(evloop *l, void *ctx) { (void)l; order[norder++] = (int)(long)ctx; }

static void test_timers_fire_in_deadline_order(void)
{
    evloop *l = loop_new();
    norder = 0;
    loop_timer_add(l, 30 * NS_PER_MS, mark, (void *)3);
    loop_timer_add(l, 10 * NS_PER_MS, mark, (void *)1);
    loop_timer_add(l, 20 * NS_PER_MS, mark, (void *)2);
    uint64_t c = loop_timer_add(l, 15 * NS_PER_MS, mark, (void *)9);
    loop_timer_cancel(l, c);
    CU_ASSERT_EQUAL(loop_timer_count(l), 3);
    int64_t t0 = mono_now_ns();
    loop_run_until(l, t0 + 200 * NS_PER_MS, NULL, NULL);
    CU_ASSERT_EQUAL(norder, 3);
    CU_ASSERT_EQUAL(order[0], 1);
    CU_ASSERT_EQUAL(order[1], 2);
    CU_ASSERT_EQUAL(order[2], 3);
    CU_ASSERT_EQUAL(loop_timer_count(l), 0);
    loop_free(l);
}

static void test_equal_deadlines_keep_creation_order(void)
{
    evloop *l = loop_new();
    norder = 0;
    for (long i = 1; i <= 5; i++) loop_timer_add(l, 0, mark, (void *)i);
    loop_run_once(l, 0);
    CU_ASSERT_EQUAL(norder, 5);
    for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(order[i], i + 1);
    loop_free(l);
}

static int fired;
static void on_fd(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)ev; (void)ctx;
    char b[8];
    if (read(fd, b, sizeof b) > 0) fired++;
}
static int fired_once(void *ctx) { (void)ctx; return fired > 0; }

static void test_fd_dispatch_and_done(void)
{
    int p[2];
    CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
    evloop *l = loop_new();
    fired = 0;
    loop_add_fd(l, p[0], on_fd, NULL);
    CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
    CU_ASSERT_EQUAL(loop_run_until(l, mono_now_ns() + NS_PER_SEC, fired_once, NULL), 1);
    CU_ASSERT_EQUAL(fired, 1);
    loop_del_fd(l, p[0]);
    /* Nothing to do: run_until returns 0 at its deadline, not before and not much later. */
    int64_t t0 = mono_now_ns();
    fired = 0;
    CU_ASSERT_EQUAL(loop_run_until(l, t0 + 50 * NS_PER_MS, fired_once, NULL), 0);
    int64_t dt = mono_now_ns() - t0;
    CU_ASSERT(dt >= 50 * NS_PER_MS);
    CU_ASSERT(dt < 1000 * NS_PER_MS);
    loop_free(l);
    close(p[0]);
    close(p[1]);
}

/* Datagrams waiting on two sockets are handed on in the order they arrived, whatever the
 * order the sockets were watched in. */
typedef struct arrivals { char order[8]; size_t n; } arrivals;

static void on_sock(evloop *l, int fd, short revents, void *ctx)
{
    (void)l;
    (void)revents;
    arrivals *a = ctx;
    char b[16];
    ssize_t k = recv(fd, b, sizeof b, 0);
    if (k > 0 && a->n + 1 < sizeof a->order) a->order[a->n++] = b[0];
}

static void test_arrival_order(void)
{
    char err[128];
    udp_sock s1, s2, tx;
    CU_ASSERT_EQUAL_FATAL(udp_bind(&s1, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&s2, "127.0.0.1", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(udp_bind(&tx, "127.0.0.1", 0, err, sizeof err), 0);
    /* Linux enables receive timestamps a moment after the first socket asks (deferred) */
    struct timespec settle = { 0, 50 * 1000 * 1000 };
    nanosleep(&settle, NULL);
    for (int round = 0; round < 2; round++) {
        evloop *l = loop_new();
        arrivals a = { "", 0 };
        loop_add_fd(l, s1.fd, on_sock, &a);   /* watched first */
        loop_add_fd(l, s2.fd, on_sock, &a);
        /* round 0: to the second socket first; round 1: to the first socket first */
        const udp_sock *first = round ? &s1 : &s2, *second = round ? &s2 : &s1;
        udp_send(&tx, round ? "A" : "B", 1, &first->local);
        struct timespec ts = { 0, 2 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        udp_send(&tx, round ? "B" : "A", 1, &second->local);
        nanosleep(&ts, NULL);
        loop_run_once(l, 100 * NS_PER_MS);
        if (a.n < 2) loop_run_once(l, 100 * NS_PER_MS);
        CU_ASSERT_EQUAL(a.n, 2);
        CU_ASSERT_STRING_EQUAL(a.order, round ? "AB" : "BA");
        loop_free(l);
    }
    udp_close(&s1);
    udp_close(&s2);
    udp_close(&tx);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("loop", NULL, NULL);
    CU_add_test(s, "timers fire in deadline order, cancel works", test_timers_fire_in_deadline_order);
    CU_add_test(s, "equal deadlines keep creation order", test_equal_deadlines_keep_creation_order);
    CU_add_test(s, "fd dispatch, done predicate and deadline", test_fd_dispatch_and_done);
    CU_add_test(s, "datagrams on several sockets in arrival order", test_arrival_order);
}
