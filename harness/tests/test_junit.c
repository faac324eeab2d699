/* JUnit writer: output validates against report/junit.xsd, counts equal the children,
 * escaping survives hostile text, system-out is capped, the write is atomic. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "report/junit.h"
#include "util/xmem.h"
#include "util/xmlstr.h"
#include "m2m_test.h"

static char tmpdir[64];
static char path[128];
static xmlSchemaPtr schema;

static void quiet(void *ctx, const char *fmt, ...) { (void)ctx; (void)fmt; }

static int setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/m2m-junit-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(path, sizeof path, "%s/junit.xml", tmpdir);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(M2M_DATA_DIR "/harness/report/junit.xsd");
    schema = pc ? xmlSchemaParse(pc) : NULL;
    xmlSchemaFreeParserCtxt(pc);
    return schema ? 0 : -1;
}

static int teardown(void)
{
    unlink(path);
    rmdir(tmpdir);
    xmlSchemaFree(schema);
    xmlCleanupParser();
    return 0;
}

static test_result make(const char *id, const char *role, const char *area, verdict v,
                        const char *reason, double secs)
{
    test_result r;
    memset(&r, 0, sizeof r);
    r.id = xstrdup(id);
    r.role = xstrdup(role);
    r.area = xstrdup(area);
    r.v = v;
    r.reason = xstrdup(reason);
    r.seconds = secs;
    r.file = xasprintf("testcases/%s/%s.xml", area, id);
    return r;
}

static const junit_run run = {
    .name = "m2m-harness", .timestamp = "2024-05-01T12:00:00", .hostname = "ci-runner-1",
    .profile = "fixtures/profiles/sim.xml", .profile_name = "simulated device",
};

/* Parses path and validates it against the schema; NULL (and a test failure) if not. */
static xmlDocPtr load_valid(void)
{
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    CU_ASSERT_PTR_NOT_NULL(doc);
    if (!doc) return NULL;
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    int rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0) { xmlFreeDoc(doc); return NULL; }
    return doc;
}

static double xnum(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(xml_cstr(expr), ctx);
    double v = o ? xmlXPathCastToNumber(o) : -1;
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return v;
}

static char *xstr(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(xml_cstr(expr), ctx);
    xmlChar *s = o ? xmlXPathCastToString(o) : NULL;
    char *out = xasprintf("%s", s ? (const char *)s : "");
    xmlFree(s);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return out;
}

/* Reports the caller's line and the XPath expression when the value differs. */
static void check_xstr(xmlDocPtr doc, const char *expr, const char *expected, unsigned line)
{
    char *got = xstr(doc, expr);
    int same = got && strcmp(got, expected) == 0;
    if (!same) fprintf(stderr, "\n  line %u: %s = <%s>\n", line, expr, got ? got : "(null)");
    CU_assertImplementation(same ? CU_TRUE : CU_FALSE, line, expr, __FILE__, "", CU_FALSE);
    free(got);
}
#define ASSERT_XSTR(doc, expr, expected) check_xstr((doc), (expr), (expected), __LINE__)

/* Every suite's counts equal its children, the root's equal the sums, failures and
 * errors are disjoint. */
static void assert_counts(xmlDocPtr doc)
{
    double suites = xnum(doc, "count(/testsuites/testsuite)");
    for (int i = 1; i <= (int)suites; i++) {
        char e[200], c[200];
        const char *pairs[][2] = {
            { "@tests", "testcase" },
            { "@failures", "testcase[failure]" },
            { "@errors", "testcase[error]" },
            { "@skipped", "testcase[skipped]" },
        };
        for (int k = 0; k < 4; k++) {
            snprintf(e, sizeof e, "number(/testsuites/testsuite[%d]/%s)", i, pairs[k][0]);
            snprintf(c, sizeof c, "count(/testsuites/testsuite[%d]/%s)", i, pairs[k][1]);
            CU_ASSERT_EQUAL(xnum(doc, e), xnum(doc, c));
        }
    }
    CU_ASSERT_EQUAL(xnum(doc, "number(/testsuites/@tests)"), xnum(doc, "count(//testcase)"));
    CU_ASSERT_EQUAL(xnum(doc, "number(/testsuites/@failures)"), xnum(doc, "count(//testcase[failure])"));
    CU_ASSERT_EQUAL(xnum(doc, "number(/testsuites/@errors)"), xnum(doc, "count(//testcase[error])"));
    CU_ASSERT_EQUAL(xnum(doc, "number(/testsuites/@skipped)"), xnum(doc, "count(//testcase[skipped])"));
    CU_ASSERT_EQUAL(xnum(doc, "count(//testcase[failure and error])"), 0);
    CU_ASSERT_EQUAL(xnum(doc, "count(//testcase[count(failure|error|skipped) > 1])"), 0);
}

static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    strbuf b;
    sb_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_addn(&b, chunk, n);
    fclose(f);
    if (len) *len = b.len;
    return sb_take(&b);
}

static void test_all_verdicts(void)
{
    test_result r[] = {
        make("TC_SEC_SAE_PSK_001", "in-cse", "sae", VERDICT_PASS, NULL, 0.84),
        make("TC_SEC_SAE_PSK_002", "in-cse", "sae", VERDICT_FAIL, "expected alert, got ServerHello", 1.5),
        make("TC_SEC_ORDER_001", "in-cse", "ordering", VERDICT_XPASS, NULL, 0.1),
        make("TC_SEC_REG_001", "field", "registration", VERDICT_ERROR, "child crashed (SIGSEGV)", 0.2),
        make("TC_SEC_REG_002", "field", "registration", VERDICT_INCONC, "IUT unreachable", 10),
        make("TC_SEC_REG_003", "field", "registration", VERDICT_INCONC, "deadline", 30),
        make("TC_SEC_ACP_001", "in-cse", "acp", VERDICT_SKIP, "PICS ACP_REMOTE not supported", 0),
        make("TC_SEC_SAE_AE_001", "in-cse", "sae", VERDICT_WARN, "R-SAE-03: AE without SAE", 0.3),
        make("TC_SEC_ENR_001", "field", "enrolment", VERDICT_XFAIL, "known: KF-3", 0.4),
        make("TC_SEC_X_001", "in-cse", "misc", VERDICT_NONE, NULL, 0.0),
    };
    size_t n = sizeof r / sizeof r[0];
    r[5].error_type = xstrdup("deadline");
    r[0].output = xstrdup("requirement: R-SAE-01\nsteps: 3\n");
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, r, n), 0);
    xmlDocPtr doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    assert_counts(doc);

    CU_ASSERT_EQUAL(xnum(doc, "count(/testsuites/testsuite)"), 2);
    ASSERT_XSTR(doc, "/testsuites/@name", "m2m-harness");
    ASSERT_XSTR(doc, "/testsuites/@tests", "10");
    ASSERT_XSTR(doc, "/testsuites/@failures", "2");
    ASSERT_XSTR(doc, "/testsuites/@errors", "4");
    ASSERT_XSTR(doc, "/testsuites/@skipped", "1");
    ASSERT_XSTR(doc, "/testsuites/@time", "43.340");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/@name", "in-cse");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/@name", "field");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/@tests", "6");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/@time", "2.740");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/@tests", "4");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/@timestamp", "2024-05-01T12:00:00");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/@hostname", "ci-runner-1");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/properties/property[@name='profile']/@value", "fixtures/profiles/sim.xml");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/properties/property[@name='profile_name']/@value", "simulated device");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/properties/property[@name='harness_version']/@value", M2M_VERSION);

    const char *tc = "//testcase[@name='TC_SEC_SAE_PSK_001']";
    char q[256];
#define AT(suffix) (snprintf(q, sizeof q, "%s%s", tc, suffix), q)
    ASSERT_XSTR(doc, AT("/@classname"), "in-cse.sae");
    ASSERT_XSTR(doc, AT("/@time"), "0.840");
    ASSERT_XSTR(doc, AT("/@file"), "testcases/sae/TC_SEC_SAE_PSK_001.xml");
    CU_ASSERT_EQUAL(xnum(doc, (snprintf(q, sizeof q, "count(%s/*)", tc), q)), 1);
    ASSERT_XSTR(doc, AT("/system-out"), "requirement: R-SAE-01\nsteps: 3\n");

    tc = "//testcase[@name='TC_SEC_SAE_PSK_002']";
    ASSERT_XSTR(doc, AT("/failure/@type"), "fail");
    ASSERT_XSTR(doc, AT("/failure/@message"), "expected alert, got ServerHello");
    ASSERT_XSTR(doc, AT("/failure"), "expected alert, got ServerHello");
    tc = "//testcase[@name='TC_SEC_ORDER_001']";
    ASSERT_XSTR(doc, AT("/failure/@type"), "xpass");
    ASSERT_XSTR(doc, AT("/@classname"), "in-cse.ordering");
    tc = "//testcase[@name='TC_SEC_REG_001']";
    ASSERT_XSTR(doc, AT("/error/@type"), "error");
    ASSERT_XSTR(doc, AT("/error/@message"), "child crashed (SIGSEGV)");
    ASSERT_XSTR(doc, AT("/@classname"), "field.registration");
    tc = "//testcase[@name='TC_SEC_REG_002']";
    ASSERT_XSTR(doc, AT("/error/@type"), "inconclusive");
    ASSERT_XSTR(doc, AT("/error/@message"), "IUT unreachable");
    tc = "//testcase[@name='TC_SEC_REG_003']";
    ASSERT_XSTR(doc, AT("/error/@type"), "deadline");
    tc = "//testcase[@name='TC_SEC_ACP_001']";
    ASSERT_XSTR(doc, AT("/skipped/@message"), "PICS ACP_REMOTE not supported");
    tc = "//testcase[@name='TC_SEC_SAE_AE_001']";
    CU_ASSERT_EQUAL(xnum(doc, (snprintf(q, sizeof q, "count(%s/failure|%s/error|%s/skipped)", tc, tc, tc), q)), 0);
    ASSERT_XSTR(doc, AT("/properties/property[@name='verdict']/@value"), "warn");
    ASSERT_XSTR(doc, AT("/properties/property[@name='reason']/@value"), "R-SAE-03: AE without SAE");
    tc = "//testcase[@name='TC_SEC_ENR_001']";
    ASSERT_XSTR(doc, AT("/properties/property[@name='verdict']/@value"), "xfail");
    CU_ASSERT_EQUAL(xnum(doc, (snprintf(q, sizeof q, "count(%s/failure|%s/error)", tc, tc), q)), 0);
    tc = "//testcase[@name='TC_SEC_X_001']";
    ASSERT_XSTR(doc, AT("/error/@type"), "inconclusive");
#undef AT
    xmlFreeDoc(doc);
    for (size_t i = 0; i < n; i++) test_result_free(&r[i]);
}

/* A run over several profiles: one suite per profile named after it, its properties, every
 * test name unique (<ID>@<profile>) although the same ids ran against both, counts that add up. */
static void test_profiles(void)
{
    test_result a[] = {
        make("TC_SEC_SAE_PSK_001", "in-cse", "sae", VERDICT_PASS, NULL, 0.5),
        make("TC_SEC_SAE_PSK_002", "in-cse", "sae", VERDICT_FAIL, "no association", 1.0),
    };
    test_result b[] = {
        make("TC_SEC_SAE_PSK_001", "in-cse", "sae", VERDICT_PASS, NULL, 0.25),
        make("TC_SEC_SAE_PSK_002", "in-cse", "sae", VERDICT_SKIP, "IUT does not claim PICS item SAE_PSK", 0),
        make("TC_SEC_ACP_001", "in-cse", "acp", VERDICT_ERROR, "crash", 0.25),
    };
    const char *props_a[] = { "other_role_tests", "55", NULL, NULL };
    junit_run ra = { "m2m-harness", "2024-05-01T12:00:00", "ci-runner-1", "fixtures/profiles/a.xml", "dev-a", props_a };
    junit_run rb = { "m2m-harness", "2024-05-01T12:00:00", "ci-runner-1", "fixtures/profiles/b.xml", "dev-b", NULL };
    junit_part parts[] = { { &ra, a, 2 }, { &rb, b, 3 } };
    CU_ASSERT_EQUAL_FATAL(junit_write_profiles(path, &run, parts, 2), 0);
    xmlDocPtr doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    assert_counts(doc);
    CU_ASSERT_EQUAL(xnum(doc, "count(/testsuites/testsuite)"), 2);
    ASSERT_XSTR(doc, "/testsuites/@tests", "5");
    ASSERT_XSTR(doc, "/testsuites/@failures", "1");
    ASSERT_XSTR(doc, "/testsuites/@errors", "1");
    ASSERT_XSTR(doc, "/testsuites/@skipped", "1");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/@name", "dev-a");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/@name", "dev-b");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/properties/property[@name='other_role_tests']/@value", "55");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/properties/property[@name='profile']/@value", "fixtures/profiles/b.xml");
    ASSERT_XSTR(doc, "/testsuites/testsuite[1]/testcase[1]/@name", "TC_SEC_SAE_PSK_001@dev-a");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/testcase[1]/@name", "TC_SEC_SAE_PSK_001@dev-b");
    ASSERT_XSTR(doc, "/testsuites/testsuite[2]/testcase[1]/@classname", "in-cse.sae");
    /* no name twice in the whole file */
    CU_ASSERT_EQUAL(xnum(doc, "count(//testcase[@name = following::testcase/@name])"), 0);
    xmlFreeDoc(doc);
    for (size_t i = 0; i < 2; i++) test_result_free(&a[i]);
    for (size_t i = 0; i < 3; i++) test_result_free(&b[i]);
}

static void test_escaping(void)
{
    const char *nasty = "a&b<c>d\"e'f ]]> g\x01h\xffi\x1b[31m\tj\nk\rl caf\xc3\xa9 \xc2\x85";
    test_result r[] = { make("TC_<&>\"'", "in-cse", "sae", VERDICT_FAIL, nasty, 0.5) };
    r[0].output = xasprintf("out: %s ]]]]>>", nasty);
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, r, 1), 0);

    size_t len;
    char *raw = slurp(path, &len);
    CU_ASSERT_EQUAL(strlen(raw), len); /* no NUL inside */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        CU_ASSERT(c >= 0x20 || c == '\n' || c == '\t');
        CU_ASSERT(c != 0xff && c != 0x7f);
    }
    CU_ASSERT_PTR_NULL(strstr(raw, "]]>"));
    CU_ASSERT_PTR_NULL(strstr(raw, "\x1b"));
    free(raw);

    xmlDocPtr doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    assert_counts(doc);
    ASSERT_XSTR(doc, "//testcase/@name", "TC_<&>\"'");
    /* attributes keep \t \n \r through character references */
    ASSERT_XSTR(doc, "//failure/@message",
                "a&b<c>d\"e'f ]]> g\\x01h\\xffi\\x1b[31m\tj\nk\rl caf\xc3\xa9 \\xc2\\x85");
    ASSERT_XSTR(doc, "//failure",
                "a&b<c>d\"e'f ]]> g\\x01h\\xffi\\x1b[31m\tj\nk\rl caf\xc3\xa9 \\xc2\\x85");
    ASSERT_XSTR(doc, "//system-out",
                "out: a&b<c>d\"e'f ]]> g\\x01h\\xffi\\x1b[31m\tj\nk\rl caf\xc3\xa9 \\xc2\\x85 ]]]]>>");
    xmlFreeDoc(doc);
    test_result_free(&r[0]);
}

static void test_xml_escape_text(void)
{
    struct { const char *in; size_t len; const char *out; } cases[] = {
        { "plain", 5, "plain" },
        { "&<>\"'", 5, "&amp;&lt;&gt;&quot;&apos;" },
        { "]]>", 3, "]]&gt;" },
        { "\x01\xff", 2, "\\x01\\xff" },
        { "a\0b", 3, "a\\x00b" },               /* length, not NUL, ends the input */
        { "\t\n\r", 3, "\t\n&#13;" },
        { "caf\xc3\xa9", 5, "caf\xc3\xa9" },
        { "\xe2\x82\xac\xf0\x9f\x98\x80", 7, "\xe2\x82\xac\xf0\x9f\x98\x80" },
        { "\xc3", 1, "\\xc3" },                 /* truncated sequence */
        { "\xc0\xaf", 2, "\\xc0\\xaf" },        /* overlong '/' */
        { "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },  /* UTF-16 surrogate */
        { "\xef\xbf\xbe", 3, "\\xef\\xbf\\xbe" },  /* U+FFFE: not an XML character */
        { "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80" }, /* beyond U+10FFFF */
        { "\xc2\x9b", 2, "\\xc2\\x9b" },        /* C1 control (CSI) */
        { "\x7f", 1, "\\x7f" },
        { "", 0, "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = xml_escape_text(cases[i].in, cases[i].len);
        if (strcmp(got, cases[i].out) != 0) fprintf(stderr, "\n  case %zu: <%s>\n", i, got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].out);
        free(got);
    }
    char *got = xml_escape_text(NULL, 0);
    CU_ASSERT_STRING_EQUAL(got, "");
    free(got);
}

static void test_system_out_cap(void)
{
    /* one case of plain text, one where every byte expands to an entity, one of
     * multi-byte characters: each stays within the cap, cut at a clean boundary */
    const char *fills[] = { "x", "&", "\xc3\xa9", "\x01" };
    for (size_t k = 0; k < sizeof fills / sizeof fills[0]; k++) {
        strbuf big;
        sb_init(&big);
        for (int i = 0; i < 40000; i++) sb_add(&big, fills[k]);
        test_result r[] = { make("TC_BIG", "in-cse", "sae", VERDICT_FAIL, "big", 1) };
        r[0].output = sb_take(&big);
        r[0].timeline_file = xstrdup("timelines/TC_BIG.txt");
        CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, r, 1), 0);

        size_t len;
        char *raw = slurp(path, &len);
        char *open = strstr(raw, "<system-out>"), *close = strstr(raw, "</system-out>");
        CU_ASSERT_PTR_NOT_NULL_FATAL(open);
        CU_ASSERT_PTR_NOT_NULL_FATAL(close);
        size_t content = (size_t)(close - open) - strlen("<system-out>");
        CU_ASSERT(content <= JUNIT_SYSTEM_OUT_CAP);
        CU_ASSERT(content > JUNIT_SYSTEM_OUT_CAP - 16); /* filled, not cut far too early */
        CU_ASSERT(len < JUNIT_SYSTEM_OUT_CAP + 4096);
        free(raw);

        xmlDocPtr doc = load_valid();
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        char *out = xstr(doc, "//system-out");
        const char *mark = "\n... [truncated, full timeline in timelines/TC_BIG.txt]";
        size_t ol = strlen(out), ml = strlen(mark);
        CU_ASSERT_FATAL(ol > ml);
        CU_ASSERT_STRING_EQUAL(out + ol - ml, mark);
        /* what precedes the mark is a prefix of the escaped output */
        char *esc = xml_escape_text(r[0].output, strlen(r[0].output));
        if (k == 1) { CU_ASSERT(out[0] == '&' && out[ol - ml - 1] == '&'); } /* decoded entities */
        else { CU_ASSERT_EQUAL(strncmp(out, esc, ol - ml), 0); }
        free(esc);
        free(out);
        xmlFreeDoc(doc);
        test_result_free(&r[0]);
    }

    /* exactly at the cap: kept whole, no mark */
    test_result r[] = { make("TC_EDGE", "in-cse", "sae", VERDICT_PASS, NULL, 1) };
    r[0].output = xmalloc(JUNIT_SYSTEM_OUT_CAP + 1);
    memset(r[0].output, 'y', JUNIT_SYSTEM_OUT_CAP);
    r[0].output[JUNIT_SYSTEM_OUT_CAP] = '\0';
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, r, 1), 0);
    xmlDocPtr doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    char *out = xstr(doc, "//system-out");
    CU_ASSERT_STRING_EQUAL(out, r[0].output);
    free(out);
    xmlFreeDoc(doc);
    /* one more byte: cut, with the plain mark when there is no timeline file */
    free(r[0].output);
    r[0].output = xmalloc(JUNIT_SYSTEM_OUT_CAP + 2);
    memset(r[0].output, 'y', JUNIT_SYSTEM_OUT_CAP + 1);
    r[0].output[JUNIT_SYSTEM_OUT_CAP + 1] = '\0';
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, r, 1), 0);
    doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    out = xstr(doc, "//system-out");
    CU_ASSERT_EQUAL(strlen(out), JUNIT_SYSTEM_OUT_CAP);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n... [truncated]"));
    free(out);
    xmlFreeDoc(doc);
    test_result_free(&r[0]);
}

static void test_atomic_write(void)
{
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    test_result r[] = { make("TC_A", "in-cse", "sae", VERDICT_PASS, NULL, 1) };
    CU_ASSERT_EQUAL(junit_write(path, &run, r, 1), 0);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    struct stat st1;
    CU_ASSERT_EQUAL_FATAL(stat(path, &st1), 0);
    /* rewriting replaces the file whole (a new inode, via rename) */
    CU_ASSERT_EQUAL(junit_write(path, &run, r, 1), 0);
    struct stat st2;
    CU_ASSERT_EQUAL_FATAL(stat(path, &st2), 0);
    CU_ASSERT_NOT_EQUAL(st1.st_ino, st2.st_ino);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);

    /* an unwritable place: -1 with errno, and nothing left behind */
    char bad[200];
    snprintf(bad, sizeof bad, "%s/no-such-dir/junit.xml", tmpdir);
    errno = 0;
    CU_ASSERT_EQUAL(junit_write(bad, &run, r, 1), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    /* rename onto a directory fails: the temp file must be cleaned up */
    char dir[200], dirtmp[220];
    snprintf(dir, sizeof dir, "%s/isadir", tmpdir);
    snprintf(dirtmp, sizeof dirtmp, "%s.tmp", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    CU_ASSERT_EQUAL(junit_write(dir, &run, r, 1), -1);
    CU_ASSERT_EQUAL(errno, EISDIR);
    CU_ASSERT_EQUAL(access(dirtmp, F_OK), -1);
    rmdir(dir);
    test_result_free(&r[0]);
}

static void test_empty_and_defaults(void)
{
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, NULL, 0), 0);
    xmlDocPtr doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    ASSERT_XSTR(doc, "/testsuites/@tests", "0");
    ASSERT_XSTR(doc, "/testsuites/@failures", "0");
    ASSERT_XSTR(doc, "/testsuites/@time", "0.000");
    CU_ASSERT_EQUAL(xnum(doc, "count(/testsuites/*)"), 0);
    xmlFreeDoc(doc);

    /* no run info, no role, no area, odd times: still valid, with generated defaults */
    test_result r[] = { make("TC_D", "in-cse", "sae", VERDICT_PASS, NULL, -3) };
    free(r[0].role);
    free(r[0].area);
    r[0].role = r[0].area = NULL;
    CU_ASSERT_EQUAL_FATAL(junit_write(path, NULL, r, 1), 0);
    doc = load_valid();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    ASSERT_XSTR(doc, "/testsuites/@name", "m2m-harness");
    ASSERT_XSTR(doc, "//testsuite/@name", "unknown");
    ASSERT_XSTR(doc, "//testcase/@classname", "unknown");
    ASSERT_XSTR(doc, "//testcase/@time", "0.000");
    CU_ASSERT_EQUAL(xnum(doc, "string-length(//testsuite/@timestamp)"), 19);
    xmlFreeDoc(doc);
    test_result_free(&r[0]);
}

/* A locale with a decimal comma must not change the file. Debian images often carry
 * only C.UTF-8: compile de_DE into the temp dir when localedef can. */
static void test_locale_decimal_point(void)
{
    const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8" };
    const char *got = NULL;
    for (size_t i = 0; i < 3 && !got; i++) got = setlocale(LC_NUMERIC, names[i]);
    char locdir[128];
    snprintf(locdir, sizeof locdir, "%s/locale", tmpdir);
    if (!got && mkdir(locdir, 0755) == 0) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", locdir);
        if (system(cmd) == 0) {
            setenv("LOCPATH", locdir, 1);
            got = setlocale(LC_NUMERIC, "de_DE.UTF-8");
        }
    }
    if (!got) {
        fprintf(stderr, "\n  (no decimal-comma locale available: checked in the C locale only)\n");
    } else {
        CU_ASSERT_STRING_EQUAL(localeconv()->decimal_point, ",");
    }
    test_result r[] = { make("TC_L", "in-cse", "sae", VERDICT_PASS, NULL, 1.25) };
    CU_ASSERT_EQUAL_FATAL(junit_write(path, &run, r, 1), 0);
    setlocale(LC_NUMERIC, "C");
    char *raw = slurp(path, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(raw, "time=\"1.250\""));
    CU_ASSERT_PTR_NULL(strstr(raw, "1,25"));
    free(raw);
    xmlDocPtr doc = load_valid();
    xmlFreeDoc(doc);
    test_result_free(&r[0]);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", locdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    unsetenv("LOCPATH");
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("junit", setup, teardown);
    CU_add_test(s, "every verdict maps; counts equal children", test_all_verdicts);
    CU_add_test(s, "several profiles: a suite each, unique names", test_profiles);
    CU_add_test(s, "escaping of hostile text", test_escaping);
    CU_add_test(s, "xml_escape_text", test_xml_escape_text);
    CU_add_test(s, "system-out cap", test_system_out_cap);
    CU_add_test(s, "atomic write", test_atomic_write);
    CU_add_test(s, "empty result list and defaults", test_empty_and_defaults);
    CU_add_test(s, "decimal point regardless of locale", test_locale_decimal_point);
}
