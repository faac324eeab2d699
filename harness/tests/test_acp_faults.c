/* The ACP_FAULT_* switches of acp_store (used only by tools/ref-in-cse): each one changes
 * exactly the decision it names, and a store without faults (the harness's) decides as
 * TS-0003 §7.1 says. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "cse/acp.h"
#include "cse/hosted.h"
#include "cse/registrar.h"
#include "onem2m/release.h"
#include "util/xmem.h"
#include "m2m_test.h"

/* 2026-11-25 10:30:15 UTC */
static const time_t WHEN = 1795602615;

static acp_request rq(const char *orig, unsigned op, int authn, const char *ip)
{
    acp_request q = { orig, op, authn, ip, WHEN, 0 };
    return q;
}

/* Two policies: p1 grants Cone everything with acaf and an IP block, plus 'all' RETRIEVE
 * and "/asn-*" DELETE; p2 grants Ctwo RETRIEVE inside a window that never opens, and p1's
 * selfPrivileges name only /asn-cse-1. */
static void setup(acp_store *s, unsigned faults)
{
    acp_store_init(s);
    s->faults = faults;
    acp_policy *p1 = acp_policy_new("p1");
    acp_rule *r = acp_policy_add_rule(p1, 0, ACOP_ALL, 1);
    acp_rule_add_originator(r, "Cone");
    acp_rule_add_ip(r, "10.0.0.0/8");
    r = acp_policy_add_rule(p1, 0, ACOP_RETRIEVE, 0);
    acp_rule_add_originator(r, "all");
    r = acp_policy_add_rule(p1, 0, ACOP_UPDATE, 0);
    acp_rule_add_originator(r, "Cupd");
    r = acp_policy_add_rule(p1, 0, ACOP_DELETE, 0);
    acp_rule_add_originator(r, "/asn-*");
    r = acp_policy_add_rule(p1, 1, ACOP_ALL, 0);
    acp_rule_add_originator(r, "/asn-cse-1");
    acp_store_put(s, p1);
    acp_policy *p2 = acp_policy_new("p2");
    r = acp_policy_add_rule(p2, 0, ACOP_CREATE, 0);
    acp_rule_add_originator(r, "Ctwo");
    acp_rule_add_window(r, "0 0 0 30 2 * *");
    acp_store_put(s, p2);
}

static const char *const BOTH[] = { "p1", "p2" };

static int decide(unsigned faults, int ty, const char *id, size_t nacpi, const acp_request *q)
{
    acp_store s;
    setup(&s, faults);
    acp_resource parent = { 3, "cnt0", "/asn-cse-1", BOTH, nacpi, NULL };
    acp_resource self = { ty, id, "/asn-cse-1", BOTH, nacpi, &parent };
    int permit = acp_decide(&s, ty == 3 ? &parent : &self, q).permit;
    acp_store_clear(&s);
    return permit;
}

static void test_correct_store(void)
{
    acp_request any = rq("Cx", ACOP_RETRIEVE, 1, "10.1.1.1");
    CU_ASSERT_TRUE(decide(0, 3, "cnt0", 2, &any));                 /* 'all' in p1, p2 silent */
    acp_request del = rq("/asn-cse-1/Cae", ACOP_DELETE, 1, NULL);
    CU_ASSERT_FALSE(decide(0, 3, "cnt0", 2, &del));                /* '*' stops at '/' */
    acp_request plain = rq("Cone", ACOP_CREATE, 0, "10.1.1.1");
    CU_ASSERT_FALSE(decide(0, 3, "cnt0", 2, &plain));              /* acaf */
    acp_request far = rq("Cone", ACOP_CREATE, 1, "192.0.2.1");
    CU_ASSERT_FALSE(decide(0, 3, "cnt0", 2, &far));                /* acip */
    acp_request two = rq("Ctwo", ACOP_CREATE, 1, NULL);
    CU_ASSERT_FALSE(decide(0, 3, "cnt0", 2, &two));                /* actw */
    acp_request upd = rq("Cupd", ACOP_UPDATE, 1, NULL);
    CU_ASSERT_TRUE(decide(0, 3, "cnt0", 2, &upd));
    acp_request pol = rq("Cone", ACOP_RETRIEVE, 1, "10.1.1.1");
    CU_ASSERT_FALSE(decide(0, 1, "p1", 0, &pol));                  /* pvs, not pv */
    acp_request other = rq("Cx", ACOP_RETRIEVE, 1, NULL);
    CU_ASSERT_FALSE(decide(0, 3, "cnt0", 0, &other));              /* creator only */
    CU_ASSERT_FALSE(decide(0, 4, "cin1", 0, &other));              /* cin: parent's default */
}

static void test_each_fault(void)
{
    acp_request other = rq("Cx", ACOP_RETRIEVE, 1, NULL);
    CU_ASSERT_TRUE(decide(ACP_FAULT_SKIP, 3, "cnt0", 0, &other));
    acp_request any = rq("Cx", ACOP_RETRIEVE, 1, NULL);
    CU_ASSERT_FALSE(decide(ACP_FAULT_DENY_OVERRIDES, 3, "cnt0", 2, &any));
    CU_ASSERT_TRUE(decide(ACP_FAULT_DENY_OVERRIDES, 3, "cnt0", 1, &any));
    acp_request pol = rq("Cone", ACOP_RETRIEVE, 1, "10.1.1.1");
    CU_ASSERT_TRUE(decide(ACP_FAULT_IGNORE_PVS, 1, "p1", 0, &pol));
    acp_request upd = rq("Cupd", ACOP_UPDATE, 1, NULL);
    CU_ASSERT_FALSE(decide(ACP_FAULT_SWAP_UD, 3, "cnt0", 2, &upd));
    acp_request del = rq("Cupd", ACOP_DELETE, 1, NULL);
    CU_ASSERT_TRUE(decide(ACP_FAULT_SWAP_UD, 3, "cnt0", 2, &del));
    CU_ASSERT_FALSE(decide(ACP_FAULT_NO_WILDCARDS, 3, "cnt0", 2, &any));
    acp_request below = rq("/asn-cse-1/Cae", ACOP_DELETE, 1, NULL);
    CU_ASSERT_TRUE(decide(ACP_FAULT_WILDCARD_SPAN, 3, "cnt0", 2, &below));
    CU_ASSERT_TRUE(decide(ACP_FAULT_OPEN_DEFAULT, 3, "cnt0", 0, &other));
    /* cin-own-default: the contentInstance's own creator is asked, not its parent's policies */
    acp_request cin = rq("Cx", ACOP_RETRIEVE, 1, NULL);
    CU_ASSERT_TRUE(decide(0, 4, "cin1", 2, &cin));
    CU_ASSERT_FALSE(decide(ACP_FAULT_CIN_OWN, 4, "cin1", 2, &cin));
    acp_request two = rq("Ctwo", ACOP_CREATE, 1, NULL);
    CU_ASSERT_TRUE(decide(ACP_FAULT_NO_ACTW, 3, "cnt0", 2, &two));
    acp_request far = rq("Cone", ACOP_CREATE, 1, "192.0.2.1");
    CU_ASSERT_TRUE(decide(ACP_FAULT_NO_ACIP, 3, "cnt0", 2, &far));
    acp_request plain = rq("Cone", ACOP_CREATE, 0, "10.1.1.1");
    CU_ASSERT_TRUE(decide(ACP_FAULT_NO_ACAF, 3, "cnt0", 2, &plain));
}

/* One request from fr in an association bound to fr, through the registrar; the rsc. */
static int req(registrar *r, int op, int ty, const char *to, const char *fr, const char *pc)
{
    m2m_prim q, rsp;
    m2m_prim_init(&q);
    m2m_prim_init(&rsp);
    q.op = op;
    q.ty = ty;
    q.to = xstrdup(to);
    q.fr = xstrdup(fr);
    q.rqi = xstrdup("r1");
    q.rvi = xstrdup("3");
    if (pc) { q.pc = xstrdup(pc); q.pclen = strlen(pc); q.cf = M2M_CF_RES_JSON; }
    sa_info sa = { 1, 1, "psk-id", fr, NULL };
    registrar_handle(r, &q, &sa, &rsp, NULL, "127.0.0.1:5684");
    int rsc = rsp.rsc;
    m2m_prim_free(&q);
    m2m_prim_free(&rsp);
    return rsc;
}

/* A registrar with Cdev's AE, its policy p (pv: Cother everything; pvs: Cdev everything),
 * a second policy q and container cnt linking p; faults set after the setup. Returns the
 * rsc of the named probe. */
static int hosted_probe(unsigned faults, const char *probe)
{
    registrar *r = registrar_new("/in-cse", "in-name", M2M_REL_3);
    CU_ASSERT_EQUAL(req(r, M2M_OP_CREATE, 2, "/in-cse/in-name", "Cdev", "{\"m2m:ae\":{\"rn\":\"dev\",\"api\":\"Ndev\",\"rr\":false,\"srv\":[\"3\"]}}"), 2001);
    const char *pol = "{\"m2m:acp\":{\"rn\":\"%s\",\"pv\":{\"acr\":[{\"acor\":[\"Cother\"],\"acop\":63}]},"
                      "\"pvs\":{\"acr\":[{\"acor\":[\"Cdev\"],\"acop\":63}]}}}";
    char *p = xasprintf(pol, "p"), *q = xasprintf(pol, "q");
    CU_ASSERT_EQUAL(req(r, M2M_OP_CREATE, 1, "in-name/dev", "Cdev", p), 2001);
    CU_ASSERT_EQUAL(req(r, M2M_OP_CREATE, 1, "in-name/dev", "Cdev", q), 2001);
    CU_ASSERT_EQUAL(req(r, M2M_OP_CREATE, 3, "in-name/dev", "Cdev",
                        "{\"m2m:cnt\":{\"rn\":\"cnt\",\"acpi\":[\"in-name/dev/p\"]}}"), 2001);
    free(p);
    free(q);
    hosted_policies(registrar_hosted(r))->faults = faults;
    int rsc = 0;
    const char *to_q = "{\"m2m:cnt\":{\"acpi\":[\"in-name/dev/q\"]}}";
    if (!strcmp(probe, "acpi-by-pv")) rsc = req(r, M2M_OP_UPDATE, 0, "in-name/dev/cnt", "Cother", to_q);
    else if (!strcmp(probe, "acpi-by-pvs")) rsc = req(r, M2M_OP_UPDATE, 0, "in-name/dev/cnt", "Cdev", to_q);
    else if (!strcmp(probe, "acpi-mixed"))
        rsc = req(r, M2M_OP_UPDATE, 0, "in-name/dev/cnt", "Cdev", "{\"m2m:cnt\":{\"acpi\":[\"in-name/dev/q\"],\"lbl\":[\"x\"]}}");
    else if (!strcmp(probe, "no-pvs"))
        rsc = req(r, M2M_OP_CREATE, 1, "in-name/dev", "Cdev", "{\"m2m:acp\":{\"rn\":\"n\",\"pv\":{\"acr\":[]}}}");
    else if (!strcmp(probe, "denied")) rsc = req(r, M2M_OP_RETRIEVE, 0, "in-name/dev/cnt", "Cdev", NULL);
    registrar_free(r);
    return rsc;
}

static void test_hosted_faults(void)
{
    CU_ASSERT_EQUAL(hosted_probe(0, "acpi-by-pv"), 4103);
    CU_ASSERT_EQUAL(hosted_probe(0, "acpi-by-pvs"), 2004);
    CU_ASSERT_EQUAL(hosted_probe(0, "acpi-mixed"), 4000);
    CU_ASSERT_EQUAL(hosted_probe(0, "no-pvs"), 4000);
    CU_ASSERT_EQUAL(hosted_probe(0, "denied"), 4103);
    CU_ASSERT_EQUAL(hosted_probe(ACP_FAULT_ACPI_UNCHECKED, "acpi-by-pv"), 2004);
    CU_ASSERT_EQUAL(hosted_probe(ACP_FAULT_ACPI_UNCHECKED, "acpi-by-pvs"), 4103);
    CU_ASSERT_EQUAL(hosted_probe(ACP_FAULT_ACPI_MIXED, "acpi-mixed"), 2004);
    CU_ASSERT_EQUAL(hosted_probe(ACP_FAULT_PVS_OPTIONAL, "no-pvs"), 2001);
    CU_ASSERT_EQUAL(hosted_probe(ACP_FAULT_DENY_4000, "denied"), 4000);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("acp_faults", NULL, NULL);
    CU_add_test(s, "without faults the decision is TS-0003's", test_correct_store);
    CU_add_test(s, "each ACP_FAULT_* changes its own decision", test_each_fault);
    CU_add_test(s, "the hosted.c faults: acpi UPDATE, policy CREATE, denial code", test_hosted_faults);
}
