/* oneM2M XML serialization (10014, TS-0004 §8.4): the representations the JSON binding
 * carries survive JSON -> XML -> JSON unchanged, the XML has the m2m-prefixed root and
 * unprefixed short names, a hand-written XML document decodes to the expected JSON, and
 * bad input is refused with the reason. */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "onem2m/primitive_xml.h"
#include "onem2m/primitive.h"
#include "util/xmem.h"
#include "m2m_test.h"

static void roundtrip(const char *json)
{
    char err[200] = "";
    json_t *in = json_loads(json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    char *xml = m2m_xml_encode(in, err, sizeof err);
    if (!xml) fprintf(stderr, "encode %s: %s\n", json, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "xmlns:m2m=\"" M2M_XML_NS "\""));
    json_t *out = m2m_xml_decode(xml, strlen(xml), err, sizeof err);
    if (!out || !json_equal(in, out)) {
        char *got = out ? json_dumps(out, JSON_COMPACT) : NULL;
        fprintf(stderr, "round trip: expected %s, actual %s (xml %s, err %s)\n", json,
                got ? got : "NULL", xml, err);
        free(got);
    }
    CU_ASSERT_TRUE(out && json_equal(in, out));
    json_decref(out);
    json_decref(in);
    free(xml);
}

static void test_roundtrips(void)
{
    /* the shapes registrar.c, hosted.c and sim_device.c exchange */
    roundtrip("{\"m2m:cb\":{\"rn\":\"in-name\",\"ri\":\"cb0\",\"ty\":5,\"csi\":\"/in-cse\",\"cst\":1}}");
    roundtrip("{\"m2m:csr\":{\"rn\":\"asn-cse-1\",\"csi\":\"/asn-cse-1\",\"cb\":\"/asn-cse-1/asn\","
              "\"rr\":true,\"srv\":[\"3\"],\"poa\":[\"coap://127.0.0.1:5683\",\"coaps://[::1]:5684\"]}}");
    roundtrip("{\"m2m:ae\":{\"rn\":\"sim-ae\",\"api\":\"Nsim-device\",\"rr\":false,\"srv\":[\"3\",\"4\"],"
              "\"aei\":\"C000001\",\"lbl\":[]}}");
    roundtrip("{\"m2m:dbg\":\"From is not the bound identity & <other> \\\"reasons\\\"\"}");
    roundtrip("{\"m2m:acp\":{\"rn\":\"acp1\",\"pv\":{\"acr\":[{\"acor\":[\"all\"],\"acop\":63}]},"
              "\"pvs\":{\"acr\":[{\"acor\":[\"CAdmin\",\"/asn-cse-1\"],\"acop\":2},"
              "{\"acor\":[\"C1\"],\"acop\":1,\"acco\":[{\"actw\":[\"* * * * * * *\"]}]}]}}}");
    roundtrip("{\"m2m:cin\":{\"con\":\"21.5\",\"cnf\":\"text/plain:0\",\"cs\":4,\"st\":0}}");
}

static void test_shape(void)
{
    char err[200] = "";
    const char *json = "{\"m2m:cb\":{\"ty\":5,\"csi\":\"/in-cse\"}}";
    char *xml = m2m_xml_from_json_text(json, strlen(json), err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<m2m:cb xmlns:m2m=\"http://www.onem2m.org/xml/protocols\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<ty>5</ty>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<csi>/in-cse</csi>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "</m2m:cb>"));
    free(xml);
}

/* A document written as TS-0004 Annex examples do: other prefix, white space, list. */
static void test_decode_handwritten(void)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n<x:csr xmlns:x=\"http://www.onem2m.org/xml/protocols\">\n"
        "  <csi>/asn-cse-1</csi>\n  <rr>true</rr>\n  <poa>coap://a coap://b</poa>\n"
        "  <ty> 16 </ty>\n  <rn><![CDATA[a&b]]></rn>\n</x:csr>";
    char err[200] = "";
    char *json = m2m_json_from_xml_text(xml, strlen(xml), err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    json_t *got = json_loads(json, 0, NULL);
    json_t *want = json_loads("{\"m2m:csr\":{\"csi\":\"/asn-cse-1\",\"rr\":true,"
                              "\"poa\":[\"coap://a\",\"coap://b\"],\"ty\":16,\"rn\":\"a&b\"}}", 0, NULL);
    if (!json_equal(got, want)) fprintf(stderr, "expected the csr, actual %s\n", json);
    CU_ASSERT_TRUE(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    free(json);
}

static void bad(const char *xml, const char *reason)
{
    char err[200] = "";
    json_t *v = m2m_xml_decode(xml, strlen(xml), err, sizeof err);
    CU_ASSERT_PTR_NULL(v);
    json_decref(v);
    if (!strstr(err, reason))
        fprintf(stderr, "%s: expected a reason with \"%s\", actual \"%s\"\n", xml, reason, err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
}

static void test_bad_input(void)
{
    bad("<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\"><ty>5</ty>", "not well-formed");
    bad("<cb><ty>5</ty></cb>", "not in the oneM2M namespace");
    bad("<m2m:cb xmlns:m2m=\"http://example.org/other\"/>", "not in the oneM2M namespace");
    bad("<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\"><ty>five</ty></m2m:cb>", "<ty> expects an integer");
    bad("<m2m:ae xmlns:m2m=\"" M2M_XML_NS "\"><rr>yes</rr></m2m:ae>", "<rr> expects true or false");
    bad("<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\">text<ty>5</ty></m2m:cb>", "mixes text and elements");
    bad("<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\"><csi>a</csi><csi>b</csi></m2m:cb>",
        "<csi> appears more than once");
    bad("<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\" xmlns:o=\"urn:o\"><o:x>1</o:x></m2m:cb>",
        "not the oneM2M one");
    /* XXE: an external entity must not be loaded, the DOCTYPE alone is refused */
    bad("<!DOCTYPE m2m:cb [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        "<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\"><rn>&e;</rn></m2m:cb>", "DOCTYPE");
    char deep[2048] = "<m2m:cb xmlns:m2m=\"" M2M_XML_NS "\">";
    for (int i = 0; i < 40; i++) strcat(deep, "<a>");
    for (int i = 0; i < 40; i++) strcat(deep, "</a>");
    strcat(deep, "</m2m:cb>");
    bad(deep, "nesting deeper");
    char err[200] = "";
    CU_ASSERT_PTR_NULL(m2m_xml_decode("", 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no XML content"));
}

static void bad_json(const char *json, const char *reason)
{
    char err[200] = "";
    char *x = m2m_xml_from_json_text(json, strlen(json), err, sizeof err);
    CU_ASSERT_PTR_NULL(x);
    free(x);
    if (!strstr(err, reason))
        fprintf(stderr, "%s: expected a reason with \"%s\", actual \"%s\"\n", json, reason, err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
}

static void test_bad_encode(void)
{
    bad_json("{\"cb\":{}}", "is not an m2m: name");
    bad_json("{\"m2m:cb\":{},\"m2m:ae\":{}}", "exactly one member");
    bad_json("{\"m2m:cb\":{\"a b\":1}}", "is not an XML element name");
    bad_json("{\"m2m:cb\":{\"csi\":[\"x\"]}}", "no list attribute");
    bad_json("{\"m2m:cb\":{\"poa\":[\"has space\"]}}", "item 0 of list \"poa\"");
    bad_json("{\"m2m:cb\":{\"rn\":null}}", "null value");
    bad_json("[1]", "exactly one member");
}

/* JSON content (10001) going out as cf: its Content-Format after, and its text. */
static char *serialized(const char *json, int cf_in, int cf, int *cf_out)
{
    m2m_prim p;
    m2m_prim_init(&p);
    p.pc = xstrdup(json);
    p.pclen = strlen(json);
    p.cf = cf_in;
    m2m_prim_serialize(&p, cf);
    *cf_out = p.cf;
    char *pc = p.pc;
    p.pc = NULL;
    m2m_prim_free(&p);
    return pc;
}

static void test_serialize_formats(void)
{
    const char *cb = "{\"m2m:cb\":{\"rn\":\"in-name\"}}";
    int cf = 0;
    char *t = serialized(cb, 10001, 50, &cf);   /* application/json: the same text */
    CU_ASSERT_EQUAL(cf, 50);
    CU_ASSERT_STRING_EQUAL(t, cb);
    free(t);
    t = serialized(cb, -1, 10001, &cf);   /* unchanged: none stays none */
    CU_ASSERT_EQUAL(cf, -1);
    free(t);
    t = serialized(cb, 10001, 41, &cf);   /* application/xml: the XML document */
    CU_ASSERT_EQUAL(cf, 41);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<m2m:cb xmlns:m2m="));
    free(t);
    t = serialized(cb, 10001, 10014, &cf);
    CU_ASSERT_EQUAL(cf, 10014);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<rn>in-name</rn>"));
    free(t);
    t = serialized("{not json", 10001, 41, &cf);   /* no representation: stays JSON */
    CU_ASSERT_EQUAL(cf, 10001);
    free(t);
    t = serialized(cb, 10014, 50, &cf);   /* content in another format already: left alone */
    CU_ASSERT_EQUAL(cf, 10014);
    free(t);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("primitive_xml", NULL, NULL);
    CU_add_test(s, "JSON -> XML -> JSON round trips", test_roundtrips);
    CU_add_test(s, "m2m-prefixed root, short names", test_shape);
    CU_add_test(s, "hand-written document", test_decode_handwritten);
    CU_add_test(s, "bad XML refused with the reason", test_bad_input);
    CU_add_test(s, "unencodable JSON refused with the reason", test_bad_encode);
    CU_add_test(s, "JSON content out as 10001, 50, 10014 or 41", test_serialize_formats);
}
