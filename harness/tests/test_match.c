/* Matching <expect> alternatives against recorded events, with variables and captures. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "exec/match.h"
#include "util/xmem.h"
#include "m2m_test.h"

static tl_event *rx_create(timeline *tl, const char *secure)
{
    const char *attrs[] = { "secure", secure, "op", "create", "ty", "16", "fr", "/asn-cse-1",
                            "rqi", "req-7", "pc", "{\"m2m:csr\":{\"csi\":\"/asn-cse-1\",\"srv\":[\"3\",\"4\"]}}", NULL };
    return timeline_add_at(tl, 1000, "msg.rx", "127.0.0.1:9", attrs);
}

static void alt_msg(tc_alt *a)
{
    memset(a, 0, sizeof *a);
    a->kind = ALT_MSG;
    a->on_match = VERDICT_PASS;
}

static void test_fields_and_variables(void)
{
    timeline tl;
    timeline_init(&tl);
    rx_create(&tl, "true");
    vars v;
    vars_init(&v);
    vars_set(&v, "IUT_CSE_ID", "/asn-cse-1");
    tc_alt a;
    alt_msg(&a);
    kvlist_add(&a.match, "op", "create");
    kvlist_add(&a.match, "fr", "${IUT_CSE_ID}");
    kvlist_add(&a.match, "secure", "true");
    char err[128];
    CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[0], &v, err, sizeof err), 1);
    vars_set(&v, "IUT_CSE_ID", "/someone-else");
    CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[0], &v, err, sizeof err), 0);
    kvlist_free(&a.match);
    /* an unknown variable is an error, not a silent mismatch */
    alt_msg(&a);
    kvlist_add(&a.match, "fr", "${NOPE}");
    CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[0], &v, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "NOPE"));
    kvlist_free(&a.match);
    vars_free(&v);
    timeline_free(&tl);
}

static void test_direction_and_content_paths(void)
{
    timeline tl;
    timeline_init(&tl);
    rx_create(&tl, "false");
    vars v;
    vars_init(&v);
    tc_alt a;
    alt_msg(&a);
    kvlist_add(&a.match, "dir", "tx");
    char err[128];
    CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[0], &v, err, sizeof err), 0);   /* it was received */
    kvlist_free(&a.match);
    alt_msg(&a);
    kvlist_add(&a.match, "pc:m2m:csr/csi", "/asn-cse-1");
    kvlist_add(&a.match, "pc:m2m:csr/srv/1", "4");
    CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[0], &v, err, sizeof err), 1);
    kvlist_free(&a.match);
    alt_msg(&a);
    kvlist_add(&a.match, "pc:m2m:csr/missing", "x");
    CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[0], &v, err, sizeof err), 0);
    kvlist_free(&a.match);
    vars_free(&v);
    timeline_free(&tl);
}

static void test_event_alternative_and_capture(void)
{
    timeline tl;
    timeline_init(&tl);
    const char *attrs[] = { "alert", "decrypt_error", NULL };
    timeline_add_at(&tl, 5, "sae.fail", NULL, attrs);
    rx_create(&tl, "true");
    vars v;
    vars_init(&v);
    tc_alt e;
    memset(&e, 0, sizeof e);
    e.kind = ALT_EVENT;
    e.event = xstrdup("sae.fail[alert=decrypt_error]");
    char err[128];
    CU_ASSERT_EQUAL(match_alt(&e, &tl.ev[0], &v, err, sizeof err), 1);
    CU_ASSERT_EQUAL(match_alt(&e, &tl.ev[1], &v, err, sizeof err), 0);
    tc_alt a;
    alt_msg(&a);
    kvlist_add(&a.capture, "REG_RQI", "rqi");
    CU_ASSERT_EQUAL(capture_apply(&a, &tl.ev[1], &v, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "REG_RQI"), "req-7");
    kvlist_free(&a.capture);
    alt_msg(&a);
    kvlist_add(&a.capture, "X", "rsc");   /* a request has no rsc */
    CU_ASSERT_EQUAL(capture_apply(&a, &tl.ev[1], &v, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "rsc"));
    kvlist_free(&a.capture);
    /* reshaped captures: the last segment of the From, its case swapped, or both */
    alt_msg(&a);
    kvlist_add(&a.capture, "LAST", "fr");
    kvlist_add(&a.shape, "LAST", "last");
    kvlist_add(&a.capture, "SWAPPED", "fr");
    kvlist_add(&a.shape, "SWAPPED", "swapped");
    kvlist_add(&a.capture, "BOTH", "pc:m2m:csr/csi");
    kvlist_add(&a.shape, "BOTH", "last swapped");
    kvlist_add(&a.capture, "PLAIN", "fr");
    CU_ASSERT_EQUAL(capture_apply(&a, &tl.ev[1], &v, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "LAST"), "asn-cse-1");
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "SWAPPED"), "/ASN-CSE-1");
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "BOTH"), "ASN-CSE-1");
    CU_ASSERT_STRING_EQUAL(vars_get(&v, "PLAIN"), "/asn-cse-1");
    kvlist_free(&a.capture);
    kvlist_free(&a.shape);
    char d[128];
    alt_msg(&a);
    kvlist_add(&a.match, "op", "create");
    kvlist_add(&a.match, "secure", "true");
    alt_describe(&a, d, sizeof d);
    CU_ASSERT_STRING_EQUAL(d, "msg.rx[op=create,secure=true]");
    kvlist_free(&a.match);
    free(e.event);
    vars_free(&v);
    timeline_free(&tl);
}

/* response="any" takes an answer however it was carried; piggybacked or separate only that. */
static void test_response_any_or_how_carried(void)
{
    timeline tl;
    timeline_init(&tl);
    const char *piggy[] = { "type", "ACK", "rqi", "r1", "rsc", "2001", "response", "piggybacked", NULL };
    const char *sep[] = { "type", "CON", "rqi", "r1", "rsc", "2001", "response", "separate", NULL };
    const char *empty[] = { "type", "ACK", "code", "0.00", NULL };
    timeline_add_at(&tl, 1, "msg.rx", "p", piggy);
    timeline_add_at(&tl, 2, "msg.rx", "p", sep);
    timeline_add_at(&tl, 3, "msg.rx", "p", empty);
    vars v;
    vars_init(&v);
    char err[128];
    const char *want[] = { "any", "piggybacked", "separate" };
    const int hits[3][3] = { { 1, 1, 0 }, { 1, 0, 0 }, { 0, 1, 0 } };
    for (int w = 0; w < 3; w++) {
        tc_alt a;
        alt_msg(&a);
        kvlist_add(&a.match, "response", want[w]);
        for (int e = 0; e < 3; e++) CU_ASSERT_EQUAL(match_alt(&a, &tl.ev[e], &v, err, sizeof err), hits[w][e]);
        kvlist_free(&a.match);
    }
    vars_free(&v);
    timeline_free(&tl);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("match", NULL, NULL);
    CU_add_test(s, "fields and variables", test_fields_and_variables);
    CU_add_test(s, "direction and content paths", test_direction_and_content_paths);
    CU_add_test(s, "event alternatives, captures, description", test_event_alternative_and_capture);
    CU_add_test(s, "response any, piggybacked, separate", test_response_any_or_how_carried);
}
