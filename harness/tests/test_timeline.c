/* Timeline recording, text output and event selectors (the selector text comes from
 * test case files, so its parser must refuse bad input with a useful reason). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flow/timeline.h"
#include "m2m_test.h"
#include "util/timeutil.h"

static char *write_text(const timeline *tl)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    timeline_write_text(tl, f);
    fclose(f);
    return buf;
}

static void test_add_and_attributes(void)
{
    timeline tl;
    timeline_init(&tl);
    tl_event *e = timeline_add(&tl, "sae.done", "127.0.0.1:4000", "suite", "AES-128-CCM-8",
                               "skipped", NULL, "identity", "dev1", NULL);
    CU_ASSERT_EQUAL(e->seq, 1);
    CU_ASSERT_EQUAL(e->nattrs, 2); /* the NULL value was skipped */
    CU_ASSERT_STRING_EQUAL(tl_event_get(e, "suite"), "AES-128-CCM-8");
    CU_ASSERT_STRING_EQUAL(tl_event_get(e, "identity"), "dev1");
    CU_ASSERT_PTR_NULL(tl_event_get(e, "skipped"));
    CU_ASSERT_STRING_EQUAL(e->peer, "127.0.0.1:4000");
    CU_ASSERT(e->t_ns >= 0);

    tl_event_set(e, "suite", "AES-128-GCM");    /* replaces */
    tl_event_set(e, "rsc", "2001");             /* appends */
    CU_ASSERT_EQUAL(e->nattrs, 3);
    CU_ASSERT_STRING_EQUAL(tl_event_get(e, "suite"), "AES-128-GCM");

    tl_event *f = timeline_add(&tl, "msg.rx", NULL, NULL);
    CU_ASSERT_EQUAL(f->seq, 2);
    CU_ASSERT_PTR_NULL(f->peer);
    CU_ASSERT(tl.ev[1].t_ns >= tl.ev[0].t_ns);

    const char *kv[] = { "op", "create", "ty", "16", NULL };
    tl_event *g = timeline_add_at(&tl, 5 * NS_PER_MS, "msg.rx", "p", kv);
    CU_ASSERT_EQUAL(g->seq, 3);
    CU_ASSERT_EQUAL(g->t_ns, 5 * NS_PER_MS);
    CU_ASSERT_STRING_EQUAL(tl_event_get(g, "ty"), "16");
    CU_ASSERT_EQUAL(tl.n, 3);

    /* many events: storage grows and every seq stays in recording order */
    for (int i = 0; i < 1000; i++) timeline_add_at(&tl, i, "net.loss", NULL, NULL);
    CU_ASSERT_EQUAL(tl.n, 1003);
    CU_ASSERT_EQUAL(tl.ev[1002].seq, 1003);
    timeline_free(&tl);
    CU_ASSERT_EQUAL(tl.n, 0);
    CU_ASSERT_PTR_NULL(tl.ev);
}


/* A fleet's timeline: strings are stored once per timeline (the same peer, key or value on
 * every event of an association is one copy), so an event costs a few hundred bytes; values
 * replaced and attributes added after timeline_add still read back. */
static void test_interned_and_compact(void)
{
    timeline tl;
    timeline_init(&tl);
    enum { N = 20000 };
    for (int i = 0; i < N; i++) {
        char peer[32], sa[16];
        snprintf(peer, sizeof peer, "127.0.0.1:%d", 20000 + i / 10);   /* ten events per association */
        snprintf(sa, sizeof sa, "%d", i / 10 + 1);
        timeline_add(&tl, i % 2 ? "sae.done" : "msg.rx", peer, "sa", sa, "side", "server", "version", "DTLS1.2",
                     "suite", "GNUTLS_PSK_AES_128_CCM_8", "identity", "load-device@in.m2m-harness.test", (char *)NULL);
    }
    CU_ASSERT_EQUAL_FATAL(tl.n, N);
    const tl_event *a = &tl.ev[0], *b = &tl.ev[9], *c = &tl.ev[N - 1];
    CU_ASSERT_PTR_EQUAL(a->peer, b->peer);               /* one association: one copy of its peer */
    CU_ASSERT_PTR_NOT_EQUAL(a->peer, c->peer);
    CU_ASSERT_PTR_EQUAL(tl_event_get(a, "suite"), tl_event_get(c, "suite"));
    CU_ASSERT_PTR_EQUAL(a->attrs[0].key, c->attrs[0].key);
    CU_ASSERT_STRING_EQUAL(c->peer, "127.0.0.1:21999");
    CU_ASSERT_STRING_EQUAL(tl_event_get(c, "sa"), "2000");
    size_t per_event = timeline_bytes(&tl) / N;
    printf(" (%zu bytes per event) ", per_event);
    CU_ASSERT_TRUE(per_event < 200);   /* strdup'ed strings and their malloc headers took ~700 */
    /* sets after timeline_add: a replaced value and attributes past the first allocation */
    tl_event *e = timeline_add(&tl, "sae.closed", "127.0.0.1:1", "reason", "x", (char *)NULL);
    tl_event_set(e, "reason", "close_notify received");
    for (int k = 0; k < 9; k++) {
        char key[8], val[8];
        snprintf(key, sizeof key, "k%d", k);
        snprintf(val, sizeof val, "v%d", k);
        tl_event_set(e, key, val);
    }
    CU_ASSERT_EQUAL(e->nattrs, 10);
    CU_ASSERT_STRING_EQUAL(tl_event_get(e, "reason"), "close_notify received");
    CU_ASSERT_STRING_EQUAL(tl_event_get(e, "k8"), "v8");
    timeline_free(&tl);
    CU_ASSERT_EQUAL(timeline_bytes(&tl), 0);
}

static void test_describe(void)
{
    timeline tl;
    timeline_init(&tl);
    timeline_add_at(&tl, 0, "net.up", NULL, NULL);
    timeline_add_at(&tl, 1, "net.up", NULL, NULL);
    tl_event *e = timeline_add_at(&tl, 12345678, "sae.done", NULL, NULL);
    char buf[64];
    tl_event_describe(e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sae.done #3 at 0.012 s");
    e = timeline_add_at(&tl, 61500 * NS_PER_MS, "sae.closed", NULL, NULL);
    tl_event_describe(e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sae.closed #4 at 61.500 s");
    timeline_free(&tl);
}

static void test_write_text(void)
{
    timeline tl;
    timeline_init(&tl);
    const char *kv1[] = { "suite", "AES-128-CCM-8", NULL };
    timeline_add_at(&tl, 12345000, "sae.done", "127.0.0.1:4000", kv1);
    const char *kv2[] = { "payload", "line1\nline2\r\t\x01\x1b[2J", "bad", "\xff\xfe", "utf8", "caf\xc3\xa9",
                          "spaced", "a b", "quote", "say \"hi\" \\", "empty", "", "c1", "\xc2\x9b", NULL };
    timeline_add_at(&tl, 2 * NS_PER_SEC, "msg.rx", NULL, kv2);
    char *text = write_text(&tl);

    /* exactly one line per event, whatever the values hold */
    size_t lines = 0;
    for (char *p = text; *p; p++) lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "  0.012345 #1 sae.done peer=127.0.0.1:4000 suite=AES-128-CCM-8\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "  2.000000 #2 msg.rx "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "payload=line1\\nline2\\r\\t\\x01\\x1b[2J"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "bad=\\xff\\xfe"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "utf8=caf\xc3\xa9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "spaced=\"a b\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "quote=\"say \\\"hi\\\" \\\\\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "empty=\"\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "c1=\\xc2\\x9b"));
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p != '\n') CU_ASSERT(*p >= 0x20 && *p != 0x7f);
    free(text);
    timeline_free(&tl);
}

static void test_sel_parse_valid(void)
{
    ev_sel s;
    char err[200];
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("sae.done", &s, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(s.name, "sae.done");
    CU_ASSERT_STRING_EQUAL(s.text, "sae.done");
    CU_ASSERT_EQUAL(s.nfilters, 0);
    ev_sel_free(&s);

    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("msg.rx[op=create,secure!=false]", &s, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(s.name, "msg.rx");
    CU_ASSERT_EQUAL_FATAL(s.nfilters, 2);
    CU_ASSERT_STRING_EQUAL(s.filters[0].key, "op");
    CU_ASSERT_STRING_EQUAL(s.filters[0].value, "create");
    CU_ASSERT_EQUAL(s.filters[0].negate, 0);
    CU_ASSERT_STRING_EQUAL(s.filters[1].key, "secure");
    CU_ASSERT_STRING_EQUAL(s.filters[1].value, "false");
    CU_ASSERT_EQUAL(s.filters[1].negate, 1);
    ev_sel_free(&s);

    /* spaces between tokens, as people write them in XML attributes */
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("  msg.rx [ op = create ,  fr=/id-in/CAE01:x ] ", &s, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(s.nfilters, 2);
    CU_ASSERT_STRING_EQUAL(s.filters[1].value, "/id-in/CAE01:x");
    ev_sel_free(&s);

    /* quoted values may hold the selector's own punctuation */
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("msg.rx[pc=\"a, b]\\\"c\\\\\",x=\"\"]", &s, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(s.filters[0].value, "a, b]\"c\\");
    CU_ASSERT_STRING_EQUAL(s.filters[1].value, "");
    ev_sel_free(&s);

    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("sae.*", &s, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(s.name, "sae.*");
    ev_sel_free(&s);
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("*[peer=x]", &s, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(s.name, "*");
    ev_sel_free(&s);
    ev_sel_free(&s); /* freeing twice is harmless: the struct is zeroed */
}

/* Each bad selector fails with -1, a reason naming what was expected and where. */
static void expect_error(const char *text, const char *needle1, const char *needle2)
{
    ev_sel s;
    char err[200] = "untouched";
    int rc = ev_sel_parse(text, &s, err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_PTR_NULL(s.name);
    CU_ASSERT_EQUAL(s.nfilters, 0);
    if (!strstr(err, needle1) || (needle2 && !strstr(err, needle2)))
        fprintf(stderr, "\n  selector <%s>: unexpected reason <%s>\n", text ? text : "(null)", err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle1));
    if (needle2) CU_ASSERT_PTR_NOT_NULL(strstr(err, needle2));
    ev_sel_free(&s);
}

static void test_sel_parse_errors(void)
{
    expect_error("msg.rx[op=create", "expected ',' or ']' at column 17", "end of text");
    expect_error("", "expected an event name at column 1", NULL);
    expect_error("   ", "expected an event name at column 4", NULL);
    expect_error("[op=x]", "expected an event name at column 1", "'['");
    expect_error("msg.rx[", "expected an attribute name at column 8", NULL);
    expect_error("msg.rx[]", "expected an attribute name at column 8", "']'");
    expect_error("msg.rx[op]", "'=' or '!=' after 'op'", "column 10");
    expect_error("msg.rx[op!create]", "'=' or '!=' after 'op'", "column 10");
    expect_error("msg.rx[op=]", "expected a value", "column 11");
    expect_error("msg.rx[op=\"abc]", "unterminated quoted value starting at column 11", NULL);
    expect_error("msg.rx[op=\"a\\x\"]", "after '\\'", "column 14");
    expect_error("msg.rx[op=a,]", "expected an attribute name at column 13", NULL);
    expect_error("msg.rx[op=a b]", "expected ',' or ']' at column 13", "'b'");
    expect_error("msg.rx[op=a]x", "end of selector after ']' at column 13", NULL);
    expect_error("msg.rx]", "'[' or end of selector at column 7", NULL);
    expect_error("msg rx", "at column 5", "'r'");
    expect_error("sa*e", "'*' is allowed only at the end", "column 3");
    expect_error("sae**", "'*' is allowed only at the end", NULL);
    expect_error("msg\x01", "byte 0x01", "column 4");
    expect_error("msg.rx[op=a\x7f]", "byte 0x7f", "column 12");
    expect_error("msg.rx[op=a][ty=2]", "end of selector after ']' at column 13", NULL);
    expect_error(NULL, "no selector", NULL);

    char *huge = malloc(10001);
    memset(huge, 'a', 10000);
    huge[10000] = '\0';
    expect_error(huge, "longer than", NULL);
    free(huge);

    /* a NULL or empty error buffer is accepted */
    ev_sel s;
    CU_ASSERT_EQUAL(ev_sel_parse("x[", &s, NULL, 0), -1);
}

static void test_sel_match(void)
{
    timeline tl;
    timeline_init(&tl);
    const char *created[] = { "op", "create", "secure", "true", NULL };
    const char *plain[] = { "op", "retrieve", NULL };
    timeline_add_at(&tl, 0, "sae.done", "10.0.0.1:5684", NULL);       /* 0 */
    timeline_add_at(&tl, 1, "msg.rx", "10.0.0.1:5684", created);      /* 1 */
    timeline_add_at(&tl, 2, "msg.rx", NULL, plain);                    /* 2 */
    timeline_add_at(&tl, 3, "saex", NULL, NULL);                       /* 3 */
    ev_sel s;
    char err[200];

#define MATCHES(sel, i) (ev_sel_parse(sel, &s, err, sizeof err) == 0 ? \
                         (r_ = ev_sel_match(&s, &tl.ev[i]), ev_sel_free(&s), r_) : -1)
    int r_;
    CU_ASSERT_EQUAL(MATCHES("sae.done", 0), 1);
    CU_ASSERT_EQUAL(MATCHES("sae", 0), 0);          /* exact unless '*' */
    CU_ASSERT_EQUAL(MATCHES("sae.don", 0), 0);
    CU_ASSERT_EQUAL(MATCHES("sae.*", 0), 1);
    CU_ASSERT_EQUAL(MATCHES("sae.*", 3), 0);        /* prefix is "sae.", not "sae" */
    CU_ASSERT_EQUAL(MATCHES("sae*", 3), 1);
    CU_ASSERT_EQUAL(MATCHES("*", 2), 1);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op=create]", 1), 1);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op=create]", 2), 0);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op=CREATE]", 1), 0);   /* values are case-sensitive */
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op!=create]", 1), 0);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op!=create]", 2), 1);
    /* a negated filter also matches when the attribute is absent */
    CU_ASSERT_EQUAL(MATCHES("msg.rx[secure!=true]", 2), 1);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[secure!=true]", 1), 0);
    /* a positive filter never matches an absent attribute */
    CU_ASSERT_EQUAL(MATCHES("msg.rx[secure=false]", 2), 0);
    /* all filters must hold */
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op=create,secure=true]", 1), 1);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[op=create,secure=false]", 1), 0);
    CU_ASSERT_EQUAL(MATCHES("msg.*[op=retrieve]", 2), 1);
    /* peer is selectable even though it is not an attribute */
    CU_ASSERT_EQUAL(MATCHES("msg.rx[peer=10.0.0.1:5684]", 1), 1);
    CU_ASSERT_EQUAL(MATCHES("msg.rx[peer=10.0.0.1:5684]", 2), 0);
#undef MATCHES

    CU_ASSERT_EQUAL_FATAL(ev_sel_parse("msg.rx", &s, err, sizeof err), 0);
    CU_ASSERT_EQUAL(timeline_find(&tl, &s, 0), 1);
    CU_ASSERT_EQUAL(timeline_find(&tl, &s, 2), 2);
    CU_ASSERT_EQUAL(timeline_find(&tl, &s, 3), -1);
    CU_ASSERT_EQUAL(timeline_find(&tl, &s, 99), -1);
    ev_sel_free(&s);
    timeline_free(&tl);
}

static void test_utf8_decode(void)
{
    uint32_t cp = 0;
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"A", 1, &cp), 1);
    CU_ASSERT_EQUAL(cp, 0x41);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
    CU_ASSERT_EQUAL(cp, 0xe9);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
    CU_ASSERT_EQUAL(cp, 0x20ac);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, NULL), 4);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xc3\xa9", 1, &cp), 0);      /* cut short */
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xc0\xaf", 2, &cp), 0);      /* overlong */
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xe0\x80\xaf", 3, &cp), 0); /* overlong */
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &cp), 0); /* surrogate */
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xff", 1, &cp), 0);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"\xc3" "A", 2, &cp), 0);
    CU_ASSERT_EQUAL(utf8_decode((const unsigned char *)"", 0, &cp), 0);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("timeline", NULL, NULL);
    CU_add_test(s, "add, set and get attributes", test_add_and_attributes);
    CU_add_test(s, "describe an event", test_describe);
    CU_add_test(s, "strings interned: a fleet's timeline stays compact", test_interned_and_compact);
    CU_add_test(s, "text output escapes values", test_write_text);
    CU_add_test(s, "selector parse: valid forms", test_sel_parse_valid);
    CU_add_test(s, "selector parse: errors with columns", test_sel_parse_errors);
    CU_add_test(s, "selector match and find", test_sel_match);
    CU_add_test(s, "utf8_decode", test_utf8_decode);
}
