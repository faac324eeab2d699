/* report/merge.h: JUnit reports of shards joined with counts that add up. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/merge.h"
#include "report/junit.h"
#include "util/xmem.h"
#include "m2m_test.h"

static test_result res(const char *id, const char *area, verdict v, const char *reason)
{
    test_result r;
    memset(&r, 0, sizeof r);
    r.id = xstrdup(id);
    r.role = xstrdup("in-cse");
    r.area = xstrdup(area);
    r.file = xasprintf("testcases/%s/%s.xml", area, id);
    r.v = v;
    r.reason = reason ? xstrdup(reason) : NULL;
    r.seconds = 0.25;
    return r;
}

/* Writes results through the real writer and reads the file back. */
static char *report(test_result *rs, size_t n, const char *shard)
{
    const char *props[] = { "shard", shard, NULL, NULL };
    junit_run run = { "m2m-harness", "2026-01-01T00:00:00", "host", "p.xml", "p", props };
    char path[] = "/tmp/m2m-test-merge-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, rs, n), 0);
    FILE *f = fopen(path, "r");
    char *buf = xcalloc(1, 65536);
    size_t len = fread(buf, 1, 65535, f);
    buf[len] = '\0';
    fclose(f);
    unlink(path);
    for (size_t i = 0; i < n; i++) test_result_free(&rs[i]);
    return buf;
}

static size_t count(const char *doc, const char *needle)
{
    size_t n = 0;
    for (const char *p = doc; (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

static void test_counts_add_up(void)
{
    test_result a[] = { res("TC_B", "sae", VERDICT_FAIL, "late"), res("TC_D", "sae", VERDICT_SKIP, "no PICS"),
                        res("TC_F", "sae", VERDICT_XFAIL, "known") };
    test_result b[] = { res("TC_A", "acp", VERDICT_PASS, NULL), res("TC_C", "sae", VERDICT_ERROR, "crash"),
                        res("TC_E", "sae", VERDICT_XPASS, "stale") };
    char *r1 = report(a, 3, "1/2"), *r2 = report(b, 3, "2/2");
    junit_merge *m = junit_merge_new();
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL(junit_merge_add_mem(m, "s1.xml", r1, strlen(r1), &d), 0);
    CU_ASSERT_EQUAL(junit_merge_add_mem(m, "s2.xml", r2, strlen(r2), &d), 0);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    junit_counts t;
    char *out = junit_merge_render(m, &t);
    CU_ASSERT_EQUAL(t.tests, 6);
    CU_ASSERT_EQUAL(t.failures, 2);    /* fail + xpass */
    CU_ASSERT_EQUAL(t.errors, 1);
    CU_ASSERT_EQUAL(t.skipped, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "<testsuites name=\"m2m-harness\" tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"1\" time=\"1.500\""));
    CU_ASSERT_EQUAL(count(out, "<testsuite "), 1);
    CU_ASSERT_EQUAL(count(out, "<testcase "), 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "name=\"shard\" value=\"1/2 2/2\""));
    /* ordered by file: acp/TC_A, then sae/TC_B, TC_C, ... */
    const char *pa = strstr(out, "\"TC_A\""), *pb = strstr(out, "\"TC_B\""), *pc = strstr(out, "\"TC_C\"");
    CU_ASSERT(pa && pb && pc && pa < pb && pb < pc);
    free(out);
    /* The same shard twice: refused, nothing added. */
    CU_ASSERT_EQUAL(junit_merge_add_mem(m, "s1.xml", r1, strlen(r1), &d), -1);
    CU_ASSERT_TRUE(diag_contains(&d, "never overlap"));
    out = junit_merge_render(m, &t);
    CU_ASSERT_EQUAL(t.tests, 6);
    free(out);
    junit_merge_free(m);
    diag_free(&d);
    free(r1);
    free(r2);
}

static void test_bad_input(void)
{
    const char *bad[] = {
        "<testsuite name=\"x\"/>",                                    /* bare root */
        "<testsuites><testsuite name=\"x\"><testcase classname=\"a\"/></testsuite></testsuites>",
        "<testsuites><testsuite><testcase name=\"a\"/></testsuite></testsuites>",
        "<testsuites><testsuite name=\"x\"><testcase name=\"a\"/><testcase name=\"a\"/></testsuite></testsuites>",
        "<!DOCTYPE x [<!ENTITY e \"e\">]><testsuites/>",
        "<testsuites>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        junit_merge *m = junit_merge_new();
        diag d;
        diag_init(&d);
        CU_ASSERT_EQUAL(junit_merge_add_mem(m, "bad.xml", bad[i], strlen(bad[i]), &d), -1);
        CU_ASSERT(diag_count(&d) > 0);
        CU_ASSERT_PTR_NOT_NULL(d.items[0].file);
        diag_free(&d);
        junit_merge_free(m);
    }
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("merge", NULL, NULL);
    CU_add_test(s, "two shards: counts add up, plan order, shard list", test_counts_add_up);
    CU_add_test(s, "bad reports refused with file", test_bad_input);
}
