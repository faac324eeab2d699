/* Timeline JSON: what the test's process writes the parent reads back unchanged, bytes
 * that are not UTF-8 are kept visible, and damaged documents are refused with a reason. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/tljson.h"
#include "m2m_test.h"
#include "util/timeutil.h"

static void test_round_trip(void)
{
    timeline a, b;
    timeline_init(&a);
    timeline_init(&b);
    const char *kv1[] = { "secure", "true", "fr", "/asn-cse-1", NULL };
    const char *kv2[] = { "reason", "bad \xff byte\x01", NULL };
    timeline_add_at(&a, 1500 * NS_PER_US, "msg.rx", "127.0.0.1:4000", kv1);
    timeline_add_at(&a, 2500 * NS_PER_US, "sae.fail", NULL, kv2);
    char path[] = "/tmp/m2m-tljson-XXXXXX";
    close(mkstemp(path));
    CU_ASSERT_EQUAL_FATAL(tljson_write(path, "TC_X", &a), 0);
    char err[256], *id = NULL;
    CU_ASSERT_EQUAL_FATAL(tljson_read(path, &b, &id, err, sizeof err), 0);
    unlink(path);
    CU_ASSERT_STRING_EQUAL(id, "TC_X");
    CU_ASSERT_EQUAL_FATAL(b.n, 2);
    CU_ASSERT_STRING_EQUAL(b.ev[0].name, "msg.rx");
    CU_ASSERT_STRING_EQUAL(b.ev[0].peer, "127.0.0.1:4000");
    CU_ASSERT_EQUAL(b.ev[0].t_ns, 1500 * NS_PER_US);
    CU_ASSERT_STRING_EQUAL(tl_event_get(&b.ev[0], "fr"), "/asn-cse-1");
    CU_ASSERT_PTR_NULL(b.ev[1].peer);
    /* Not UTF-8, and a control byte: kept visible as \xHH, never dropped. */
    CU_ASSERT_STRING_EQUAL(tl_event_get(&b.ev[1], "reason"), "bad \\xff byte\\x01");
    free(id);
    timeline_free(&a);
    timeline_free(&b);
}

static void refused(const char *doc, const char *why)
{
    timeline t;
    timeline_init(&t);
    char err[256] = "";
    CU_ASSERT_EQUAL(tljson_parse(doc, strlen(doc), &t, NULL, err, sizeof err), -1);
    if (!strstr(err, why)) fprintf(stderr, "\n  %s -> '%s', expected '%s'\n", doc, err, why);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
    timeline_free(&t);
}

static void test_refused(void)
{
    refused("", "line");
    refused("[]", "no \"events\"");
    refused("{\"events\": [1]}", "not an object");
    refused("{\"events\": [{\"t\": 0}]}", "no name");
    refused("{\"events\": [{\"name\": \"x\"}]}", "no time");
    refused("{\"events\": [{\"name\": \"x\", \"t\": 0, \"peer\": 3}]}", "peer");
    refused("{\"events\": [{\"name\": \"x\", \"t\": 0, \"attrs\": {\"a\": 1}}]}", "not a string");
    refused("{\"events\": [{\"name\": \"x\", \"t\": 1e300}]}", "out of range");
    refused("{\"events\": [], \"events\": []}", "duplicate");
}


/* A test with a fleet of 10,000 associations has ~100,000 events: written event by event and
 * read back whole (the parent refused more than 100,000 before). */
static void test_fleet_size(void)
{
    timeline a, b;
    timeline_init(&a);
    timeline_init(&b);
    enum { N = 120000 };
    for (int i = 0; i < N; i++) {
        char peer[32];
        snprintf(peer, sizeof peer, "127.0.0.1:%d", 20000 + i / 10);
        timeline_add(&a, "sae.done", peer, "side", "server", (char *)NULL);
    }
    char path[] = "/tmp/m2m-tljson-XXXXXX";
    close(mkstemp(path));
    CU_ASSERT_EQUAL_FATAL(tljson_write(path, "TC_FLEET", &a), 0);
    char err[256];
    int rc = tljson_read(path, &b, NULL, err, sizeof err);
    unlink(path);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(b.n, N);
    CU_ASSERT_STRING_EQUAL(b.ev[N - 1].peer, "127.0.0.1:31999");
    CU_ASSERT_EQUAL(b.ev[N - 1].seq, N);
    timeline_free(&a);
    timeline_free(&b);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("tljson", NULL, NULL);
    CU_add_test(s, "round trip", test_round_trip);
    CU_add_test(s, "damaged documents refused", test_refused);
    CU_add_test(s, "a fleet's 120,000 events round trip", test_fleet_size);
}
