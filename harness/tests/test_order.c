/* The order checker: every rule kind must be able to hold, fail and be not exercised,
 * and its messages must name both events with their times. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include "flow/order.h"
#include "m2m_test.h"
#include "util/timeutil.h"

#define MS NS_PER_MS

static timeline tl;
static char msg[1024];

static int setup(void) { timeline_init(&tl); return 0; }

static void reset(void)
{
    timeline_free(&tl);
    timeline_init(&tl);
    msg[0] = '\0';
}

/* Records name at t (ns) with up to two attributes. */
static void ev(int64_t t, const char *name, const char *k1, const char *v1, const char *k2, const char *v2)
{
    const char *kv[] = { k1, v1, k2, v2, NULL };
    timeline_add_at(&tl, t, name, NULL, kv);
}
#define EV(t, name) ev((t), (name), NULL, NULL, NULL, NULL)

static order_rule rule(order_kind kind, const char *a, const char *b, int64_t limit, int required)
{
    order_rule r;
    memset(&r, 0, sizeof r);
    char err[200];
    r.kind = kind;
    r.limit_ns = limit;
    r.required = required;
    r.line = 42;
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse(a, &r.a, err, sizeof err), 0);
    if (b) CU_ASSERT_EQUAL_FATAL(ev_sel_parse(b, &r.b, err, sizeof err), 0);
    return r;
}

static order_status check(order_kind kind, const char *a, const char *b, int64_t limit, int required)
{
    order_rule r = rule(kind, a, b, limit, required);
    order_status st = order_check(&r, &tl, msg, sizeof msg);
    order_rule_free(&r);
    return st;
}

static void test_before_satisfied(void)
{
    reset();
    EV(0, "net.up");
    EV(100 * MS, "sae.done");
    ev(200 * MS, "msg.rx", "op", "create", NULL, NULL);
    ev(300 * MS, "msg.rx", "op", "retrieve", NULL, NULL);
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx[op=create]", 0, 0), ORDER_OK);
    CU_ASSERT_STRING_EQUAL(msg, "");
    /* every msg.rx, not only the first, is after sae.done */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_OK);
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "net.up", "sae.done", 0, 1), ORDER_OK);
}

static void test_before_violated_message(void)
{
    reset();
    EV(0, "net.up");
    EV(10 * MS, "sae.start");
    EV(20 * MS, "net.loss");
    ev(120 * MS, "msg.rx", "op", "create", NULL, NULL);    /* #4 */
    EV(200 * MS, "sae.start");
    EV(300 * MS, "net.loss");
    EV(480 * MS, "sae.done");                               /* #7 */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx[op=create]", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx[op=create] #4 at 0.120 s came before any sae.done "
                                "(first sae.done: #7 at 0.480 s)");
}

static void test_before_no_first_event(void)
{
    reset();
    ev(50 * MS, "msg.rx", "op", "create", NULL, NULL);
    ev(60 * MS, "msg.rx", "op", "create", NULL, NULL);
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx #1 at 0.050 s came before any sae.done "
                                "(no sae.done was recorded; 1 more event came before it)");
}

static void test_before_not_exercised(void)
{
    reset();
    EV(0, "net.up");
    EV(100 * MS, "sae.done");
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx[op=create]", 0, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_STRING_EQUAL(msg, "not exercised: no msg.rx[op=create] occurred, so "
                                "'sae.done before msg.rx[op=create]' proves nothing");
    /* required: absence is a violation */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx[op=create]", 0, 1), ORDER_VIOLATED);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no msg.rx[op=create] occurred"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "required"));

    reset();
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "neither sae.done nor msg.rx occurred"));
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 1), ORDER_VIOLATED);
}

static void test_before_repeated(void)
{
    /* A before the first B is not enough: a B recorded later but stamped earlier than
     * the first A (replayed or merged timelines) is caught too. */
    reset();
    EV(100 * MS, "sae.done");                 /* #1 */
    EV(200 * MS, "msg.rx");                   /* #2 */
    EV(50 * MS, "msg.rx");                    /* #3, earlier in time */
    EV(70 * MS, "msg.rx");                    /* #4, earlier in time */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx #3 at 0.050 s came before any sae.done "
                                "(first sae.done: #1 at 0.100 s; 1 more event came before it)");

    /* a second A does not excuse a B between the two: only the first A counts, and a
     * B after the first A is fine even if another A follows */
    reset();
    EV(100 * MS, "sae.done");
    EV(150 * MS, "msg.rx");
    EV(160 * MS, "sae.done");
    EV(170 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_OK);

    /* a second B before A, the first B after: still a violation, naming the earlier one */
    reset();
    EV(10 * MS, "msg.rx");                    /* #1 */
    EV(20 * MS, "msg.rx");                    /* #2 */
    EV(30 * MS, "sae.done");                  /* #3 */
    EV(40 * MS, "msg.rx");                    /* #4 */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "msg.rx #1 at 0.010 s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "first sae.done: #3 at 0.030 s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "1 more event came before it"));
}

static void test_ties_broken_by_seq(void)
{
    reset();
    EV(100 * MS, "sae.done");                 /* #1 */
    EV(100 * MS, "msg.rx");                   /* #2, same time, recorded after */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_OK);

    reset();
    EV(100 * MS, "msg.rx");                   /* #1 */
    EV(100 * MS, "sae.done");                 /* #2 */
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx #1 at 0.100 s came before any sae.done "
                                "(first sae.done: #2 at 0.100 s)");
    /* never-before uses the same order */
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "sae.done", "msg.rx", 0, 0), ORDER_OK);
}

static void test_within(void)
{
    /* exactly at the limit holds; one nanosecond more does not */
    reset();
    EV(100 * MS, "sae.done");
    EV(600 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 500 * MS, 0), ORDER_OK);
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 500 * MS - 1, 0), ORDER_VIOLATED);

    reset();
    EV(100 * MS, "sae.done");                 /* #1 */
    EV(600 * MS + 1, "msg.rx");               /* #2 */
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 500 * MS, 0), ORDER_VIOLATED);

    reset();
    EV(100 * MS, "sae.done");                 /* #1 */
    EV(5600 * MS, "msg.rx");                  /* #2 */
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 5000 * MS, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx #2 at 5.600 s came 5.500 s after sae.done #1 at 0.100 s, "
                                "more than the limit of 5.000 s");

    /* a B before the A does not count; no B after it is a violation */
    reset();
    EV(50 * MS, "msg.rx");
    EV(100 * MS, "sae.done");                 /* #2 */
    EV(900 * MS, "net.down");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 5000 * MS, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "no msg.rx followed sae.done #2 at 0.100 s "
                                "(limit 5.000 s; the timeline ends at 0.900 s)");

    /* the limit runs from the first A, not a later one */
    reset();
    EV(100 * MS, "sae.done");
    EV(900 * MS, "sae.done");
    EV(1000 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 500 * MS, 0), ORDER_VIOLATED);

    /* same timestamp, later seq: a gap of zero holds even with a zero limit */
    reset();
    EV(100 * MS, "sae.done");
    EV(100 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 0, 0), ORDER_OK);
    /* same timestamp, earlier seq: it does not follow */
    reset();
    EV(100 * MS, "msg.rx");
    EV(100 * MS, "sae.done");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 1000 * MS, 0), ORDER_VIOLATED);

    /* no A: not exercised, or a violation when required */
    reset();
    EV(100 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 500 * MS, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_STRING_EQUAL(msg, "not exercised: no sae.done occurred, so "
                                "'msg.rx within 500 ms of sae.done' proves nothing");
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.done", "msg.rx", 500 * MS, 1), ORDER_VIOLATED);
}

static void test_never_alone(void)
{
    reset();
    ev(10 * MS, "msg.rx", "secure", "true", NULL, NULL);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[secure=false]", NULL, 0, 0), ORDER_OK);
    /* required changes nothing here: there is no triggering event to be absent */
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[secure=false]", NULL, 0, 1), ORDER_OK);
    ev(20 * MS, "msg.rx", "secure", "false", NULL, NULL);   /* #2 */
    ev(30 * MS, "msg.rx", "secure", "false", NULL, NULL);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[secure=false]", NULL, 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx[secure=false] #2 at 0.020 s occurred, but it must never occur (2 in all)");
}

static void test_never_before(void)
{
    /* X after Y: fine */
    reset();
    EV(100 * MS, "sae.done");
    EV(200 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 0), ORDER_OK);

    /* X before Y: names both */
    reset();
    EV(10 * MS, "net.up");
    EV(50 * MS, "msg.rx");                    /* #2 */
    EV(100 * MS, "sae.done");                 /* #3 */
    EV(200 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx #2 at 0.050 s came before the first sae.done "
                                "(#3 at 0.100 s; 1 msg.rx before it)");

    /* X and no Y at all: X certainly came before it */
    reset();
    EV(50 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.rx #1 at 0.050 s occurred and no sae.done was ever recorded (1 msg.rx in all)");

    /* neither: not exercised, or violated when required */
    reset();
    EV(50 * MS, "net.up");
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "neither msg.rx nor sae.done occurred"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "never msg.rx before sae.done"));
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 1), ORDER_VIOLATED);

    /* Y and no X: held and exercised */
    EV(60 * MS, "sae.done");
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx", "sae.done", 0, 1), ORDER_OK);
}

static void test_negated_filters(void)
{
    reset();
    EV(10 * MS, "sae.done");
    ev(20 * MS, "msg.rx", "secure", "true", NULL, NULL);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[secure!=true]", NULL, 0, 0), ORDER_OK);
    /* an event without the attribute differs from it: it matches the negated filter */
    ev(30 * MS, "msg.rx", "op", "create", NULL, NULL);      /* #3 */
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[secure!=true]", NULL, 0, 0), ORDER_VIOLATED);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "msg.rx[secure!=true] #3 at 0.030 s"));
    /* combined: create requests that are not inside an association */
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[op=create,secure!=true]", NULL, 0, 0), ORDER_VIOLATED);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.rx[op!=create,secure!=true]", NULL, 0, 0), ORDER_OK);
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.done", "msg.rx[op!=delete]", 0, 0), ORDER_OK);
}

static void test_prefix_selectors(void)
{
    reset();
    EV(10 * MS, "saex.done");                 /* not "sae.*" */
    EV(20 * MS, "msg.tx");                    /* #2 */
    EV(30 * MS, "sae.start");                 /* #3 */
    EV(40 * MS, "msg.rx");
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.*", "msg.*", 0, 0), ORDER_VIOLATED);
    CU_ASSERT_STRING_EQUAL(msg, "msg.* #2 at 0.020 s came before any sae.* (first sae.*: #3 at 0.030 s)");
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae.*", "msg.rx", 0, 0), ORDER_OK);
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "sae*", "msg.*", 0, 0), ORDER_OK); /* saex.done counts */
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "sae.*", "msg.*", 10 * MS, 0), ORDER_OK);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "msg.*", "sae.*", 0, 0), ORDER_VIOLATED);
}

static void test_empty_timeline(void)
{
    reset();
    CU_ASSERT_EQUAL(check(ORDER_BEFORE, "a", "b", 0, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "a", NULL, 0, 0), ORDER_OK);
    CU_ASSERT_EQUAL(check(ORDER_NEVER, "a", "b", 0, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "a", "b", MS, 0), ORDER_NOT_EXERCISED);
    CU_ASSERT_EQUAL(check(ORDER_WITHIN, "a", "b", MS, 1), ORDER_VIOLATED);
}

static void test_describe_and_invalid(void)
{
    char buf[256];
    order_rule r = rule(ORDER_BEFORE, "sae.done", "msg.rx[op=create]", 0, 0);
    order_rule_describe(&r, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sae.done before msg.rx[op=create]");
    order_rule_free(&r);
    r = rule(ORDER_NEVER, "msg.rx[secure=false]", NULL, 0, 0);
    order_rule_describe(&r, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "never msg.rx[secure=false]");
    order_rule_free(&r);
    r = rule(ORDER_NEVER, "msg.rx", "sae.done", 0, 0);
    order_rule_describe(&r, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "never msg.rx before sae.done");
    order_rule_free(&r);
    r = rule(ORDER_WITHIN, "sae.done", "msg.rx", 5000 * MS, 0);
    order_rule_describe(&r, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "msg.rx within 5 s of sae.done");
    r.limit_ns = 1500 * MS;
    order_rule_describe(&r, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "msg.rx within 1.500 s of sae.done");
    order_rule_free(&r);

    /* a rule without selectors is reported, never silently held */
    reset();
    EV(0, "x");
    memset(&r, 0, sizeof r);
    r.kind = ORDER_BEFORE;
    r.line = 7;
    CU_ASSERT_EQUAL(order_check(&r, &tl, msg, sizeof msg), ORDER_VIOLATED);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "line 7"));
    /* no message buffer is fine */
    r = rule(ORDER_BEFORE, "b", "x", 0, 0);
    CU_ASSERT_EQUAL(order_check(&r, &tl, NULL, 0), ORDER_VIOLATED);
    /* a tiny buffer is truncated, not overrun */
    char tiny[8];
    CU_ASSERT_EQUAL(order_check(&r, &tl, tiny, sizeof tiny), ORDER_VIOLATED);
    CU_ASSERT_EQUAL(strlen(tiny), sizeof tiny - 1);
    order_rule_free(&r);
}

static int teardown(void) { timeline_free(&tl); return 0; }

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("order", setup, teardown);
    CU_add_test(s, "before: satisfied", test_before_satisfied);
    CU_add_test(s, "before: violated, names both events", test_before_violated_message);
    CU_add_test(s, "before: B without any A", test_before_no_first_event);
    CU_add_test(s, "before: not exercised and required", test_before_not_exercised);
    CU_add_test(s, "before: repeated events, every B checked", test_before_repeated);
    CU_add_test(s, "timestamp ties broken by seq", test_ties_broken_by_seq);
    CU_add_test(s, "within: boundary, late, missing", test_within);
    CU_add_test(s, "never without before", test_never_alone);
    CU_add_test(s, "never with before", test_never_before);
    CU_add_test(s, "negated filters", test_negated_filters);
    CU_add_test(s, "prefix selectors", test_prefix_selectors);
    CU_add_test(s, "empty timeline", test_empty_timeline);
    CU_add_test(s, "describe; invalid rules; message buffers", test_describe_and_invalid);
}
