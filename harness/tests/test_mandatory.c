/* The release values and the two tables of attributes mandatory on CREATE: the harness's
 * fill-in (onem2m/mandatory.h) and the strict registrar's (cse/strict.h), written apart and
 * compared here for every release and every resource type the suite creates. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "onem2m/mandatory.h"
#include "onem2m/release.h"
#include "cse/strict.h"
#include "m2m_test.h"

static const int releases[] = { M2M_REL_1, M2M_REL_2, M2M_REL_2A, M2M_REL_3, M2M_REL_4, M2M_REL_5 };
static const int types[] = { 1, 2, 3, 4, 16 };   /* acp, AE, container, contentInstance, remoteCSE */
#define N(a) (sizeof a / sizeof a[0])

static void test_release_values(void)
{
    static const char *names[] = { "1", "2", "2a", "3", "4", "5" };
    for (size_t i = 0; i < N(releases); i++) {
        CU_ASSERT_EQUAL(m2m_release_parse(names[i]), releases[i]);
        CU_ASSERT_STRING_EQUAL(m2m_release_name(releases[i]), names[i]);
        if (i) CU_ASSERT_TRUE(releases[i] > releases[i - 1]);   /* ordered: 2 < 2a < 3 */
    }
    CU_ASSERT_EQUAL(m2m_release_parse("2A"), 0);
    CU_ASSERT_EQUAL(m2m_release_parse("6"), 0);
    CU_ASSERT_EQUAL(m2m_release_parse(NULL), 0);
    /* Release 1 requests carry no rvi (TS-0004 §7.3.1.1); the others their name */
    CU_ASSERT_PTR_NULL(m2m_release_rvi(M2M_REL_1));
    CU_ASSERT_STRING_EQUAL(m2m_release_rvi(M2M_REL_2A), "2a");
    CU_ASSERT_STRING_EQUAL(m2m_release_rvi(M2M_REL_3), "3");
    /* ... and a request without one is of Release 1 (§7.3.2.1) */
    CU_ASSERT_EQUAL(m2m_release_of_rvi(NULL), M2M_REL_1);
    CU_ASSERT_EQUAL(m2m_release_of_rvi("x"), 0);
    unsigned r3 = m2m_release_default_set(M2M_REL_3);
    CU_ASSERT_TRUE(r3 & m2m_release_bit(M2M_REL_3));
    CU_ASSERT_TRUE(r3 & m2m_release_bit(M2M_REL_2A));
    CU_ASSERT_FALSE(r3 & m2m_release_bit(M2M_REL_1));
    CU_ASSERT_FALSE(r3 & m2m_release_bit(M2M_REL_4));
    CU_ASSERT_TRUE(m2m_release_default_set(M2M_REL_1) & m2m_release_bit(M2M_REL_1));
    CU_ASSERT_EQUAL(m2m_release_bit(0), 0u);
}

/* The harness's list for (rel, ty), space-separated, in the strict table's order. */
static void harness_list(int rel, int ty, char *buf, size_t len)
{
    size_t n;
    const m2m_mandatory_row *rows = m2m_mandatory_rows(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (rows[i].ty == ty && m2m_mandatory(rel, ty, rows[i].attr)) {
            size_t l = strlen(buf);
            snprintf(buf + l, len - l, "%s%s", l ? " " : "", rows[i].attr);
        }
}

/* Same set of words, whatever the order. */
static int same_set(const char *a, const char *b)
{
    char x[128], y[128];
    snprintf(x, sizeof x, " %s ", a);
    snprintf(y, sizeof y, " %s ", b);
    for (int pass = 0; pass < 2; pass++) {
        const char *s = pass ? x : y, *t = pass ? y : x;
        for (const char *p = s + 1; *p;) {
            size_t n = strcspn(p, " ");
            if (n) {
                char w[32];
                snprintf(w, sizeof w, " %.*s ", (int)n, p);
                if (!strstr(t, w)) return 0;
            }
            p += n;
            p += strspn(p, " ");
        }
    }
    return 1;
}

static void test_tables_agree(void)
{
    for (size_t i = 0; i < N(releases); i++)
        for (size_t j = 0; j < N(types); j++) {
            char h[128], s[128];
            harness_list(releases[i], types[j], h, sizeof h);
            strict_mandatory_list(releases[i], types[j], s, sizeof s);
            if (!same_set(h, s))
                fprintf(stderr, "release %s type %d: harness fills in [%s], the strict registrar requires [%s]\n",
                        m2m_release_name(releases[i]), types[j], h, s);
            CU_ASSERT_TRUE(same_set(h, s));
        }
    /* the comparison can fail */
    CU_ASSERT_FALSE(same_set("api rr", "api rr srv"));
    CU_ASSERT_FALSE(same_set("api rr srv", "api rr"));
    CU_ASSERT_TRUE(same_set("rr api", "api rr"));
}

/* Only Release-3 rows that were read count as verified. */
static void test_verified_only_release3(void)
{
    CU_ASSERT_TRUE(m2m_mandatory_verified(M2M_REL_3, 2, "srv"));
    CU_ASSERT_TRUE(m2m_mandatory_verified(M2M_REL_3, 16, "srv"));
    CU_ASSERT_FALSE(m2m_mandatory_verified(M2M_REL_4, 2, "srv"));
    CU_ASSERT_FALSE(m2m_mandatory_verified(M2M_REL_2A, 2, "srv"));
    CU_ASSERT_FALSE(m2m_mandatory_verified(M2M_REL_3, 2, "poa"));
    size_t n;
    const m2m_mandatory_row *rows = m2m_mandatory_rows(&n);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(rows[i].table, "TS-0004 Table 7.4."));
        CU_ASSERT_PTR_NOT_NULL(m2m_type_wrapper(rows[i].ty));
    }
}

static char *srv_of(const char *json, const char *wrapper)
{
    json_t *o = json_loads(json, 0, NULL);
    json_t *srv = json_object_get(json_object_get(o, wrapper), "srv");
    char *out = srv ? json_dumps(srv, JSON_COMPACT) : NULL;
    json_decref(o);
    return out;
}

static void test_body_type(void)
{
    const char *csr = "{\"m2m:csr\":{\"csi\":\"/asn-cse-1\"}}";
    CU_ASSERT_EQUAL(m2m_body_type(csr, strlen(csr)), 16);
    CU_ASSERT_EQUAL(m2m_body_type("{\"m2m:ae\":{}}", 13), 2);
    CU_ASSERT_EQUAL(m2m_body_type("{\"m2m:sgn\":{}}", 14), 0);                          /* a notification */
    CU_ASSERT_EQUAL(m2m_body_type("{\"m2m:ae\":{},\"m2m:csr\":{}}", 26), 0);           /* not one representation */
    CU_ASSERT_EQUAL(m2m_body_type("<m2m:csr/>", 10), 0);
    CU_ASSERT_EQUAL(m2m_body_type(NULL, 0), 0);
}

static void test_fill_in(void)
{
    const char *ae = "{\"m2m:ae\":{\"rn\":\"a\",\"api\":\"Napp\"}}";
    char *f = m2m_mandatory_fill(ae, strlen(ae), 2, M2M_REL_2A);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char *srv = srv_of(f, "m2m:ae");
    CU_ASSERT_STRING_EQUAL(srv, "[\"2a\"]");   /* from the release, "2a" included */
    CU_ASSERT_PTR_NOT_NULL(strstr(f, "\"rr\":false"));
    CU_ASSERT_PTR_NULL(m2m_mandatory_missing(f, strlen(f), 2, M2M_REL_2A));
    free(srv);
    free(f);
    /* what the test writes stays */
    const char *given = "{\"m2m:ae\":{\"api\":\"Napp\",\"rr\":true,\"srv\":[\"3\",\"4\"]}}";
    CU_ASSERT_PTR_NULL(m2m_mandatory_fill(given, strlen(given), 2, M2M_REL_3));
    /* Release 1 has no srv: nothing to fill but rr */
    f = m2m_mandatory_fill(ae, strlen(ae), 2, M2M_REL_1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NULL(strstr(f, "srv"));
    free(f);
    /* the test's values are its own: api, pv, con are reported, never invented */
    char *miss = m2m_mandatory_missing("{\"m2m:acp\":{\"pvs\":{}}}", 22, 1, M2M_REL_3);
    CU_ASSERT_STRING_EQUAL(miss, "pv");
    free(miss);
    const char *acp = "{\"m2m:acp\":{\"rn\":\"x\"}}";
    CU_ASSERT_PTR_NULL(m2m_mandatory_fill(acp, strlen(acp), 1, M2M_REL_3));
    /* not the type's representation, or not JSON: sent as written */
    CU_ASSERT_PTR_NULL(m2m_mandatory_fill(ae, strlen(ae), 16, M2M_REL_3));
    CU_ASSERT_PTR_NULL(m2m_mandatory_fill("<m2m:ae/>", 9, 2, M2M_REL_3));
    /* the strict side refuses what the fill-in would add, and names it */
    json_t *o = json_loads(ae, 0, NULL);
    char attr[16];
    CU_ASSERT_STRING_EQUAL(strict_missing_on_create(M2M_REL_3, 2, json_object_get(o, "m2m:ae"), attr, sizeof attr), "rr");
    json_object_set_new(json_object_get(o, "m2m:ae"), "rr", json_false());
    CU_ASSERT_STRING_EQUAL(strict_missing_on_create(M2M_REL_3, 2, json_object_get(o, "m2m:ae"), attr, sizeof attr), "srv");
    CU_ASSERT_PTR_NULL(strict_missing_on_create(M2M_REL_2, 2, json_object_get(o, "m2m:ae"), attr, sizeof attr));
    json_decref(o);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("mandatory", NULL, NULL);
    CU_add_test(s, "release values, rvi, supported sets", test_release_values);
    CU_add_test(s, "harness fill-in table = strict registrar table, every release and type", test_tables_agree);
    CU_add_test(s, "only Release-3 rows read count as verified", test_verified_only_release3);
    CU_add_test(s, "fill-in: srv from the release, rr; the test's values stay", test_fill_in);
    CU_add_test(s, "a body's type from its wrapper (a representation sent in a NOTIFY)", test_body_type);
}
