/* The test case loader: every field of a valid file, file:line for schema and XML errors,
 * the checks beyond the schema, and collecting files from folders. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model/testcase.h"
#include "model/xmlload.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

#define SCHEMA M2M_DATA_DIR "/testcases/schema/testcase.xsd"
#define DATA M2M_DATA_DIR "/harness/tests/data/model"

/* Lines: the first step inside <steps> is on line 7. */
#define HEAD_ID(id, covers)                                                                 \
    "<?xml version=\"1.0\"?>\n"                                                             \
    "<testcase id=\"" id "\" role=\"in-cse\" area=\"sae\" covers=\"" covers "\">\n"          \
    "  <title>t</title>\n"                                                                  \
    "  <requirement>r</requirement>\n"                                                      \
    "  <reference>TS-0003</reference>\n"                                                    \
    "  <steps>\n"
#define HEAD HEAD_ID("TC_X_001", "R-SAE-01")
#define TAIL "  </steps>\n</testcase>\n"

static int load(const char *xml, const char *schema, testcase **tc, diag *d)
{
    return testcase_load_mem("t.xml", xml, strlen(xml), schema, tc, d);
}

/* True if some entry is on this line and contains needle. */
static int has(const diag *d, int line, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && strstr(d->items[i].message, needle) &&
            d->items[i].file && strcmp(d->items[i].file, "t.xml") == 0)
            return 1;
    return 0;
}

/* Loads xml, expects failure with an entry on line containing needle. */
static void expect_error(const char *xml, const char *schema, int line, const char *needle)
{
    diag d;
    diag_init(&d);
    testcase *tc = (testcase *)1;
    CU_ASSERT_EQUAL(load(xml, schema, &tc, &d), -1);
    CU_ASSERT_PTR_NULL(tc);
    int ok = has(&d, line, needle);
    if (!ok) {
        fprintf(stderr, "\nexpected an error on line %d with '%s', got:\n", line, needle);
        diag_print(&d, stderr);
    }
    CU_ASSERT_TRUE(ok);
    diag_free(&d);
}

static void test_full_file(void)
{
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    int rc = testcase_load(DATA "/TC_MODEL_FULL_001.xml", SCHEMA, &tc, &d);
    diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(tc->id, "TC_MODEL_FULL_001");
    CU_ASSERT_STRING_EQUAL(tc->role, "in-cse");
    CU_ASSERT_STRING_EQUAL(tc->area, "model");
    CU_ASSERT_STRING_EQUAL(tc->title, "A field CSE sends nothing on Mcc before its security association");
    CU_ASSERT_STRING_EQUAL(tc->requirement, "SAE completes before registration.");
    CU_ASSERT_EQUAL_FATAL(tc->nreferences, 2);
    CU_ASSERT_STRING_EQUAL(tc->references[1], "TS-0004 §7.3.2.1");
    CU_ASSERT_EQUAL_FATAL(tc->ncovers, 2);
    CU_ASSERT_STRING_EQUAL(tc->covers[0], "R-FLOW-03");
    CU_ASSERT_STRING_EQUAL(tc->covers[1], "R-RCV-04");
    CU_ASSERT_EQUAL_FATAL(tc->nrequires, 2);
    CU_ASSERT_STRING_EQUAL(tc->requires[1], "SAE_PSK");
    CU_ASSERT_EQUAL(tc->deadline_ns, 30 * NS_PER_SEC);

    CU_ASSERT_EQUAL_FATAL(tc->preamble.n, 1);
    CU_ASSERT_EQUAL(tc->preamble.items[0].kind, STEP_TRIGGER);
    CU_ASSERT_STRING_EQUAL(tc->preamble.items[0].trigger, "reset");
    CU_ASSERT_EQUAL(tc->preamble.items[0].timeout_ns, 7 * NS_PER_SEC);
    CU_ASSERT_EQUAL(tc->preamble.items[0].line, 11);

    CU_ASSERT_EQUAL_FATAL(tc->body.n, 6);
    const tc_step *s = tc->body.items;
    CU_ASSERT_EQUAL(s[0].kind, STEP_TRIGGER);
    CU_ASSERT_EQUAL(s[0].timeout_ns, 0);
    CU_ASSERT_EQUAL(s[1].kind, STEP_AWAIT);
    CU_ASSERT_STRING_EQUAL(s[1].event, "sae.done[identity=${PSK_IDENTITY}]");
    CU_ASSERT_EQUAL(s[1].timeout_ns, 10 * NS_PER_SEC);
    CU_ASSERT_EQUAL(s[1].line, 15);

    CU_ASSERT_EQUAL(s[2].kind, STEP_EXPECT);
    CU_ASSERT_EQUAL(s[2].line, 16);
    CU_ASSERT_EQUAL(s[2].timeout_ns, 5 * NS_PER_SEC);
    CU_ASSERT_EQUAL_FATAL(s[2].nalts, 3);
    const tc_alt *m = &s[2].alts[0];
    CU_ASSERT_EQUAL(m->kind, ALT_MSG);
    CU_ASSERT_EQUAL(m->line, 17);
    CU_ASSERT_EQUAL(m->on_match, VERDICT_PASS);
    CU_ASSERT_PTR_NULL(m->reason);
    const char *want[][2] = {
        { "dir", "rx" }, { "op", "create" }, { "ty", "16" }, { "fr", "${IUT_CSE_ID}" },
        { "to", "/in-cse" }, { "rvi", "3" }, { "secure", "true" }, { "type", "CON" },
        { "code", "0.02" }, { "pc:m2m:csr/csi", "${IUT_CSE_ID}" },
    };
    CU_ASSERT_EQUAL(m->match.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *v = kvlist_get(&m->match, want[i][0]);
        CU_ASSERT_PTR_NOT_NULL(v);
        if (v) CU_ASSERT_STRING_EQUAL(v, want[i][1]);
    }
    CU_ASSERT_EQUAL_FATAL(m->capture.n, 2);
    CU_ASSERT_STRING_EQUAL(m->capture.items[0].key, "REG_RQI");
    CU_ASSERT_STRING_EQUAL(m->capture.items[0].value, "rqi");
    CU_ASSERT_STRING_EQUAL(m->capture.items[1].value, "pc:m2m:csr/rn");
    CU_ASSERT_TRUE(m->respond.present);
    CU_ASSERT_EQUAL(m->respond.rsc, 2001);
    CU_ASSERT_STRING_EQUAL(m->respond.content, "{\"m2m:csr\":{\"rn\":\"${CSR_RN}\"}}");
    const tc_alt *e = &s[2].alts[1];
    CU_ASSERT_EQUAL(e->kind, ALT_EVENT);
    CU_ASSERT_EQUAL(e->line, 23);
    CU_ASSERT_STRING_EQUAL(e->event, "sae.fail");
    CU_ASSERT_EQUAL(e->on_match, VERDICT_FAIL);
    CU_ASSERT_STRING_EQUAL(e->reason, "handshake failed");
    CU_ASSERT_EQUAL(e->capture.n, 2);
    CU_ASSERT_FALSE(e->respond.present);
    const tc_alt *q = &s[2].alts[2];
    CU_ASSERT_EQUAL(q->kind, ALT_SILENCE);
    CU_ASSERT_EQUAL(q->line, 27);
    CU_ASSERT_EQUAL(q->on_match, VERDICT_INCONC);

    CU_ASSERT_EQUAL(s[3].kind, STEP_SEND);
    CU_ASSERT_EQUAL(s[3].line, 29);
    CU_ASSERT_STRING_EQUAL(kvlist_get(&s[3].send, "op"), "retrieve");
    CU_ASSERT_STRING_EQUAL(kvlist_get(&s[3].send, "secure"), "false");
    CU_ASSERT_STRING_EQUAL(kvlist_get(&s[3].send, "type"), "NON");
    CU_ASSERT_STRING_EQUAL(kvlist_get(&s[3].send, "ty"), "2");
    CU_ASSERT_STRING_EQUAL(kvlist_get(&s[3].send, "rqi"), "q-${REG_RQI}");
    CU_ASSERT_STRING_EQUAL(kvlist_get(&s[3].send, "content"), "{\"a\": \"<b>\"}");
    CU_ASSERT_EQUAL(s[4].kind, STEP_EXPECT);
    CU_ASSERT_EQUAL(s[4].timeout_ns, 0); /* the profile's step timeout */
    CU_ASSERT_EQUAL(s[5].kind, STEP_WAIT);
    CU_ASSERT_EQUAL(s[5].timeout_ns, 1500 * NS_PER_MS);

    CU_ASSERT_EQUAL_FATAL(tc->postamble.n, 1);
    CU_ASSERT_PTR_NULL(kvlist_get(&tc->postamble.items[0].send, "content"));

    CU_ASSERT_EQUAL_FATAL(tc->norder, 4);
    CU_ASSERT_EQUAL(tc->order[0].kind, ORDER_BEFORE);
    CU_ASSERT_TRUE(tc->order[0].required);
    CU_ASSERT_STRING_EQUAL(tc->order[0].a.name, "sae.done");
    CU_ASSERT_STRING_EQUAL(tc->order[0].b.text, "msg.rx[op=create]");
    CU_ASSERT_EQUAL(tc->order[0].line, 39);
    CU_ASSERT_EQUAL(tc->order[1].kind, ORDER_NEVER);
    CU_ASSERT_FALSE(tc->order[1].required);
    CU_ASSERT_PTR_NULL(tc->order[1].b.name);
    CU_ASSERT_EQUAL(tc->order[1].a.nfilters, 1);
    CU_ASSERT_STRING_EQUAL(tc->order[2].b.name, "sae.done");
    CU_ASSERT_EQUAL(tc->order[3].kind, ORDER_WITHIN);
    CU_ASSERT_EQUAL(tc->order[3].limit_ns, 5 * NS_PER_SEC);
    CU_ASSERT_EQUAL(tc->order[3].line, 42);
    testcase_free(tc);
    diag_free(&d);
}

static void test_minimal_and_no_schema(void)
{
    const char *xml = HEAD "    <wait for=\"250ms\"/>\n" TAIL;
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &tc, &d), 0);
    CU_ASSERT_EQUAL(tc->deadline_ns, 0);
    CU_ASSERT_EQUAL(tc->preamble.n, 0);
    CU_ASSERT_EQUAL(tc->postamble.n, 0);
    CU_ASSERT_EQUAL(tc->norder, 0);
    CU_ASSERT_EQUAL(tc->nrequires, 0);
    CU_ASSERT_EQUAL(tc->body.items[0].line, 7);
    testcase_free(tc);
    /* The loader stands on its own without a schema, too. */
    CU_ASSERT_EQUAL(load(xml, NULL, &tc, &d), 0);
    testcase_free(tc);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    diag_free(&d);
}

static void test_schema_errors_have_lines(void)
{
    expect_error(HEAD "    <bogus/>\n" TAIL, SCHEMA, 7,
                 "Element 'bogus': This element is not expected. Expected is one of "
                 "( check, trigger, await, expect, send, wait, open-reverse-association, open-association, close-association, link )");
    /* libxml2 gives no list here; the loader adds what the parent may contain. */
    expect_error(HEAD "    <wait for=\"1s\"/>\n    <bogus/>\n" TAIL, SCHEMA, 8,
                 "Element 'bogus': This element is not expected. <steps> may contain: "
                 "check, trigger, await, expect, send, wait, open-reverse-association, open-association, close-association, link, drop-associations.");
    expect_error(HEAD "    <expect>\n      <message>\n        <respond rsc=\"2001\"/>\n"
                 "        <field name=\"pc:a\" value=\"1\"/>\n      </message>\n    </expect>\n" TAIL,
                 SCHEMA, 10, "<message> may contain: field, capture, respond.");
    expect_error(HEAD "    <wait for=\"1s\"><x/></wait>\n" TAIL, SCHEMA, 7, "Element content is not allowed");
    expect_error(HEAD "    <await within=\"1s\"/>\n" TAIL, SCHEMA, 7,
                 "The attribute 'event' is required but missing");
    expect_error(HEAD "    <expect>\n      <message op=\"grab\"/>\n    </expect>\n" TAIL, SCHEMA, 8,
                 "'grab'");
    /* <steps> missing: the message names what was expected. */
    expect_error("<testcase id=\"TC_A\" role=\"field\" area=\"sae\" covers=\"\">\n<title>t</title>\n"
                 "<requirement>r</requirement>\n<reference>x</reference>\n</testcase>\n",
                 SCHEMA, 1, "Expected is");
}

static void test_malformed_xml_has_line(void)
{
    expect_error(HEAD "    <wait for=\"1s\">\n" TAIL, SCHEMA, 8, "Opening and ending tag mismatch");
    expect_error(HEAD "    <wait for=\"1s\"/>\n    <wait for=\"1s\" for=\"2s\"/>\n" TAIL, NULL, 8,
                 "redefined");
    expect_error("", SCHEMA, 1, "empty");
}

static void test_bad_durations(void)
{
    expect_error(HEAD "    <wait for=\"5 sec\"/>\n" TAIL, SCHEMA, 7, "'5 sec'");
    /* Passes the schema's pattern but not parse_duration_ns (more than a year). */
    expect_error(HEAD "    <await event=\"x\" within=\"99999999999m\"/>\n" TAIL, SCHEMA, 7,
                 "<await within=\"99999999999m\">: not a duration");
    expect_error(HEAD "    <wait for=\"0s\"/>\n" TAIL, SCHEMA, 7, "greater than 0");
    expect_error(HEAD "    <wait for=\"soon\"/>\n" TAIL, NULL, 7, "not a duration");
    /* <send type>: CON, NON, or ACK / RST carrying the request (which the IUT must ignore),
     * checked by the loader too */
    expect_error(HEAD "    <send op=\"retrieve\" to=\"x\" type=\"FIN\"/>\n" TAIL, NULL, 7,
                 "<send type=\"FIN\">: expected CON, NON, ACK or RST");
}

static void test_bad_id_and_covers(void)
{
    expect_error(HEAD_ID("TC_bad", "R-SAE-01") "    <wait for=\"1s\"/>\n" TAIL, SCHEMA, 2, "TC_bad");
    expect_error(HEAD_ID("TC_bad", "R-SAE-01") "    <wait for=\"1s\"/>\n" TAIL, NULL, 2,
                 "<testcase id=\"TC_bad\">: expected TC_");
    expect_error(HEAD_ID("TC_X_001", "R-SAE-1") "    <wait for=\"1s\"/>\n" TAIL, SCHEMA, 2, "R-SAE-1");
    expect_error(HEAD_ID("TC_X_001", "R-SAE-1") "    <wait for=\"1s\"/>\n" TAIL, NULL, 2,
                 "'R-SAE-1' is not a requirement id");
    expect_error(HEAD_ID("TC_X_001", "R-SAE-01 R-SAE-01") "    <wait for=\"1s\"/>\n" TAIL, SCHEMA, 2,
                 "listed twice");
}

static void test_checks_beyond_schema(void)
{
    expect_error(HEAD "    <await event=\"sae.done[x\"/>\n" TAIL, SCHEMA, 7, "bad event selector");
    expect_error(HEAD "    <wait for=\"1s\"/>\n" TAIL "<order/>", SCHEMA, 10, "Extra content");
    expect_error(HEAD "    <wait for=\"1s\"/>\n  </steps>\n  <order>\n"
                 "    <within first=\"a\" then=\"b[=\" limit=\"1s\"/>\n  </order>\n</testcase>\n",
                 SCHEMA, 10, "<within then=\"b[=\">: bad event selector");
    expect_error(HEAD "    <expect>\n      <event name=\"sae.fail\" verdict=\"fail\"/>\n    </expect>\n" TAIL,
                 SCHEMA, 8, "needs a reason");
    expect_error(HEAD "    <expect>\n      <silence/>\n      <silence/>\n    </expect>\n" TAIL, SCHEMA, 9,
                 "only one <silence>");
    expect_error(HEAD "    <expect>\n      <message>\n        <capture var=\"A\" field=\"rqi\"/>\n"
                 "        <capture var=\"A\" field=\"fr\"/>\n      </message>\n    </expect>\n" TAIL,
                 SCHEMA, 10, "already captured");
    expect_error(HEAD "    <expect>\n      <message dir=\"tx\">\n        <respond rsc=\"2001\"/>\n"
                 "      </message>\n    </expect>\n" TAIL, SCHEMA, 8, "needs dir=\"rx\"");
    expect_error(HEAD "    <expect>\n      <message>\n        <field name=\"pc:a\" value=\"1\"/>\n"
                 "        <field name=\"pc:a\" value=\"2\"/>\n      </message>\n    </expect>\n" TAIL,
                 SCHEMA, 10, "given twice");
}

/* No DTD: an external entity must neither be fetched nor expanded. */
/* One rule decides fail against inconc, and no negative step goes without its control: what
 * the loader refuses, each at its line. */
#define FIELD_HEAD(harness)                                                                  \
    "<?xml version=\"1.0\"?>\n"                                                             \
    "<testcase id=\"TC_X_001\" role=\"field\" area=\"sae\" covers=\"R-SAE-12\">\n"          \
    "  <title>t</title>\n  <requirement>r</requirement>\n  <reference>TS-0003</reference>\n"  \
    harness "  <steps>\n"
static void test_checks_and_controls(void)
{
    /* a failing alternative outside <check> (line 8: the alternative) */
    expect_error(HEAD "    <expect>\n      <event name=\"sae.done\" verdict=\"fail\" reason=\"r\"/>\n    </expect>\n" TAIL,
                 SCHEMA, 8, "outside <check>");
    /* a negative step without its control, inside <check> */
    expect_error(HEAD "    <check>\n      <expect>\n        <event name=\"sae.fail\"/>\n        <silence/>\n"
                 "      </expect>\n    </check>\n" TAIL, SCHEMA, 8, "needs its positive control");
    /* a control on a step that cannot pass by a refusal */
    expect_error(HEAD "    <check>\n      <expect control=\"dtls\">\n        <event name=\"sae.done\"/>\n"
                 "      </expect>\n    </check>\n" TAIL, SCHEMA, 8, "this one cannot");
    /* no default, no "any" */
    expect_error(HEAD "    <check>\n      <expect control=\"any\">\n        <silence/>\n"
                 "      </expect>\n    </check>\n" TAIL, NULL, 8, "expected dtls, handshake or message");
    /* handshake is role field's */
    expect_error(HEAD "    <check>\n      <expect control=\"handshake\">\n        <silence/>\n"
                 "      </expect>\n    </check>\n" TAIL, SCHEMA, 8, "is for role field");
    /* <check> only in <steps>: the preamble sets the stage */
    expect_error("<?xml version=\"1.0\"?>\n<testcase id=\"TC_X_001\" role=\"in-cse\" area=\"sae\" covers=\"R-SAE-01\">\n"
                 "  <title>t</title>\n  <requirement>r</requirement>\n  <reference>TS-0003</reference>\n"
                 "  <preamble>\n    <check>\n      <wait for=\"1s\"/>\n    </check>\n  </preamble>\n"
                 "  <steps>\n    <wait for=\"1s\"/>\n" TAIL, SCHEMA, 7, "belongs in <steps>");
    /* without-dtls="fail" names the requirement */
    expect_error(HEAD "    <check without-dtls=\"fail\">\n      <await event=\"sae.done\"/>\n    </check>\n" TAIL,
                 SCHEMA, 7, "needs a reason");
    /* role field: a refused association is a check ... */
    expect_error(FIELD_HEAD("") "    <open-association expect=\"refused\" control=\"dtls\"/>\n" TAIL, SCHEMA, 7,
                 "belongs in <check>");
    /* ... whose control includes the right-credential handshake ... */
    expect_error(FIELD_HEAD("") "    <check>\n      <open-association expect=\"refused\" control=\"dtls\"/>\n"
                 "    </check>\n    <open-association/>\n" TAIL, SCHEMA, 8, "needs control=\"handshake\"");
    /* ... which an association with the test's wrong key cannot be */
    expect_error(FIELD_HEAD("  <harness psk=\"wrong-key\"/>\n") "    <check>\n"
                 "      <open-association expect=\"refused\" control=\"dtls handshake\"/>\n"
                 "    </check>\n    <open-association/>\n" TAIL, SCHEMA, 9, "credential=\"profile\"");
    /* with credential="profile" it loads; the flags are set */
    const char *ok_xml = FIELD_HEAD("  <harness psk=\"wrong-key\"/>\n") "    <check without-dtls=\"inconc\">\n"
                         "      <open-association expect=\"refused\" control=\"dtls handshake\"/>\n"
                         "    </check>\n    <open-association credential=\"profile\"/>\n" TAIL;
    testcase *tc = NULL;
    diag d;
    diag_init(&d);
    int rc = load(ok_xml, SCHEMA, &tc, &d);
    if (rc) diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(tc->body.n, 2);
    CU_ASSERT_EQUAL(tc->body.items[0].in_check, 1);
    CU_ASSERT_EQUAL(tc->body.items[0].control, TC_CONTROL_DTLS | TC_CONTROL_HANDSHAKE);
    CU_ASSERT_EQUAL(tc->body.items[0].check_without_dtls_fail, 0);
    CU_ASSERT_TRUE(tc_step_negative(&tc->body.items[0]));
    CU_ASSERT_EQUAL(tc->body.items[1].in_check, 0);
    CU_ASSERT_EQUAL(tc->body.items[1].cred_profile, 1);
    CU_ASSERT_TRUE(tc_step_control_assoc(tc, &tc->body.items[1]));
    CU_ASSERT_FALSE(tc_step_control_assoc(tc, &tc->body.items[0]));
    testcase_free(tc);
    diag_free(&d);
}

static void test_doctype_refused(void)
{
    const char *xml = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE testcase [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                      "<testcase id=\"TC_X_001\" role=\"in-cse\" area=\"a\" covers=\"\">\n"
                      "<title>&x;</title><requirement>r</requirement><reference>x</reference>"
                      "<steps><wait for=\"1s\"/></steps></testcase>\n";
    expect_error(xml, SCHEMA, 2, "DOCTYPE is not allowed");
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    load(xml, NULL, &tc, &d);
    CU_ASSERT_PTR_NULL(tc);
    CU_ASSERT_FALSE(diag_contains(&d, "root:"));
    CU_ASSERT_EQUAL(diag_count(&d), 1);
    diag_free(&d);
}

static void test_wrong_root(void)
{
    expect_error("<profile/>\n", NULL, 1, "expected <testcase>");
    expect_error("<profile/>\n", SCHEMA, 1, "No matching global declaration");
}

static char *tmpdir(void)
{
    char *t = xstrdup("/tmp/m2m-test-tc-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(t));
    return t;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_file_named_after_id(void)
{
    char *dir = tmpdir();
    char *path = xasprintf("%s/wrong-name.xml", dir);
    write_file(path, HEAD "    <wait for=\"1s\"/>\n" TAIL);
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_PTR_NULL(tc);
    CU_ASSERT_TRUE(diag_contains(&d, "must be named TC_X_001.xml"));
    char *good = xasprintf("%s/TC_X_001.xml", dir);
    CU_ASSERT_EQUAL(rename(path, good), 0);
    CU_ASSERT_EQUAL(testcase_load(good, SCHEMA, &tc, &d), 0);
    CU_ASSERT_STRING_EQUAL(tc->file, good);
    testcase_free(tc);
    CU_ASSERT_EQUAL(testcase_load("/nonexistent/TC_X_001.xml", SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(diag_contains(&d, "cannot open"));
    unlink(good);
    rmdir(dir);
    free(path);
    free(good);
    free(dir);
    diag_free(&d);
}

static void test_collect(void)
{
    char *dir = tmpdir();
    const char *dirs[] = { "b", "a", "schema", "a/deep", "include" };
    const char *files[] = { "z.xml", "b/x.xml", "a/y.xml", "a/deep/w.xml", "schema/s.xml",
                            "notes.txt", ".hidden.xml", "a/c.XML", "include/fragment.xml" };
    for (size_t i = 0; i < 5; i++) {
        char *p = xasprintf("%s/%s", dir, dirs[i]);
        CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
        free(p);
    }
    for (size_t i = 0; i < 9; i++) {
        char *p = xasprintf("%s/%s", dir, files[i]);
        write_file(p, "<x/>");
        free(p);
    }
    diag d;
    diag_init(&d);
    char **got = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(testcase_collect(dir, &got, &n, &d), 0);
    const char *want[] = { "a/deep/w.xml", "a/y.xml", "b/x.xml", "z.xml" };
    CU_ASSERT_EQUAL_FATAL(n, 4);
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", dir, want[i]);
        CU_ASSERT_STRING_EQUAL(got[i], p);
        free(p);
        free(got[i]);
    }
    free(got);
    /* A file named directly is taken as it is. */
    char *one = xasprintf("%s/notes.txt", dir);
    CU_ASSERT_EQUAL(testcase_collect(one, &got, &n, &d), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(got[0], one);
    free(got[0]);
    free(got);
    free(one);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    CU_ASSERT_EQUAL(testcase_collect("/nonexistent-m2m", &got, &n, &d), -1);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(diag_count(&d), 1);
    diag_free(&d);
    for (size_t i = 0; i < 9; i++) {
        char *p = xasprintf("%s/%s", dir, files[i]);
        unlink(p);
        free(p);
    }
    for (size_t i = 4; i-- > 0;) {
        char *p = xasprintf("%s/%s", dir, dirs[i]);
        rmdir(p);
        free(p);
    }
    rmdir(dir);
    free(dir);
}

/* Every test case of the suite and of the unit-test data loads. */
static void test_repository_files_load(void)
{
    const char *roots[] = { M2M_DATA_DIR "/testcases", DATA };
    for (size_t r = 0; r < 2; r++) {
        char **files = NULL;
        size_t n = 0;
        diag d;
        diag_init(&d);
        CU_ASSERT_EQUAL(testcase_collect(roots[r], &files, &n, &d), 0);
        for (size_t i = 0; i < n; i++) {
            testcase *tc = NULL;
            CU_ASSERT_EQUAL(testcase_load(files[i], SCHEMA, &tc, &d), 0);
            testcase_free(tc);
            free(files[i]);
        }
        free(files);
        diag_print(&d, stderr);
        CU_ASSERT_EQUAL(diag_count(&d), 0);
        diag_free(&d);
    }
}

static void test_kvlist(void)
{
    kvlist l = { 0 };
    CU_ASSERT_PTR_NULL(kvlist_get(&l, "a"));
    kvlist_add(&l, "a", "1");
    kvlist_add(&l, "b", NULL);
    kvlist_add(&l, "a", "2");
    CU_ASSERT_EQUAL(l.n, 3);
    CU_ASSERT_STRING_EQUAL(kvlist_get(&l, "a"), "1");
    CU_ASSERT_STRING_EQUAL(kvlist_get(&l, "b"), "");
    kvlist_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_PTR_NULL(l.items);
}

#define ORDER_(rules) "    <wait for=\"1s\"/>\n  </steps>\n  <order>\n" rules "  </order>\n</testcase>\n"
/* An order rule's limit may follow the profile's timers: kept as timers plus the addend,
 * resolved per run by the executor; the description names the window as written. */
static void test_within_limit_window(void)
{
    static const char xml[] = HEAD "    <wait for=\"1s\"/>\n  </steps>\n  <order>\n"
        "    <within first=\"sae.stale_record\" then=\"sae.done\" limit=\"max-transmit-wait+dtls-total+1s\"/>\n"
        "    <within first=\"sae.start\" then=\"sae.done\" limit=\"3s\"/>\n"
        "  </order>\n</testcase>\n";
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL_FATAL(load(xml, SCHEMA, &tc, &d), 0);
    CU_ASSERT_EQUAL_FATAL(tc->norder, 2);
    CU_ASSERT_EQUAL(tc->order[0].limit_timer, TC_TIMER_MAX_TRANSMIT_WAIT);
    CU_ASSERT_EQUAL(tc->order[0].limit_timer2, TC_TIMER_DTLS_TOTAL);
    CU_ASSERT_EQUAL(tc->order[0].limit_ns, 1000000000LL);
    char desc[300];
    order_rule_describe(&tc->order[0], desc, sizeof desc);
    CU_ASSERT_STRING_EQUAL(desc, "sae.done within max-transmit-wait+dtls-total+1s of sae.stale_record");
    CU_ASSERT_EQUAL(tc->order[1].limit_timer, TC_TIMER_NONE);
    CU_ASSERT_EQUAL(tc->order[1].limit_ns, 3000000000LL);
    testcase_free(tc);
    diag_free(&d);
    expect_error(HEAD ORDER_("    <within first=\"sae.start\" then=\"sae.done\" limit=\"dtls-totl+1s\"/>\n"), NULL, 10,
                 "<within limit=\"dtls-totl+1s\">: 'dtls-totl' is not a duration");
}

static int cleanup(void)
{
    xmlload_cleanup();
    return 0;
}

/* The closed vocabulary at load (flow/events.h, model/pics.h): every place a selector or
 * an event field appears, and the PICS items a test requires. */
#define ORDER(rules) "    <wait for=\"1s\"/>\n  </steps>\n  <order>\n" rules "  </order>\n</testcase>\n"
static void test_vocabulary_refused_at_load(void)
{
    expect_error(HEAD "    <await event=\"sae.doen[side=client]\"/>\n" TAIL, SCHEMA, 7,
                 "unknown event 'sae.doen': the harness records no such event; did you mean 'sae.done'?");
    expect_error(HEAD ORDER("    <never event=\"msg.rxx[secure=false]\"/>\n"), SCHEMA, 10, "did you mean 'msg.rx'?");
    expect_error(HEAD ORDER("    <never event=\"msg.rx[secur=false]\"/>\n"), SCHEMA, 10,
                 "event msg.rx has no attribute 'secur'; did you mean 'secure'?");
    expect_error(HEAD ORDER("    <never event=\"msg.rx[secure=flase]\"/>\n"), SCHEMA, 10,
                 "takes only true|false, not 'flase'; did you mean 'false'?");
    expect_error(HEAD ORDER("    <never event=\"msg.rx\" before=\"reg.dnoe\"/>\n"), SCHEMA, 10, "did you mean 'reg.done'?");
    expect_error(HEAD ORDER("    <before first=\"sae.done\" then=\"msg.rx[op=craete]\"/>\n"), SCHEMA, 10,
                 "did you mean 'create'?");
    expect_error(HEAD ORDER("    <within first=\"sae.strat\" then=\"sae.done\" limit=\"1s\"/>\n"), SCHEMA, 10,
                 "did you mean 'sae.start'?");
    expect_error(HEAD "    <expect>\n      <event name=\"sae.fail[stage=handshake,alrt=x]\" verdict=\"fail\" reason=\"r\"/>\n"
                 "    </expect>\n" TAIL, SCHEMA, 8, "did you mean 'alert'?");
    expect_error(HEAD "    <expect>\n      <event name=\"sae.fail\">\n        <capture var=\"A\" field=\"alrt\"/>\n"
                 "      </event>\n    </expect>\n" TAIL, SCHEMA, 9, "<capture field=\"alrt\">: event sae.fail has no attribute");
    /* the schema refuses these two as well; the loader does without one */
    expect_error(HEAD "    <expect>\n      <message secure=\"flase\" rqi=\"x\"/>\n    </expect>\n" TAIL, NULL, 8,
                 "<message secure=\"flase\">: msg.rx's attribute secure takes only true|false");
    expect_error(HEAD "    <expect>\n      <message dir=\"tx\" dup=\"identical\"/>\n    </expect>\n" TAIL, SCHEMA, 8,
                 "event msg.tx has no attribute 'dup'");
    expect_error(HEAD "    <expect>\n      <message>\n        <capture var=\"A\" field=\"rqii\"/>\n"
                 "      </message>\n    </expect>\n" TAIL, NULL, 9, "did you mean 'rqi'?");
    /* a PICS item a test requires is an item of the vocabulary */
    const char *req = "<?xml version=\"1.0\"?>\n"
                      "<testcase id=\"TC_X_001\" role=\"in-cse\" area=\"sae\" covers=\"R-SAE-01\">\n"
                      "  <title>t</title>\n  <requirement>r</requirement>\n  <reference>TS-0003</reference>\n"
                      "  <requires pics=\"SAE SAE_PKS\"/>\n  <steps>\n    <wait for=\"1s\"/>\n" TAIL;
    expect_error(req, SCHEMA, 6, "unknown PICS item 'SAE_PKS'; did you mean 'SAE_PSK'?");
    /* and what is in the vocabulary loads */
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(load(HEAD "    <await event=\"sae.*[side=server]\"/>\n    <expect control=\"dtls\">\n"
                         "      <event name=\"sae.fail[alert=${A}]\"><capture var=\"B\" field=\"alert\"/></event>\n"
                         "      <message secure=\"true\" response=\"any\" dup=\"different\"/>\n    </expect>\n"
                         ORDER("    <never event=\"msg.rx[secure=false,peer=127.0.0.1:1]\"/>\n"), SCHEMA, &tc, &d), 0);
    diag_print(&d, stderr);
    testcase_free(tc);
    diag_free(&d);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("testcase", NULL, cleanup);
    CU_add_test(s, "names outside the vocabulary are refused at load with the nearest", test_vocabulary_refused_at_load);
    CU_add_test(s, "a valid file loads with every field", test_full_file);
    CU_add_test(s, "a minimal file; loading without a schema", test_minimal_and_no_schema);
    CU_add_test(s, "schema violations carry their line", test_schema_errors_have_lines);
    CU_add_test(s, "malformed XML carries its line", test_malformed_xml_has_line);
    CU_add_test(s, "bad durations", test_bad_durations);
    CU_add_test(s, "bad id and covers", test_bad_id_and_covers);
    CU_add_test(s, "checks beyond the schema", test_checks_beyond_schema);
    CU_add_test(s, "checks and positive controls", test_checks_and_controls);
    CU_add_test(s, "a DOCTYPE is refused (no XXE)", test_doctype_refused);
    CU_add_test(s, "wrong root element", test_wrong_root);
    CU_add_test(s, "the file is named after the id", test_file_named_after_id);
    CU_add_test(s, "testcase_collect: recursive, sorted, skips schema/ and include/", test_collect);
    CU_add_test(s, "the repository's test cases load", test_repository_files_load);
    CU_add_test(s, "kvlist", test_kvlist);
    CU_add_test(s, "an order rule's limit from the profile's timers", test_within_limit_window);
}
