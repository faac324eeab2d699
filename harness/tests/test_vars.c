/* Variables: substitution syntax, the profile's variables, and the static check of a test
 * case (unknown names with their line, captures known only after the step that makes them). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/vars.h"
#include "model/xmlload.h"
#include "util/xmem.h"
#include "m2m_test.h"

#define TC_SCHEMA M2M_DATA_DIR "/testcases/schema/testcase.xsd"
#define P_SCHEMA M2M_DATA_DIR "/fixtures/schema/profile.xsd"
#define EXAMPLE M2M_DATA_DIR "/fixtures/profiles/example-device.xml"

/* ${ENROLEE_INDICATIONS}: the Enrolment Exchange request's indications the profile's PICS claim
 * (TS-0003 table 8.3.2.1-1), in prov.done's form; only with <mef>. */
static void test_enrolee_indications(void)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(profile_load(M2M_DATA_DIR "/fixtures/profiles/sim-device-enrol.xml", P_SCHEMA, &p, &d), 0);
    vars v;
    vars_init(&v);
    vars_from_profile(&v, p);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "ENROLEE_INDICATIONS"), "cert=0 maf=0 rmgmt=0");
    p->pics = xrealloc(p->pics, (p->npics + 2) * sizeof *p->pics);
    p->pics[p->npics++] = xstrdup("ENROLEE_MAF_ENROLMENT");
    p->pics[p->npics++] = xstrdup("ENROLEE_REMOTE_MANAGEMENT");
    vars_from_profile(&v, p);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "ENROLEE_INDICATIONS"), "cert=0 maf=1 rmgmt=1");
    vars_free(&v);
    profile_free(p);
    CU_ASSERT_EQUAL_FATAL(profile_load(EXAMPLE, P_SCHEMA, &p, &d), 0);
    vars_init(&v);
    vars_from_profile(&v, p);
    CU_ASSERT_PTR_NULL(vars_get(&v, "ENROLEE_INDICATIONS"));   /* no <mef>: no enrolment to judge */
    vars_free(&v);
    profile_free(p);
    diag_free(&d);
}

static void test_set_get(void)
{
    vars v;
    vars_init(&v);
    CU_ASSERT_PTR_NULL(vars_get(&v, "A"));
    vars_set(&v, "A", "1");
    vars_set(&v, "B", NULL);
    vars_set(&v, "A", "2");
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "A"), "2");
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "B"), "");
    CU_ASSERT_EQUAL(v.kv.n, 2);
    vars_free(&v);
}

static void expands_to(const vars *v, const char *in, const char *out)
{
    char err[128] = "x";
    char *got = vars_expand(v, in, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got) {
        if (strcmp(got, out) != 0) fprintf(stderr, "\n'%s' -> '%s', wanted '%s'\n", in, got, out);
        CU_ASSERT_STRING_EQUAL(got, out);
    }
    CU_ASSERT_STRING_EQUAL(err, "");
    free(got);
}

static void fails_with(const vars *v, const char *in, const char *msg)
{
    char err[128];
    char *got = vars_expand(v, in, err, sizeof err);
    CU_ASSERT_PTR_NULL(got);
    free(got);
    if (!strstr(err, msg)) fprintf(stderr, "\n'%s': err '%s', wanted '%s'\n", in, err, msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
}

static void test_expand(void)
{
    vars v;
    vars_init(&v);
    vars_set(&v, "A", "alpha");
    vars_set(&v, "B_2", "${A}");
    vars_set(&v, "E", "");
    expands_to(&v, "", "");
    expands_to(&v, "plain", "plain");
    expands_to(&v, "${A}", "alpha");
    expands_to(&v, "x${A}y${A}z", "xalphayalphaz");
    expands_to(&v, "${A}${E}${A}", "alphaalpha");
    expands_to(&v, "${B_2}", "${A}");             /* one pass: values are not expanded again */
    expands_to(&v, "$A $ {A} $", "$A $ {A} $");   /* a lone '$' is literal */
    expands_to(&v, "cost $5", "cost $5");
    expands_to(&v, "$${A}", "${A}");              /* the escape */
    expands_to(&v, "$$${A}", "$${A}");
    expands_to(&v, "\"$SIM_DEVICE\" --p ${A}", "\"$SIM_DEVICE\" --p alpha");
    char err[64];
    char *r = vars_expand(&v, "${NOPE}", err, sizeof err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_STRING_EQUAL(err, "NOPE");          /* the name alone, as vars.h says */
    fails_with(&v, "abc${A", "unterminated '${' at column 4");
    fails_with(&v, "${", "unterminated");
    fails_with(&v, "${}", "bad variable name");
    fails_with(&v, "${A B}", "bad variable name '${A B}'");
    fails_with(&v, "${9A}", "bad variable name");
    CU_ASSERT_PTR_NULL(vars_expand(&v, NULL, err, sizeof err));
    CU_ASSERT_PTR_NULL(vars_expand(&v, "${X}", NULL, 0));
    vars_free(&v);
}

static void test_from_profile(void)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(profile_load(EXAMPLE, P_SCHEMA, &p, &d), 0);
    vars v;
    vars_init(&v);
    vars_from_profile(&v, p);
    const char *want[][2] = {
        { "IUT_CSE_ID", "/asn-cse-1" }, { "OTHER_CSE_ID", "/asn-cse-x" }, { "IUT_CSE_ID_CASE", "/ASN-CSE-1" }, { "IUT_SP_ID", "//m2m-harness.test" },
        { "IUT_AE_ID", "Cexample-ae" },
        { "IUT_CSE_BASE", "asn-name" }, { "IUT_ADDRESS", "192.0.2.10" },
        { "IUT_HOST", "asn1.m2m-harness.test" }, { "IUT_COAP_PORT", "5683" },
        { "IUT_COAPS_PORT", "5684" }, { "IUT_RELEASE", "3" },
        { "HARNESS_ADDRESS", "192.0.2.1" }, { "HARNESS_URI_HOST", "192.0.2.1" },   /* IPv4: as is */
        { "HARNESS_ADDRESS_FAMILY", "ipv4" },
        /* one bit flipped each, the lowest bit first */
        { "HARNESS_ADDRESS_NEIGHBOURS", "[\"192.0.2.0\",\"192.0.2.3\",\"192.0.2.5\",\"192.0.2.9\",\"192.0.2.17\","
          "\"192.0.2.33\",\"192.0.2.65\",\"192.0.2.129\",\"192.0.3.1\",\"192.0.0.1\",\"192.0.6.1\","
          "\"192.0.10.1\",\"192.0.18.1\",\"192.0.34.1\",\"192.0.66.1\",\"192.0.130.1\",\"192.1.2.1\","
          "\"192.2.2.1\",\"192.4.2.1\",\"192.8.2.1\",\"192.16.2.1\",\"192.32.2.1\",\"192.64.2.1\","
          "\"192.128.2.1\",\"193.0.2.1\",\"194.0.2.1\",\"196.0.2.1\",\"200.0.2.1\",\"208.0.2.1\","
          "\"224.0.2.1\",\"128.0.2.1\",\"64.0.2.1\"]" },
        { "HARNESS_HOST", "in-cse.m2m-harness.test" },
        { "HARNESS_CSE_ID", "/in-cse" }, { "CSE_BASE", "in-name" },
        { "HARNESS_COAP_PORT", "5683" }, { "HARNESS_COAPS_PORT", "5684" },
        { "PSK_IDENTITY", "asn1@in.m2m-harness.test" }, { "PROFILE", EXAMPLE },
        { "PROFILE_DIR", M2M_DATA_DIR "/fixtures/profiles" },
        { "BENCH_CONSOLE", "/dev/ttyUSB0" }, { "DEVICE_SERIAL", "EX-0001" },
        { "RSC_APP_RULE_FAILED", "4126" }, { "RSC_ALREADY_REGISTERED", "4117" },   /* derived from the release (3) */
        { "IUT_ID", "/asn-cse-1" }, { "REG_TY", "16" },   /* derived from <iut kind> (a CSE) */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = vars_get(&v, want[i][0]);
        if (!got || strcmp(got, want[i][1]) != 0)
            fprintf(stderr, "\n%s = '%s', wanted '%s'\n", want[i][0], got ? got : "(unset)", want[i][1]);
        CU_ASSERT_PTR_NOT_NULL(got);
        if (got) CU_ASSERT_STRING_EQUAL(got, want[i][1]);
    }
    CU_ASSERT_PTR_NULL(vars_get(&v, "HARNESS_AE_ID")); /* not in the profile: stays unknown */
    CU_ASSERT_EQUAL(v.kv.n, sizeof want / sizeof want[0]);
    /* an IPv6 harness address is bracketed as a URI's host (RFC 3986 §3.2.2) */
    {
        char *ha = p->harness_address;
        p->harness_address = xstrdup("::1");
        vars v6;
        vars_init(&v6);
        vars_from_profile(&v6, p);
        CU_ASSERT_STRING_EQUAL(vars_get(&v6, "HARNESS_ADDRESS"), "::1");
        CU_ASSERT_STRING_EQUAL(vars_get(&v6, "HARNESS_URI_HOST"), "[::1]");
        /* its neighbours: one of the lowest 32 bits flipped each, the lowest first */
        const char *nb = vars_get(&v6, "HARNESS_ADDRESS_NEIGHBOURS");
        CU_ASSERT_PTR_NOT_NULL_FATAL(nb);
        CU_ASSERT_NSTRING_EQUAL(nb, "[\"::\",\"::3\",\"::5\",\"::9\",", 23);
        CU_ASSERT_PTR_NOT_NULL(strstr(nb, ",\"::128.0.0.1\"]"));
        CU_ASSERT_STRING_EQUAL(vars_get(&v6, "HARNESS_ADDRESS_FAMILY"), "ipv6");   /* IPv4-compatible form, as inet_ntop writes it */
        vars_free(&v6);
        free(p->harness_address);
        p->harness_address = ha;
    }
    /* an AE originates as its AE-ID and registers an <AE> (ty 2) */
    {
        char *kind = p->iut_kind;
        p->iut_kind = xstrdup("ae");
        vars va;
        vars_init(&va);
        vars_from_profile(&va, p);
        CU_ASSERT_STRING_EQUAL(vars_get(&va, "IUT_ID"), "Cexample-ae");
        CU_ASSERT_STRING_EQUAL(vars_get(&va, "REG_TY"), "2");
        vars_free(&va);
        free(p->iut_kind);
        p->iut_kind = kind;
    }
    /* The key, in any form, is not a value. */
    for (size_t i = 0; i < v.kv.n; i++) {
        CU_ASSERT_PTR_NULL(strstr(v.kv.items[i].value, "example-key-1"));
        CU_ASSERT_PTR_NULL(strstr(v.kv.items[i].value, "6578616d706c652d6b65792d31"));
    }
    /* A command of the profile (a real device's start) may be handed the key, as text or hex;
     * nothing else expands it. */
    char err[64];
    char *withkey = vars_expand_command(&v, p, "dev --psk ${PSK_KEY} --hex ${PSK_KEY_HEX}", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(withkey);
    if (withkey) CU_ASSERT_STRING_EQUAL(withkey, "dev --psk example-key-1 --hex 6578616d706c652d6b65792d31");
    free(withkey);
    CU_ASSERT_PTR_NULL(vars_get(&v, "PSK_KEY"));   /* the command's copy only */
    char *cmd = vars_expand(&v, profile_trigger_find(p, "start")->command, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(cmd);
    if (cmd) CU_ASSERT_PTR_NOT_NULL(strstr(cmd, "fixtures/profiles/../scripts/bench-power.sh on 192.0.2.10"));
    free(cmd);
    vars_free(&v);
    profile_free(p);
    diag_free(&d);
}

/* A first pass fills only its own names; other ${NAME}s and the "$${" escape stay for later. */
static void test_fill(void)
{
    vars v;
    vars_init(&v);
    vars_set(&v, "WHAT", "an expired certificate");
    unsigned char used[1] = { 0 };
    char *r = vars_fill(&v, "accepted ${WHAT} from ${IUT_CSE_ID}, $${WHAT}", used);
    CU_ASSERT_STRING_EQUAL(r, "accepted an expired certificate from ${IUT_CSE_ID}, $${WHAT}");
    CU_ASSERT_EQUAL(used[0], 1);
    free(r);
    CU_ASSERT_PTR_NULL(vars_fill(&v, "nothing of ours: ${OTHER}", NULL));
    CU_ASSERT_PTR_NULL(vars_fill(&v, "bad ${", NULL));
    vars_free(&v);
}

static void test_placeholders(void)
{
    vars v;
    vars_init(&v);
    vars_placeholders(&v);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "IUT_CSE_ID"), "");
    CU_ASSERT_PTR_NOT_NULL(vars_get(&v, "TEST_ID"));
    CU_ASSERT_PTR_NOT_NULL(vars_get(&v, "PSK_IDENTITY"));
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "PSK_KEY"), "");   /* a placeholder, never the key */
    CU_ASSERT_TRUE(vars_is_reserved("HARNESS_COAPS_PORT"));
    CU_ASSERT_FALSE(vars_is_reserved("MY_VAR"));
    vars_free(&v);
}

/* Loads a test case whose <steps> start on line 7, checks it against IUT_CSE_ID only. */
#define HEAD                                                                                \
    "<?xml version=\"1.0\"?>\n"                                                             \
    "<testcase id=\"TC_V_001\" role=\"in-cse\" area=\"sae\" covers=\"R-SAE-01\">\n"          \
    "  <title>t</title>\n"                                                                  \
    "  <requirement>r</requirement>\n"                                                      \
    "  <reference>x</reference>\n"
#define STEPS(body) HEAD "  <steps>\n" body "  </steps>\n"
#define END "</testcase>\n"

static int check(const char *xml, diag *d)
{
    testcase *tc = NULL;
    int rc = testcase_load_mem("v.xml", xml, strlen(xml), TC_SCHEMA, &tc, d);
    if (rc != 0) {
        diag_print(d, stderr);
        CU_FAIL("the test case does not load");
        return -1;
    }
    vars v;
    vars_init(&v);
    vars_set(&v, "IUT_CSE_ID", "/asn-cse-1");
    int n = vars_check_testcase(&v, tc, d);
    vars_free(&v);
    testcase_free(tc);
    return n;
}

static int has(const diag *d, int line, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && strstr(d->items[i].message, needle) &&
            strcmp(d->items[i].file, "v.xml") == 0)
            return 1;
    return 0;
}

static void check_fails(const char *xml, int line, const char *needle)
{
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL(check(xml, &d), 1);
    int ok = has(&d, line, needle);
    if (!ok) {
        fprintf(stderr, "\nexpected line %d: '%s', got:\n", line, needle);
        diag_print(&d, stderr);
    }
    CU_ASSERT_TRUE(ok);
    diag_free(&d);
}

static void check_ok(const char *xml)
{
    diag d;
    diag_init(&d);
    CU_ASSERT_EQUAL(check(xml, &d), 0);
    diag_print(&d, stderr);
    diag_free(&d);
}

static void test_unknown_variable_with_line(void)
{
    check_fails(STEPS("    <wait for=\"1s\"/>\n    <send op=\"retrieve\" to=\"${IUT_CSE_IDX}\"/>\n") END, 8,
                "unknown variable ${IUT_CSE_IDX}; did you mean ${IUT_CSE_ID}?");
    check_fails(STEPS("    <await event=\"sae.done[identity=${ID}]\"/>\n") END, 7, "unknown variable ${ID}");
    check_fails(STEPS("    <send op=\"create\">{\"a\":\"${NOPE}\"}</send>\n") END, 7, "${NOPE}");
    check_fails(STEPS("    <expect control=\"dtls\">\n      <message op=\"create\"/>\n      <event name=\"sae.fail[identity=${Q}]\"/>\n"
                      "    </expect>\n") END, 9, "${Q}");
    check_fails(STEPS("    <expect>\n      <message>\n        <field name=\"pc:m2m:csr/csi\" value=\"${C}\"/>\n"
                      "      </message>\n    </expect>\n") END, 8, "${C}");
    check_fails(STEPS("    <wait for=\"1s\"/>\n") "  <order>\n    <never event=\"msg.rx[fr!=${ME}]\"/>\n"
                "  </order>\n" END, 10, "${ME}");
    check_fails(STEPS("    <send op=\"retrieve\" to=\"${IUT_CSE_ID\"/>\n") END, 7, "unterminated '${'");
    /* Trigger names are not values. */
    check_ok(STEPS("    <trigger name=\"start\"/>\n    <send op=\"retrieve\" to=\"$${X} ${IUT_CSE_ID}\"/>\n") END);
}

static void test_capture_then_use(void)
{
    /* Captured in the preamble, used in the body, the respond of the same alternative,
     * the postamble and an order rule. */
    check_ok(HEAD "  <preamble>\n    <expect>\n      <message op=\"create\">\n"
                  "        <capture var=\"RQI\" field=\"rqi\"/>\n        <capture var=\"RN\" field=\"pc:m2m:ae/rn\"/>\n"
                  "        <respond rsc=\"2001\">{\"rn\":\"${RN}\"}</respond>\n"
                  "      </message>\n      <silence verdict=\"inconc\" reason=\"none\"/>\n    </expect>\n  </preamble>\n"
                  "  <steps>\n    <send op=\"retrieve\" to=\"${RN}\" rqi=\"${RQI}\"/>\n  </steps>\n"
                  "  <postamble>\n    <send op=\"delete\" to=\"${RN}\"/>\n  </postamble>\n"
                  "  <order>\n    <never event=\"msg.rx[rqi=${RQI}]\"/>\n  </order>\n" END);
}

static void test_use_before_capture(void)
{
    /* Used on line 7, captured on line 9. */
    check_fails(STEPS("    <send op=\"retrieve\" rqi=\"${RQI}\"/>\n    <expect>\n"
                      "      <message>\n        <capture var=\"RQI\" field=\"rqi\"/>\n      </message>\n"
                      "    </expect>\n") END, 7, "unknown variable ${RQI}");
    /* Matching on a value the same alternative captures: not known yet. */
    check_fails(STEPS("    <expect>\n      <message rqi=\"${RQI}\">\n        <capture var=\"RQI\" field=\"rqi\"/>\n"
                      "      </message>\n    </expect>\n") END, 8, "${RQI}");
    /* Another alternative's capture is no help to a respond. */
    check_fails(STEPS("    <expect control=\"dtls\">\n      <message op=\"create\">\n        <respond rsc=\"2001\">${X}</respond>\n"
                      "      </message>\n      <event name=\"sae.fail\">\n        <capture var=\"X\" field=\"reason\"/>\n"
                      "      </event>\n    </expect>\n") END, 8, "${X}");
    /* A preamble cannot use what the body captures. */
    check_fails(HEAD "  <preamble>\n    <send op=\"retrieve\" to=\"${RN}\"/>\n  </preamble>\n"
                "  <steps>\n    <expect>\n      <message>\n        <capture var=\"RN\" field=\"to\"/>\n"
                "      </message>\n    </expect>\n  </steps>\n" END, 7, "${RN}");
}

static void test_capture_by_some_alternatives(void)
{
    /* The silence alternative passes without capturing: RQI may be unset afterwards. */
    const char *xml = STEPS("    <expect control=\"message\">\n      <message>\n        <capture var=\"RQI\" field=\"rqi\"/>\n"
                            "      </message>\n      <silence/>\n    </expect>\n"
                            "    <send op=\"retrieve\" rqi=\"${RQI}\"/>\n") END;
    check_fails(xml, 13, "variable ${RQI} may be unset: only some alternatives of the expect at line 7");
    /* When every continuing alternative captures it, it is known. */
    check_ok(STEPS("    <expect control=\"dtls\">\n      <message>\n        <capture var=\"A\" field=\"rqi\"/>\n"
                   "      </message>\n      <event name=\"sae.closed\" verdict=\"warn\" reason=\"w\">\n"
                   "        <capture var=\"A\" field=\"reason\"/>\n      </event>\n"
                   "      <silence verdict=\"inconc\" reason=\"nothing\"/>\n    </expect>\n"
                   "    <send op=\"retrieve\" rqi=\"${A}\"/>\n") END);
}

/* The table of variables (docs/variables.md): vars_from_profile sets only its names (and the
 * profile's <var>s); every name of it with a profile source is set by some bundled profile. */
static void test_registry(void)
{
    CU_ASSERT_TRUE(vars_count() >= 25);
    for (size_t i = 0; i < vars_count(); i++) {
        const var_def *d = vars_at(i);
        CU_ASSERT_PTR_EQUAL(vars_find(d->name), d);
        CU_ASSERT_TRUE(d->meaning && *d->meaning);
        CU_ASSERT_TRUE(vars_is_reserved(d->name));
    }
    /* the key: registered, for the profile's commands only */
    CU_ASSERT_PTR_NOT_NULL(vars_find("PSK_KEY"));
    CU_ASSERT_TRUE(vars_is_secret("PSK_KEY") && vars_is_secret("PSK_KEY_HEX"));
    CU_ASSERT_FALSE(vars_is_secret("PSK_IDENTITY"));
    const char *profiles[] = { "example-device", "sim-device-asn", "sim-device-ae", "sim-device-enrol", "sim-device-enrol-cert", "sim-device-asn-cert",
                               "sim-device-ae-two", "ref-in-cse", "ref-in-cse-ae", NULL };
    int set[64] = { 0 };
    CU_ASSERT_FATAL(vars_count() <= 64);
    for (size_t k = 0; profiles[k]; k++) {
        char path[512];
        snprintf(path, sizeof path, M2M_DATA_DIR "/fixtures/profiles/%s.xml", profiles[k]);
        diag d;
        diag_init(&d);
        profile *p = NULL;
        CU_ASSERT_EQUAL_FATAL(profile_load(path, P_SCHEMA, &p, &d), 0);
        vars v;
        vars_init(&v);
        vars_from_profile(&v, p);
        for (size_t i = 0; i < v.kv.n; i++) {
            const char *name = v.kv.items[i].key;
            const var_def *def = vars_find(name);
            if (!def && !kvlist_get(&p->extra_vars, name)) {
                fprintf(stderr, "\n%s sets %s, which is not in the table\n", profiles[k], name);
                CU_FAIL("a variable outside the table");
            }
            if (def) {
                CU_ASSERT_PTR_NOT_NULL(def->from);   /* the profile sets no run-time variable */
                set[def - vars_at(0)] = 1;
            }
        }
        vars_free(&v);
        profile_free(p);
        diag_free(&d);
    }
    for (size_t i = 0; i < vars_count(); i++)
        if (vars_at(i)->from && !set[i] && !vars_is_secret(vars_at(i)->name)) {   /* the key: commands only */
            fprintf(stderr, "\n%s (from %s) is set by none of the profiles\n", vars_at(i)->name, vars_at(i)->from);
            CU_FAIL("a profile variable no profile sets");
        }
}

/* The profile's own commands: an unknown name with the command's line and the nearest, a
 * known one whose element the profile lacks with that element. */
static void test_profile_commands(void)
{
    const char *head = "<profile name=\"p\" role=\"in-cse\">\n"
                       "  <iut kind=\"asn-cse\" address=\"127.0.0.1\">\n"
                       "    <cse-id>/asn-cse-1</cse-id>\n"
                       "  </iut>\n"
                       "  <harness>\n"
                       "    <cse-id>/in-cse</cse-id>\n"
                       "    <cse-base>in-name</cse-base>\n"
                       "  </harness>\n"
                       "  <credentials><psk identity=\"a@b\" key=\"k\"/></credentials>\n"
                       "  <control>\n";
    struct { const char *control; int line; const char *needle; } bad[] = {
        { "    <start>dev --port ${HARNESS_COAP_PORTS}</start>\n", 11,
          "<start>: unknown variable ${HARNESS_COAP_PORTS}; did you mean ${HARNESS_COAP_PORT}?" },
        { "    <start>dev</start>\n    <trigger name=\"reset\">kill ${IUT_PDI}</trigger>\n", 12,
          "<trigger name=\"reset\">: unknown variable ${IUT_PDI}; did you mean ${IUT_PID}?" },
        { "    <start>dev --ae ${IUT_AE_ID}</start>\n", 11,
          "<start>: ${IUT_AE_ID} needs <iut><ae-id> in the profile, which has none" },
        { "    <start>dev</start>\n    <ready>probe ${MEF_FQDN}</ready>\n", 12,
          "<ready>: ${MEF_FQDN} needs <mef fqdn> in the profile, which has none" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *xml = xasprintf("%s%s  </control>\n</profile>\n", head, bad[i].control);
        diag d;
        diag_init(&d);
        profile *p = NULL;
        CU_ASSERT_EQUAL(profile_load_mem("p.xml", xml, strlen(xml), P_SCHEMA, &p, &d), -1);
        int ok = 0;
        for (size_t k = 0; k < d.n; k++)
            if (d.items[k].line == bad[i].line && strstr(d.items[k].message, bad[i].needle)) ok = 1;
        if (!ok) {
            fprintf(stderr, "\nexpected line %d: '%s', got:\n", bad[i].line, bad[i].needle);
            diag_print(&d, stderr);
        }
        CU_ASSERT_TRUE(ok);
        profile_free(p);
        diag_free(&d);
        free(xml);
    }
    /* run-time variables, profile variables and the profile's <var>s are known */
    char *xml = xasprintf("%s    <start>dev ${HARNESS_COAPS_PORT} ${IUT_CSE_ID} ${PROFILE_DIR} ${MINE} $HOME</start>\n"
                          "    <trigger name=\"reboot\">kill -HUP ${IUT_PID}</trigger>\n  </control>\n"
                          "  <var name=\"MINE\">x</var>\n</profile>\n", head);
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(profile_load_mem("p.xml", xml, strlen(xml), P_SCHEMA, &p, &d), 0);
    diag_print(&d, stderr);
    profile_free(p);
    diag_free(&d);
    free(xml);
}

/* A test case using a variable of the table whose element the profile lacks. */
static void test_needs_profile_element(void)
{
    check_fails(STEPS("    <send op=\"retrieve\" to=\"${IUT_AE_ID}\"/>\n") END, 7,
                "${IUT_AE_ID} needs <iut><ae-id> in the profile, which has none");
}

static int cleanup(void)
{
    xmlload_cleanup();
    return 0;
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("vars", NULL, cleanup);
    CU_add_test(s, "set and get", test_set_get);
    CU_add_test(s, "expansion syntax", test_expand);
    CU_add_test(s, "variables from the profile, never the key", test_from_profile);
    CU_add_test(s, "the enrolee's indications follow its PICS", test_enrolee_indications);
    CU_add_test(s, "placeholders and reserved names", test_placeholders);
    CU_add_test(s, "a first pass fills only its own names", test_fill);
    CU_add_test(s, "the table of variables matches what the profile sets", test_registry);
    CU_add_test(s, "the profile's commands: unknown names and missing elements", test_profile_commands);
    CU_add_test(s, "a test case's variable needs its profile element", test_needs_profile_element);
    CU_add_test(s, "unknown variables are caught with their line", test_unknown_variable_with_line);
    CU_add_test(s, "capture, then use", test_capture_then_use);
    CU_add_test(s, "use before capture", test_use_before_capture);
    CU_add_test(s, "captured by only some alternatives", test_capture_by_some_alternatives);
}
