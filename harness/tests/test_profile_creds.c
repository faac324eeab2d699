/* The profile's PSK credentials (model/profile_creds.c): the harness's own and a second
 * registree CSE's in role field (R-RCV-02), or the IUT's second credential in role in-cse:
 * how it loads, what the loader refuses (with
 * file:line), and that its key is never in a message either. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/profile.h"
#include "model/vars.h"
#include "model/xmlload.h"
#include "util/xmem.h"
#include "m2m_test.h"

#define SCHEMA M2M_DATA_DIR "/fixtures/schema/profile.xsd"

/* A profile whose <credentials> hold the harness's PSK (line 5) and then `second` (line 6). */
static char *make(const char *role, const char *second)
{
    int field = !strcmp(role, "field");
    return xasprintf("<profile name=\"p\" role=\"%s\">\n"
                     "  <iut kind=\"%s\" address=\"127.0.0.1\"><cse-id>%s</cse-id></iut>\n"
                     "  <harness><cse-id>%s</cse-id>%s</harness>\n"
                     "  <credentials>\n"
                     "    <psk identity=\"asn-cse-1@in.test\" key=\"first-key-1\"/>\n"
                     "    %s\n"
                     "  </credentials>\n"
                     "</profile>\n",
                     role, field ? "in-cse" : "asn-cse", field ? "/in-cse" : "/asn-cse-1",
                     field ? "/asn-cse-1" : "/in-cse", field ? "" : "<cse-base>in-name</cse-base>", second);
}

static int load(const char *xml, const char *schema, profile **p, diag *d)
{
    return profile_load_mem("p.xml", xml, strlen(xml), schema, p, d);
}

static void expect_error(const char *role, const char *second, const char *schema, int line, const char *needle)
{
    char *xml = make(role, second);
    diag d;
    diag_init(&d);
    profile *p = (profile *)1;
    CU_ASSERT_EQUAL(load(xml, schema, &p, &d), -1);
    CU_ASSERT_PTR_NULL(p);
    int found = 0;
    for (size_t i = 0; i < d.n; i++)
        if (d.items[i].line == line && !strcmp(d.items[i].file, "p.xml") && strstr(d.items[i].message, needle)) found = 1;
    if (!found) {
        fprintf(stderr, "\nexpected an error at p.xml:%d with '%s', got:\n", line, needle);
        diag_print(&d, stderr);
    }
    CU_ASSERT_TRUE(found);
    diag_free(&d);
    free(xml);
}

static void test_second_registree_loads(void)
{
    char *xml = make("field", "<psk identity=\"asn-cse-2@in.test\" key=\"7365636f6e64\" encoding=\"hex\" cse-id=\"/asn-cse-2\"/>");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = load(xml, SCHEMA, &p, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(p->psk_identity, "asn-cse-1@in.test");
    const profile_registree *r = p->second_registree;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->cse_id, "/asn-cse-2");
    CU_ASSERT_STRING_EQUAL(r->psk_identity, "asn-cse-2@in.test");
    CU_ASSERT_EQUAL_FATAL(r->psk_key_len, 6);
    CU_ASSERT_EQUAL(memcmp(r->psk_key, "second", 6), 0);
    /* test cases name it ${SECOND_REGISTREE_CSE_ID} */
    vars v;
    vars_init(&v);
    vars_from_profile(&v, p);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "SECOND_REGISTREE_CSE_ID"), "/asn-cse-2");
    vars_free(&v);
    profile_free(p);
    free(xml);
    /* without one: none, and no variable */
    xml = make("field", "");
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_PTR_NULL(p->second_registree);
    vars_init(&v);
    vars_from_profile(&v, p);
    CU_ASSERT_PTR_NULL(vars_get(&v, "SECOND_REGISTREE_CSE_ID"));
    vars_free(&v);
    profile_free(p);
    free(xml);
    diag_free(&d);
}

/* The bundled reference IN-CSE's profile has one, and claims the configuration. */
static void test_ref_in_cse_profile(void)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(profile_load(M2M_DATA_DIR "/fixtures/profiles/ref-in-cse.xml", SCHEMA, &p, &d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->second_registree);
    CU_ASSERT_STRING_EQUAL(p->second_registree->cse_id, "/asn-cse-2");
    CU_ASSERT_STRING_EQUAL(p->second_registree->psk_identity, "asn-cse-2@in.m2m-harness.test");
    CU_ASSERT_TRUE(profile_has_pics(p, "CFG_SECOND_REGISTREE"));
    profile_free(p);
    diag_free(&d);
}

static void test_bad_second_registree(void)
{
    for (int with_schema = 0; with_schema < 2; with_schema++) {
        const char *schema = with_schema ? SCHEMA : NULL;
        expect_error("field", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\"/>", schema, 6,
                     "a second <psk> needs cse-id=\"/CSE-ID\"");
        expect_error("field", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" cse-id=\"asn-cse-2\"/>", schema, 6,
                     "a CSE-ID starts with '/'");
        expect_error("field", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" ae-id=\"Cae-2\"/>", schema, 6,
                     "a second <psk> needs cse-id=\"/CSE-ID\" in role field");
        expect_error("field", "<psk identity=\"asn-cse-1@in.test\" key=\"k2\" cse-id=\"/asn-cse-2\"/>", schema, 6,
                     "<psk identity=\"asn-cse-1@in.test\"> is given twice");
        expect_error("field", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" cse-id=\"/asn-cse-1\"/>", schema, 6,
                     "is the harness's own CSE-ID");
        /* role in-cse: a second credential of the IUT, bound to exactly one other identity */
        expect_error("in-cse", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\"/>", schema, 6,
                     "it needs exactly one of ae-id=\"AE-ID\" or cse-id=\"/CSE-ID\"");
        expect_error("in-cse", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" ae-id=\"Cae-2\" cse-id=\"/asn-cse-2\"/>", schema, 6,
                     "it needs exactly one of ae-id");
        expect_error("in-cse", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" cse-id=\"/asn-cse-1\"/>", schema, 6,
                     "bound to /asn-cse-1, the IUT's own identity");
        expect_error("in-cse", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" ae-id=\"C*\"/>", schema, 6,
                     "one AE-ID-Stem (Cae-2, Sapp), no pattern and no list");
        expect_error("in-cse", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" ae-id=\"ae-2\"/>", schema, 6,
                     "one AE-ID-Stem");
        expect_error("in-cse", "<psk identity=\"asn-cse-1@in.test\" key=\"k2\" ae-id=\"Cae-2\"/>", schema, 6,
                     "is given twice");
        expect_error("field", "<psk identity=\"asn-cse-2@in.test\" key=\"k2\" cse-id=\"/asn-cse-2\" hint=\"h\"/>", schema, 6,
                     "a second <psk> has no hint");
        expect_error("field", "<psk identity=\"asn-cse-2@in.test\" key=\"\" cse-id=\"/asn-cse-2\"/>", schema, 6,
                     "the key is empty");
    }
    /* a third <psk>: the schema stops it; without one, the loader does */
    expect_error("field", "<psk identity=\"b@x\" key=\"k2\" cse-id=\"/b\"/><psk identity=\"c@x\" key=\"k3\" cse-id=\"/c\"/>",
                 NULL, 6, "at most two <psk>");
    /* the configuration item without the credential it stands for */
    char *nopsk = xasprintf("<profile name=\"p\" role=\"field\">\n"
                            "  <iut kind=\"in-cse\" address=\"127.0.0.1\"><cse-id>/in-cse</cse-id></iut>\n"
                            "  <harness><cse-id>/asn-cse-1</cse-id></harness>\n"
                            "  <credentials><psk identity=\"a@x\" key=\"k1\"/></credentials>\n"
                            "  <pics>IUT_IN_CSE CFG_REGISTREE_CSE CFG_SECOND_REGISTREE</pics>\n"
                            "</profile>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(load(nopsk, SCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(d.n > 0 && d.items[0].line == 5 && strstr(d.items[0].message, "PICS give CFG_SECOND_REGISTREE but"));
    diag_free(&d);
    free(nopsk);
    /* cse-id on the harness's own credential: which CSE would it stand for? */
    char *xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                          "  <iut kind=\"in-cse\" address=\"127.0.0.1\"><cse-id>/in-cse</cse-id></iut>\n"
                          "  <harness><cse-id>/asn-cse-1</cse-id></harness>\n"
                          "  <credentials><psk identity=\"a@x\" key=\"k1\" cse-id=\"/asn-cse-1\"/></credentials>\n"
                          "</profile>\n");
    diag_init(&d);
    CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(d.n > 0 && d.items[0].line == 4 && strstr(d.items[0].message, "cse-id belongs on a second <psk>"));
    diag_free(&d);
    free(xml);
}

/* Role in-cse: the IUT's second credential, bound to its other identity, ${IUT_SECOND_ID};
 * PICS IUT_SECOND_IDENTITY needs it. */
static void test_second_iut_credential(void)
{
    char *xml = make("in-cse", "<psk identity=\"ae-2@in.test\" key=\"second\" ae-id=\"Cae-2\"/>");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = load(xml, SCHEMA, &p, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const profile_registree *r = p->second_registree;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->ae_id, "Cae-2");
    CU_ASSERT_PTR_NULL(r->cse_id);
    CU_ASSERT_STRING_EQUAL(r->psk_identity, "ae-2@in.test");
    vars v;
    vars_init(&v);
    vars_from_profile(&v, p);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "IUT_SECOND_ID"), "Cae-2");
    vars_free(&v);
    profile_free(p);
    free(xml);
    /* a second CSE-ID works the same */
    xml = make("in-cse", "<psk identity=\"asn-cse-2@in.test\" key=\"second\" cse-id=\"/asn-cse-2\"/>");
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    vars_init(&v);
    vars_from_profile(&v, p);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "IUT_SECOND_ID"), "/asn-cse-2");
    vars_free(&v);
    profile_free(p);
    free(xml);
    diag_free(&d);
    /* the PICS item without the credential it stands for, at the <pics> line */
    char *nopsk = xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                            "  <iut kind=\"ae\" address=\"127.0.0.1\"><ae-id>Cae-1</ae-id></iut>\n"
                            "  <harness><cse-id>/in-cse</cse-id><cse-base>in-name</cse-base></harness>\n"
                            "  <credentials><psk identity=\"a@x\" key=\"k1\"/></credentials>\n"
                            "  <pics>IUT_AE SAE SAE_PSK IUT_SECOND_IDENTITY</pics>\n"
                            "</profile>\n");
    diag_init(&d);
    CU_ASSERT_EQUAL(load(nopsk, SCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(d.n > 0 && d.items[0].line == 5 && strstr(d.items[0].message, "PICS give IUT_SECOND_IDENTITY but"));
    diag_free(&d);
    free(nopsk);
}

/* The second key is as secret as the first: no message quotes it. */
static void test_second_key_never_in_messages(void)
{
    const char *cases[] = {
        "<psk identity=\"asn-cse-2@in.test\" key=\"SecondSecret-5432\" cse-id=\"/asn-cse-2\"/><bogus/>",
        "<psk identity=\"asn-cse-2@in.test\" key=\"SecondSecret-5432\" encoding=\"hex\" cse-id=\"/asn-cse-2\"/>",
        "<psk identity=\"asn-cse-1@in.test\" key=\"SecondSecret-5432\" cse-id=\"/asn-cse-2\"/>",
        "<psk identity=\"asn-cse-2@in.test\" key=\"SecondSecret-5432&bad;\" cse-id=\"/asn-cse-2\"/>",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int with_schema = 0; with_schema < 2; with_schema++) {
            char *xml = make("field", cases[i]);
            diag d;
            diag_init(&d);
            profile *p = NULL;
            CU_ASSERT_EQUAL(load(xml, with_schema ? SCHEMA : NULL, &p, &d), -1);
            CU_ASSERT_TRUE(diag_count(&d) > 0);
            int leaked = diag_contains(&d, "SecondSecret");
            if (leaked) {
                fprintf(stderr, "\ncase %zu leaks the second key:\n", i);
                diag_print(&d, stderr);
            }
            CU_ASSERT_FALSE(leaked);
            diag_free(&d);
            free(xml);
        }
}

static int cleanup(void)
{
    xmlload_cleanup();
    return 0;
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("profile_creds", NULL, cleanup);
    CU_add_test(s, "a second registree's PSK and CSE-ID", test_second_registree_loads);
    CU_add_test(s, "ref-in-cse.xml configures a second registree", test_ref_in_cse_profile);
    CU_add_test(s, "a second <psk> refused with file:line", test_bad_second_registree);
    CU_add_test(s, "the second key is never in a message", test_second_key_never_in_messages);
    CU_add_test(s, "role in-cse: the IUT's second credential and identity", test_second_iut_credential);
}
