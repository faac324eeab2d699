/* Shared main for the per-module CUnit test programs. Each test file defines
 * m2m_test_register(), which adds its suite(s). The exit status is non-zero when any
 * assertion failed: CU_get_error() alone returns 0 then. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include "util/xmem.h"
#include "m2m_test.h"

static char **fixture_strs;
static size_t nfixture_strs;

char *m2m_test_str(const char *s)
{
    if (!s) return NULL;
    fixture_strs = xrealloc(fixture_strs, (nfixture_strs + 1) * sizeof *fixture_strs);
    return fixture_strs[nfixture_strs++] = xstrdup(s);
}

static void fixture_strs_free(void)
{
    while (nfixture_strs) free(fixture_strs[--nfixture_strs]);
    free(fixture_strs);
    fixture_strs = NULL;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    m2m_test_register();
    if (CU_get_error() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit registration failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned run = CU_get_number_of_tests_run();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();
    fixture_strs_free();
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return (failures != 0 || err != CUE_SUCCESS) ? 1 : 0;
}
