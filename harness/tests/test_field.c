/* Role field: the harness's own association toward an IN-CSE (wire_open_association) over a
 * real DTLS server on 127.0.0.1, with the test's credential variant; the IUT's ports picked
 * per test; the <open-association> step as the loader reads it. */
#include "net/ports.h"
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exec/steps_field.h"
#include "exec/wire.h"
#include "model/testcase.h"
#include "model/testenv.h"
#include "model/vars.h"
#include "net/dtls.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

#define PROFILE_XSD M2M_DATA_DIR "/fixtures/schema/profile.xsd"
#define TESTCASE_XSD M2M_DATA_DIR "/testcases/schema/testcase.xsd"

static profile *load_profile(const char *name)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    char *path = xasprintf("%s/fixtures/profiles/%s.xml", M2M_DATA_DIR, name);
    CU_ASSERT_EQUAL(profile_load(path, PROFILE_XSD, &p, &d), 0);
    free(path);
    diag_free(&d);
    return p;
}

/* The ref-in-cse profile as its file is, except for shorter DTLS timers (a refused
 * association ends sooner): loaded from memory under the file's own name, so its relative
 * paths still resolve. */
static profile *load_profile_fast_dtls(const char *name)
{
    char *path = xasprintf("%s/fixtures/profiles/%s.xml", M2M_DATA_DIR, name);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    strbuf b;
    sb_init(&b);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *at = strstr(line, "dtls-retransmit=\"500ms\" dtls-total=\"4s\"");
        if (at) {
            sb_addn(&b, line, (size_t)(at - line));
            sb_add(&b, "dtls-retransmit=\"200ms\" dtls-total=\"1500ms\"");
            sb_add(&b, at + strlen("dtls-retransmit=\"500ms\" dtls-total=\"4s\""));
        } else {
            sb_add(&b, line);
        }
    }
    fclose(f);
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(profile_load_mem(path, b.s, b.len, PROFILE_XSD, &p, &d), 0);
    diag_free(&d);
    sb_free(&b);
    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->dtls_total_ns, 1500 * NS_PER_MS);
    return p;
}

static void test_pick_ports(void)
{
    profile *p = load_profile("ref-in-cse");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->iut_coaps_port, 0);
    test_env e;
    test_env_init(&e);
    CU_ASSERT_EQUAL(field_pick_ports(p, &e), 1);
    CU_ASSERT_TRUE(e.iut_coaps_port > 0 && e.iut_coap_port > 0);
    CU_ASSERT_NOT_EQUAL(e.iut_coaps_port, e.iut_coap_port);
    /* adjacent, DTLS on the next port, as libcoap's coap-server -p takes them */
    CU_ASSERT_EQUAL(e.iut_coaps_port, e.iut_coap_port + 1);
    CU_ASSERT_EQUAL(env_iut_coaps_port(&e, p), e.iut_coaps_port);
    CU_ASSERT_EQUAL(p->iut_coaps_port, 0);   /* the profile keeps what its file says */
    profile_free(p);
    /* the in-cse role keeps its profile's ports: nothing picked */
    p = load_profile("sim-device-asn");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    test_env_init(&e);
    CU_ASSERT_EQUAL(field_pick_ports(p, &e), 0);
    CU_ASSERT_EQUAL(e.iut_coap_port, 0);
    CU_ASSERT_EQUAL(env_iut_coap_port(&e, p), p->iut_coap_port);
    profile_free(p);
}

static char *expand(const vars *v, const char *text)
{
    char err[256];
    char *r = vars_expand(v, text, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(r);
    return r;
}

/* The per-test environment carries the picked ports (and a namespace's addresses) into the
 * start command's ${IUT_COAP_PORT}, ${IUT_COAPS_PORT}, ${IUT_ADDRESS} and ${HARNESS_ADDRESS},
 * a restart on new ports too, while the loaded profile stays byte for byte as it was. */
static void test_env_carries_picks(void)
{
    profile *p = load_profile("ref-in-cse");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    unsigned char before[sizeof(profile)];
    memcpy(before, (const void *)p, sizeof before);   /* a snapshot to compare, not a profile */
    const profile_trigger *start = profile_trigger_find(p, "start");
    CU_ASSERT_PTR_NOT_NULL_FATAL(start);
    test_env e;
    test_env_init(&e);
    CU_ASSERT_EQUAL_FATAL(field_pick_ports(p, &e), 1);
    vars v;
    vars_init(&v);
    vars_from_env(&v, p, &e);
    char *want = xasprintf("--coap-port %d --coaps-port %d", e.iut_coap_port, e.iut_coaps_port);
    char *cmd = expand(&v, start->command);
    CU_ASSERT_TRUE(cmd && strstr(cmd, want));
    if (cmd && !strstr(cmd, want)) fprintf(stderr, "\nstart command: %s\nwanted: %s\n", cmd, want);
    free(cmd);
    free(want);
    /* a restart on new ports: the environment changes, the profile does not */
    int first = e.iut_coap_port;
    CU_ASSERT_EQUAL_FATAL(field_pick_ports(p, &e), 1);
    CU_ASSERT_NOT_EQUAL(e.iut_coap_port, first);
    vars_free(&v);
    vars_init(&v);
    /* the two ends of a veth pair, as under <control netns> */
    e.iut_address = "10.213.0.2";
    e.harness_address = "10.213.0.1";
    e.harness_coaps_port = 40001;
    vars_from_env(&v, p, &e);
    char *got = expand(&v, "${IUT_ADDRESS}:${IUT_COAPS_PORT} ${HARNESS_ADDRESS}:${HARNESS_COAPS_PORT}");
    want = xasprintf("10.213.0.2:%d 10.213.0.1:40001", e.iut_coaps_port);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
    free(want);
    vars_free(&v);
    /* without an environment: the profile's own values */
    vars_init(&v);
    vars_from_env(&v, p, NULL);
    got = expand(&v, "${IUT_ADDRESS}:${IUT_COAP_PORT}");
    CU_ASSERT_STRING_EQUAL(got, "127.0.0.1:0");
    free(got);
    vars_free(&v);
    CU_ASSERT_EQUAL(memcmp(before, (const void *)p, sizeof before), 0);
    CU_ASSERT_STRING_EQUAL(p->iut_address, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(p->harness_address, "127.0.0.1");
    CU_ASSERT_EQUAL(p->iut_coap_port, 0);
    CU_ASSERT_EQUAL(p->iut_coaps_port, 0);
    ports_release();
    profile_free(p);
}

/* Picked pairs are reserved against every other picker (another test process, another run)
 * until released: 400 picks held at once never share a port, where unreserved random picks
 * from ~20000 would collide almost surely (birthday bound). */
static void test_pick_ports_reserved(void)
{
    profile *p = load_profile("ref-in-cse");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char dir[] = "/tmp/m2m-test-ports-XXXXXX";   /* its own lock file: nothing else picks here */
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char *old_tmp = getenv("TMPDIR") ? xstrdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);
    enum { N = 400 };
    static int port[N];
    int clashes = 0;
    for (int i = 0; i < N; i++) {
        test_env e;
        test_env_init(&e);
        CU_ASSERT_EQUAL(field_pick_ports(p, &e), 1);
        port[i] = e.iut_coap_port;
        for (int j = 0; j < i; j++)
            if (abs(port[j] - port[i]) <= 1) clashes++;
    }
    CU_ASSERT_EQUAL(clashes, 0);
    /* single ports (the IUT's MEF) come from the same reservations */
    for (int i = 0; i < 100; i++) {
        int one = ports_reserve_one("127.0.0.1");
        CU_ASSERT_TRUE(one > 0);
        for (int j = 0; j < N; j++)
            if (one == port[j] || one == port[j] + 1) clashes++;
    }
    CU_ASSERT_EQUAL(clashes, 0);
    char *lock = xasprintf("%s/m2m-harness-ports.lock", dir);
    int fd = open(lock, O_RDWR);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = port[0], .l_len = 2 };
    CU_ASSERT_NOT_EQUAL(fcntl(fd, F_OFD_SETLK, &fl), 0);   /* held by the picker */
    ports_release();
    CU_ASSERT_EQUAL(fcntl(fd, F_OFD_SETLK, &fl), 0);       /* free once released */
    close(fd);
    unlink(lock);
    rmdir(dir);
    free(lock);
    if (old_tmp) setenv("TMPDIR", old_tmp, 1);
    else unsetenv("TMPDIR");
    free(old_tmp);
    profile_free(p);
}

static void test_parse_step(void)
{
    static const char xml[] =
        "<testcase id=\"TC_F_001\" role=\"field\" area=\"sae\" covers=\"R-SAE-12\">"
        "<title>t</title><requirement>r</requirement><reference>TS-0003 §8.2.1</reference>"
        "<harness psk=\"wrong-key\"/>"
        "<steps><trigger name=\"start\"/><check><open-association within=\"dtls-total+2s\" expect=\"refused\" control=\"dtls handshake\"/></check>"
        "<open-association credential=\"profile\"/><open-association credential=\"second\"/><open-association credential=\"own\"/>"
        "<open-association enrol=\"again\"/><open-association enrol=\"reuse\"/></steps></testcase>";
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    int rc = testcase_load_mem("t.xml", xml, strlen(xml), TESTCASE_XSD, &tc, &d);
    if (rc < 0) diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(tc->body.n, 7);
    CU_ASSERT_EQUAL(tc->body.items[2].second_registree, 0);
    CU_ASSERT_EQUAL(tc->body.items[3].second_registree, 1);
    CU_ASSERT_EQUAL(tc->body.items[4].second_registree, 0);
    CU_ASSERT_EQUAL(tc->body.items[1].kind, STEP_ASSOC);
    CU_ASSERT_EQUAL(tc->body.items[1].expect_refused, 1);
    CU_ASSERT_EQUAL(tc->body.items[1].timer, TC_TIMER_DTLS_TOTAL);
    CU_ASSERT_EQUAL(tc->body.items[2].kind, STEP_ASSOC);
    CU_ASSERT_EQUAL(tc->body.items[2].expect_refused, 0);
    CU_ASSERT_EQUAL(tc->body.items[2].enrol_again, 0);
    CU_ASSERT_EQUAL(tc->body.items[5].enrol_again, 1);
    CU_ASSERT_EQUAL(tc->body.items[6].enrol_again, 0);
    CU_ASSERT_EQUAL(tc->harness.psk, TC_PSK_WRONG_KEY);
    testcase_free(tc);
    diag_free(&d);
    /* without the schema, the loader itself refuses other credentials, and any on SA2 */
    static const char *const bad[] = {
        "<open-association credential=\"third\"/>", "expected own, second or profile",
        "<open-reverse-association poa=\"coaps://127.0.0.1:5684\" credential=\"second\"/>", "SA1's credential",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i += 2) {
        char *x = xasprintf("<testcase id=\"TC_F_001\" role=\"field\" area=\"sae\" covers=\"R-SAE-12\">"
                            "<title>t</title><requirement>r</requirement><reference>TS-0003 §8.2.1</reference>"
                            "<steps>\n%s</steps></testcase>", bad[i]);
        diag_init(&d);
        tc = NULL;
        CU_ASSERT_EQUAL(testcase_load_mem("t.xml", x, strlen(x), NULL, &tc, &d), -1);
        int found = 0;
        for (size_t k = 0; k < d.n; k++)
            if (d.items[k].line == 2 && strstr(d.items[k].message, bad[i + 1])) found = 1;
        if (!found) diag_print(&d, stderr);
        CU_ASSERT_TRUE(found);
        diag_free(&d);
        free(x);
    }
}

/* enrol= belongs to <open-association> only (the schema says so, the loader too). */
static void test_parse_enrol_refused(void)
{
    static const char xml[] =
        "<testcase id=\"TC_F_002\" role=\"field\" area=\"sae\" covers=\"R-SAE-12\">"
        "<title>t</title><requirement>r</requirement><reference>TS-0003 §8.2.1</reference>"
        "<steps><open-reverse-association poa=\"coaps://127.0.0.1:1\" enrol=\"again\"/></steps></testcase>";
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(testcase_load_mem("t.xml", xml, strlen(xml), TESTCASE_XSD, &tc, &d), -1);
    CU_ASSERT_PTR_NULL(tc);
    diag_free(&d);
}

/* A DTLS server standing in for the IN-CSE on the picked coaps port, with the profile's
 * PSK; the wire opens the harness's association to it. Returns the client's settling event
 * ("sae.done", "sae.fail") or "" when none came within the window. */
/* ev: the index of the settling event (the timeline grows, and moves, after it), or -1 */
typedef struct run { timeline tl; const char *settled; long ev; } run;

static int client_settled(void *ctx)
{
    run *r = ctx;
    for (size_t i = 0; i < r->tl.n; i++) {
        const char *side = tl_event_get(&r->tl.ev[i], "side");
        if (side && !strcmp(side, "client") && (!strcmp(r->tl.ev[i].name, "sae.done") || !strcmp(r->tl.ev[i].name, "sae.fail"))) {
            r->settled = r->tl.ev[i].name;
            r->ev = (long)i;
            return 1;
        }
    }
    return 0;
}

/* second: the wire opens its association with the profile's second registree credential;
 * server_knows_second: the server accepts that identity too (with its key and CSE-ID). */
static void associate_as(tc_psk_variant v, int second, int server_knows_second, run *r, char *sni, size_t snilen)
{
    profile *p = load_profile_fast_dtls("ref-in-cse");
    test_env e;   /* the wire finds the server at the ports picked into the test's environment */
    test_env_init(&e);
    CU_ASSERT_EQUAL(field_pick_ports(p, &e), 1);
    dtls_global_init();
    evloop *l = loop_new();
    timeline_init(&r->tl);
    r->settled = "";
    r->ev = -1;
    char err[256];
    udp_sock ss = { .fd = -1 };
    CU_ASSERT_EQUAL_FATAL(udp_bind(&ss, "127.0.0.1", e.iut_coaps_port, err, sizeof err), 0);
    const profile_registree *sr = p->second_registree;
    CU_ASSERT_PTR_NOT_NULL_FATAL(sr);
    dtls_psk psks[2] = { { p->psk_identity, p->psk_key, p->psk_key_len, p->harness_cse_id },
                         { sr->psk_identity, sr->psk_key, sr->psk_key_len, sr->cse_id } };
    dtls_params sp = { .psks = psks, .npsks = server_knows_second ? 2 : 1, .retrans_ms = 200, .total_ms = 1500 };
    timeline stl;
    timeline_init(&stl);
    dtls_hooks sh = { NULL, NULL, NULL, NULL };
    dtls_server *srv = dtls_server_new(l, &ss, &sp, &stl, sh, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    tc_harness h = { 0 };
    h.psk = v;
    wire *w = wire_open(l, p, &e, &h, &r->tl, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(wire_open_association(w, second, err, sizeof err), 0);
    loop_run_until(l, mono_now_ns() + 3 * NS_PER_SEC, client_settled, r);
    sni[0] = '\0';
    for (size_t i = 0; i < stl.n; i++)
        if (!strcmp(stl.ev[i].name, "sae.done") && tl_event_get(&stl.ev[i], "sni"))
            snprintf(sni, snilen, "%s", tl_event_get(&stl.ev[i], "sni"));
    if (r->ev >= 0 && !strcmp(r->settled, "sae.done"))
        CU_ASSERT_STRING_EQUAL(tl_event_get(&r->tl.ev[r->ev], "sa"), "1");
    wire_close(w);
    dtls_server_free(srv);
    udp_close(&ss);
    timeline_free(&stl);
    loop_free(l);
    profile_free(p);
}

static void associate(tc_psk_variant v, run *r, char *sni, size_t snilen)
{
    associate_as(v, 0, 1, r, sni, snilen);
}

static void test_association_profile_psk(void)
{
    run r;
    char sni[128];
    associate(TC_PSK_PROFILE, &r, sni, sizeof sni);
    CU_ASSERT_STRING_EQUAL(r.settled, "sae.done");
    CU_ASSERT_STRING_EQUAL(sni, "in-cse.m2m-harness.test");   /* the IUT's host name as SNI */
    timeline_free(&r.tl);
}

static void test_association_variants_refused(void)
{
    /* other-issuer: the profile's key under the same relative part and another Issuer-FQDN */
    tc_psk_variant vs[] = { TC_PSK_WRONG_KEY, TC_PSK_UNKNOWN_IDENTITY, TC_PSK_OTHER_ISSUER };
    for (size_t i = 0; i < 3; i++) {
        run r;
        char sni[128];
        associate(vs[i], &r, sni, sizeof sni);
        CU_ASSERT_STRING_NOT_EQUAL(r.settled, "sae.done");
        timeline_free(&r.tl);
    }
}

/* credential="second": the second registree's own identity and key, whatever the test's
 * psk variant; a server that does not know that identity refuses it. */
static void test_association_second_registree(void)
{
    run r;
    char sni[128];
    associate_as(TC_PSK_WRONG_KEY, 1, 1, &r, sni, sizeof sni);
    CU_ASSERT_STRING_EQUAL(r.settled, "sae.done");
    if (r.ev >= 0) CU_ASSERT_STRING_EQUAL(tl_event_get(&r.tl.ev[r.ev], "identity"), "asn-cse-2@in.m2m-harness.test");
    timeline_free(&r.tl);
    associate_as(TC_PSK_PROFILE, 1, 0, &r, sni, sizeof sni);
    CU_ASSERT_STRING_NOT_EQUAL(r.settled, "sae.done");
    timeline_free(&r.tl);
    /* a profile without a second registree: no association, and why */
    profile *p = load_profile("ref-in-cse-cert");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NULL(p->second_registree);
    evloop *l = loop_new();
    timeline tl;
    timeline_init(&tl);
    char err[256];
    wire *w = wire_open(l, p, NULL, NULL, &tl, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(wire_open_association(w, 1, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no second registree credential"));
    wire_close(w);
    timeline_free(&tl);
    loop_free(l);
    profile_free(p);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("field", NULL, NULL);
    CU_add_test(s, "IUT ports picked per test in role field", test_pick_ports);
    CU_add_test(s, "picked ports reserved against other pickers until released", test_pick_ports_reserved);
    CU_add_test(s, "the test's environment carries picked ports into ${IUT_COAP_PORT}, the profile unchanged",
                test_env_carries_picks);
    CU_add_test(s, "<open-association> parsed", test_parse_step);
    CU_add_test(s, "enrol= only on <open-association>", test_parse_enrol_refused);
    CU_add_test(s, "association with the profile's PSK and SNI", test_association_profile_psk);
    CU_add_test(s, "association with the second registree's credential", test_association_second_registree);
    CU_add_test(s, "wrong key, unknown identity and other issuer get no association", test_association_variants_refused);
}
