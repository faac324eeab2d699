/* The TS-0003 §7.1 access decision: every rule element, both outcomes, and the naming of
 * what decided. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "cse/acp.h"
#include "m2m_test.h"

/* 2026-11-25 (a Wednesday) 10:30:15 UTC */
static const time_t WED_1030 = 1795602615;

static acp_request rq(const char *orig, unsigned op)
{
    acp_request q = { orig, op, 1, "127.0.0.1", WED_1030, 0 };
    return q;
}

static const char *const ACPI1[] = { "acp1" };

static acp_resource cnt(const char *const *acpi, size_t n)
{
    acp_resource r = { 3, "cnt1", "Cdev", acpi, n, NULL };
    return r;
}

/* A store with one policy "acp1" holding one pv rule for originator orig and ops acop. */
static acp_rule *one_rule(acp_store *s, const char *orig, unsigned acop, int acaf)
{
    acp_store_init(s);
    acp_policy *p = acp_policy_new("acp1");
    acp_rule *r = acp_policy_add_rule(p, 0, acop, acaf);
    acp_rule_add_originator(r, orig);
    acp_store_put(s, p);
    return r;
}

static int permits(acp_store *s, const acp_request *q)
{
    acp_resource r = cnt(ACPI1, 1);
    return acp_decide(s, &r, q).permit;
}

static void test_originator_patterns(void)
{
    CU_ASSERT_TRUE(acp_originator_matches("all", "Cany"));
    CU_ASSERT_TRUE(acp_originator_matches("Cdev", "Cdev"));
    CU_ASSERT_FALSE(acp_originator_matches("Cdev", "Cdev2"));
    CU_ASSERT_TRUE(acp_originator_matches("/asn-cse-*", "/asn-cse-1"));
    CU_ASSERT_TRUE(acp_originator_matches("/asn-cse-*/C*", "/asn-cse-1/Cae"));
    /* the wildcard stops at the next '/' */
    CU_ASSERT_FALSE(acp_originator_matches("/asn-cse-*", "/asn-cse-1/Cae"));
    CU_ASSERT_FALSE(acp_originator_matches("/*", "//sp/cse"));
    CU_ASSERT_TRUE(acp_originator_matches("//*/cse", "//sp.example/cse"));
    CU_ASSERT_FALSE(acp_originator_matches("C*", "Sdev"));
    CU_ASSERT_FALSE(acp_originator_matches("ALL", "Cany"));
}

static void test_acor(void)
{
    acp_store s;
    one_rule(&s, "Cdev", ACOP_ALL, 0);
    acp_request q = rq("Cdev", ACOP_RETRIEVE);
    CU_ASSERT_TRUE(permits(&s, &q));
    q.originator = "Cother";
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_store_clear(&s);

    one_rule(&s, "all", ACOP_RETRIEVE, 0);
    CU_ASSERT_TRUE(permits(&s, &q));
    acp_store_clear(&s);

    /* an empty acor matches nobody */
    acp_store_init(&s);
    acp_policy *p = acp_policy_new("acp1");
    acp_policy_add_rule(p, 0, ACOP_ALL, 0);
    acp_store_put(&s, p);
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_store_clear(&s);
}

static void test_acop_bits(void)
{
    static const unsigned ops[] = { ACOP_CREATE, ACOP_RETRIEVE, ACOP_UPDATE, ACOP_DELETE,
                                    ACOP_NOTIFY, ACOP_DISCOVERY };
    for (size_t i = 0; i < 6; i++) {
        acp_store s;
        one_rule(&s, "Cdev", ops[i], 0);
        for (size_t j = 0; j < 6; j++) {
            acp_request q = rq("Cdev", ops[j]);
            CU_ASSERT_EQUAL(permits(&s, &q), i == j);
        }
        acp_store_clear(&s);
    }
    CU_ASSERT_EQUAL(ACOP_CREATE | ACOP_RETRIEVE | ACOP_UPDATE | ACOP_DELETE | ACOP_NOTIFY |
                    ACOP_DISCOVERY, 63);
    CU_ASSERT_EQUAL(acp_op_bit(1, 0), 1u);
    CU_ASSERT_EQUAL(acp_op_bit(2, 0), 2u);
    CU_ASSERT_EQUAL(acp_op_bit(2, 1), 32u);
    CU_ASSERT_EQUAL(acp_op_bit(3, 0), 4u);
    CU_ASSERT_EQUAL(acp_op_bit(4, 0), 8u);
    CU_ASSERT_EQUAL(acp_op_bit(5, 0), 16u);
    CU_ASSERT_EQUAL(acp_op_bit(9, 0), 0u);
    CU_ASSERT_STRING_EQUAL(acp_op_name(ACOP_DELETE), "DELETE");
}

static void test_authentication_flag(void)
{
    acp_store s;
    one_rule(&s, "Cdev", ACOP_ALL, 1);
    acp_request q = rq("Cdev", ACOP_UPDATE);
    CU_ASSERT_TRUE(permits(&s, &q));
    q.authenticated = 0;
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_store_clear(&s);
    /* without the flag the rule also applies to unauthenticated originators */
    one_rule(&s, "Cdev", ACOP_ALL, 0);
    CU_ASSERT_TRUE(permits(&s, &q));
    acp_store_clear(&s);
}

/* m2m:scheduleEntry: 7 fields, second minute hour day-of-month month day-of-week year, UTC
 * (TS-0004 §7.4.9.1, Table 7.4.9.1-4; the spec's own examples below). */
static void test_time_windows(void)
{
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * * *", WED_1030), 1);
    CU_ASSERT_EQUAL(acp_window_matches("* * 8-17 * * 1-5 *", WED_1030), 1);
    CU_ASSERT_EQUAL(acp_window_matches("* * 8-17 * * 0,6 *", WED_1030), 0);
    CU_ASSERT_EQUAL(acp_window_matches("* 0-29 10 * * * *", WED_1030), 0);
    CU_ASSERT_EQUAL(acp_window_matches("* */15 * 25 11 * 2026", WED_1030), 1);
    CU_ASSERT_EQUAL(acp_window_matches("* */20 * * * * *", WED_1030), 0);
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * * 2025", WED_1030), 0);
    /* the examples of §7.4.9.1 */
    CU_ASSERT_EQUAL(acp_window_matches("* 0-5 2,6,10 * * * *", WED_1030), 0);
    CU_ASSERT_EQUAL(acp_window_matches("* * 8-20 * * * *", WED_1030), 1);
    CU_ASSERT_EQUAL(acp_window_matches("* * 0-23/2 * * * *", WED_1030), 1);   /* 10 is even */
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * */2 *", WED_1030), 0);      /* Wednesday is 3 */
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * */2 *", WED_1030 + 4 * 86400), 1);   /* Sunday, 0 */
    /* malformed: undecidable. 6 fields (a crontab with seconds, no year) is not a schedule
     * entry; day of week 7, second 60, year before 2000 are out of their ranges */
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("* * * * *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * 7 *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("60 * * * * * *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * * 1999", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("* * 25 * * * *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("* * *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("x * * * * * *", WED_1030), -1);
    CU_ASSERT_EQUAL(acp_window_matches("* * * * * * * *", WED_1030), -1);
    char err[200];
    CU_ASSERT_EQUAL(acp_window_valid("0 0 0 30 2 * *", 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL(acp_window_valid("0 0 0 30 2 *", 0, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "has 6 fields, not the 7"));
    CU_ASSERT_EQUAL(acp_window_valid("0 0 0 30 2 *", 1, err, sizeof err), 0);    /* the fault */
    CU_ASSERT_EQUAL(acp_window_valid("* * * * 13 * *", 0, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "month field '13'"));

    acp_store s;
    acp_rule *r = one_rule(&s, "Cdev", ACOP_ALL, 0);
    acp_rule_add_window(r, "* * 0-6 * * * *");
    acp_request q = rq("Cdev", ACOP_RETRIEVE);
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_rule_add_window(r, "* * 8-17 * * 1-5 *");   /* any window in the list suffices */
    CU_ASSERT_TRUE(permits(&s, &q));
    acp_store_clear(&s);
    r = one_rule(&s, "Cdev", ACOP_ALL, 0);
    acp_rule_add_window(r, "bogus");              /* undecidable counts as deny */
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_store_clear(&s);
}

static void test_ip_contexts(void)
{
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0.0/8", "127.0.0.1"), 1);
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0.1", "127.0.0.1"), 1);
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0.2", "127.0.0.1"), 0);
    CU_ASSERT_EQUAL(acp_ip_matches("10.1.0.0/16", "10.2.0.1"), 0);
    CU_ASSERT_EQUAL(acp_ip_matches("10.1.0.0/15", "10.0.255.1"), 1);
    CU_ASSERT_EQUAL(acp_ip_matches("::1/128", "::1"), 1);
    CU_ASSERT_EQUAL(acp_ip_matches("fe80::/10", "fe80::1"), 1);
    CU_ASSERT_EQUAL(acp_ip_matches("fe80::/10", "::1"), 0);
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0.0/8", "::1"), 0);
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0.0/33", "127.0.0.1"), -1);
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0/8", "127.0.0.1"), -1);
    CU_ASSERT_EQUAL(acp_ip_matches("127.0.0.0/8", "nope"), -1);

    acp_store s;
    acp_rule *r = one_rule(&s, "Cdev", ACOP_ALL, 0);
    acp_rule_add_ip(r, "192.0.2.0/24");
    acp_request q = rq("Cdev", ACOP_RETRIEVE);
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_rule_add_ip(r, "127.0.0.0/8");
    CU_ASSERT_TRUE(permits(&s, &q));
    q.ip = NULL;                                   /* no address known: undecidable */
    CU_ASSERT_FALSE(permits(&s, &q));
    acp_store_clear(&s);
}

static void test_object_details(void)
{
    acp_store s;
    acp_rule *r = one_rule(&s, "Cdev", ACOP_CREATE | ACOP_RETRIEVE, 0);
    acp_rule_add_type(r, 4);
    acp_request q = rq("Cdev", ACOP_CREATE);
    q.child_ty = 4;
    CU_ASSERT_TRUE(permits(&s, &q));
    q.child_ty = 3;
    CU_ASSERT_FALSE(permits(&s, &q));
    q = rq("Cdev", ACOP_RETRIEVE);                 /* object details restrict CREATE only */
    CU_ASSERT_TRUE(permits(&s, &q));
    acp_store_clear(&s);
}

static void test_permit_overrides(void)
{
    acp_store s;
    acp_store_init(&s);
    acp_policy *a = acp_policy_new("acpA");
    acp_rule_add_originator(acp_policy_add_rule(a, 0, ACOP_RETRIEVE, 0), "Cdev");
    acp_policy *b = acp_policy_new("acpB");
    acp_rule_add_originator(acp_policy_add_rule(b, 0, ACOP_RETRIEVE, 0), "Cother");
    acp_rule_add_originator(acp_policy_add_rule(b, 0, ACOP_CREATE, 0), "Cdev");
    acp_store_put(&s, a);
    acp_store_put(&s, b);
    static const char *const both[] = { "acpA", "acpB" };
    acp_resource res = cnt(both, 2);
    char buf[128];

    acp_request q = rq("Cdev", ACOP_CREATE);       /* A has nothing, B permits */
    acp_decision d = acp_decide(&s, &res, &q);
    CU_ASSERT_TRUE(d.permit);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "acpB pv[1]");

    q = rq("Cdev", ACOP_RETRIEVE);
    d = acp_decide(&s, &res, &q);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "acpA pv[0]");

    q = rq("Cdev", ACOP_DELETE);                   /* nobody permits */
    d = acp_decide(&s, &res, &q);
    CU_ASSERT_FALSE(d.permit);
    CU_ASSERT_EQUAL(d.by, ACP_BY_NO_RULE);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "no matching rule");

    /* an acpi entry with no policy contributes nothing and is reported */
    static const char *const dangling[] = { "acpGone", "acpA" };
    res = cnt(dangling, 2);
    q = rq("Cdev", ACOP_RETRIEVE);
    d = acp_decide(&s, &res, &q);
    CU_ASSERT_TRUE(d.permit);
    CU_ASSERT_STRING_EQUAL(d.unresolved, "acpGone");
    CU_ASSERT_EQUAL(acp_store_remove(&s, "acpA"), 0);
    CU_ASSERT_EQUAL(acp_store_remove(&s, "acpA"), -1);
    d = acp_decide(&s, &res, &q);
    CU_ASSERT_FALSE(d.permit);
    acp_store_clear(&s);
}

static void test_self_privileges(void)
{
    acp_store s;
    acp_store_init(&s);
    acp_policy *p = acp_policy_new("acp1");
    acp_rule_add_originator(acp_policy_add_rule(p, 0, ACOP_ALL, 0), "Cdev");      /* pv */
    acp_rule_add_originator(acp_policy_add_rule(p, 1, ACOP_RETRIEVE, 0), "Cdev"); /* pvs */
    acp_rule_add_originator(acp_policy_add_rule(p, 1, ACOP_ALL, 0), "/in-cse");   /* pvs */
    acp_store_put(&s, p);
    acp_resource pol = { 1, "acp1", "/in-cse", NULL, 0, NULL };
    char buf[128];

    /* pv would permit Cdev to UPDATE, but the policy itself is judged by pvs */
    acp_request q = rq("Cdev", ACOP_UPDATE);
    acp_decision d = acp_decide(&s, &pol, &q);
    CU_ASSERT_FALSE(d.permit);
    q.op = ACOP_RETRIEVE;
    d = acp_decide(&s, &pol, &q);
    CU_ASSERT_TRUE(d.permit);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "acp1 pvs[0]");
    q = rq("/in-cse", ACOP_DELETE);
    d = acp_decide(&s, &pol, &q);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "acp1 pvs[1]");

    /* replacing the policy replaces its rules */
    acp_policy *p2 = acp_policy_new("acp1");
    acp_rule_add_originator(acp_policy_add_rule(p2, 1, ACOP_ALL, 0), "Cdev");
    acp_store_put(&s, p2);
    CU_ASSERT_EQUAL(s.n, 1u);
    q = rq("Cdev", ACOP_UPDATE);
    CU_ASSERT_TRUE(acp_decide(&s, &pol, &q).permit);
    acp_store_clear(&s);
    /* a policy missing from the store: deny */
    d = acp_decide(&s, &pol, &q);
    CU_ASSERT_FALSE(d.permit);
    CU_ASSERT_STRING_EQUAL(d.unresolved, "acp1");
}

static void test_creator_default_and_inheritance(void)
{
    acp_store s;
    one_rule(&s, "Cother", ACOP_RETRIEVE, 0);
    acp_resource bare = cnt(NULL, 0);               /* no acpi: creator only */
    char buf[128];
    acp_request q = rq("Cdev", ACOP_DELETE);
    acp_decision d = acp_decide(&s, &bare, &q);
    CU_ASSERT_TRUE(d.permit);
    CU_ASSERT_EQUAL(d.by, ACP_BY_CREATOR);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "creator-only default");
    q.originator = "Cother";
    d = acp_decide(&s, &bare, &q);
    CU_ASSERT_FALSE(d.permit);
    CU_ASSERT_EQUAL(d.by, ACP_BY_CREATOR);

    /* a contentInstance is judged by its parent's acpi, whoever created it */
    acp_resource parent = cnt(ACPI1, 1);
    acp_resource cin = { 4, "cin1", "Cdev", NULL, 0, &parent };
    q = rq("Cother", ACOP_RETRIEVE);
    d = acp_decide(&s, &cin, &q);
    CU_ASSERT_TRUE(d.permit);
    CU_ASSERT_STRING_EQUAL(acp_decision_describe(&d, buf, sizeof buf), "acp1 pv[0]");
    q = rq("Cdev", ACOP_RETRIEVE);                  /* its creator has no rule in acp1 */
    CU_ASSERT_FALSE(acp_decide(&s, &cin, &q).permit);
    /* parent without acpi: the parent's creator only */
    acp_resource bare_parent = { 3, "cnt2", "Cowner", NULL, 0, NULL };
    cin.parent = &bare_parent;
    q = rq("Cowner", ACOP_DELETE);
    CU_ASSERT_TRUE(acp_decide(&s, &cin, &q).permit);
    q = rq("Cdev", ACOP_DELETE);
    CU_ASSERT_FALSE(acp_decide(&s, &cin, &q).permit);
    acp_store_clear(&s);
}

static void test_bad_input_denies(void)
{
    acp_store s;
    one_rule(&s, "all", ACOP_ALL, 0);
    acp_resource r = cnt(ACPI1, 1);
    acp_request q = rq(NULL, ACOP_RETRIEVE);
    CU_ASSERT_FALSE(acp_decide(&s, &r, &q).permit);
    q = rq("Cdev", 0);
    CU_ASSERT_FALSE(acp_decide(&s, &r, &q).permit);
    acp_resource orphan = { 4, "cin", "Cdev", NULL, 0, NULL };
    q = rq("Cdev", ACOP_RETRIEVE);
    CU_ASSERT_FALSE(acp_decide(&s, &orphan, &q).permit);
    CU_ASSERT_TRUE(acp_decide(&s, &r, &q).permit);
    acp_store_clear(&s);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("acp", NULL, NULL);
    CU_add_test(s, "acor patterns: all, IDs, '*' within one segment", test_originator_patterns);
    CU_add_test(s, "acor decides who the rule applies to", test_acor);
    CU_add_test(s, "acop bits, each alone", test_acop_bits);
    CU_add_test(s, "acaf: authenticated originators only", test_authentication_flag);
    CU_add_test(s, "acco time windows (crontab, UTC)", test_time_windows);
    CU_add_test(s, "acco IP blocks", test_ip_contexts);
    CU_add_test(s, "acod child types on CREATE", test_object_details);
    CU_add_test(s, "permit-overrides across linked policies", test_permit_overrides);
    CU_add_test(s, "a policy is judged by its selfPrivileges", test_self_privileges);
    CU_add_test(s, "no acpi: creator only; contentInstance inherits", test_creator_default_and_inheritance);
    CU_add_test(s, "undecidable requests deny", test_bad_input_denies);
}
