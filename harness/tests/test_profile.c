/* The profile loader: the example profile with every element, defaults, keys in ASCII and
 * hex, the key never in a message, and the checks beyond the schema. */
#include <CUnit/CUnit.h>
#include <unistd.h>
#include "model/profile_redact.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/defaults.h"
#include "model/profile.h"
#include "model/xmlload.h"
#include "onem2m/release.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

#define SCHEMA M2M_DATA_DIR "/fixtures/schema/profile.xsd"
#define EXAMPLE M2M_DATA_DIR "/fixtures/profiles/example-device.xml"

/* A minimal valid profile; the three %s are: iut attributes, extra children of <profile>
 * after <harness>, and the psk element. Lines: <iut> is line 2, <harness> line 5,
 * <credentials> line 9, the first extra element line 10. */
static char *make(const char *iut_attrs, const char *psk, const char *extra)
{
    return xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                     "  <iut kind=\"asn-cse\" address=\"127.0.0.1\"%s>\n"
                     "    <cse-id>/asn-cse-1</cse-id>\n"
                     "  </iut>\n"
                     "  <harness>\n"
                     "    <cse-id>/in-cse</cse-id>\n"
                     "    <cse-base>in-name</cse-base>\n"
                     "  </harness>\n"
                     "  <credentials>%s</credentials>\n"
                     "%s"
                     "</profile>\n",
                     iut_attrs, psk, extra);
}

static int load(const char *xml, const char *schema, profile **p, diag *d)
{
    return profile_load_mem("p.xml", xml, strlen(xml), schema, p, d);
}

static int has(const diag *d, int line, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && strstr(d->items[i].message, needle)) return 1;
    return 0;
}

static void expect_error(char *xml, const char *schema, int line, const char *needle)
{
    diag d;
    diag_init(&d);
    profile *p = (profile *)1;
    CU_ASSERT_EQUAL(load(xml, schema, &p, &d), -1);
    CU_ASSERT_PTR_NULL(p);
    int ok = has(&d, line, needle);
    if (!ok) {
        fprintf(stderr, "\nexpected an error on line %d with '%s', got:\n", line, needle);
        diag_print(&d, stderr);
    }
    CU_ASSERT_TRUE(ok);
    diag_free(&d);
    free(xml);
}

static void test_example_profile(void)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = profile_load(EXAMPLE, SCHEMA, &p, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(p->file, EXAMPLE);
    CU_ASSERT_STRING_EQUAL(p->name, "example-device");
    CU_ASSERT_STRING_EQUAL(p->role, "in-cse");
    CU_ASSERT_STRING_EQUAL(p->iut_kind, "asn-cse");
    CU_ASSERT_EQUAL(p->release, M2M_REL_3);
    CU_ASSERT_STRING_EQUAL(p->iut_address, "192.0.2.10");
    CU_ASSERT_STRING_EQUAL(p->iut_host, "asn1.m2m-harness.test");
    CU_ASSERT_EQUAL(p->iut_coap_port, 5683);
    CU_ASSERT_EQUAL(p->iut_coaps_port, 5684);
    CU_ASSERT_STRING_EQUAL(p->iut_cse_id, "/asn-cse-1");
    CU_ASSERT_STRING_EQUAL(p->iut_ae_id, "Cexample-ae");
    CU_ASSERT_STRING_EQUAL(p->iut_cse_base_name, "asn-name");
    CU_ASSERT_STRING_EQUAL(p->harness_address, "192.0.2.1");
    CU_ASSERT_STRING_EQUAL(p->harness_host, "in-cse.m2m-harness.test");
    CU_ASSERT_EQUAL(p->listen_coap, 5683);
    CU_ASSERT_EQUAL(p->listen_coaps, 5684);
    CU_ASSERT_STRING_EQUAL(p->harness_cse_id, "/in-cse");
    CU_ASSERT_STRING_EQUAL(p->cse_base_name, "in-name");
    CU_ASSERT_PTR_NULL(p->harness_ae_id);
    CU_ASSERT_STRING_EQUAL(p->psk_identity, "asn1@in.m2m-harness.test");
    CU_ASSERT_EQUAL_FATAL(p->psk_key_len, 13);
    CU_ASSERT_EQUAL(memcmp(p->psk_key, "example-key-1", 13), 0);
    CU_ASSERT_STRING_EQUAL(p->psk_hint, "in.m2m-harness.test");
    CU_ASSERT_EQUAL_FATAL(p->npics, 3);
    CU_ASSERT_TRUE(profile_has_pics(p, "SAE_PSK"));
    CU_ASSERT_TRUE(profile_has_pics(p, "SER_JSON"));
    CU_ASSERT_FALSE(profile_has_pics(p, "SAE_CERT"));
    /* alternatives: any one claimed satisfies "A|B" */
    CU_ASSERT_TRUE(profile_has_pics(p, "SAE_CERT|SAE_PSK"));
    CU_ASSERT_TRUE(profile_has_pics(p, "SAE_PSK|SAE_CERT"));
    CU_ASSERT_FALSE(profile_has_pics(p, "SAE_CERT|SAE_RPK"));
    CU_ASSERT_FALSE(profile_has_pics(p, "SAE_PS|AE_PSK"));
    CU_ASSERT_STRING_EQUAL(p->option_preset, "legacy");
    CU_ASSERT_EQUAL(p->options.num[M2M_OPT_FR], 256);
    CU_ASSERT_EQUAL(p->options.num[M2M_OPT_RVI], 271); /* the override */
    CU_ASSERT_STRING_EQUAL(p->serialization, "json");
    CU_ASSERT_EQUAL(p->ack_timeout_ns, 2 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->max_retransmit, 4);
    CU_ASSERT_EQUAL(p->dtls_retrans_ns, NS_PER_SEC);
    CU_ASSERT_EQUAL(p->dtls_total_ns, 20 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->step_timeout_ns, 5 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->test_deadline_ns, 60 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->ready_timeout_ns, 10 * NS_PER_SEC);
    CU_ASSERT_PTR_NOT_NULL(p->ready_command);
    CU_ASSERT_EQUAL_FATAL(p->ntriggers, 3);
    const profile_trigger *t = profile_trigger_find(p, "start");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->timeout_ns, 5 * NS_PER_SEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(t->command, "bench-power.sh on ${IUT_ADDRESS}"));
    t = profile_trigger_find(p, "reset");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->timeout_ns, 15 * NS_PER_SEC);
    t = profile_trigger_find(p, "reboot");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NULL(t->command);
    CU_ASSERT_STRING_EQUAL(t->prompt, "Power-cycle the device, then press Enter");
    CU_ASSERT_EQUAL(t->timeout_ns, ms_to_ns(M2M_DEFAULT_PROMPT_TIMEOUT_MS)); /* an operator is waited for */
    CU_ASSERT_PTR_NULL(profile_trigger_find(p, "register"));
    CU_ASSERT_EQUAL(p->extra_vars.n, 2);
    CU_ASSERT_STRING_EQUAL(kvlist_get(&p->extra_vars, "DEVICE_SERIAL"), "EX-0001");
    CU_ASSERT_EQUAL(p->known_failures.n, 1);
    CU_ASSERT_PTR_NOT_NULL(kvlist_get(&p->known_failures, "TC_SEC_SAE_PSK_001"));
    profile_free(p);
    diag_free(&d);
}

static void test_defaults(void)
{
    char *xml = make("", "", "");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = load(xml, SCHEMA, &p, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(p->release, M2M_REL_3);
    CU_ASSERT_STRING_EQUAL(p->harness_address, "127.0.0.1");
    CU_ASSERT_EQUAL(p->listen_coap, 0);
    CU_ASSERT_EQUAL(p->listen_coaps, 0);
    CU_ASSERT_EQUAL(p->iut_coap_port, 0);
    CU_ASSERT_STRING_EQUAL(p->option_preset, "iana");
    m2m_optmap iana;
    m2m_optmap_preset("iana", &iana);
    CU_ASSERT_EQUAL(memcmp(&p->options, &iana, sizeof iana), 0);
    CU_ASSERT_STRING_EQUAL(p->serialization, "json");
    CU_ASSERT_EQUAL(p->ack_timeout_ns, 2 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->max_retransmit, 4);
    CU_ASSERT_EQUAL(p->dtls_retrans_ns, NS_PER_SEC);
    CU_ASSERT_EQUAL(p->dtls_total_ns, 20 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->step_timeout_ns, 5 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->test_deadline_ns, 60 * NS_PER_SEC);
    CU_ASSERT_EQUAL(p->ready_timeout_ns, 5 * NS_PER_SEC);
    CU_ASSERT_PTR_NULL(p->psk_identity);
    CU_ASSERT_PTR_NULL(p->psk_key);
    CU_ASSERT_PTR_NULL(p->psk_hint);
    CU_ASSERT_EQUAL(p->npics, 0);
    CU_ASSERT_EQUAL(p->ntriggers, 0);
    CU_ASSERT_PTR_NULL(p->ready_command);
    profile_free(p);
    /* The same without the schema: the defaults come from the loader, not the XSD. */
    CU_ASSERT_EQUAL(load(xml, NULL, &p, &d), 0);
    CU_ASSERT_EQUAL(p->max_retransmit, 4);
    profile_free(p);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    diag_free(&d);
    free(xml);
}

static void test_keys(void)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    char *xml = make("", "<psk identity=\"a@b\" key=\"00ff10Ab\" encoding=\"hex\"/>", "");
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_EQUAL(p->psk_key_len, 4);
    CU_ASSERT_EQUAL(memcmp(p->psk_key, "\x00\xff\x10\xab", 4), 0);
    profile_free(p);
    free(xml);
    /* The same text as ASCII is eight bytes. */
    xml = make("", "<psk identity=\"a@b\" key=\"00ff10Ab\"/>", "");
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_EQUAL(p->psk_key_len, 8);
    CU_ASSERT_EQUAL(memcmp(p->psk_key, "00ff10Ab", 8), 0);
    profile_free(p);
    free(xml);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    diag_free(&d);
    expect_error(make("", "<psk identity=\"a@b\" key=\"abc\" encoding=\"hex\"/>", ""), SCHEMA, 9,
                 "the key is not hex");
    expect_error(make("", "<psk identity=\"a@b\" key=\"zz\" encoding=\"hex\"/>", ""), SCHEMA, 9,
                 "the key is not hex");
    expect_error(make("", "<psk identity=\"a@b\" key=\"\"/>", ""), SCHEMA, 9, "the key is empty");
    expect_error(make("", "<psk identity=\"a@b\" key=\"tab&#9;in\"/>", ""), SCHEMA, 9,
                 "outside printable ASCII");
    expect_error(make("", "<psk identity=\"\" key=\"k\"/>", ""), SCHEMA, 9, "non-empty identity");
}

/* Whatever goes wrong, the key is not in the messages. */
static void test_key_never_in_messages(void)
{
    const char *secret = "TopSecretKey-9876";
    const char *hexsecret = "746f70736563726574";
    const char *cases[] = {
        /* the profile is wrong elsewhere */
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876\"/><bogus/>",
        /* the psk element itself breaks the schema */
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876\" colour=\"red\"/>",
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876\" encoding=\"base64\"/>",
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876\" encoding=\"hex\"/>",
        "<psk identity=\"a@b\" key=\"746f70736563726574Z\" encoding=\"hex\"/>",
        /* not even XML: the parser may quote the input */
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876\" key=\"TopSecretKey-9876\"/>",
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876&bad;\"/>",
        "<psk identity=\"a@b\" key=\"&TopSecretKey-9876;\"/>",
        "<psk identity=\"a@b\" key=\"TopSecretKey-9876<\"/>",
        "<psk identity=\"a@b\" key='TopSecretKey-9876",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *xml = make(" coap-port=\"99999\"", cases[i], "");
        for (int with_schema = 0; with_schema < 2; with_schema++) {
            diag d;
            diag_init(&d);
            profile *p = NULL;
            CU_ASSERT_EQUAL(load(xml, with_schema ? SCHEMA : NULL, &p, &d), -1);
            CU_ASSERT_TRUE(diag_count(&d) > 0);
            int leaked = diag_contains(&d, secret) || diag_contains(&d, hexsecret) ||
                         diag_contains(&d, "TopSecret");
            if (leaked) {
                fprintf(stderr, "\ncase %zu leaks the key:\n", i);
                diag_print(&d, stderr);
            }
            CU_ASSERT_FALSE(leaked);
            diag_free(&d);
        }
        free(xml);
    }
}

static void test_role_kind(void)
{
    char *xml = xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                          "  <iut kind=\"in-cse\" address=\"::1\"><cse-id>/x</cse-id></iut>\n"
                          "  <harness><cse-id>/in-cse</cse-id><cse-base>b</cse-base></harness>\n"
                          "</profile>\n");
    expect_error(xml, SCHEMA, 2, "role in-cse (the harness is the IN-CSE) needs an IUT of kind asn-cse, mn-cse or ae");
    xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                    "  <iut kind=\"asn-cse\" address=\"::1\"><cse-id>/x</cse-id></iut>\n"
                    "  <harness><cse-id>/f</cse-id></harness>\n"
                    "</profile>\n");
    expect_error(xml, SCHEMA, 2, "role field (the harness is a field node) needs an IUT of kind in-cse");
    xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                    "  <iut kind=\"in-cse\" address=\"::1\"/>\n"
                    "  <harness><cse-id>/f</cse-id></harness>\n"
                    "</profile>\n");
    expect_error(xml, SCHEMA, 2, "an IUT of kind in-cse needs its <cse-id>");
    xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                    "  <iut kind=\"in-cse\" address=\"::1\"><cse-id>/in</cse-id></iut>\n"
                    "  <harness/>\n"
                    "</profile>\n");
    expect_error(xml, SCHEMA, 3, "needs <cse-id> or <ae-id>");
    xml = xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                    "  <iut kind=\"ae\" address=\"::1\"/>\n"
                    "  <harness><cse-id>/in-cse</cse-id></harness>\n"
                    "</profile>\n");
    expect_error(xml, SCHEMA, 3, "the harness is the registrar and needs <cse-id> and <cse-base>");
    /* A consistent field profile: an AE harness against an IN-CSE on IPv6. */
    xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                    "  <iut kind=\"in-cse\" address=\"::1\" coaps-port=\"5684\"><cse-id>/in</cse-id>"
                    "<cse-base>in-name</cse-base></iut>\n"
                    "  <harness address=\"::1\" app-id=\"Nme.app\" denied-app-id=\"Rother\"><ae-id>Cme</ae-id></harness>\n"
                    "</profile>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), 0);
    diag_print(&d, stderr);
    if (p) {
        CU_ASSERT_STRING_EQUAL(p->harness_ae_id, "Cme");
        CU_ASSERT_STRING_EQUAL(p->harness_app_id, "Nme.app");
        CU_ASSERT_STRING_EQUAL(p->harness_denied_app_id, "Rother");
        CU_ASSERT_STRING_EQUAL(p->iut_cse_base_name, "in-name");
        CU_ASSERT_EQUAL(p->iut_coaps_port, 5684);
    }
    profile_free(p);
    diag_free(&d);
    free(xml);
    /* One App-ID cannot be both allowed and not; an App-ID starts with r, R or N. */
    xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                    "  <iut kind=\"in-cse\" address=\"::1\"><cse-id>/in</cse-id></iut>\n"
                    "  <harness app-id=\"Nx\" denied-app-id=\"Nx\"><ae-id>Cme</ae-id></harness>\n"
                    "</profile>\n");
    expect_error(xml, NULL, 3, "one App-ID cannot be allowed and not");
    xml = xasprintf("<profile name=\"p\" role=\"field\">\n"
                    "  <iut kind=\"in-cse\" address=\"::1\"><cse-id>/in</cse-id></iut>\n"
                    "  <harness app-id=\"Xbad\"><ae-id>Cme</ae-id></harness>\n"
                    "</profile>\n");
    expect_error(xml, SCHEMA, 3, "app-id");
}

/* Every release value of TS-0004, "2a" included (real CSEs advertise it in srv), through
 * the schema and the loader. */
static void test_release_values(void)
{
    static const struct { const char *text; int code; } v[] = {
        { "1", M2M_REL_1 }, { "2", M2M_REL_2 }, { "2a", M2M_REL_2A },
        { "3", M2M_REL_3 }, { "4", M2M_REL_4 }, { "5", M2M_REL_5 },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *attr = xasprintf(" release=\"%s\"", v[i].text);
        char *xml = make(attr, "", "");
        diag d;
        diag_init(&d);
        profile *p = NULL;
        CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), 0);
        if (p) CU_ASSERT_EQUAL(p->release, v[i].code);
        profile_free(p);
        diag_free(&d);
        free(xml);
        free(attr);
    }
}

/* <psk ae-id>: AE-ID-Stems or patterns ending in '*', space-separated; anything else refused. */
static void test_psk_ae_ids(void)
{
    char *xml = make("", "<psk identity=\"a@b.c\" key=\"k\" ae-id=\"C* Sapp-1\"/>", "");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), 0);
    if (p) CU_ASSERT_STRING_EQUAL(p->psk_ae_ids, "C* Sapp-1");
    profile_free(p);
    diag_free(&d);
    free(xml);
    expect_error(make("", "<psk identity=\"a@b.c\" key=\"k\" ae-id=\"/in-cse/Cae\"/>", ""), NULL, 9,
                 "is no AE-ID-Stem");
    expect_error(make("", "<psk identity=\"a@b.c\" key=\"k\" ae-id=\"C*x\"/>", ""), NULL, 9, "is no AE-ID-Stem");
}

static void test_ports_and_addresses(void)
{
    expect_error(make(" coap-port=\"65536\"", "", ""), SCHEMA, 2, "65536");
    expect_error(make(" coap-port=\"65536\"", "", ""), NULL, 2,
                 "<iut coap-port=\"65536\">: expected a number from 0 to 65535");
    expect_error(make(" coaps-port=\"-1\"", "", ""), NULL, 2, "expected a number from 0 to 65535");
    expect_error(make(" release=\"9\"", "", ""), NULL, 2, "expected one of 1, 2, 2a, 3, 4, 5");
    expect_error(make(" release=\"2A\"", "", ""), NULL, 2, "expected one of 1, 2, 2a, 3, 4, 5");
    char *xml = xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                          "  <iut kind=\"asn-cse\" address=\"device.example\"><cse-id>/x</cse-id></iut>\n"
                          "  <harness><cse-id>/in-cse</cse-id><cse-base>b</cse-base></harness>\n"
                          "</profile>\n");
    expect_error(xml, SCHEMA, 2, "<iut address=\"device.example\">: not an IPv4 or IPv6 address literal");
    xml = xasprintf("<profile name=\"p\" role=\"in-cse\">\n"
                    "  <iut kind=\"asn-cse\" address=\"::1\"><cse-id>/x</cse-id></iut>\n"
                    "  <harness address=\"127.0.0.256\"><cse-id>/in-cse</cse-id><cse-base>b</cse-base></harness>\n"
                    "</profile>\n");
    expect_error(xml, SCHEMA, 3, "not an IPv4 or IPv6 address literal");
}

static void test_triggers(void)
{
    expect_error(make("", "", "  <control>\n    <trigger name=\"reset\">a</trigger>\n"
                              "    <trigger name=\"reset\">b</trigger>\n  </control>\n"),
                 SCHEMA, 12, "trigger 'reset' is defined twice");
    expect_error(make("", "", "  <control>\n    <start>run</start>\n"
                              "    <trigger name=\"start\">b</trigger>\n  </control>\n"),
                 SCHEMA, 12, "trigger 'start' is defined twice");
    expect_error(make("", "", "  <control>\n    <trigger name=\"reboot\"/>\n  </control>\n"), SCHEMA, 11,
                 "needs a command (the element's text) or a prompt");
    expect_error(make("", "", "  <control>\n    <trigger name=\"reboot\" prompt=\"p\">cmd</trigger>\n  </control>\n"),
                 SCHEMA, 11, "both a command and a prompt");
    expect_error(make("", "", "  <control>\n    <trigger name=\"r\" timeout=\"0s\">x</trigger>\n  </control>\n"),
                 SCHEMA, 11, "greater than 0");
    /* Defaults: a command gets the step timeout. */
    char *xml = make("", "", "  <timers step-timeout=\"3s\"/>\n  <control><start>go</start></control>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_EQUAL(profile_trigger_find(p, "start")->timeout_ns, 3 * NS_PER_SEC);
    CU_ASSERT_STRING_EQUAL(profile_trigger_find(p, "start")->command, "go");
    profile_free(p);
    diag_free(&d);
    free(xml);
}

static void test_options(void)
{
    expect_error(make("", "", "  <coap>\n    <option name=\"bogus\" number=\"300\"/>\n  </coap>\n"), SCHEMA, 11,
                 "<option name=\"bogus\">: unknown oneM2M option (known: fr, rqi, ot,");
    expect_error(make("", "", "  <coap>\n    <option name=\"rvi\" number=\"1\"/>\n"
                              "    <option name=\"rvi\" number=\"2\"/>\n  </coap>\n"),
                 SCHEMA, 12, "given twice");
    expect_error(make("", "", "  <coap>\n    <option name=\"rvi\" number=\"279\"/>\n  </coap>\n"), SCHEMA, 10,
                 "options fr and rvi both use number 279");
    char *xml = make("", "", "  <coap options=\"legacy\" serialization=\"xml\">"
                             "<option name=\"fr\" number=\"0\"/></coap>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_EQUAL(p->options.num[M2M_OPT_FR], 0);
    CU_ASSERT_EQUAL(p->options.num[M2M_OPT_RQI], 257);
    CU_ASSERT_EQUAL(p->options.num[M2M_OPT_RVI], 0); /* legacy has none */
    CU_ASSERT_STRING_EQUAL(p->serialization, "xml");
    CU_ASSERT_EQUAL(p->content_format, 41);   /* application/xml under the legacy numbering */
    profile_free(p);
    diag_free(&d);
    free(xml);
}

/* The <coap> attributes of one profile -> its content format, serialization, accepted formats
 * (a 0-ended list). */
static void expect_formats(const char *coap, int cf, const char *ser, const int *accept)
{
    char *xml = make("", "", coap);
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = load(xml, SCHEMA, &p, &d);
    if (rc) diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(p->content_format, cf);
    CU_ASSERT_STRING_EQUAL(p->serialization, ser);
    size_t n = 0;
    while (accept[n]) n++;
    CU_ASSERT_EQUAL(p->naccept_formats, n);
    for (size_t i = 0; i < n && i < p->naccept_formats; i++) CU_ASSERT_EQUAL(p->accept_formats[i], accept[i]);
    profile_free(p);
    diag_free(&d);
    free(xml);
}

static void test_content_formats(void)
{
    /* names and numbers; the serialization follows; the other media type of it is accepted */
    expect_formats("", 10001, "json", (const int[]){ 10001, 50, 0 });
    expect_formats("  <coap serialization=\"xml\"/>\n", 10014, "xml", (const int[]){ 10014, 41, 0 });
    expect_formats("  <coap content-format=\"json\"/>\n", 50, "json", (const int[]){ 50, 10001, 0 });
    expect_formats("  <coap content-format=\"50\"/>\n", 50, "json", (const int[]){ 50, 10001, 0 });
    expect_formats("  <coap content-format=\"onem2m-xml\"/>\n", 10014, "xml", (const int[]){ 10014, 41, 0 });
    expect_formats("  <coap content-format=\"41\" serialization=\"xml\"/>\n", 41, "xml", (const int[]){ 41, 10014, 0 });
    expect_formats("  <coap content-format=\"10001\" accept-formats=\"onem2m-json 41\"/>\n", 10001, "json",
                   (const int[]){ 10001, 41, 0 });
    /* the legacy numbering: the plain media types, unless the profile names one */
    expect_formats("  <coap options=\"legacy\"/>\n", M2M_LEGACY_CF_JSON, "json", (const int[]){ 50, 10001, 0 });
    expect_formats("  <coap options=\"legacy\" serialization=\"json\"/>\n", 50, "json", (const int[]){ 50, 10001, 0 });
    expect_formats("  <coap options=\"legacy\" serialization=\"xml\"/>\n", M2M_LEGACY_CF_XML, "xml",
                   (const int[]){ 41, 10014, 0 });
    expect_formats("  <coap options=\"legacy\" content-format=\"onem2m-json\"/>\n", 10001, "json",
                   (const int[]){ 10001, 50, 0 });
    /* refused: a contradiction (with the value that would agree), an unknown name (with the
     * nearest), a format twice, an empty list */
    expect_error(make("", "", "  <coap serialization=\"xml\" content-format=\"json\"/>\n"), SCHEMA, 10,
                 "<coap content-format=\"json\">: JSON content, but serialization=\"xml\"; did you mean content-format=\"xml\"?");
    expect_error(make("", "", "  <coap serialization=\"json\" content-format=\"10014\"/>\n"), SCHEMA, 10,
                 "did you mean content-format=\"onem2m-json\"?");
    expect_error(make("", "", "  <coap content-format=\"jsno\"/>\n"), SCHEMA, 10,
                 "<coap content-format=\"jsno\">: expected onem2m-json (10001), json (50), onem2m-xml (10014) or xml (41); did you mean json?");
    expect_error(make("", "", "  <coap content-format=\"10010\"/>\n"), SCHEMA, 10, "<coap content-format=\"10010\">: expected");
    expect_error(make("", "", "  <coap accept-formats=\"json 50\"/>\n"), SCHEMA, 10, "50 is given twice");
    expect_error(make("", "", "  <coap accept-formats=\"json onem2m-jsn\"/>\n"), SCHEMA, 10, "did you mean onem2m-json?");
    expect_error(make("", "", "  <coap accept-formats=\" \"/>\n"), SCHEMA, 10, "name at least one Content-Format");
}

static void test_vars_and_known_failures(void)
{
    expect_error(make("", "", "  <var name=\"IUT_CSE_ID\">x</var>\n"), SCHEMA, 10, "the profile already sets this variable");
    expect_error(make("", "", "  <var name=\"A\">x</var>\n  <var name=\"A\">y</var>\n"), SCHEMA, 11, "defined twice");
    expect_error(make("", "", "  <known-failure test=\"TC_A\"> </known-failure>\n"), SCHEMA, 10, "needs a reason");
    expect_error(make("", "", "  <known-failure test=\"TC_A\">x</known-failure>\n"
                              "  <known-failure test=\"TC_A\">y</known-failure>\n"), SCHEMA, 11, "listed twice");
    char *xml = make("", "", "  <var name=\"EMPTY\"></var>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_STRING_EQUAL(kvlist_get(&p->extra_vars, "EMPTY"), "");
    profile_free(p);
    diag_free(&d);
    free(xml);
}

static void test_schema_and_parse_errors(void)
{
    expect_error(make("", "", "  <timers/>\n  <pics>A</pics>\n"), SCHEMA, 11,
                 "Element 'pics': This element is not expected.");
    expect_error(make("", "", "  <timers ack-timeout=\"fast\"/>\n"), SCHEMA, 10, "'fast'");
    expect_error(make("", "", "  <timers ack-timeout=\"fast\"/>\n"), NULL, 10, "not a duration");
    expect_error(make("", "", "  <timers>\n"), SCHEMA, 11, "Opening and ending tag mismatch");
    expect_error(xstrdup("<testcase/>"), NULL, 1, "expected <profile>");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(profile_load("/nonexistent/p.xml", SCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(diag_contains(&d, "cannot open"));
    CU_ASSERT_EQUAL(profile_load(EXAMPLE, "/nonexistent/profile.xsd", &p, &d), -1);
    CU_ASSERT_TRUE(diag_contains(&d, "not validated"));
    diag_free(&d);
}

/* Raw public keys (RFC 7250): the harness's key pair, pins binding IUT keys to identities,
 * and variants with pins of their own; a pin names its key in exactly one way. */
static void test_raw_public_keys(void)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL_FATAL(profile_load(M2M_DATA_DIR "/fixtures/profiles/sim-device-asn-rpk.xml", SCHEMA, &p, &d), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(p->rpk_pub, "/fixtures/certs/rpk-in-cse.pub"));
    CU_ASSERT_PTR_NOT_NULL(strstr(p->rpk_key, "/fixtures/certs/rpk-in-cse.key"));
    CU_ASSERT_EQUAL_FATAL(p->nrpk_pins, 1);
    CU_ASSERT_STRING_EQUAL(p->rpk_pins[0].id, "/asn-cse-1");
    CU_ASSERT_STRING_EQUAL(p->rpk_pins[0].spki_sha256, "f7549c6d45e7ec30b3396eb5b9222acdf6a6537c23ab623d58514b19c22a6ff8");
    const struct profile_cert_variant *v = profile_cert_variant(p, "iut-key-unknown");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(v->npins, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(v->pins[0].pub, "/fixtures/certs/rpk-asn-cse-1-old.pub"));
    v = profile_cert_variant(p, "unpinned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->npins, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v->cert, "/fixtures/certs/rpk-in-cse-unpinned.pub"));
    profile_free(p);
    diag_free(&d);
#define RPK(pins) "<raw-public-key pub=\"" M2M_DATA_DIR "/fixtures/certs/rpk-in-cse.pub\" key=\"" \
                  M2M_DATA_DIR "/fixtures/certs/rpk-in-cse.key\">" pins "</raw-public-key>"
    expect_error(make("", RPK("<pin id=\"/asn-cse-1\" spki-sha256=\"f7549c6d\"/>"), ""), NULL, 9, "64 hex digits");
    expect_error(make("", RPK("<pin id=\"/asn-cse-1\" spki-sha256=\"f7549c6d\"/>"), ""), SCHEMA, 9, "spki-sha256");
    expect_error(make("", RPK("<pin id=\"/asn-cse-1\"/>"), ""), NULL, 9, "exactly one of spki-sha256");
    expect_error(make("", RPK("<pin id=\"/a\" pub=\"/nonexistent.pub\"/>"), ""), NULL, 9, "cannot read the file");
    expect_error(make("", RPK(""), ""), NULL, 9, "pins no IUT key");
    expect_error(make("", "<certificate cert=\"" M2M_DATA_DIR "/fixtures/certs/in-cse.crt\" key=\"" M2M_DATA_DIR
                      "/fixtures/certs/in-cse.key\" trust=\"" M2M_DATA_DIR "/fixtures/certs/test-ca.crt\"/>"
                      RPK("<pin id=\"/asn-cse-1\" spki-sha256=\"" "f7549c6d45e7ec30b3396eb5b9222acdf6a6537c23ab623d58514b19c22a6ff8" "\"/>"), ""),
                 SCHEMA, 9, "give each framework its own profile");
#undef RPK
}

/* A profile that gives no timers: after the load every timer field holds its named default
 * (model/defaults.h), including the time limit of each trigger, so no consumer has a zero to
 * replace with a default of its own. */
static void test_named_defaults(void)
{
    char *xml = make("", "", "  <control>\n    <start>go</start>\n    <ready>true</ready>\n"
                             "    <trigger name=\"reboot\" prompt=\"Power-cycle it\"/>\n  </control>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int rc = load(xml, SCHEMA, &p, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(p->release, M2M_DEFAULT_RELEASE);
    CU_ASSERT_STRING_EQUAL(p->harness_address, M2M_DEFAULT_HARNESS_ADDRESS);
    CU_ASSERT_STRING_EQUAL(p->option_preset, M2M_DEFAULT_OPTION_PRESET);
    CU_ASSERT_STRING_EQUAL(p->serialization, M2M_DEFAULT_SERIALIZATION);
    CU_ASSERT_EQUAL(p->content_format, M2M_DEFAULT_CF_JSON);
    CU_ASSERT_EQUAL(p->ack_timeout_ns, ms_to_ns(M2M_DEFAULT_ACK_TIMEOUT_MS));
    CU_ASSERT_EQUAL(p->max_retransmit, M2M_DEFAULT_MAX_RETRANSMIT);
    CU_ASSERT_EQUAL(p->dtls_retrans_ns, ms_to_ns(M2M_DEFAULT_DTLS_RETRANS_MS));
    CU_ASSERT_EQUAL(p->dtls_total_ns, ms_to_ns(M2M_DEFAULT_DTLS_TOTAL_MS));
    CU_ASSERT_EQUAL(p->step_timeout_ns, ms_to_ns(M2M_DEFAULT_STEP_TIMEOUT_MS));
    CU_ASSERT_EQUAL(p->test_deadline_ns, ms_to_ns(M2M_DEFAULT_TEST_DEADLINE_MS));
    CU_ASSERT_EQUAL(p->ready_timeout_ns, ms_to_ns(M2M_DEFAULT_READY_TIMEOUT_MS));
    const profile_trigger *start = profile_trigger_find(p, "start"), *reboot = profile_trigger_find(p, "reboot");
    CU_ASSERT_PTR_NOT_NULL_FATAL(start);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reboot);
    CU_ASSERT_EQUAL(start->timeout_ns, ms_to_ns(M2M_DEFAULT_STEP_TIMEOUT_MS));     /* a command: the step timeout */
    CU_ASSERT_EQUAL(reboot->timeout_ns, ms_to_ns(M2M_DEFAULT_PROMPT_TIMEOUT_MS));  /* an operator prompt */
    /* No timer is left at zero for a consumer to decide. */
    for (size_t i = 0; i < p->ntriggers; i++) CU_ASSERT_TRUE(p->triggers[i].timeout_ns > 0);
    profile_free(p);
    diag_free(&d);
    free(xml);
}

static int cleanup(void)
{
    xmlload_cleanup();
    return 0;
}

/* A claim outside the PICS vocabulary (model/pics.h) is refused with its line and the
 * nearest item: it would otherwise only skip the tests that need the real item. */
static void test_unknown_pics_item(void)
{
    expect_error(make("", "<psk identity=\"a@b\" key=\"k\"/>", "  <pics>IUT_ASN_CSE SAE SAE_PKS</pics>\n"), SCHEMA, 10,
                 "<pics>: unknown PICS item 'SAE_PKS'; did you mean 'SAE_PSK'?");
    expect_error(make("", "<psk identity=\"a@b\" key=\"k\"/>", "  <pics>IUT_ASN_CSE SAE SAE_PSK WHATEVER</pics>\n"), SCHEMA, 10,
                 "unknown PICS item 'WHATEVER' (the items are listed in docs/pics.md)");
    char *xml = make("", "<psk identity=\"a@b\" key=\"k\"/>", "  <pics>IUT_ASN_CSE SAE SAE_PSK</pics>\n");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), 0);
    diag_print(&d, stderr);
    profile_free(p);
    diag_free(&d);
    free(xml);
}

/* <transport>: what it sets, and a DTLS item claimed by an IUT that offers none, at its line. */
static void test_transport(void)
{
    const char *psk = "<psk identity=\"a@b\" key=\"k\"/>";
    expect_error(make("", psk, "  <pics>IUT_ASN_CSE SAE SAE_PSK</pics>\n  <transport dtls=\"no\"/>\n"), SCHEMA, 10,
                 "PICS item SAE claims DTLS, but <transport dtls=\"no\"> (line 11) says the IUT offers none");
    expect_error(make("", psk, "  <pics>IUT_ASN_CSE</pics>\n  <transport dtls=\"maybe\"/>\n"), SCHEMA, 11, "maybe");
    /* plain-mcc and the run mode describe an IN-CSE: refused in role in-cse */
    expect_error(make("", psk, "  <pics>IUT_ASN_CSE</pics>\n  <transport dtls=\"no\" plain-mcc=\"accepts\"/>\n"), SCHEMA, 11,
                 "describe an IN-CSE (role field), not a profile of role in-cse");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    char *xml = make("", psk, "  <pics>IUT_ASN_CSE</pics>\n  <transport dtls=\"no\"/>\n");
    CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), 0);
    diag_print(&d, stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->transport_dtls, 0);
    CU_ASSERT_EQUAL(p->plain_mcc, PROFILE_PLAIN_MCC_UNDECLARED);
    CU_ASSERT_EQUAL(p->plain_coap_run, 0);
    CU_ASSERT_STRING_EQUAL(profile_plain_mcc_name(p->plain_mcc), "undeclared");
    profile_free(p);
    free(xml);
    /* without the element: DTLS offered */
    xml = make("", psk, "  <pics>IUT_ASN_CSE SAE SAE_PSK</pics>\n");
    CU_ASSERT_EQUAL(load(xml, SCHEMA, &p, &d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->transport_dtls, 1);
    profile_free(p);
    free(xml);
    diag_free(&d);
    CU_ASSERT_TRUE(profile_pics_needs_dtls("SAE_PSK"));
    CU_ASSERT_TRUE(profile_pics_needs_dtls("IUT_OPENS_SA2"));
    CU_ASSERT_FALSE(profile_pics_needs_dtls("MCA_PLAIN"));
}

/* What an IUT writes with the key it was given comes out without it, in every form. */
static void test_secret_redact(void)
{
    const uint8_t key[] = "m2m-harness-test-psk-1";
    secret_forms f;
    secret_forms_of(key, sizeof key - 1, &f);
    CU_ASSERT_EQUAL(f.n, 4);
    char *r = secret_redact(&f, "psk m2m-harness-test-psk-1 hex 6d326d2d6861726e6573732d746573742d70736b2d31 "
                                "HEX 6D326D2D6861726E6573732D746573742D70736B2D31 b64 bTJtLWhhcm5lc3MtdGVzdC1wc2stMQ== end");
    CU_ASSERT_STRING_EQUAL(r, "psk <redacted> hex <redacted> HEX <redacted> b64 <redacted> end");
    free(r);
    char path[] = "/tmp/m2m-redact-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "device key m2m-harness-test-psk-1\n", 34), 34);
    close(fd);
    CU_ASSERT_EQUAL(secret_redact_file(&f, path), 0);
    FILE *in = fopen(path, "r");
    char line[80] = "";
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, in));
    fclose(in);
    CU_ASSERT_STRING_EQUAL(line, "device key <redacted>\n");
    unlink(path);
    secret_forms_free(&f);
    /* a short key is not redacted as text (it would blot out words); one with NUL bytes has
     * no text form */
    secret_forms_of((const uint8_t *)"abc", 3, &f);
    CU_ASSERT_EQUAL(f.n, 0);
    const uint8_t bin[] = { 1, 0, 2, 3, 4, 5 };
    secret_forms_of(bin, sizeof bin, &f);
    CU_ASSERT_EQUAL(f.n, 3);
    secret_forms_free(&f);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("profile", NULL, cleanup);
    CU_add_test(s, "<transport>: dtls, plain-mcc, run-mode and the DTLS items", test_transport);
    CU_add_test(s, "what an IUT writes with the key comes out without it", test_secret_redact);
    CU_add_test(s, "the example profile loads with every field", test_example_profile);
    CU_add_test(s, "defaults", test_defaults);
    CU_add_test(s, "every timer holds its named default after load", test_named_defaults);
    CU_add_test(s, "hex and ascii keys", test_keys);
    CU_add_test(s, "the key is never in a message", test_key_never_in_messages);
    CU_add_test(s, "role and kind must agree", test_role_kind);
    CU_add_test(s, "ports and addresses", test_ports_and_addresses);
    CU_add_test(s, "triggers", test_triggers);
    CU_add_test(s, "an unknown PICS item is refused with the nearest", test_unknown_pics_item);
    CU_add_test(s, "option numbers", test_options);
    CU_add_test(s, "content formats: names, numbers, the legacy default, conflicts", test_content_formats);
    CU_add_test(s, "variables and known failures", test_vars_and_known_failures);
    CU_add_test(s, "schema and parse errors", test_schema_and_parse_errors);
    CU_add_test(s, "raw public keys: pins and variants", test_raw_public_keys);
    CU_add_test(s, "release values 1 2 2a 3 4 5", test_release_values);
    CU_add_test(s, "psk ae-id: AE-IDs and stem patterns bound to the credential", test_psk_ae_ids);
}
