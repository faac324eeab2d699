/* Console reporter: the line format, reasons below non-passes, colour only on request,
 * nothing from the IUT reaches the terminal as a control sequence, the summary. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/console.h"
#include "util/xmem.h"
#include "m2m_test.h"

static char *buf;
static size_t buflen;
static FILE *mem;
static console con;

static void open_console(size_t total, int verbose)
{
    buf = NULL;
    buflen = 0;
    mem = open_memstream(&buf, &buflen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    console_init(&con, mem, total, verbose);
}

/* Closes the stream and returns what was written (caller frees). */
static char *take(void)
{
    fclose(mem);
    mem = NULL;
    return buf;
}

/* The caller frees it with test_result_free. */
static test_result result(const char *id, const char *role, const char *area, verdict v,
                          const char *reason, double secs)
{
    test_result r;
    memset(&r, 0, sizeof r);
    r.id = xstrdup(id);
    r.role = xstrdup(role);
    r.area = xstrdup(area);
    r.v = v;
    r.reason = xstrdup(reason);
    r.seconds = secs;
    return r;
}

static void test_line_format(void)
{
    open_console(12, 0);
    CU_ASSERT_EQUAL(con.color, 0); /* a memory stream is not a terminal */
    con.index = 2;
    test_result r = result("TC_SEC_SAE_PSK_001", "in-cse", "sae", VERDICT_PASS, NULL, 0.84);
    console_test_done(&con, &r);
    CU_ASSERT_EQUAL(con.index, 3);
    char *out = take();
    CU_ASSERT_STRING_EQUAL(out, "[ 3/12] PASS    in-cse.sae       TC_SEC_SAE_PSK_001 (0.84 s)\n");
    free(out);
    test_result_free(&r);
}

static void test_reasons(void)
{
    open_console(5, 0);
    test_result r1 = result("TC_A", "field", "registration", VERDICT_FAIL,
                            "expected rsc 4107\ngot 2001", 1.005);
    test_result r2 = result("TC_B", "in-cse", "acp", VERDICT_SKIP, "PICS ACP not supported", 0);
    test_result r3 = result("TC_C", "in-cse", "sae", VERDICT_INCONC, NULL, 10);
    test_result r4 = result("TC_D", "in-cse", "sae", VERDICT_PASS, "passes keep quiet", 0.004);
    test_result r5 = result("TC_E", NULL, NULL, VERDICT_XPASS, "listed as KF-1", 0.5);
    console_test_done(&con, &r1);
    console_test_done(&con, &r2);
    console_test_done(&con, &r3);
    console_test_done(&con, &r4);
    console_test_done(&con, &r5);
    char *out = take();
    CU_ASSERT_STRING_EQUAL(out,
        "[1/5] FAIL    field.registration TC_A (1.00 s)\n"
        "        expected rsc 4107\n"
        "        got 2001\n"
        "[2/5] SKIP    in-cse.acp       TC_B (0.00 s)\n"
        "        PICS ACP not supported\n"
        "[3/5] INCONC  in-cse.sae       TC_C (10.00 s)\n"
        "        no reason recorded\n"
        "[4/5] PASS    in-cse.sae       TC_D (0.00 s)\n"
        "[5/5] XPASS   unknown          TC_E (0.50 s)\n"
        "        listed as KF-1\n");
    free(out);
    test_result_free(&r1);
    test_result_free(&r2);
    test_result_free(&r3);
    test_result_free(&r4);
    test_result_free(&r5);
}

static void test_verbose_and_overflow(void)
{
    open_console(1, 1);
    test_result r1 = result("TC_A", "in-cse", "sae", VERDICT_PASS, "note", 1);
    r1.output = xstrdup("step 1\nstep 2\n");
    test_result r2 = result("TC_B", "in-cse", "sae", VERDICT_PASS, NULL, 1);
    console_test_done(&con, &r1);
    console_test_done(&con, &r2); /* more tests than announced: the count grows */
    char *out = take();
    CU_ASSERT_STRING_EQUAL(out,
        "[1/1] PASS    in-cse.sae       TC_A (1.00 s)\n"
        "        note\n"
        "        step 1\n"
        "        step 2\n"
        "[2/2] PASS    in-cse.sae       TC_B (1.00 s)\n");
    free(out);
    test_result_free(&r1);
    test_result_free(&r2);
}

static void test_no_control_sequences(void)
{
    open_console(1, 0);
    test_result r = result("TC_\x1b]0;pwned\x07", "in-cse", "sae", VERDICT_FAIL,
                           "IUT said \x1b[2J\x9b\xc2\x9b\r\x01 caf\xc3\xa9", 0.1);
    console_test_done(&con, &r);
    char *out = take();
    for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
        CU_ASSERT(*p >= 0x20 || *p == '\n');
        CU_ASSERT(*p != 0x7f);
        CU_ASSERT(*p < 0x80 || *p == 0xc3 || *p == 0xa9); /* only the valid "é" stays raw */
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "TC_\\x1b]0;pwned\\x07"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "IUT said \\x1b[2J\\x9b\\xc2\\x9b\\x0d\\x01 caf\xc3\xa9"));
    free(out);
    test_result_free(&r);
}

static void test_color(void)
{
    open_console(2, 0);
    con.color = 1;
    test_result r1 = result("TC_A", "in-cse", "sae", VERDICT_PASS, NULL, 1);
    test_result r2 = result("TC_B", "in-cse", "sae", VERDICT_FAIL, "bad", 1);
    console_test_done(&con, &r1);
    console_test_done(&con, &r2);
    run_summary s = { .total = 2, .pass = 1, .fail = 1 };
    console_summary(&con, &s, "reports/x");
    char *out = take();
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "[1/2] \033[32mPASS   \033[0m in-cse.sae"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\033[1;31mFAIL   \033[0m"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\033[1;31mFAILED\033[0m"));
    free(out);

    /* and none without it */
    open_console(1, 0);
    console_test_done(&con, &r2);
    console_summary(&con, &s, "reports/x");
    out = take();
    CU_ASSERT_PTR_NULL(strchr(out, '\033'));
    free(out);
    test_result_free(&r1);
    test_result_free(&r2);
}

static void test_summary(void)
{
    open_console(0, 0);
    run_summary s = { .total = 9, .pass = 3, .warn = 1, .fail = 1, .error = 1, .inconc = 1,
                      .skip = 1, .xfail = 1 };
    console_summary(&con, &s, "reports/20240501-120000");
    char *out = take();
    CU_ASSERT_STRING_EQUAL(out,
        "\n9 tests: 3 passed, 1 warned, 1 failed, 1 error, 1 inconclusive, 1 skipped, "
        "1 expected failures\n"
        "result: FAILED\n"
        "report: reports/20240501-120000\n");
    free(out);

    open_console(0, 0);
    run_summary ok = { .total = 3, .pass = 2, .skip = 1 };
    console_summary(&con, &ok, NULL);
    out = take();
    CU_ASSERT_STRING_EQUAL(out, "\n3 tests: 2 passed, 1 skipped\nresult: PASSED\n");
    free(out);

    open_console(0, 0);
    run_summary xp = { .total = 1, .xpass = 1 };
    console_summary(&con, &xp, NULL);
    out = take();
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "1 test: 0 passed, 1 unexpected passes\nresult: FAILED\n"));
    free(out);

    open_console(0, 0);
    run_summary none = { 0 };
    console_summary(&con, &none, "r");
    out = take();
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "result: NO TEST RAN\n"));
    free(out);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("console", NULL, NULL);
    CU_add_test(s, "one line per test", test_line_format);
    CU_add_test(s, "reasons below non-passes", test_reasons);
    CU_add_test(s, "verbose output; more tests than announced", test_verbose_and_overflow);
    CU_add_test(s, "no control sequences reach the terminal", test_no_control_sequences);
    CU_add_test(s, "colour only when asked", test_color);
    CU_add_test(s, "summary", test_summary);
}
