/* The sequence chart and the HTML page: well-formed XML (parsed with libxml2), the
 * expected messages for a known timeline, order violations marked, and hostile strings
 * from the IUT escaped (a <script> in fr must come out as text). */
#include <CUnit/CUnit.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/html.h"
#include "report/msc.h"
#include "m2m_test.h"

static void known_timeline(timeline *tl)
{
    timeline_init(tl);
    const char *hello[] = { "sa", "1", "side", "server", "stage", "client_hello", NULL };
    const char *done[] = { "sa", "1", "suite", "TLS_PSK_WITH_AES_128_CCM_8", NULL };
    const char *req[] = { "secure", "false", "type", "CON", "code", "0.02", "op", "create", "ty", "16",
                          "fr", "<script>alert(1)</script>", "rqi", "r&1", NULL };
    const char *rsp[] = { "secure", "true", "sa", "1", "type", "ACK", "code", "2.01", "rsc", "2001", NULL };
    const char *bad[] = { "reason", "option delta 15", NULL };
    timeline_add_at(tl, 1000, "net.up", "127.0.0.1:4000", NULL);
    timeline_add_at(tl, 2000, "msg.rx", "127.0.0.1:4000", req);            /* #2: the violation */
    timeline_add_at(tl, 3000, "sae.start", "127.0.0.1:4000", hello);
    timeline_add_at(tl, 4000, "sae.done", "127.0.0.1:4000", done);
    timeline_add_at(tl, 5000, "msg.tx", "127.0.0.1:4000", rsp);
    timeline_add_at(tl, 6000, "msg.rx.malformed", "127.0.0.1:4000", bad);
}

static xmlDocPtr parse(const char *s)
{
    return xmlReadMemory(s, (int)strlen(s), "mem.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static void test_svg(void)
{
    timeline tl;
    known_timeline(&tl);
    strbuf b;
    sb_init(&b);
    msc_svg(&b, &tl, 0, " 2 ", "harness (in-cse)", "IUT <asn>", 7);
    xmlDocPtr doc = parse(b.s);
    CU_ASSERT_PTR_NOT_NULL(doc);
    xmlFreeDoc(doc);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "CON 0.02 op=create"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "ty=16"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "ACK 2.01 rsc=2001"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "[DTLS sa=1]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "[plain]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "DTLS ClientHello"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "malformed: option delta 15"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "class=\"row bad\" data-seq=\"2\""));
    CU_ASSERT_PTR_NULL(strstr(b.s, "class=\"row bad\" data-seq=\"5\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "marker id=\"arrow7\""));
    /* Hostile strings: no raw tag, the escaped text instead. */
    CU_ASSERT_PTR_NULL(strstr(b.s, "<script>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "rqi=r&amp;1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "IUT &lt;asn&gt;"));
    sb_free(&b);
    timeline_free(&tl);
}

static void test_cut_and_violations(void)
{
    strbuf b;
    sb_init(&b);
    sb_add_xml_cut(&b, "\xc3\xa9\xc3\xa9\xc3\xa9<", 2);   /* never inside a character */
    CU_ASSERT_STRING_EQUAL(b.s, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    sb_free(&b);
    char *v = msc_violations("steps:\n  line 20: order never x: VIOLATED: msg.rx #5 at 0.005 s and sae.done #12 at 1 s\n"
                             "  line 3: matched msg.rx #7 at 0.1 s\n");
    CU_ASSERT_STRING_EQUAL(v, " 5 12 ");
    free(v);
}

static void test_html(void)
{
    timeline tl;
    known_timeline(&tl);
    /* the fixtures' fields are owned strings: m2m_test_str gives writable copies */
    char *covers[] = { m2m_test_str("R-FLOW-03") }, *refs[] = { m2m_test_str("TS-0003 §6.1") };
    testcase tc = { 0 };
    tc.id = m2m_test_str("TC_X");
    tc.requirement = m2m_test_str("nothing before SAE");
    tc.covers = covers; tc.ncovers = 1;
    tc.references = refs; tc.nreferences = 1;
    test_result r[2] = { { 0 }, { 0 } };
    r[0].id = m2m_test_str("TC_X"); r[0].role = m2m_test_str("in-cse");
    r[0].area = m2m_test_str("ordering"); r[0].title = m2m_test_str("<b>t</b>");
    r[0].v = VERDICT_FAIL; r[0].reason = m2m_test_str("expected x, got <script>");
    r[0].output = m2m_test_str("TC_X: t\nsteps:\n  line 20: order: VIOLATED: msg.rx #2 at 0 s\ntimeline:\n");
    r[1].id = m2m_test_str("TC_Y"); r[1].role = m2m_test_str("in-cse"); r[1].area = m2m_test_str("sae");
    r[1].v = VERDICT_SKIP;
    r[1].reason = m2m_test_str("IUT does not claim PICS item IUT_AE");
    report_test ts[2] = { { &tc, &r[0], tl, 1, NULL, m2m_test_str("bundles/TC_X"), m2m_test_str(" 2 "), 0 },
                          { &tc, &r[1], { 0 }, 0, NULL, NULL, NULL, 0 } };
    run_info ri = { 0 };
    ri.run_id = m2m_test_str("run-1"); ri.harness_version = m2m_test_str("0.1.0");
    ri.harness_git = m2m_test_str("abc"); ri.build_type = m2m_test_str("debug");
    ri.build_sanitize = m2m_test_str("none"); ri.profile_path = m2m_test_str("/p.xml");
    ri.host = m2m_test_str("h"); ri.command = m2m_test_str("m2m-harness 'run'");
    profile p = { 0 };
    p.name = m2m_test_str("sim"); p.role = m2m_test_str("in-cse"); p.iut_kind = m2m_test_str("asn-cse");
    char *html = html_report(&ri, &p, ts, 2);
    xmlDocPtr doc = parse(html);
    CU_ASSERT_PTR_NOT_NULL(doc);
    xmlFreeDoc(doc);
    CU_ASSERT_PTR_NULL(strstr(html, "<script>alert"));
    CU_ASSERT_PTR_NULL(strstr(html, "got <script>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "got &lt;script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "&lt;b&gt;t&lt;/b&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "R-FLOW-03"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "not met"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "IUT does not claim PICS item IUT_AE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "href=\"bundles/TC_X\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<option value=\"ordering\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "class=\"row bad\""));
    CU_ASSERT_EQUAL(strstr(strstr(html, "<svg") + 1, "<svg") == NULL, 1);   /* no chart for the skip */
    free(html);
    timeline_free(&tl);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("msc", NULL, NULL);
    CU_add_test(s, "sequence chart", test_svg);
    CU_add_test(s, "cutting and violation marks", test_cut_and_violations);
    CU_add_test(s, "HTML page", test_html);
}
