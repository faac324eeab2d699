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
#include "net/dtls.h"
#include "util/xmem.h"

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

static void test_pick_ports(void)
{
    profile *p = load_profile("ref-in-cse");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->iut_coaps_port, 0);
    profile c;
    CU_ASSERT_EQUAL(field_pick_ports(p, &c), 1);
    CU_ASSERT_TRUE(c.iut_coaps_port > 0 && c.iut_coap_port > 0);
    CU_ASSERT_NOT_EQUAL(c.iut_coaps_port, c.iut_coap_port);
    /* adjacent, DTLS on the next port, as libcoap's coap-server -p takes them */
    CU_ASSERT_EQUAL(c.iut_coaps_port, c.iut_coap_port + 1);
    CU_ASSERT_STRING_EQUAL(c.iut_cse_id, p->iut_cse_id);
    profile_free(p);
    /* the in-cse role keeps its profile as it is */
    p = load_profile("sim-device-asn");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(field_pick_ports(p, &c), 0);
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
        profile c;
        CU_ASSERT_EQUAL(field_pick_ports(p, &c), 1);
        port[i] = c.iut_coap_port;
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
typedef struct run { timeline tl; const char *settled; const tl_event *ev; } run;

static int client_settled(void *ctx)
{
    run *r = ctx;
    for (size_t i = 0; i < r->tl.n; i++) {
        const char *side = tl_event_get(&r->tl.ev[i], "side");
        if (side && !strcmp(side, "client") && (!strcmp(r->tl.ev[i].name, "sae.done") || !strcmp(r->tl.ev[i].name, "sae.fail"))) {
            r->settled = r->tl.ev[i].name;
            r->ev = &r->tl.ev[i];
            return 1;
        }
    }
    return 0;
}

/* second: the wire opens its association with the profile's second registree credential;
 * server_knows_second: the server accepts that identity too (with its key and CSE-ID). */
static void associate_as(tc_psk_variant v, int second, int server_knows_second, run *r, char *sni, size_t snilen)
{
    profile *p = load_profile("ref-in-cse");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    profile c;
    field_pick_ports(p, &c);
    c.dtls_total_ns = 1500000000LL;
    c.dtls_retrans_ns = 200000000LL;
    dtls_global_init();
    evloop *l = loop_new();
    timeline_init(&r->tl);
    r->settled = "";
    char err[256];
    udp_sock ss = { .fd = -1 };
    CU_ASSERT_EQUAL_FATAL(udp_bind(&ss, "127.0.0.1", c.iut_coaps_port, err, sizeof err), 0);
    const profile_registree *sr = c.second_registree;
    CU_ASSERT_PTR_NOT_NULL_FATAL(sr);
    dtls_psk psks[2] = { { c.psk_identity, c.psk_key, c.psk_key_len, c.harness_cse_id },
                         { sr->psk_identity, sr->psk_key, sr->psk_key_len, sr->cse_id } };
    dtls_params sp = { .psks = psks, .npsks = server_knows_second ? 2 : 1, .retrans_ms = 200, .total_ms = 1500 };
    timeline stl;
    timeline_init(&stl);
    dtls_hooks sh = { NULL, NULL, NULL, NULL };
    dtls_server *srv = dtls_server_new(l, &ss, &sp, &stl, sh, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    tc_harness h = { 0 };
    h.psk = v;
    wire *w = wire_open(l, &c, &h, &r->tl, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(wire_open_association(w, second, err, sizeof err), 0);
    loop_run_until(l, mono_now_ns() + 3000000000LL, client_settled, r);
    sni[0] = '\0';
    for (size_t i = 0; i < stl.n; i++)
        if (!strcmp(stl.ev[i].name, "sae.done") && tl_event_get(&stl.ev[i], "sni"))
            snprintf(sni, snilen, "%s", tl_event_get(&stl.ev[i], "sni"));
    if (r->ev && !strcmp(r->settled, "sae.done"))
        CU_ASSERT_STRING_EQUAL(tl_event_get(r->ev, "sa"), "1");
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
    if (r.ev) CU_ASSERT_STRING_EQUAL(tl_event_get(r.ev, "identity"), "asn-cse-2@in.m2m-harness.test");
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
    wire *w = wire_open(l, p, NULL, &tl, err, sizeof err);
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
    CU_add_test(s, "<open-association> parsed", test_parse_step);
    CU_add_test(s, "enrol= only on <open-association>", test_parse_enrol_refused);
    CU_add_test(s, "association with the profile's PSK and SNI", test_association_profile_psk);
    CU_add_test(s, "association with the second registree's credential", test_association_second_registree);
    CU_add_test(s, "wrong key, unknown identity and other issuer get no association", test_association_variants_refused);
}
