/* Attach mode (exec/attach.c, run/plan.h): when a CREATE's refusal is a leftover of an earlier
 * run (deleted and the CREATE sent once more) and when it is the answer the step judges; the
 * run's id in the names the harness creates; the tests an attached profile cannot run, and the
 * lock that keeps tests of one attached IUT apart unless their identities are disjoint. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec/exec_int.h"
#include "run/plan.h"
#include "run/ready.h"
#include "model/testcase.h"
#include "util/xmem.h"
#include "m2m_test.h"

#define PROFILE_XSD M2M_DATA_DIR "/fixtures/schema/profile.xsd"
#define TESTCASE_XSD M2M_DATA_DIR "/testcases/schema/testcase.xsd"

static testcase *load_tc(const char *steps)
{
    char *xml = xasprintf("<testcase id=\"TC_T_001\" role=\"field\" area=\"registration\" covers=\"\">"
                          "<title>t</title><requirement>r</requirement><reference>TS-0004</reference>"
                          "<steps>%s</steps></testcase>", steps);
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    int r = testcase_load_mem("t.xml", xml, strlen(xml), TESTCASE_XSD, &tc, &d);
    if (r != 0) diag_print(&d, stderr);
    CU_ASSERT_EQUAL(r, 0);
    diag_free(&d);
    free(xml);
    return tc;
}

static profile *load_profile_text(const char *xml)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int r = profile_load_mem("p.xml", xml, strlen(xml), PROFILE_XSD, &p, &d);
    if (r != 0) diag_print(&d, stderr);
    CU_ASSERT_EQUAL(r, 0);
    diag_free(&d);
    return p;
}

/* A field profile at 127.0.0.1:5684 registering as cse, with control (start command or not). */
static profile *field_profile(const char *cse, const char *identity, const char *control)
{
    char *xml = xasprintf(
        "<profile name=\"p\" role=\"field\">"
        "<iut kind=\"in-cse\" release=\"3\" address=\"127.0.0.1\" host=\"in\" coap-port=\"5683\" coaps-port=\"5684\">"
        "<cse-id>/in-cse</cse-id><cse-base>in-name</cse-base></iut>"
        "<harness address=\"127.0.0.1\" host=\"h\"><cse-id>%s</cse-id></harness>"
        "<credentials><psk identity=\"%s\" key=\"k\" encoding=\"ascii\"/></credentials>"
        "<pics>IUT_IN_CSE SAE SAE_PSK CFG_REGISTREE_CSE</pics>%s</profile>", cse, identity, control);
    profile *p = load_profile_text(xml);
    free(xml);
    return p;
}

static const char *REG_STEPS =
    "<send op=\"create\" ty=\"16\" to=\"/in-cse/in-name\" fr=\"/asn-cse-1\" rqi=\"reg\" secure=\"true\">"
    "{\"m2m:csr\":{\"rn\":\"asn-cse-1\",\"csi\":\"/asn-cse-1\"}}</send>"
    "<check><expect within=\"5s\"><message rqi=\"reg\" rsc=\"2001\"/>"
    "<message rqi=\"reg\" verdict=\"fail\" reason=\"not created\"/></expect></check>";

/* The exec of a test that sent the registration and got rsc back. */
static void sent_and_answered(exec *x, const char *rqi, const char *op, const char *rsc)
{
    timeline_add(&x->tl, "msg.tx", "127.0.0.1:5684", "secure", "true", "sa", "1", "op", op, "to", "/in-cse/in-name",
                 "fr", "/asn-cse-1", "ty", "16", "rqi", rqi, "pc", "{\"m2m:csr\":{\"rn\":\"asn-cse-1\"}}", (char *)NULL);
    timeline_add(&x->tl, "msg.rx", "127.0.0.1:5684", "secure", "true", "sa", "1", "rsc", rsc, "rqi", rqi, (char *)NULL);
}

static const tc_step *expect_step(const testcase *tc)
{
    for (size_t i = 0; i < tc->body.n; i++)
        if (tc->body.items[i].kind == STEP_EXPECT) return &tc->body.items[i];
    return NULL;
}

static void test_leftover_rule(void)
{
    testcase *tc = load_tc(REG_STEPS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
    const tc_step *s = expect_step(tc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const char *rscs[] = { "4117", "4105", "2001", "4107", "4103" };
    const int leftover[] = { 1, 1, 0, 0, 0 };
    for (size_t k = 0; k < 5; k++) {
        exec x;
        memset(&x, 0, sizeof x);
        timeline_init(&x.tl);
        vars_init(&x.v);
        x.attached = 1;
        sent_and_answered(&x, "reg", "create", rscs[k]);
        CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 1), leftover[k]);
        CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 0), 0);   /* the request itself */
        /* once per step: after one try the refusal is the answer the step judges */
        x.leftover_tried = 1;
        CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 1), 0);
        /* not attached: an IUT started for the test has no leftovers */
        x.leftover_tried = 0;
        x.attached = 0;
        CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 1), 0);
        timeline_free(&x.tl);
        vars_free(&x.v);
    }
    /* an answer to another request, or to a RETRIEVE, is none */
    exec x;
    memset(&x, 0, sizeof x);
    timeline_init(&x.tl);
    vars_init(&x.v);
    x.attached = 1;
    sent_and_answered(&x, "other", "create", "4117");
    CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 1), 0);
    sent_and_answered(&x, "reg", "retrieve", "4117");
    CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 3), 0);
    timeline_free(&x.tl);
    vars_free(&x.v);
    testcase_free(tc);
    /* a step that wants the refusal (a duplicate registration is 4117) judges it itself */
    tc = load_tc("<send op=\"create\" ty=\"16\" to=\"/in-cse/in-name\" fr=\"/asn-cse-1\" rqi=\"reg\" secure=\"true\">"
                 "{\"m2m:csr\":{\"rn\":\"asn-cse-1\",\"csi\":\"/asn-cse-1\"}}</send>"
                 "<expect within=\"5s\"><message rqi=\"reg\" rsc=\"4117\"/></expect>");
    s = expect_step(tc);
    memset(&x, 0, sizeof x);
    timeline_init(&x.tl);
    vars_init(&x.v);
    x.attached = 1;
    sent_and_answered(&x, "reg", "create", "4117");
    CU_ASSERT_EQUAL(attach_is_leftover(&x, s, 1), 0);
    timeline_free(&x.tl);
    vars_free(&x.v);
    testcase_free(tc);
}

static void test_names(void)
{
    exec x;
    memset(&x, 0, sizeof x);
    vars_init(&x.v);
    vars_set(&x.v, "RUN_ID", "0badcafe");
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_CREATE;
    req.ty = 3;
    req.pc = xstrdup("{\"m2m:cnt\":{\"rn\":\"cnt-a\",\"acpi\":[\"x\"]}}");
    req.pclen = strlen(req.pc);
    attach_name(&x, &req);
    CU_ASSERT_STRING_EQUAL(req.pc, "{\"m2m:cnt\":{\"rn\":\"cnt-a-0badcafe\",\"acpi\":[\"x\"]}}");
    CU_ASSERT_EQUAL(req.pclen, strlen(req.pc));
    /* a registration keeps its name: the registree's identity names it */
    free(req.pc);
    req.ty = 16;
    req.pc = xstrdup("{\"m2m:csr\":{\"rn\":\"asn-cse-1\"}}");
    req.pclen = strlen(req.pc);
    attach_name(&x, &req);
    CU_ASSERT_STRING_EQUAL(req.pc, "{\"m2m:csr\":{\"rn\":\"asn-cse-1\"}}");
    /* no rn: nothing to name */
    free(req.pc);
    req.ty = 1;
    req.pc = xstrdup("{\"m2m:acp\":{\"pv\":{}}}");
    req.pclen = strlen(req.pc);
    attach_name(&x, &req);
    CU_ASSERT_STRING_EQUAL(req.pc, "{\"m2m:acp\":{\"pv\":{}}}");
    m2m_prim_free(&req);
    vars_free(&x.v);
}

static void test_attach_needs(void)
{
    profile *att = field_profile("/asn-cse-1", "a@x", "<control ready-timeout=\"5s\"><trigger name=\"reset\">true</trigger></control>");
    profile *started = field_profile("/asn-cse-1", "a@x", "<control><start>true</start></control>");
    CU_ASSERT_TRUE(profile_attached(att));
    CU_ASSERT_FALSE(profile_attached(started));
    char why[300];
    struct { const char *steps; int needs; const char *says; } cases[] = {
        { "<trigger name=\"start\"/><wait for=\"1s\"/>", 0, NULL },
        { "<wait for=\"1s\"/>", 0, NULL },
        { "<trigger name=\"start\"/><trigger name=\"reset\"/>", 0, NULL },
        { "<trigger name=\"start\"/><wait for=\"1s\"/><trigger name=\"start\"/>", 1, "needs a restart" },
        { "<wait for=\"1s\"/><trigger name=\"start\"/>", 1, "needs a restart" },
        { "<trigger name=\"start\"/><trigger name=\"reboot\"/>", 1, "needs trigger 'reboot'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        testcase *tc = load_tc(cases[i].steps);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
        why[0] = '\0';
        CU_ASSERT_EQUAL(plan_attach_needs(tc, att, why, sizeof why), cases[i].needs);
        if (cases[i].says) CU_ASSERT_PTR_NOT_NULL(strstr(why, cases[i].says));
        CU_ASSERT_EQUAL(plan_attach_needs(tc, started, why, sizeof why), 0);   /* started per test: never */
        testcase_free(tc);
    }
    profile_free(att);
    profile_free(started);
}

/* Tests of one attached IUT share its state: one lock unless the identities are disjoint, the
 * same across profiles naming that IUT; IUTs started per test take no lock. */
static void test_attach_locks(void)
{
    const char *att = "<control ready-timeout=\"5s\"/>";
    profile *a = field_profile("/asn-cse-1", "a@x", att);
    profile *b = field_profile("/asn-cse-2", "b@x", att);        /* disjoint from a */
    profile *c = field_profile("/asn-cse-1", "c@x", att);        /* shares a's CSE-ID */
    profile *d = field_profile("/asn-cse-1", "a@x", "<control><start>true</start></control>");
    const profile *ps[] = { a, b, c, d };
    char *keys[4];
    plan_iut_locks(ps, 4, keys);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[1]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[2]);
    CU_ASSERT_STRING_EQUAL(keys[0], keys[2]);
    CU_ASSERT_STRING_NOT_EQUAL(keys[0], keys[1]);
    CU_ASSERT_PTR_NULL(keys[3]);
    for (size_t i = 0; i < 4; i++) free(keys[i]);
    profile_free(a);
    profile_free(b);
    profile_free(c);
    profile_free(d);
}

/* The built-in readiness check: inside an association when SAE is claimed, as the registree
 * identity; none for a profile that is not attached. */
static void test_ready_check(void)
{
    profile *a = field_profile("/asn-cse-1", "a@x", "<control ready-timeout=\"5s\"/>");
    char *xml = ready_testcase_xml(a);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<open-association"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "fr=\"${HARNESS_CSE_ID}\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "rsc=\"2000\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "rsc=\"4107\" verdict=\"warn\""));   /* serving, refusing this originator */
    CU_ASSERT_PTR_NULL(strstr(xml, "rsc=\"4000\""));                        /* still starting: not ready */
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(testcase_load_mem("ready.xml", xml, strlen(xml), TESTCASE_XSD, &tc, &d), 0);
    diag_free(&d);
    testcase_free(tc);
    free(xml);
    unsigned tries;
    double secs;
    char why[200];
    profile *started = field_profile("/asn-cse-1", "a@x", "<control><start>true</start></control>");
    CU_ASSERT_EQUAL(ready_attached(started, NULL, &tries, &secs, why, sizeof why), -1);
    profile_free(started);
    profile_free(a);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("attach", NULL, NULL);
    CU_add_test(s, "a 4105/4117 to a CREATE the step wants created is a leftover, once, attached only", test_leftover_rule);
    CU_add_test(s, "names the harness creates carry the run's id, registrations keep theirs", test_names);
    CU_add_test(s, "tests needing a restart or a missing trigger", test_attach_needs);
    CU_add_test(s, "one lock per attached IUT unless identities are disjoint", test_attach_locks);
    CU_add_test(s, "the built-in readiness check", test_ready_check);
}
