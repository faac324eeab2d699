/* exec/plan.h: the shard split, the known-failures list, folding repeated and retried attempts. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include "run/plan.h"
#include "run/runner.h"
#include "run/pool.h"
#include "exec/plainmode.h"
#include "util/xmem.h"
#include "m2m_test.h"

#define NS_PER_SEC_TEST (1000LL * 1000 * 1000)

static void test_parse_shard(void)
{
    unsigned k = 0, n = 0;
    char err[128];
    CU_ASSERT_EQUAL(plan_parse_shard("2/4", &k, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(k, 2);
    CU_ASSERT_EQUAL(n, 4);
    const char *bad[] = { "0/2", "3/2", "2", "/2", "1/", "a/b", "1/2x", "-1/2", "1/1001", "", " 1/2" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CU_ASSERT_EQUAL(plan_parse_shard(bad[i], &k, &n, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "--shard"));
}

/* Every id in exactly one shard, balanced, and the split independent of input order. */
static void test_shard_split(void)
{
    const char *ids[] = { "TC_D", "TC_A", "TC_C", "TC_E", "TC_B", "TC_G", "TC_F" };
    const char *rev[] = { "TC_F", "TC_G", "TC_B", "TC_E", "TC_C", "TC_A", "TC_D" };
    size_t n = 7;
    for (unsigned shards = 1; shards <= 8; shards++) {
        unsigned s[7], r[7], count[9] = { 0 };
        plan_shard_assign(ids, n, shards, s);
        plan_shard_assign(rev, n, shards, r);
        for (size_t i = 0; i < n; i++) {
            CU_ASSERT(s[i] >= 1 && s[i] <= shards);
            count[s[i]]++;
            for (size_t j = 0; j < n; j++)
                if (!strcmp(ids[i], rev[j])) CU_ASSERT_EQUAL(s[i], r[j]);
        }
        size_t total = 0, lo = n, hi = 0;
        for (unsigned k = 1; k <= shards; k++) {
            total += count[k];
            if (count[k] < lo) lo = count[k];
            if (count[k] > hi) hi = count[k];
        }
        CU_ASSERT_EQUAL(total, n);
        CU_ASSERT(hi - lo <= 1);
    }
    /* Sorted index: TC_A is first, TC_B second. */
    unsigned s[7];
    plan_shard_assign(ids, n, 2, s);
    CU_ASSERT_EQUAL(s[1], 1);   /* TC_A */
    CU_ASSERT_EQUAL(s[4], 2);   /* TC_B */
    CU_ASSERT_EQUAL(s[2], 1);   /* TC_C */
}

static void test_shard_plan(void)
{
    char id_b[] = "TC_B", id_a[] = "TC_A", id_c[] = "TC_C";
    testcase a = { .id = id_b }, b = { .id = id_a }, c = { .id = id_c };
    testcase *plan[3] = { &a, &b, &c };
    CU_ASSERT_EQUAL(plan_shard(plan, 3, 1, 2), 2);
    CU_ASSERT_PTR_EQUAL(plan[0], &b);   /* TC_A: plan order kept (b before c) */
    CU_ASSERT_PTR_EQUAL(plan[1], &c);
    testcase *plan2[3] = { &a, &b, &c };
    CU_ASSERT_EQUAL(plan_shard(plan2, 3, 2, 2), 1);
    CU_ASSERT_PTR_EQUAL(plan2[0], &a);
}

static test_result make(const char *id, verdict v, const char *reason)
{
    test_result r;
    memset(&r, 0, sizeof r);
    r.id = xstrdup(id);
    r.v = v;
    r.reason = reason ? xstrdup(reason) : NULL;
    return r;
}

static void test_known(void)
{
    kvlist k = { 0 };
    kvlist_add(&k, "TC_X", "vendor bug 7");
    test_result r = make("TC_X", VERDICT_FAIL, "no SNI");
    CU_ASSERT_EQUAL(plan_apply_known(&r, &k), 1);
    CU_ASSERT_EQUAL(r.v, VERDICT_XFAIL);
    CU_ASSERT_EQUAL(r.original, VERDICT_FAIL);
    CU_ASSERT_STRING_EQUAL(r.known_reason, "vendor bug 7");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "vendor bug 7"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "no SNI"));
    CU_ASSERT_FALSE(verdict_fails_run(r.v));
    CU_ASSERT_EQUAL(plan_apply_known(&r, &k), 0);   /* applied once */
    test_result_free(&r);
    const verdict failing[] = { VERDICT_ERROR, VERDICT_INCONC };
    for (size_t i = 0; i < 2; i++) {
        r = make("TC_X", failing[i], NULL);
        plan_apply_known(&r, &k);
        CU_ASSERT_EQUAL(r.v, VERDICT_XFAIL);
        test_result_free(&r);
    }
    const verdict passing[] = { VERDICT_PASS, VERDICT_WARN };
    for (size_t i = 0; i < 2; i++) {
        r = make("TC_X", passing[i], NULL);
        CU_ASSERT_EQUAL(plan_apply_known(&r, &k), 1);
        CU_ASSERT_EQUAL(r.v, VERDICT_XPASS);
        CU_ASSERT_TRUE(verdict_fails_run(r.v));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "stale"));
        test_result_free(&r);
    }
    r = make("TC_X", VERDICT_SKIP, "not applicable");
    CU_ASSERT_EQUAL(plan_apply_known(&r, &k), 0);
    test_result_free(&r);
    r = make("TC_Y", VERDICT_FAIL, NULL);
    CU_ASSERT_EQUAL(plan_apply_known(&r, &k), 0);
    CU_ASSERT_EQUAL(plan_apply_known(&r, NULL), 0);   /* certification: no list */
    CU_ASSERT_EQUAL(r.v, VERDICT_FAIL);
    test_result_free(&r);
    kvlist_free(&k);
}

static void test_repeat(void)
{
    test_result acc;
    memset(&acc, 0, sizeof acc);
    test_result a = make("TC_X", VERDICT_PASS, NULL), b = make("TC_X", VERDICT_FAIL, "lost"),
                c = make("TC_X", VERDICT_PASS, NULL);
    a.seconds = b.seconds = c.seconds = 1.0;
    plan_add_attempt(&acc, &a, 0);
    CU_ASSERT_EQUAL(acc.v, VERDICT_PASS);
    CU_ASSERT_FALSE(acc.flaky);
    CU_ASSERT_PTR_NULL(acc.attempts);              /* one attempt: no list */
    plan_add_attempt(&acc, &b, 0);
    plan_add_attempt(&acc, &c, 0);
    CU_ASSERT_EQUAL(acc.v, VERDICT_FAIL);          /* any failing attempt fails the test */
    CU_ASSERT_TRUE(acc.flaky);
    CU_ASSERT_STRING_EQUAL(acc.attempts, "pass fail pass");
    CU_ASSERT_PTR_NOT_NULL(strstr(acc.reason, "lost"));
    CU_ASSERT_PTR_NOT_NULL(strstr(acc.reason, "attempts pass fail pass"));
    CU_ASSERT_DOUBLE_EQUAL(acc.seconds, 3.0, 1e-9);
    CU_ASSERT_PTR_NULL(b.id);                       /* attempts are consumed */
    test_result_free(&acc);
    /* Steady attempts: not flaky. */
    test_result x = make("TC_X", VERDICT_FAIL, "a"), y = make("TC_X", VERDICT_ERROR, "b");
    plan_add_attempt(&acc, &x, 0);
    plan_add_attempt(&acc, &y, 0);
    CU_ASSERT_EQUAL(acc.v, VERDICT_ERROR);
    CU_ASSERT_FALSE(acc.flaky);
    CU_ASSERT_STRING_EQUAL(acc.reason, "b");
    test_result_free(&acc);
}

static void test_retry(void)
{
    test_result acc;
    memset(&acc, 0, sizeof acc);
    test_result a = make("TC_X", VERDICT_FAIL, "timeout"), b = make("TC_X", VERDICT_INCONC, "x"),
                c = make("TC_X", VERDICT_PASS, NULL);
    plan_add_attempt(&acc, &a, 0);
    CU_ASSERT_TRUE(plan_retry_wanted(&acc));
    plan_add_attempt(&acc, &b, 1);
    CU_ASSERT_EQUAL(acc.v, VERDICT_FAIL);          /* a failing retry changes nothing */
    CU_ASSERT_FALSE(acc.flaky);
    plan_add_attempt(&acc, &c, 1);
    CU_ASSERT_EQUAL(acc.v, VERDICT_PASS);
    CU_ASSERT_TRUE(acc.flaky);                      /* never silently passed */
    CU_ASSERT_FALSE(plan_retry_wanted(&acc));
    CU_ASSERT_STRING_EQUAL(acc.attempts, "fail inconc pass");
    CU_ASSERT_PTR_NOT_NULL(strstr(acc.reason, "flaky"));
    CU_ASSERT_PTR_NOT_NULL(strstr(acc.reason, "timeout"));
    test_result_free(&acc);
    test_result xp = make("TC_X", VERDICT_XPASS, NULL);
    CU_ASSERT_FALSE(plan_retry_wanted(&xp));
    test_result_free(&xp);
}

/* Skip reasons name the real cause: an item not claimed before a missing variant, and a
 * raw-key variant is no certificate. */
static profile *load_profile(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, M2M_DATA_DIR "/fixtures/profiles/%s.xml", name);
    diag d;
    diag_init(&d);
    profile *p = NULL;
    profile_load(path, M2M_DATA_DIR "/fixtures/schema/profile.xsd", &p, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    return p;
}

static testcase *load_tc(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, M2M_DATA_DIR "/testcases/%s", rel);
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    testcase_load(path, M2M_DATA_DIR "/testcases/schema/testcase.xsd", &tc, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    return tc;
}

static void test_skip_reasons(void)
{
    profile *psk = load_profile("sim-device-asn"), *rpk = load_profile("sim-device-asn-rpk");
    testcase *cert = load_tc("sae/TC_SEC_SAE_CERT_002.xml"), *raw = load_tc("sae/TC_SEC_SAE_RPK_002.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(psk);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rpk);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    char why[256];
    CU_ASSERT_EQUAL(runner_not_applicable(cert, psk, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "IUT does not claim PICS item SAE_CERT");
    CU_ASSERT_EQUAL(runner_not_applicable(raw, psk, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "IUT does not claim PICS item SAE_RPK");
    CU_ASSERT_EQUAL(runner_not_applicable(raw, rpk, why, sizeof why), 0);
    free(raw->harness.certificate);
    raw->harness.certificate = xstrdup("missing");
    CU_ASSERT_EQUAL(runner_not_applicable(raw, rpk, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "the profile has no harness raw public key variant 'missing' "
                                "(<raw-public-key><variant name=\"missing\">)");
    testcase_free(cert);
    testcase_free(raw);
    profile_free(psk);
    profile_free(rpk);
}

/* What a test must wait out, with the profile's timers: a test that follows dtls-total gets
 * longer with it, one without waits expects nothing. */
static void test_expected(void)
{
    profile *p = load_profile("sim-device-asn");
    testcase *wrong = load_tc("sae/TC_SEC_SAE_PSK_005.xml"), *net = load_tc("network/TC_SEC_NET_001.xml");
    testcase *plain = load_tc("sae/TC_SEC_SAE_PSK_001.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wrong);
    CU_ASSERT_PTR_NOT_NULL_FATAL(net);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    /* the silence window dtls-total+2s, then <wait for="2s"/> */
    CU_ASSERT_EQUAL(plan_expected_ns(wrong, p), p->dtls_total_ns + 4 * NS_PER_SEC_TEST);
    CU_ASSERT_EQUAL(plan_expected_ns(net, p), 1 * NS_PER_SEC_TEST);   /* its <wait for="1s"/> */
    CU_ASSERT_EQUAL(plan_expected_ns(plain, p), 0);
    int64_t before = plan_expected_ns(wrong, p);
    p->dtls_total_ns += 3 * NS_PER_SEC_TEST;
    CU_ASSERT_EQUAL(plan_expected_ns(wrong, p), before + 3 * NS_PER_SEC_TEST);
    testcase_free(wrong);
    testcase_free(net);
    testcase_free(plain);
    profile_free(p);
}

/* Longest expected first; equal ones keep job order. */
static void test_start_order(void)
{
    pool_job jobs[6];
    memset(jobs, 0, sizeof jobs);
    const int64_t e[6] = { 1, 5, 0, 5, 3, 1 };
    for (size_t i = 0; i < 6; i++) jobs[i].expect_ns = e[i];
    size_t order[6];
    pool_start_order(jobs, 6, order);
    const size_t want[6] = { 1, 3, 4, 0, 5, 2 };
    for (size_t i = 0; i < 6; i++) CU_ASSERT_EQUAL(order[i], want[i]);
}

/* The waits first, longest first; then the CPU-bound jobs group by group, longest first in
 * a group, whatever the other groups' durations. */
static void test_start_order_groups(void)
{
    pool_job jobs[7];
    memset(jobs, 0, sizeof jobs);
    const int64_t e[7] = { 300, 5000, 200, 100, 4000, 250, 50 };
    const unsigned g[7] = { 1, 1, 0, 0, 0, 1, 0 };
    for (size_t i = 0; i < 7; i++) {
        jobs[i].expect_ns = e[i];
        jobs[i].group = g[i];
        jobs[i].cpu_bound = e[i] < 1000;
    }
    size_t order[7];
    pool_start_order(jobs, 7, order);
    const size_t want[7] = { 1, 4, 2, 3, 6, 0, 5 };
    for (size_t i = 0; i < 7; i++) CU_ASSERT_EQUAL(order[i], want[i]);
}

/* The default -j: all the waits at once beside the CPU-bound slots, within base..4 x base. */
static void test_default_jobs(void)
{
    CU_ASSERT_EQUAL(plan_default_jobs(64, 8, 10), 64);     /* few waits: the per-core default */
    CU_ASSERT_EQUAL(plan_default_jobs(64, 8, 70), 78);     /* 70 waits and 8 CPU slots: none queued */
    CU_ASSERT_EQUAL(plan_default_jobs(64, 8, 5000), 256);  /* bounded */
    CU_ASSERT_EQUAL(plan_default_jobs(32, 4, 28), 32);
}

/* The lock key of a single real IUT: none for the bundled peers started per test; the IUT's
 * address and port for one already running, shared by profiles whose identities meet, apart
 * when they are disjoint; the harness's address and port for fixed listen ports. */
static void test_iut_locks(void)
{
    profile *a = load_profile("ref-in-cse"), *b = load_profile("ref-in-cse"), *c = load_profile("ref-in-cse");
    profile *d = load_profile("sim-device-asn");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const profile *ps[4] = { a, b, c, d };
    char *keys[4];
    plan_iut_locks(ps, 4, keys);
    for (size_t i = 0; i < 4; i++) CU_ASSERT_PTR_NULL(keys[i]);   /* all started per test, ephemeral ports */
    /* a, b and c attach to one running IN-CSE at 127.0.0.1:5684 */
    profile *att[3] = { a, b, c };
    for (size_t i = 0; i < 3; i++) {
        for (size_t t = 0; t < att[i]->ntriggers; t++)
            if (!strcmp(att[i]->triggers[t].name, "start")) {
                free(att[i]->triggers[t].command);
                att[i]->triggers[t].command = NULL;
            }
        att[i]->iut_coaps_port = 5684;
    }
    /* c registers with identities of its own: no identity in common with a and b */
    const char *mine[] = { "other@in.m2m-harness.test", "/other-cse", "Cother", "/other-in-cse", "Cother-iut" };
    char **fields[] = { &c->psk_identity, &c->harness_cse_id, &c->harness_ae_id, &c->iut_cse_id, &c->iut_ae_id };
    for (size_t i = 0; i < 5; i++) {
        free(*fields[i]);
        *fields[i] = xstrdup(mine[i]);
    }
    d->listen_coaps = 5684;   /* a device configured with the harness's fixed port */
    plan_iut_locks(ps, 4, keys);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[1]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[2]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys[3]);
    CU_ASSERT_PTR_NOT_NULL(strstr(keys[0], "iut 127.0.0.1:5684"));
    CU_ASSERT_STRING_EQUAL(keys[0], keys[1]);     /* same IUT, same identities: one at a time */
    CU_ASSERT_STRING_NOT_EQUAL(keys[0], keys[2]); /* same IUT, disjoint identities: side by side */
    CU_ASSERT_PTR_NOT_NULL(strstr(keys[3], "harness 127.0.0.1:5684"));
    for (size_t i = 0; i < 4; i++) free(keys[i]);
    /* the IN-CSE's own CSE-ID is no originator: the same IN-CSE keeps them apart */
    free(c->iut_cse_id);
    c->iut_cse_id = xstrdup(a->iut_cse_id);
    plan_iut_locks(ps, 4, keys);
    CU_ASSERT_STRING_NOT_EQUAL(keys[0], keys[2]);
    for (size_t i = 0; i < 4; i++) free(keys[i]);
    /* one originator identity in common is enough to share the lock */
    free(c->harness_cse_id);
    c->harness_cse_id = xstrdup(a->harness_cse_id);
    plan_iut_locks(ps, 4, keys);
    CU_ASSERT_STRING_EQUAL(keys[0], keys[2]);
    for (size_t i = 0; i < 4; i++) free(keys[i]);
    profile_free(a);
    profile_free(b);
    profile_free(c);
    profile_free(d);
}

/* <transport dtls="no">: the SAE tests and the tests with a check over plain CoAP run, a test
 * that needs an association only to reach its checks skips, saying so; the plain-CoAP run mode
 * runs the access-control tests, and a remoteCSE registration test only where plain Mcc is
 * declared accepted. */
static void test_transport_plan(void)
{
    profile *p = load_profile("ref-in-cse-plain"), *s = load_profile("ref-in-cse-plain-silent");
    profile *dtls = load_profile("ref-in-cse");
    testcase *order = load_tc("field/TC_SEC_IN_ORDER_001.xml"), *psk1 = load_tc("field/TC_SEC_IN_SAE_PSK_001.xml");
    testcase *acp = load_tc("field/TC_SEC_IN_ACP_001.xml"), *reg = load_tc("field/TC_SEC_IN_REG_001.xml");
    testcase *cert = load_tc("field/TC_SEC_IN_SAE_CERT_001.xml"), *sa2 = load_tc("field/TC_SEC_IN_SAE_SA2_001.xml");
    testcase *bind = load_tc("field/TC_SEC_IN_BIND_002.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dtls);
    CU_ASSERT_PTR_NOT_NULL_FATAL(order);
    CU_ASSERT_PTR_NOT_NULL_FATAL(psk1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(acp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bind);
    char why[512];
    CU_ASSERT_EQUAL(runner_not_applicable(order, p, why, sizeof why), 0);   /* a check over plain CoAP */
    CU_ASSERT_EQUAL(runner_not_applicable(psk1, p, why, sizeof why), 0);    /* SAE-mandatory: it judges that */
    CU_ASSERT_EQUAL(runner_not_applicable(acp, p, why, sizeof why), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "the IUT offers no DTLS (<transport dtls=\"no\">): this test needs a security "
                                       "association only to reach its checks"));
    CU_ASSERT_EQUAL(runner_not_applicable(bind, p, why, sizeof why), 1);
    CU_ASSERT_EQUAL(runner_not_applicable(cert, p, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "IUT does not claim PICS item SAE_CERT");
    CU_ASSERT_EQUAL(runner_not_applicable(sa2, p, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "IUT does not claim PICS item IUT_OPENS_SA2");
    /* the plain-CoAP run mode */
    p->plain_coap_run = s->plain_coap_run = dtls->plain_coap_run = 1;
    CU_ASSERT_EQUAL(runner_not_applicable(acp, p, why, sizeof why), 0);
    CU_ASSERT_EQUAL(runner_not_applicable(acp, dtls, why, sizeof why), 0);   /* whatever DTLS it claims */
    CU_ASSERT_EQUAL(runner_not_applicable(reg, p, why, sizeof why), 0);      /* plain-mcc="accepts" */
    CU_ASSERT_EQUAL(runner_not_applicable(reg, s, why, sizeof why), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "<transport plain-mcc=\"accepts\">; here plain-mcc is undeclared"));
    CU_ASSERT_EQUAL(runner_not_applicable(order, p, why, sizeof why), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "runs only the access-control tests and the registration tests"));
    testcase *all[] = { order, psk1, acp, reg, cert, sa2, bind };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) testcase_free(all[i]);
    profile_free(p);
    profile_free(s);
    profile_free(dtls);
}

/* The plain-CoAP run mode's steps and variables: register-field-cse.xml registers the remoteCSE
 * outside the mode and the AE Cm2mh-admin in it; associations are left out only in it. */
static void test_plain_steps(void)
{
    profile *p = load_profile("ref-in-cse-plain");
    testcase *acp = load_tc("field/TC_SEC_IN_ACP_001.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(acp);
    int secure_only = 0, plain_only = 0, assoc = 0;
    for (int mode = 0; mode < 2; mode++) {
        p->plain_coap_run = mode;
        size_t left = 0, ae_create = 0, csr_create = 0;
        for (size_t i = 0; i < acp->preamble.n; i++) {
            const tc_step *st = &acp->preamble.items[i];
            secure_only += st->run_mode == TC_MODE_SECURE;
            plain_only += st->run_mode == TC_MODE_PLAIN_COAP;
            assoc += st->kind == STEP_ASSOC;
            char why[160];
            if (plainmode_step_left_out(p, st, why, sizeof why)) { left++; continue; }
            const char *ty = st->kind == STEP_SEND ? kvlist_get(&st->send, "ty") : NULL;
            ae_create += ty && !strcmp(ty, "2");
            csr_create += ty && !strcmp(ty, "16");
        }
        /* outside the mode: the remoteCSE; in it: the admin AE and Cae2, Cae3, no association */
        CU_ASSERT_EQUAL(csr_create, mode ? 0u : 1u);
        CU_ASSERT_EQUAL(ae_create, mode ? 3u : 0u);
        CU_ASSERT_EQUAL(left, mode ? 3u : 6u);   /* the remoteCSE send, its expect, the association; the AEs' */
        vars v;
        vars_init(&v);
        vars_from_profile(&v, p);
        plainmode_vars(&v, p);
        CU_ASSERT_STRING_EQUAL(vars_get(&v, "RUN_MODE"), mode ? "plain-coap" : "secure");
        CU_ASSERT_STRING_EQUAL(vars_get(&v, "REGISTREE_ID"), mode ? "Cm2mh-admin" : "/asn-cse-1");
        CU_ASSERT_STRING_EQUAL(vars_get(&v, "AE_ID_PREFIX"), mode ? "" : "/asn-cse-1/");
        CU_ASSERT_EQUAL(plainmode_on(&v), mode);
        vars_free(&v);
    }
    CU_ASSERT(secure_only > 0 && plain_only > 0 && assoc > 0);
    testcase_free(acp);
    profile_free(p);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("plan", NULL, NULL);
    CU_add_test(s, "--shard K/N parsing", test_parse_shard);
    CU_add_test(s, "skip reasons: the PICS item first, raw keys are no certificates", test_skip_reasons);
    CU_add_test(s, "an IUT without DTLS, and the plain-CoAP run mode", test_transport_plan);
    CU_add_test(s, "the plain-CoAP run mode: steps left out, registree and originators", test_plain_steps);
    CU_add_test(s, "shard split: each id once, balanced, order-independent", test_shard_split);
    CU_add_test(s, "plan_shard keeps plan order", test_shard_plan);
    CU_add_test(s, "known failures: xfail and xpass", test_known);
    CU_add_test(s, "repeat: worst attempt, flaky when mixed", test_repeat);
    CU_add_test(s, "retry: a pass after failures is flaky", test_retry);
    CU_add_test(s, "expected duration: waits and silence windows with the profile's timers", test_expected);
    CU_add_test(s, "start order: longest expected first, ties in job order", test_start_order);
    CU_add_test(s, "start order: the waits first, then the CPU-bound ones group by group", test_start_order_groups);
    CU_add_test(s, "default -j: every wait at once beside the CPU-bound slots", test_default_jobs);
    CU_add_test(s, "IUT locks: a single real IUT, shared unless identities are disjoint", test_iut_locks);
}
