/* model/requirements.h: the requirement list loader and the coverage computation. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/requirements.h"
#include "util/xmem.h"
#include "m2m_test.h"

#define SCHEMA M2M_DATA_DIR "/testcases/schema/requirements.xsd"
#define TREE M2M_DATA_DIR "/testcases/schema/requirements.xml"

static const char *LIST =
    "<?xml version=\"1.0\"?>\n<requirements>\n  <group title=\"g\">\n"
    "    <requirement id=\"R-A-01\" roles=\"D C\"><text>a</text><planned role=\"C\">field-node suite</planned></requirement>\n"
    "    <requirement id=\"R-A-02\" roles=\"D\"><text>b</text></requirement>\n"
    "    <requirement id=\"R-A-03\" roles=\"C\"><text>c</text></requirement>\n"
    "    <requirement id=\"R-A-04\" roles=\"D\"><text>d</text><planned role=\"D\">later</planned></requirement>\n"
    "  </group>\n</requirements>\n";

/* A test case that covers the ids in covers: owned copies, released with tc_release. */
static testcase tc(const char *id, const char *role, const char *const *covers, size_t n)
{
    testcase t;
    memset(&t, 0, sizeof t);
    t.id = xstrdup(id);
    t.role = xstrdup(role);
    t.covers = xcalloc(n, sizeof *t.covers);
    for (size_t i = 0; i < n; i++) t.covers[i] = xstrdup(covers[i]);
    t.ncovers = n;
    return t;
}

static void tc_release(testcase *t)
{
    for (size_t i = 0; i < t->ncovers; i++) free(t->covers[i]);
    free(t->covers);
    free(t->id);
    free(t->role);
}

static void test_load(void)
{
    req_list l;
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(requirements_load_mem("r.xml", LIST, strlen(LIST), SCHEMA, &l, &d), 0);
    CU_ASSERT_EQUAL(l.n, 4);
    const req_item *a = requirements_find(&l, "R-A-01");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_TRUE(a->roles[REQ_D] && a->roles[REQ_C]);
    CU_ASSERT_PTR_NULL(a->planned[REQ_D]);
    CU_ASSERT_STRING_EQUAL(a->planned[REQ_C], "field-node suite");
    CU_ASSERT_EQUAL(a->line, 4);
    CU_ASSERT_PTR_NULL(requirements_find(&l, "R-A-09"));
    requirements_free(&l);
    diag_free(&d);
}

static void test_load_errors(void)
{
    const struct { const char *doc, *needle; int line; } bad[] = {
        { "<requirements><group title=\"g\">\n<requirement id=\"R-A-01\" roles=\"D\"><text>a</text></requirement>\n"
          "<requirement id=\"R-A-01\" roles=\"C\"><text>b</text></requirement></group></requirements>", "twice", 3 },
        { "<requirements><group title=\"g\">\n<requirement id=\"R-A-01\" roles=\"D\"><text>a</text>\n"
          "<planned role=\"C\">x</planned></requirement></group></requirements>", "not one of the requirement's roles", 3 },
        { "<requirements><group title=\"g\">\n<requirement id=\"R-A-01\" roles=\"D X\"><text>a</text></requirement></group></requirements>", "roles", 2 },
        { "<requirements><group title=\"g\">\n<requirement id=\"R-A-01\" roles=\"D\"></requirement></group></requirements>", "<text>", 2 },
        { "<requirements>\n</requirements>", "no <requirement>", 0 },
        { "<requirements>\n<group", "", 2 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        req_list l;
        diag d;
        diag_init(&d);
        /* the loader's own checks (no schema), then with the schema: both refuse */
        CU_ASSERT_EQUAL(requirements_load_mem("r.xml", bad[i].doc, strlen(bad[i].doc), NULL, &l, &d), -1);
        CU_ASSERT_EQUAL(l.n, 0);
        CU_ASSERT_TRUE(diag_contains(&d, bad[i].needle));
        CU_ASSERT_EQUAL(d.items[0].line, bad[i].line);
        diag_free(&d);
        diag_init(&d);
        CU_ASSERT_EQUAL(requirements_load_mem("r.xml", bad[i].doc, strlen(bad[i].doc), SCHEMA, &l, &d), -1);
        diag_free(&d);
    }
}

static void test_coverage(void)
{
    req_list l;
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(requirements_load_mem("r.xml", LIST, strlen(LIST), SCHEMA, &l, &d), 0);
    const char *c1[] = { "R-A-01", "R-A-04" }, *c2[] = { "R-A-01" }, *c3[] = { "R-A-03" }, *c4[] = { "R-Z-99" };
    testcase t1 = tc("TC_1", "in-cse", c1, 2), t2 = tc("TC_2", "in-cse", c2, 1);
    testcase *tcs[] = { &t1, &t2 };
    coverage c;
    coverage_compute(&l, tcs, 2, &c);
    CU_ASSERT_EQUAL(c.cells[0][REQ_D].state, COV_COVERED);
    CU_ASSERT_EQUAL(c.cells[0][REQ_D].n, 2);
    CU_ASSERT_STRING_EQUAL(c.cells[0][REQ_D].tests[1], "TC_2");
    CU_ASSERT_EQUAL(c.cells[0][REQ_C].state, COV_PLANNED);
    CU_ASSERT_EQUAL(c.cells[1][REQ_D].state, COV_UNCOVERED);   /* R-A-02: no test, no plan */
    CU_ASSERT_EQUAL(c.cells[1][REQ_C].state, COV_NOT_APPLICABLE);
    CU_ASSERT_EQUAL(c.cells[2][REQ_C].state, COV_UNCOVERED);   /* R-A-03 */
    CU_ASSERT_EQUAL(c.cells[3][REQ_D].state, COV_COVERED);     /* R-A-04: covered and still planned */
    CU_ASSERT_TRUE(c.cells[3][REQ_D].stale_plan);
    CU_ASSERT_EQUAL(c.covered, 2);
    CU_ASSERT_EQUAL(c.planned, 1);
    CU_ASSERT_EQUAL(c.uncovered, 2);
    CU_ASSERT_EQUAL(c.stale, 1);
    CU_ASSERT_EQUAL(coverage_gate(&c), 1);
    coverage_free(&c);
    /* A field test covers R-A-03; a D test naming a C-only id or an unknown id is reported. */
    testcase t3 = tc("TC_3", "field", c3, 1), t4 = tc("TC_4", "in-cse", c3, 1), t5 = tc("TC_5", "in-cse", c4, 1);
    const char *c6[] = { "R-A-02" };
    testcase t6 = tc("TC_6", "in-cse", c6, 1);
    testcase *all[] = { &t1, &t3, &t6 };
    coverage_compute(&l, all, 3, &c);
    CU_ASSERT_EQUAL(c.uncovered, 0);
    CU_ASSERT_EQUAL(c.nunknown, 0);
    CU_ASSERT_EQUAL(coverage_gate(&c), 0);
    coverage_free(&c);
    testcase *wrong[] = { &t1, &t3, &t6, &t4, &t5 };
    coverage_compute(&l, wrong, 5, &c);
    CU_ASSERT_EQUAL(c.nunknown, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.unknown[0], "TC_4: R-A-03"));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.unknown[1], "not in the requirement list"));
    CU_ASSERT_EQUAL(coverage_gate(&c), 1);
    coverage_free(&c);
    testcase *made[] = { &t1, &t2, &t3, &t4, &t5, &t6 };
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) tc_release(made[i]);
    requirements_free(&l);
    diag_free(&d);
}

/* Role A: an in-cse test covers an id for an AE IUT when its PICS admit IUT_AE (an item
 * whose alternatives are all other IUT kinds shuts it out); a field test never does. */
static void test_coverage_ae(void)
{
    static const char list[] =
        "<requirements><group title=\"g\">\n"
        "<requirement id=\"R-B-01\" roles=\"D A\"><text>a</text></requirement>\n"
        "<requirement id=\"R-B-02\" roles=\"D A\"><text>b</text><planned role=\"A\">no AE fixture</planned></requirement>\n"
        "<requirement id=\"R-B-03\" roles=\"D C A\"><text>c</text></requirement>\n"
        "</group></requirements>";
    req_list l;
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(requirements_load_mem("r.xml", list, strlen(list), SCHEMA, &l, &d), 0);
    CU_ASSERT_TRUE(l.items[0].roles[REQ_A] && !l.items[0].roles[REQ_C]);
    CU_ASSERT_STRING_EQUAL(l.items[1].planned[REQ_A], "no AE fixture");
    const char *c1[] = { "R-B-01", "R-B-02" }, *c3[] = { "R-B-03" };
    testcase cse = tc("TC_CSE", "in-cse", c1, 2), any = tc("TC_ANY", "in-cse", c3, 1),
             alt = tc("TC_ALT", "in-cse", c1, 1), fld = tc("TC_FLD", "field", c3, 1),
             cfg = tc("TC_CFG", "in-cse", c3, 1);
    char k_cse[] = "IUT_ASN_CSE|IUT_MN_CSE", k_alt[] = "IUT_ASN_CSE|IUT_AE", k_sae[] = "SAE",
         k_cfg[] = "IUT_ASN_CSE|CFG_REGISTRAR_IN_CSE";
    char *r_cse[] = { k_cse, k_sae }, *r_alt[] = { k_alt, k_sae }, *r_cfg[] = { k_cfg };
    cse.requires = r_cse; cse.nrequires = 2;
    alt.requires = r_alt; alt.nrequires = 2;
    cfg.requires = r_cfg; cfg.nrequires = 1;
    CU_ASSERT_FALSE(requirements_admits_ae(&cse));
    CU_ASSERT_TRUE(requirements_admits_ae(&alt));
    CU_ASSERT_TRUE(requirements_admits_ae(&any));   /* no kind item at all */
    CU_ASSERT_TRUE(requirements_admits_ae(&cfg));   /* an alternative that is no kind */
    testcase *only_cse[] = { &cse, &fld };
    coverage c;
    coverage_compute(&l, only_cse, 2, &c);
    CU_ASSERT_EQUAL(c.cells[0][REQ_D].state, COV_COVERED);
    CU_ASSERT_EQUAL(c.cells[0][REQ_A].state, COV_UNCOVERED);   /* a CSE-only test: not for an AE */
    CU_ASSERT_EQUAL(c.cells[1][REQ_A].state, COV_PLANNED);
    CU_ASSERT_EQUAL(c.cells[2][REQ_C].state, COV_COVERED);
    CU_ASSERT_EQUAL(c.cells[2][REQ_A].state, COV_UNCOVERED);   /* a field test: not for an AE */
    CU_ASSERT_EQUAL(coverage_gate(&c), 1);
    coverage_free(&c);
    testcase *with_ae[] = { &cse, &fld, &alt, &any };
    coverage_compute(&l, with_ae, 4, &c);
    CU_ASSERT_EQUAL(c.cells[0][REQ_A].state, COV_COVERED);
    CU_ASSERT_EQUAL(c.cells[0][REQ_A].n, 1);
    CU_ASSERT_STRING_EQUAL(c.cells[0][REQ_A].tests[0], "TC_ALT");
    CU_ASSERT_EQUAL(c.cells[0][REQ_D].n, 2);
    CU_ASSERT_EQUAL(c.cells[2][REQ_A].state, COV_COVERED);
    CU_ASSERT_EQUAL(coverage_gate(&c), 0);
    coverage_free(&c);
    testcase *made[] = { &cse, &any, &alt, &fld, &cfg };
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
        made[i]->requires = NULL;
        made[i]->nrequires = 0;
        tc_release(made[i]);
    }
    requirements_free(&l);
    diag_free(&d);
}

/* The tree's list loads, and holds every id the reference list numbers (57 today). */
static void test_tree_list(void)
{
    req_list l;
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(requirements_load(TREE, SCHEMA, &l, &d), 0);
    CU_ASSERT(l.n >= 57);
    CU_ASSERT_PTR_NOT_NULL(requirements_find(&l, "R-FLOW-01"));
    CU_ASSERT_PTR_NOT_NULL(requirements_find(&l, "R-BIND-06"));
    CU_ASSERT_EQUAL(requirements_role_of("in-cse"), REQ_D);
    CU_ASSERT_EQUAL(requirements_role_of("field"), REQ_C);
    requirements_free(&l);
    diag_free(&d);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("requirements", NULL, NULL);
    CU_add_test(s, "load", test_load);
    CU_add_test(s, "bad lists refused with line", test_load_errors);
    CU_add_test(s, "coverage per id and role, the gate", test_coverage);
    CU_add_test(s, "coverage for an AE IUT (role A)", test_coverage_ae);
    CU_add_test(s, "the tree's list", test_tree_list);
}
