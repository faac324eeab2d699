/* <send option="NUM:HEX">: the extra raw option a test case may send. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "model/optspec.h"
#include "m2m_test.h"

static void test_valid(void)
{
    uint16_t num = 0;
    uint8_t *val = NULL;
    size_t len = 9;
    char err[128];
    CU_ASSERT_EQUAL(cm_optspec_parse("65001:78", &num, &val, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(num, 65001);
    CU_ASSERT_EQUAL(len, 1);
    CU_ASSERT_TRUE(val && val[0] == 0x78);
    free(val);
    CU_ASSERT_EQUAL(cm_optspec_parse("12:000032", &num, &val, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(num, 12);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_TRUE(val && val[2] == 0x32);
    free(val);
    /* no value, and an empty one after ':' */
    CU_ASSERT_EQUAL(cm_optspec_parse("9", &num, &val, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(num, 9);
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_PTR_NULL(val);
    CU_ASSERT_EQUAL(cm_optspec_parse("9:", &num, &val, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(len, 0);
}

static void test_invalid(void)
{
    static const char *const bad[] = { "", "0", "65536", "x", "12:0", "12:zz", "12;00", "-1", "99999999999999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint16_t num = 7;
        uint8_t *val = NULL;
        size_t len = 0;
        char err[128] = "";
        CU_ASSERT_EQUAL(cm_optspec_parse(bad[i], &num, &val, &len, err, sizeof err), -1);
        CU_ASSERT_TRUE(err[0] != '\0');   /* a refusal says why */
        CU_ASSERT_EQUAL(num, 7);
        free(val);
    }
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("optspec", NULL, NULL);
    CU_add_test(s, "NUM and NUM:HEX", test_valid);
    CU_add_test(s, "refused specs say why", test_invalid);
}
