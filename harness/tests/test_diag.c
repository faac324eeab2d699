/* Diagnostics list: messages keep file and line, nothing is lost, printing formats. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/diag.h"
#include "m2m_test.h"

static char *print_all(const diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    diag_print(d, f);
    fclose(f);
    return buf;
}

static void test_empty(void)
{
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    CU_ASSERT_FALSE(diag_contains(&d, ""));
    char *out = print_all(&d);
    CU_ASSERT_STRING_EQUAL(out, "");
    free(out);
    diag_free(&d);
}

static void test_entries_and_print(void)
{
    diag d;
    diag_init(&d);
    diag_error(&d, "testcases/sae/a.xml", 12, "expected ']' at column %d", 12);
    diag_error(&d, "fixtures/profiles/p.xml", 0, "missing <address>");
    diag_error(&d, NULL, 5, "no file: %s", "command line");
    CU_ASSERT_EQUAL(diag_count(&d), 3);
    CU_ASSERT_STRING_EQUAL(d.items[0].file, "testcases/sae/a.xml");
    CU_ASSERT_EQUAL(d.items[0].line, 12);
    CU_ASSERT_STRING_EQUAL(d.items[0].message, "expected ']' at column 12");
    CU_ASSERT_PTR_NULL(d.items[2].file);
    CU_ASSERT_TRUE(diag_contains(&d, "column 12"));
    CU_ASSERT_TRUE(diag_contains(&d, "<address>"));
    CU_ASSERT_FALSE(diag_contains(&d, "column 13"));

    char *out = print_all(&d);
    CU_ASSERT_STRING_EQUAL(out,
        "testcases/sae/a.xml:12: error: expected ']' at column 12\n"
        "fixtures/profiles/p.xml: error: missing <address>\n"
        "error: no file: command line\n");
    free(out);

    diag_free(&d);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    CU_ASSERT_FALSE(diag_contains(&d, "column"));
    diag_free(&d); /* twice is harmless */
}

static void test_many(void)
{
    diag d;
    diag_init(&d);
    for (int i = 0; i < 500; i++) diag_error(&d, "f.xml", i + 1, "problem %d", i);
    CU_ASSERT_EQUAL(diag_count(&d), 500);
    CU_ASSERT_STRING_EQUAL(d.items[0].message, "problem 0");
    CU_ASSERT_STRING_EQUAL(d.items[499].message, "problem 499");
    CU_ASSERT_EQUAL(d.items[499].line, 500);
    CU_ASSERT_TRUE(diag_contains(&d, "problem 250"));
    /* a long message is kept whole */
    char big[3000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    diag_error(&d, NULL, 0, "%s", big);
    CU_ASSERT_EQUAL(strlen(d.items[500].message), sizeof big - 1);
    diag_free(&d);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("diag", NULL, NULL);
    CU_add_test(s, "empty list", test_empty);
    CU_add_test(s, "entries, contains, print", test_entries_and_print);
    CU_add_test(s, "many entries, long message", test_many);
}
