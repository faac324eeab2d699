/* Verdict lattice (verdict.c) and run summary / exit code (result.c). */
#include <CUnit/CUnit.h>
#include <string.h>
#include "flow/result.h"
#include "flow/verdict.h"
#include "util/xmem.h"
#include "m2m_test.h"

static void test_names(void)
{
    const char *expected[] = { "none", "pass", "warn", "inconc", "fail", "error", "skip", "xfail", "xpass" };
    for (int v = VERDICT_NONE; v <= VERDICT_XPASS; v++) {
        CU_ASSERT_STRING_EQUAL(verdict_name((verdict)v), expected[v]);
        verdict back = VERDICT_NONE;
        CU_ASSERT_EQUAL(verdict_from_name(expected[v], &back), 0);
        CU_ASSERT_EQUAL((int)back, v);
    }
    verdict out = VERDICT_PASS;
    CU_ASSERT_EQUAL(verdict_from_name("PASS", &out), -1);
    CU_ASSERT_EQUAL(verdict_from_name("passed", &out), -1);
    CU_ASSERT_EQUAL(verdict_from_name("", &out), -1);
    CU_ASSERT_EQUAL(verdict_from_name(NULL, &out), -1);
    CU_ASSERT_EQUAL(out, VERDICT_PASS); /* untouched on failure */
    CU_ASSERT_STRING_EQUAL(verdict_name((verdict)99), "unknown");
}

static void test_rank(void)
{
    CU_ASSERT(verdict_rank(VERDICT_NONE) < verdict_rank(VERDICT_PASS));
    CU_ASSERT(verdict_rank(VERDICT_PASS) < verdict_rank(VERDICT_WARN));
    CU_ASSERT(verdict_rank(VERDICT_WARN) < verdict_rank(VERDICT_INCONC));
    CU_ASSERT(verdict_rank(VERDICT_INCONC) < verdict_rank(VERDICT_FAIL));
    CU_ASSERT(verdict_rank(VERDICT_FAIL) < verdict_rank(VERDICT_ERROR));
    CU_ASSERT_EQUAL(verdict_rank(VERDICT_SKIP), -1);
    CU_ASSERT_EQUAL(verdict_rank(VERDICT_XFAIL), -1);
    CU_ASSERT_EQUAL(verdict_rank(VERDICT_XPASS), -1);
}

static void test_fails_run(void)
{
    CU_ASSERT_FALSE(verdict_fails_run(VERDICT_PASS));
    CU_ASSERT_FALSE(verdict_fails_run(VERDICT_WARN));
    CU_ASSERT_FALSE(verdict_fails_run(VERDICT_SKIP));
    CU_ASSERT_FALSE(verdict_fails_run(VERDICT_XFAIL));
    CU_ASSERT_TRUE(verdict_fails_run(VERDICT_INCONC));
    CU_ASSERT_TRUE(verdict_fails_run(VERDICT_FAIL));
    CU_ASSERT_TRUE(verdict_fails_run(VERDICT_ERROR));
    CU_ASSERT_TRUE(verdict_fails_run(VERDICT_XPASS));
    CU_ASSERT_TRUE(verdict_fails_run(VERDICT_NONE)); /* no verdict proves nothing */
}

static void test_only_gets_worse(void)
{
    verdict_state s;
    verdict_init(&s);
    CU_ASSERT_EQUAL(s.v, VERDICT_NONE);
    CU_ASSERT_STRING_EQUAL(s.reason, "");
    verdict_set(&s, VERDICT_PASS, NULL);
    CU_ASSERT_EQUAL(s.v, VERDICT_PASS);
    verdict_set(&s, VERDICT_WARN, "R-SAE-03: SAE is only %s", "recommended");
    CU_ASSERT_EQUAL(s.v, VERDICT_WARN);
    CU_ASSERT_STRING_EQUAL(s.reason, "R-SAE-03: SAE is only recommended");
    verdict_set(&s, VERDICT_PASS, "later pass");
    CU_ASSERT_EQUAL(s.v, VERDICT_WARN);
    CU_ASSERT_STRING_EQUAL(s.reason, "R-SAE-03: SAE is only recommended");
    verdict_set(&s, VERDICT_FAIL, "expected rsc %d, got %d", 4107, 2001);
    CU_ASSERT_EQUAL(s.v, VERDICT_FAIL);
    CU_ASSERT_STRING_EQUAL(s.reason, "expected rsc 4107, got 2001");
    /* same level: the first reason stays */
    verdict_set(&s, VERDICT_FAIL, "second failure");
    CU_ASSERT_STRING_EQUAL(s.reason, "expected rsc 4107, got 2001");
    verdict_set(&s, VERDICT_INCONC, "preamble");
    CU_ASSERT_EQUAL(s.v, VERDICT_FAIL);
    verdict_set(&s, VERDICT_ERROR, "harness crashed");
    CU_ASSERT_EQUAL(s.v, VERDICT_ERROR);
    CU_ASSERT_STRING_EQUAL(s.reason, "harness crashed");
    verdict_set(&s, VERDICT_NONE, "nothing");
    CU_ASSERT_EQUAL(s.v, VERDICT_ERROR);
}

static void test_final_classifications(void)
{
    verdict_state s;
    verdict_init(&s);
    verdict_set(&s, VERDICT_SKIP, "PICS %s not supported", "SAE_CERT");
    CU_ASSERT_EQUAL(s.v, VERDICT_SKIP);
    verdict_set(&s, VERDICT_FAIL, "must not apply");
    CU_ASSERT_EQUAL(s.v, VERDICT_SKIP);
    CU_ASSERT_STRING_EQUAL(s.reason, "PICS SAE_CERT not supported");

    verdict_init(&s);
    verdict_set(&s, VERDICT_FAIL, "wrong rsc");
    verdict_set(&s, VERDICT_XFAIL, "known failure KF-12");
    CU_ASSERT_EQUAL(s.v, VERDICT_XFAIL);
    CU_ASSERT_STRING_EQUAL(s.reason, "known failure KF-12");
    verdict_set(&s, VERDICT_XFAIL, "again");
    CU_ASSERT_STRING_EQUAL(s.reason, "known failure KF-12");
}

static void test_reason_truncated(void)
{
    verdict_state s;
    verdict_init(&s);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    verdict_set(&s, VERDICT_FAIL, "%s", big);
    CU_ASSERT_EQUAL(strlen(s.reason), sizeof s.reason - 1);
}

static void test_summary(void)
{
    run_summary s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL(run_summary_exit_code(&s), 0);
    run_summary_add(&s, VERDICT_PASS);
    run_summary_add(&s, VERDICT_WARN);
    run_summary_add(&s, VERDICT_SKIP);
    run_summary_add(&s, VERDICT_XFAIL);
    CU_ASSERT_EQUAL(s.total, 4);
    CU_ASSERT_EQUAL(s.pass, 1);
    CU_ASSERT_EQUAL(s.warn, 1);
    CU_ASSERT_EQUAL(s.skip, 1);
    CU_ASSERT_EQUAL(s.xfail, 1);
    CU_ASSERT_EQUAL(run_summary_exit_code(&s), 0);

    verdict failing[] = { VERDICT_FAIL, VERDICT_ERROR, VERDICT_INCONC, VERDICT_XPASS, VERDICT_NONE };
    for (size_t i = 0; i < sizeof failing / sizeof failing[0]; i++) {
        run_summary t = s;
        run_summary_add(&t, failing[i]);
        CU_ASSERT_EQUAL(t.total, 5);
        CU_ASSERT_EQUAL(run_summary_exit_code(&t), 1);
    }
    run_summary_add(&s, VERDICT_FAIL);
    run_summary_add(&s, VERDICT_ERROR);
    run_summary_add(&s, VERDICT_INCONC);
    run_summary_add(&s, VERDICT_XPASS);
    run_summary_add(&s, VERDICT_NONE);
    CU_ASSERT_EQUAL(s.fail, 1);
    CU_ASSERT_EQUAL(s.error, 1);
    CU_ASSERT_EQUAL(s.inconc, 2); /* none counts as inconclusive */
    CU_ASSERT_EQUAL(s.xpass, 1);
    CU_ASSERT_EQUAL(s.total, 9);
}

static void test_result_free_all(void)
{
    test_result r = {
        .id = xstrdup("TC_X"), .role = xstrdup("in-cse"), .area = xstrdup("sae"),
        .title = xstrdup("t"), .file = xstrdup("f.xml"), .v = VERDICT_FAIL,
        .reason = xstrdup("r"), .error_type = xstrdup("crash"), .seconds = 1.0,
        .output = xstrdup("o"), .timeline_file = xstrdup("tl.txt"),
    };
    test_result_free(&r);  /* leak checkers see every field freed */
    CU_ASSERT_PTR_NULL(r.id);
    CU_ASSERT_PTR_NULL(r.output);
    CU_ASSERT_EQUAL(r.v, VERDICT_NONE);
    test_result_free(&r);  /* and a second free is harmless */
    test_result_free(NULL);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("verdict", NULL, NULL);
    CU_add_test(s, "names round-trip", test_names);
    CU_add_test(s, "lattice ranks", test_rank);
    CU_add_test(s, "which verdicts fail the run", test_fails_run);
    CU_add_test(s, "a verdict only gets worse", test_only_gets_worse);
    CU_add_test(s, "skip, xfail, xpass are final", test_final_classifications);
    CU_add_test(s, "long reasons are truncated", test_reason_truncated);
    CU_pSuite r = CU_add_suite("result", NULL, NULL);
    CU_add_test(r, "summary counts and exit code", test_summary);
    CU_add_test(r, "test_result_free", test_result_free_all);
}
