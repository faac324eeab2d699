/* Every check of the suite can fail (exec/falsify.h): each order rule and failing
 * alternative in testcases/ gets a violating and a satisfying timeline built from the event
 * vocabulary, judged by the real order checker and matcher. Planted rules that cannot fail
 * (an unrecorded event, a value outside a closed set, contradictory filters) or cannot hold,
 * and a failing alternative an earlier one always takes first, are reported. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec/falsify.h"
#include "util/xmem.h"
#include "m2m_test.h"

void m2m_test_register(void);

#define SCHEMA M2M_DATA_DIR "/testcases/schema/testcase.xsd"

static void suite_dir(const char *dir, falsify_count *n, size_t *files)
{
    diag d;
    diag_init(&d);
    char **paths = NULL;
    size_t np = 0;
    CU_ASSERT_EQUAL_FATAL(testcase_collect(dir, &paths, &np, &d), 0);
    for (size_t i = 0; i < np; i++) {
        testcase *tc = NULL;
        CU_ASSERT_EQUAL(testcase_load(paths[i], SCHEMA, &tc, &d), 0);
        if (tc) {
            CU_ASSERT_EQUAL(falsify_testcase(tc, &d, n), 0);
            testcase_free(tc);
            (*files)++;
        }
        free(paths[i]);
    }
    free(paths);
    if (d.n) diag_print(&d, stderr);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    diag_free(&d);
}

static void test_the_suite_is_falsifiable(void)
{
    falsify_count n = { 0, 0 };
    size_t files = 0;
    suite_dir(M2M_DATA_DIR "/testcases", &n, &files);
    suite_dir(M2M_DATA_DIR "/harness/tests/data/selftest", &n, &files);
    fprintf(stderr, "\n  %zu test cases: %zu order rules and %zu failing alternatives shown falsifiable\n", files,
            n.rules, n.alts);
    CU_ASSERT_TRUE(files >= 103);
    CU_ASSERT_TRUE(n.rules >= 100);
    CU_ASSERT_TRUE(n.alts >= 150);
}

/* A rule as the loader would build it, but without its vocabulary check. */
static order_rule rule(order_kind k, const char *a, const char *b, int64_t limit_ns)
{
    order_rule r;
    memset(&r, 0, sizeof r);
    r.kind = k;
    r.line = 7;
    r.limit_ns = limit_ns;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse(a, &r.a, err, sizeof err), 0);
    if (b) CU_ASSERT_EQUAL_FATAL(ev_sel_parse(b, &r.b, err, sizeof err), 0);
    return r;
}

static void expect_rule(order_kind k, const char *a, const char *b, int ok, const char *needle)
{
    order_rule r = rule(k, a, b, 2000000000LL);
    char why[1024] = "";
    int rc = falsify_rule(&r, why, sizeof why);
    CU_ASSERT_EQUAL(rc, ok ? 0 : -1);
    if ((rc == 0) != ok || (needle && !strstr(why, needle))) {
        fprintf(stderr, "\n%s / %s: rc %d, expected '%s' in: %s\n", a, b ? b : "-", rc, needle ? needle : "", why);
        CU_FAIL("falsify_rule");
    }
    order_rule_free(&r);
}

static void test_planted_rules(void)
{
    /* falsifiable and satisfiable */
    expect_rule(ORDER_NEVER, "msg.rx[secure=false]", NULL, 1, NULL);
    expect_rule(ORDER_NEVER, "msg.tx[secure=false]", "sae.done", 1, NULL);
    expect_rule(ORDER_BEFORE, "sae.done", "msg.rx[op=create]", 1, NULL);
    expect_rule(ORDER_BEFORE, "msg.rx", "msg.rx[op=create]", 1, NULL);
    expect_rule(ORDER_WITHIN, "sae.start", "sae.done", 1, NULL);
    expect_rule(ORDER_NEVER, "msg.rx[secure=true,fr!=${IUT_CSE_ID}]", NULL, 1, NULL);
    expect_rule(ORDER_BEFORE, "sae.*[side=server]", "msg.*[secure=true]", 1, NULL);
    /* cannot fail: the harness never records it */
    expect_rule(ORDER_NEVER, "msg.rxx", NULL, 0, "'never msg.rxx' cannot fail: the harness records no event msg.rxx");
    expect_rule(ORDER_NEVER, "msg.rx[secure=flase]", NULL, 0,
                "the harness never records msg.rx with secure=flase (it takes true|false)");
    expect_rule(ORDER_NEVER, "msg.rx[secur=false]", NULL, 0, "never records msg.rx with an attribute 'secur'");
    expect_rule(ORDER_BEFORE, "sae.done", "acp.deny[op=create]", 0, "acp.deny with op=create");
    expect_rule(ORDER_NEVER, "msg.rx[secure=true,secure=false]", NULL, 0, "asks secure to be both");
    expect_rule(ORDER_NEVER, "msg.rx[ty=2,ty!=2]", NULL, 0, "asks ty to be '2' and not '2'");
    expect_rule(ORDER_WITHIN, "sae.start", "sae.doen", 0, "records no event sae.doen");
    /* cannot hold: the first event that is a "then" is also the first "first" */
    expect_rule(ORDER_BEFORE, "sae.done", "sae.*", 0, "can never hold");
    expect_rule(ORDER_BEFORE, "msg.rx[secure=true]", "msg.rx", 0, "can never hold");
}

/* An <expect> step from a file, for its alternatives. */
static testcase *load(const char *alts)
{
    char *xml = xasprintf("<?xml version=\"1.0\"?>\n"
                          "<testcase id=\"TC_X_001\" role=\"in-cse\" area=\"x\" covers=\"R-SAE-01\">\n"
                          "  <title>t</title>\n  <requirement>r</requirement>\n  <reference>x</reference>\n"
                          "  <steps><check>\n    <expect within=\"1s\">\n%s    </expect>\n  </check></steps>\n</testcase>\n", alts);
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    testcase_load_mem("t.xml", xml, strlen(xml), SCHEMA, &tc, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    free(xml);
    CU_ASSERT_PTR_NOT_NULL(tc);
    return tc;
}

static void expect_alts(const char *alts, int problems, const char *needle)
{
    testcase *tc = load(alts);
    if (!tc) return;
    diag d;
    diag_init(&d);
    falsify_count n = { 0, 0 };
    CU_ASSERT_EQUAL(falsify_testcase(tc, &d, &n), problems);
    if (needle && !diag_contains(&d, needle)) {
        fprintf(stderr, "\nexpected '%s', got:\n", needle);
        diag_print(&d, stderr);
        CU_FAIL("falsify_testcase");
    }
    diag_free(&d);
    testcase_free(tc);
}

static void test_alternatives(void)
{
    expect_alts("      <message rqi=\"a\" rsc=\"2001\"/>\n"
                "      <message rqi=\"a\" verdict=\"fail\" reason=\"r\"/>\n"
                "      <event name=\"sae.fail[alert=${A}]\" verdict=\"fail\" reason=\"r\"/>\n"
                "      <message response=\"any\" secure=\"true\" verdict=\"inconc\" reason=\"r\">\n"
                "        <field name=\"pc:m2m:dbg\" value=\"x\"/>\n      </message>\n"
                "      <silence verdict=\"fail\" reason=\"r\"/>\n", 0, NULL);
    /* the less specific alternative first: the failing one is never taken */
    expect_alts("      <message rqi=\"a\"/>\n"
                "      <message rqi=\"a\" rsc=\"4103\" verdict=\"fail\" reason=\"r\"/>\n", 1,
                "the alternative msg.rx[rqi=a,rsc=4103] can never be taken: the alternative msg.rx[rqi=a] at line 8");
    expect_alts("      <event name=\"sae.*\"/>\n"
                "      <event name=\"sae.fail\" verdict=\"fail\" reason=\"r\"/>\n", 1, "comes first");
    expect_alts("      <message rqi=\"a\"/>\n"
                "      <event name=\"sae.done[side=client,side=server]\" verdict=\"fail\" reason=\"r\"/>\n", 1,
                "asks side to be both 'client' and 'server'");
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("falsify", NULL, NULL);
    CU_add_test(s, "every order rule and failing alternative of the suite can fail", test_the_suite_is_falsifiable);
    CU_add_test(s, "planted rules that cannot fail or cannot hold are reported", test_planted_rules);
    CU_add_test(s, "failing alternatives: never taken, shadowed", test_alternatives);
}
