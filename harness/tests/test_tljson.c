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
    /* read event by event: what follows the events is still judged */
    refused("{\"events\": [{\"name\": \"x\", \"t\": 0}]} x", "end of file expected");
    refused("{\"events\": [{\"name\": \"x\", \"t\": 0}", "expected");
    refused("{\"events\": [{\"name\": \"x\", \"t\": 0},]}", "value expected");
    refused("{\"events\": [{\"name\": \"x\", \"t\": 0}], \"test\": [}", "line 1");
    refused("{\"test\": \"TC_X\"}", "no \"events\"");
    refused("{\"events\": {}}", "no \"events\"");
}

/* Members in any order, the id after the events. */
static void test_member_order(void)
{
    const char *doc = "{\"events\": [ {\"attrs\": {\"k\": \"v\"}, \"t\": 0.5, \"name\": \"net.up\"} ],\n"
                      " \"extra\": {\"a\": [1, \"]}\"]}, \"test\": \"TC_Y\" }\n";
    timeline t;
    timeline_init(&t);
    char err[256] = "", *id = NULL;
    CU_ASSERT_EQUAL_FATAL(tljson_parse(doc, strlen(doc), &t, &id, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(id, "TC_Y");
    CU_ASSERT_EQUAL_FATAL(t.n, 1);
    CU_ASSERT_STRING_EQUAL(tl_event_get(&t.ev[0], "k"), "v");
    CU_ASSERT_EQUAL(t.ev[0].t_ns, 500 * NS_PER_MS);
    free(id);
    timeline_free(&t);
}

static char *write_doc(const char *doc)
{
    char *path = strdup("/tmp/m2m-tljson-XXXXXX");
    int fd = mkstemp(path);
    CU_ASSERT_EQUAL(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    return path;
}

/* The parent keeps the head of a long timeline and copies the whole of it into results.json
 * event by event: the copy is what reading the file back and writing its events gives. */
static void test_head_and_copy(void)
{
    timeline a, b, head;
    timeline_init(&a);
    timeline_init(&b);
    timeline_init(&head);
    for (int i = 0; i < 3000; i++) {
        char peer[32];
        snprintf(peer, sizeof peer, "127.0.0.1:%d", 20000 + i / 10);
        timeline_add(&a, i % 2 ? "sae.done" : "msg.rx", i % 3 ? peer : NULL, "side", "server",
                     "reason", i == 7 ? "bad \xff\x01" : NULL, (char *)NULL);
    }
    char path[] = "/tmp/m2m-tljson-XXXXXX";
    close(mkstemp(path));
    CU_ASSERT_EQUAL_FATAL(tljson_write(path, "TC_H", &a), 0);
    char err[256] = "", *id = NULL;
    CU_ASSERT_EQUAL(tljson_read_head(path, &head, 100, &id, err, sizeof err), 3000);
    CU_ASSERT_EQUAL(head.n, 100);
    CU_ASSERT_EQUAL(head.ev[99].seq, 100);
    CU_ASSERT_STRING_EQUAL(id, "TC_H");
    CU_ASSERT_EQUAL_FATAL(tljson_read(path, &b, NULL, err, sizeof err), 0);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CU_ASSERT_EQUAL(tljson_copy_events(path, f, ",\n", err, sizeof err), 3000);
    fclose(f);
    json_error_t je;
    json_t *copied = json_loadb(out, len, 0, &je), *want = tljson_events(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copied);
    CU_ASSERT_EQUAL(json_array_size(copied), 3000);
    CU_ASSERT_TRUE(json_equal(copied, want));
    json_decref(copied);
    json_decref(want);
    free(out);
    unlink(path);
    free(id);
    timeline_free(&a);
    timeline_free(&b);
    timeline_free(&head);
}

/* A file damaged after some events: the copy says so and still closes its array. */
static void test_copy_damaged(void)
{
    char *path = write_doc("{\"test\": \"TC_D\", \"events\": [\n"
                           "  {\"seq\": 1, \"t\": 0.1, \"name\": \"net.up\", \"peer\": null, \"attrs\": {}},\n"
                           "  {\"seq\": 2, \"t\": 0.2, \"name\": \"net.down\", \"peer\": null, \"attrs\": {}},\n"
                           "  {\"seq\": 3, \"t\": 0.3, \"name\": \"net.up\", \"pe");
    char *out = NULL, err[256] = "";
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CU_ASSERT_EQUAL(tljson_copy_events(path, f, ",", err, sizeof err), -1);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "end of file"));
    json_error_t je;
    json_t *copied = json_loadb(out, len, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copied);
    CU_ASSERT_EQUAL(json_array_size(copied), 2);
    json_decref(copied);
    timeline t;
    timeline_init(&t);
    CU_ASSERT_EQUAL(tljson_read_head(path, &t, 10, NULL, err, sizeof err), -1);
    timeline_free(&t);
    free(out);
    unlink(path);
    free(path);
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
    CU_add_test(s, "members in any order", test_member_order);
    CU_add_test(s, "the head kept, every event copied", test_head_and_copy);
    CU_add_test(s, "a copy of a damaged file stays JSON", test_copy_damaged);
    CU_add_test(s, "a fleet's 120,000 events round trip", test_fleet_size);
}
