/* <send option="NUM:HEX ...">: the extra raw options a test case may send. */
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

/* A list: two Accepts in the order given; too many, a bad item or a stray space refused,
 * nothing left allocated. */
static void test_list(void)
{
    uint16_t nums[CM_OPTSPEC_MAX];
    uint8_t *vals[CM_OPTSPEC_MAX];
    size_t lens[CM_OPTSPEC_MAX], n = 9;
    char err[160];
    CU_ASSERT_EQUAL(cm_optspec_parse_list("17: 17:2711", CM_OPTSPEC_MAX, nums, vals, lens, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_TRUE(nums[0] == 17 && lens[0] == 0 && nums[1] == 17 && lens[1] == 2);
    CU_ASSERT_TRUE(vals[1] && vals[1][0] == 0x27 && vals[1][1] == 0x11);
    for (size_t i = 0; i < n; i++) free(vals[i]);
    CU_ASSERT_EQUAL(cm_optspec_parse_list("65001:78", CM_OPTSPEC_MAX, nums, vals, lens, &n, err, sizeof err), 0);
    CU_ASSERT_TRUE(n == 1 && nums[0] == 65001);
    free(vals[0]);
    static const char *const bad[] = { "1 2 3 4 5", "17:00 x", "17:00  17:01", "17:00 ", " 17:00", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        n = 9;
        CU_ASSERT_EQUAL(cm_optspec_parse_list(bad[i], CM_OPTSPEC_MAX, nums, vals, lens, &n, err, sizeof err), -1);
        CU_ASSERT_EQUAL(n, 0);
        CU_ASSERT_TRUE(err[0] != '\0');
    }
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("optspec", NULL, NULL);
    CU_add_test(s, "NUM and NUM:HEX", test_valid);
    CU_add_test(s, "refused specs say why", test_invalid);
    CU_add_test(s, "a list of options, in order", test_list);
}
