/* oneM2M option numbering presets. The expected numbers are copied by hand from TS-0008
 * V3.9.0 Table 6.2.2.4.0-1 (iana) and from the pre-V3.7.0 set that OM2M, Mobius and
 * oneM2MTester use (legacy), not from options.c. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "onem2m/options.h"
#include "m2m_test.h"

static const struct { const char *name; uint16_t iana, legacy; } expected[] = {
    {"fr", 279, 256},   {"rqi", 283, 257},  {"ot", 259, 259},   {"rqet", 291, 260},
    {"rset", 295, 261}, {"oet", 299, 262},  {"rturi", 263, 263}, {"ec", 303, 264},
    {"rsc", 307, 265},  {"gid", 311, 266},  {"ty", 267, 267},   {"cto", 319, 268},
    {"cts", 323, 269},  {"ati", 327, 270},  {"rvi", 271, 0},    {"vsi", 331, 0},
    {"gtm", 335, 0},    {"aus", 339, 0},    {"asri", 275, 0},
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static void test_every_option_listed(void)
{
    CU_ASSERT_EQUAL(NEXPECTED, M2M_OPT__COUNT);
    for (int i = 0; i < M2M_OPT__COUNT; i++) {
        int found = 0;
        for (size_t k = 0; k < NEXPECTED; k++)
            if (strcmp(m2m_opt_name((m2m_opt)i), expected[k].name) == 0) found = 1;
        CU_ASSERT(found);
    }
}

static void test_iana(void)
{
    m2m_optmap map;
    CU_ASSERT_EQUAL_FATAL(m2m_optmap_preset("iana", &map), 0);
    for (size_t k = 0; k < NEXPECTED; k++) {
        int o = m2m_opt_by_name(expected[k].name);
        CU_ASSERT_FATAL(o >= 0);
        CU_ASSERT_EQUAL(map.num[o], expected[k].iana);
        CU_ASSERT_EQUAL(m2m_optmap_lookup(&map, expected[k].iana), o);
        /* TS-0008 marks all of them Critical and Unsafe: odd, bit 1 set. */
        CU_ASSERT_EQUAL(map.num[o] & 1, 1);
        CU_ASSERT_EQUAL(map.num[o] & 2, 2);
    }
}

static void test_legacy(void)
{
    m2m_optmap map;
    CU_ASSERT_EQUAL_FATAL(m2m_optmap_preset("legacy", &map), 0);
    for (size_t k = 0; k < NEXPECTED; k++) {
        int o = m2m_opt_by_name(expected[k].name);
        CU_ASSERT_FATAL(o >= 0);
        CU_ASSERT_EQUAL(map.num[o], expected[k].legacy);
        if (expected[k].legacy)
            CU_ASSERT_EQUAL(m2m_optmap_lookup(&map, expected[k].legacy), o);
    }
    /* 0 means "not sent" and never matches an option on the wire. */
    CU_ASSERT_EQUAL(m2m_optmap_lookup(&map, 0), -1);
    /* IANA numbers that the legacy set does not use are unknown under it. */
    CU_ASSERT_EQUAL(m2m_optmap_lookup(&map, 279), -1);
    CU_ASSERT_EQUAL(m2m_optmap_lookup(&map, 271), -1);
    CU_ASSERT_EQUAL(m2m_optmap_lookup(&map, 258), -1);   /* No-Response, skipped by legacy */
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(m2m_opt_name(M2M_OPT_FR), "fr");
    CU_ASSERT_STRING_EQUAL(m2m_opt_name(M2M_OPT_ASRI), "asri");
    CU_ASSERT_STRING_EQUAL(m2m_opt_name(M2M_OPT__COUNT), "?");
    CU_ASSERT_STRING_EQUAL(m2m_opt_name((m2m_opt)-1), "?");
    CU_ASSERT_EQUAL(m2m_opt_by_name("rsc"), M2M_OPT_RSC);
    CU_ASSERT_EQUAL(m2m_opt_by_name("RSC"), -1);   /* short names are case-sensitive */
    CU_ASSERT_EQUAL(m2m_opt_by_name("pc"), -1);    /* a parameter, but not an option */
    CU_ASSERT_EQUAL(m2m_opt_by_name(""), -1);
}

static void test_presets(void)
{
    m2m_optmap map;
    memset(&map, 0xAB, sizeof map);
    CU_ASSERT_EQUAL(m2m_optmap_preset("IANA", &map), -1);
    CU_ASSERT_EQUAL(m2m_optmap_preset("", &map), -1);
    CU_ASSERT_EQUAL(m2m_optmap_preset("v3", &map), -1);
    /* Content-Format ids from TS-0008 Table 6.2.2.2-1 */
    CU_ASSERT_EQUAL(M2M_CF_RES_JSON, 10001);
    CU_ASSERT_EQUAL(M2M_CF_RES_XML, 10014);
    CU_ASSERT_EQUAL(M2M_CF_RES_CBOR, 10010);
    CU_ASSERT_EQUAL(M2M_CF_APP_JSON, 50);
    CU_ASSERT_EQUAL(M2M_CF_APP_XML, 41);
}

static void test_content_format_names(void)
{
    CU_ASSERT_EQUAL(m2m_cf_parse("onem2m-json"), 10001);
    CU_ASSERT_EQUAL(m2m_cf_parse("10001"), 10001);
    CU_ASSERT_EQUAL(m2m_cf_parse("json"), 50);
    CU_ASSERT_EQUAL(m2m_cf_parse("50"), 50);
    CU_ASSERT_EQUAL(m2m_cf_parse("onem2m-xml"), 10014);
    CU_ASSERT_EQUAL(m2m_cf_parse("xml"), 41);
    CU_ASSERT_EQUAL(m2m_cf_parse("41"), 41);
    /* only these four: CBOR, other numbers, near misses */
    CU_ASSERT_EQUAL(m2m_cf_parse("10010"), -1);
    CU_ASSERT_EQUAL(m2m_cf_parse("0"), -1);
    CU_ASSERT_EQUAL(m2m_cf_parse("50x"), -1);
    CU_ASSERT_EQUAL(m2m_cf_parse("JSON"), -1);
    CU_ASSERT_EQUAL(m2m_cf_parse(""), -1);
    CU_ASSERT_EQUAL(m2m_cf_parse(NULL), -1);
    CU_ASSERT_STRING_EQUAL(m2m_cf_name(50), "json");
    CU_ASSERT_STRING_EQUAL(m2m_cf_name(10014), "onem2m-xml");
    CU_ASSERT_PTR_NULL(m2m_cf_name(10010));
    CU_ASSERT_TRUE(m2m_cf_is_json(50) && m2m_cf_is_json(10001) && !m2m_cf_is_json(41) && !m2m_cf_is_json(10014));
    CU_ASSERT_TRUE(m2m_cf_is_xml(41) && m2m_cf_is_xml(10014) && !m2m_cf_is_xml(50) && !m2m_cf_is_xml(-1));
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("options", NULL, NULL);
    CU_add_test(s, "every option has an expected number", test_every_option_listed);
    CU_add_test(s, "iana preset (TS-0008 V3.9.0)", test_iana);
    CU_add_test(s, "legacy preset (pre-V3.7.0)", test_legacy);
    CU_add_test(s, "short names", test_names);
    CU_add_test(s, "unknown presets and content formats", test_presets);
    CU_add_test(s, "content formats by name and number", test_content_format_names);
}
