/* Remote-provisioning keys (TS-0003 §10.3) against tools that share no code with the
 * harness: the HMAC derivations against `openssl mac`, the RFC 5705 exporter of the
 * harness's DTLS server against gnutls-cli --keymatexport and openssl s_client
 * -keymatexport as clients of a real DTLS-PSK handshake on 127.0.0.1, and of the harness's
 * DTLS client against openssl s_server. Every vector is printed ("KAT ...") so it can be
 * quoted; ENROL_DEBUG=1 also prints the tools' output. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "net/dtls.h"
#include "enrol/enrol.h"
#include "util/xmem.h"
#include "util/hex.h"
#include "util/timeutil.h"
#include <gnutls/gnutls.h>
#include "m2m_test.h"

/* A fixed Ke (0x00..0x1f) for the HMAC vectors. */
static void fixed_ke(uint8_t ke[ENROL_KE_LEN])
{
    for (int i = 0; i < ENROL_KE_LEN; i++) ke[i] = (uint8_t)i;
}

static char *hexs(const uint8_t *p, size_t n) { return hex_encode(p, n); }

/* Runs argv with stdout into a temp file, stdin from /dev/null; returns the output (caller
 * frees) or NULL. The event loop l, if given, runs while the child lives (a server in this
 * process must answer it); deadline 10 s, then the child is killed. */
typedef struct child { pid_t pid; int status; int done; } child;
static int child_done(void *ctx)
{
    child *c = ctx;
    if (!c->done && waitpid(c->pid, &c->status, WNOHANG) == c->pid) c->done = 1;
    return c->done;
}

/* exec takes char *const[]: owned copies of a NULL-terminated list of constant strings. */
static char **argv_copy(const char *const *v)
{
    size_t n = 0;
    while (v[n]) n++;
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++) out[i] = xstrdup(v[i]);
    return out;
}

static void argv_release(char **v)
{
    for (size_t i = 0; v[i]; i++) free(v[i]);
    free(v);
}

static char *run_tool(char *const argv[], evloop *l)
{
    char path[] = "/tmp/m2m-test-enrol-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    child c = { 0, 0, 0 };
    c.pid = fork();
    if (c.pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd);
    int64_t deadline = mono_now_ns() + 10 * NS_PER_SEC;
    if (l) loop_run_until(l, deadline, child_done, &c);
    while (!child_done(&c) && mono_now_ns() < deadline) usleep(10000);
    if (!c.done) {
        kill(c.pid, SIGKILL);
        waitpid(c.pid, &c.status, 0);
    }
    FILE *f = fopen(path, "rb");
    strbuf b;
    sb_init(&b);
    char buf[4096];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) sb_addn(&b, buf, n);
    if (f) fclose(f);
    unlink(path);
    return sb_take(&b);
}

/* HMAC-SHA-256 by `openssl mac` over exactly these bytes; lower-case hex or NULL. */
static char *openssl_hmac(const uint8_t *key, size_t keylen, const uint8_t *msg, size_t msglen)
{
    char path[] = "/tmp/m2m-test-enrol-msg-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, msg, msglen) != (ssize_t)msglen) return NULL;
    close(fd);
    char *kh = hexs(key, keylen);
    char *opt = xasprintf("hexkey:%s", kh);
    const char *args[] = { "openssl", "mac", "-digest", "SHA256", "-macopt", opt, "-in", path, "HMAC", NULL };
    char **argv = argv_copy(args);
    char *out = run_tool(argv, NULL);
    argv_release(argv);
    unlink(path);
    free(kh);
    free(opt);
    if (!out) return NULL;
    char *nl = strchr(out, '\n');
    if (nl) *nl = '\0';
    for (char *p = out; *p; p++) *p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
    if (strlen(out) != 64) {
        fprintf(stderr, "openssl mac said: %s\n", out);
        free(out);
        return NULL;
    }
    return out;
}

/* The message built here by hand (label bytes, then the parts), not by enrol.c. */
static void check_hmac(const char *name, const uint8_t got[ENROL_KEY_LEN], const char *label,
                       const void *a, size_t an, const void *b, size_t bn)
{
    uint8_t ke[ENROL_KE_LEN];
    fixed_ke(ke);
    size_t ln = strlen(label);
    uint8_t *msg = xmalloc(ln + an + bn + 1);
    memcpy(msg, label, ln);
    memcpy(msg + ln, a, an);
    if (bn) memcpy(msg + ln + an, b, bn);
    char *want = openssl_hmac(ke, sizeof ke, msg, ln + an + bn);
    char *have = hexs(got, ENROL_KEY_LEN);
    if (!want) {   /* an explicit return: the sanitizer build cannot see through CUnit's longjmp */
        CU_FAIL("openssl mac gave no HMAC");
        free(have);
        free(msg);
        return;
    }
    printf("\n  KAT %s: Ke=000102..1f harness=%s openssl=%s ", name, have, want);
    if (strcmp(want, have) != 0) printf("MISMATCH (expected the openssl value) ");
    CU_ASSERT_STRING_EQUAL(have, want);
    free(want);
    free(have);
    free(msg);
}

static void test_kpsa_matches_openssl(void)
{
    uint8_t ke[ENROL_KE_LEN], out[ENROL_KEY_LEN];
    char err[256];
    fixed_ke(ke);
    CU_ASSERT_EQUAL_FATAL(enrol_kpsa(ke, "/asn-cse-1", out, err, sizeof err), 0);
    check_hmac("Kpsa(/asn-cse-1)", out, "oneM2M Enrolment Key to Provisioned Secure Connection Key derivation",
               "/asn-cse-1", 10, NULL, 0);
    /* The identity is part of the input: another Enrolee-B-ID, another key. */
    uint8_t other[ENROL_KEY_LEN];
    CU_ASSERT_EQUAL(enrol_kpsa(ke, "asn-cse-1", other, err, sizeof err), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(out, other, sizeof out), 0);
}

static void test_km_matches_openssl(void)
{
    uint8_t ke[ENROL_KE_LEN], out[ENROL_KEY_LEN];
    char err[256];
    fixed_ke(ke);
    CU_ASSERT_EQUAL_FATAL(enrol_km(ke, "maf.m2m-harness.test", out, err, sizeof err), 0);
    check_hmac("Km(maf.m2m-harness.test)", out, "oneM2M Enrolment Key to Master Credential derivation",
               "maf.m2m-harness.test", 20, NULL, 0);
}

static void test_usage_key_matches_openssl(void)
{
    uint8_t ke[ENROL_KE_LEN], out[ENROL_KEY_LEN];
    char err[256];
    enrol_settings st;
    enrol_settings_default(&st);
    fixed_ke(ke);
    const char *fqdn = "in-cse.m2m-harness.test";
    CU_ASSERT_EQUAL_FATAL(enrol_usage_key(ke, "22", fqdn, &st, out, err, sizeof err), 0);
    check_hmac("UCK(suid text \"22\", in-cse.m2m-harness.test)", out,
               "oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation", "22", 2, fqdn, strlen(fqdn));
    st.suid = ENROL_SUID_BYTE;
    CU_ASSERT_EQUAL_FATAL(enrol_usage_key(ke, "22", fqdn, &st, out, err, sizeof err), 0);
    check_hmac("UCK(suid byte 0x16, in-cse.m2m-harness.test)", out,
               "oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation", "\x16", 1, fqdn, strlen(fqdn));
    CU_ASSERT_EQUAL(enrol_usage_key(ke, "x2", fqdn, &st, out, err, sizeof err), -1);
}

static void test_split_and_keid(void)
{
    uint8_t x[ENROL_EXPORT_LEN];
    for (int i = 0; i < ENROL_EXPORT_LEN; i++) x[i] = (uint8_t)(0xa0 + i);
    enrol_settings st;
    enrol_settings_default(&st);
    enrol_keys k;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(enrol_split(x, "mef.m2m-harness.test", &st, &k, err, sizeof err), 0);
    CU_ASSERT_EQUAL(k.rel_keid[0], 0xa0);
    CU_ASSERT_EQUAL(k.rel_keid[15], 0xaf);
    CU_ASSERT_EQUAL(k.ke[0], 0xb0);
    CU_ASSERT_EQUAL(k.ke[31], 0xcf);
    CU_ASSERT_STRING_EQUAL(k.keid, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf@mef.m2m-harness.test");
    st.keid_upper = 1;
    CU_ASSERT_EQUAL_FATAL(enrol_split(x, "mef.m2m-harness.test", &st, &k, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(k.keid, "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF@mef.m2m-harness.test");
    CU_ASSERT_EQUAL(enrol_split(x, "", &st, &k, err, sizeof err), -1);
    uint8_t out[ENROL_KEY_LEN];
    CU_ASSERT_EQUAL(enrol_kpsa(k.ke, "/cs\xc3\xa9", out, err, sizeof err), -1);   /* non-ASCII refused */
    enrol_ctx_mode cm;
    enrol_derive_mode dm;
    CU_ASSERT_EQUAL(enrol_parse_context("empty", &cm), 0);
    CU_ASSERT_EQUAL(cm, ENROL_CTX_EMPTY);
    CU_ASSERT_EQUAL(enrol_parse_derive("usage-constrained", &dm), 0);
    CU_ASSERT_EQUAL(dm, ENROL_DERIVE_USAGE);
    CU_ASSERT_EQUAL(enrol_parse_context("none", &cm), -1);
}

/* ---- the exporter against external DTLS clients ---- */

static const uint8_t kpm[16] = { 0x4b, 0x70, 0x6d, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x30, 0x30, 0x31 };
#define KPM_HEX "4b706d2d746573742d6b65792d303031"
#define KPM_ID "kpm-asn-cse-1@mef.m2m-harness.test"

typedef struct xsrv {
    dtls_conn *conn;
    int up;
    enrol_keys absent, empty;
    char err[256];
} xsrv;

static void server_keys(xsrv *x)
{
    if (!x->conn) return;
    enrol_settings s;
    enrol_settings_default(&s);
    gnutls_session_t gs = dtls_conn_session(x->conn);
    if (enrol_bootstrap(gs, "mef.m2m-harness.test", &s, &x->absent, x->err, sizeof x->err) < 0) return;
    s.context = ENROL_CTX_EMPTY;
    if (enrol_bootstrap(gs, "mef.m2m-harness.test", &s, &x->empty, x->err, sizeof x->err) < 0) return;
    x->up = 1;
}

/* The keys are exported while the association is up: a server's association gives up its
 * GnuTLS state when it ends (the client's close_notify). */
static void on_state(dtls_conn *c, dtls_state st, void *ctx)
{
    xsrv *x = ctx;
    if (st == DTLS_UP && !x->conn) {
        x->conn = c;
        server_keys(x);
    }
}

/* The hex after marker in the tool's output, lower-cased, or NULL. */
static char *key_after(const char *out, const char *marker)
{
    const char *p = strstr(out, marker);
    if (!p) return NULL;
    p += strlen(marker);
    while (*p == ' ') p++;
    size_t n = strspn(p, "0123456789abcdefABCDEF");
    char *h = xstrndup(p, n);
    for (char *q = h; *q; q++) q[0] = (char)(*q >= 'A' && *q <= 'F' ? *q + 32 : *q);
    return h;
}

static void exporter_against(const char *tool, const char *const *argv_tmpl, size_t argc, const char *marker)
{
    dtls_global_init();
    evloop *l = loop_new();
    udp_sock ss;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(udp_bind(&ss, "127.0.0.1", 0, err, sizeof err), 0);
    static dtls_psk psk = { KPM_ID, kpm, sizeof kpm, "/asn-cse-1" };
    static dtls_params sp = { .psks = &psk, .npsks = 1, .retrans_ms = 200, .total_ms = 5000 };
    xsrv x;
    memset(&x, 0, sizeof x);
    dtls_hooks h = { NULL, on_state, NULL, &x };
    dtls_server *srv = dtls_server_new(l, &ss, &sp, NULL, h, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    char port[16];
    snprintf(port, sizeof port, "%d", udp_port(&ss));
    char *argv[32];   /* "@PORT@" inside an argument becomes the server's port */
    for (size_t i = 0; i < argc; i++) {
        const char *t = argv_tmpl[i], *at = strstr(t, "@PORT@");
        argv[i] = at ? xasprintf("%.*s%s%s", (int)(at - t), t, port, at + 6) : xstrdup(t);
    }
    argv[argc] = NULL;
    char *out = run_tool(argv, l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    char *theirs = key_after(out, marker);
    if (getenv("ENROL_DEBUG") || !x.up || !theirs) printf("\n  %s output:\n%s\n  server: %s ", tool, out, x.err);
    CU_ASSERT_TRUE(x.up);
    CU_ASSERT_PTR_NOT_NULL(theirs);
    if (x.up && theirs) {
        char *ours = hexs(x.absent.exported, ENROL_EXPORT_LEN);
        char *empty = hexs(x.empty.exported, ENROL_EXPORT_LEN);
        printf("\n  KAT exporter %s (no context): %s harness=%s\n      KeID=%s"
               "\n      harness with empty context (differs): %s ", tool, theirs, ours, x.absent.keid, empty);
        CU_ASSERT_STRING_EQUAL(ours, theirs);
        /* The two context readings really are different keys (mef.md §2): a vendor on the
         * other reading fails against the default. */
        CU_ASSERT_STRING_NOT_EQUAL(empty, theirs);
        char relhex[33];
        memcpy(relhex, theirs, 32);
        relhex[32] = '\0';
        char *want_keid = xasprintf("%s@mef.m2m-harness.test", relhex);
        CU_ASSERT_STRING_EQUAL(x.absent.keid, want_keid);   /* bytes 0..15 of the tool's output */
        char *kehex = hexs(x.absent.ke, ENROL_KE_LEN);
        CU_ASSERT_STRING_EQUAL(kehex, theirs + 32);          /* bytes 16..47 */
        free(want_keid);
        free(kehex);
        free(ours);
        free(empty);
    }
    free(theirs);
    free(out);
    for (size_t i = 0; i < argc; i++) free(argv[i]);
    dtls_server_free(srv);
    udp_close(&ss);
    loop_free(l);
}

static void test_exporter_matches_gnutls_cli(void)
{
    const char *argv[] = { "gnutls-cli", "--udp", "--pskusername", KPM_ID, "--pskkey", KPM_HEX,
                           "--priority", "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CCM-8",
                           "--keymatexport", ENROL_LABEL_BOOTSTRAP, "--keymatexportsize", "48",
                           "-p", "@PORT@", "127.0.0.1" };
    exporter_against("gnutls-cli", argv, sizeof argv / sizeof *argv, "Key material:");
}

static void test_exporter_matches_openssl(void)
{
    const char *argv[] = { "openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:@PORT@",
                           "-psk_identity", KPM_ID, "-psk", KPM_HEX, "-cipher", "PSK-AES128-CCM8",
                           "-keymatexport", ENROL_LABEL_BOOTSTRAP, "-keymatexportlen", "48" };
    exporter_against("openssl s_client", argv, sizeof argv / sizeof *argv, "Keying material:");
}

/* The harness as DTLS client, openssl s_server as the MEF: the exporter of enrol_export on
 * the harness's session must equal what openssl prints for the same session. */
static int client_settled(void *ctx) { return dtls_conn_state(ctx) != DTLS_HANDSHAKING; }

static void test_exporter_client_matches_openssl_server(void)
{
    char err[256];
    udp_sock probe;   /* an unused port for s_server */
    CU_ASSERT_EQUAL_FATAL(udp_bind(&probe, "127.0.0.1", 0, err, sizeof err), 0);
    int port = udp_port(&probe);
    udp_close(&probe);
    char accept[32], path[] = "/tmp/m2m-test-enrol-srv-XXXXXX";
    snprintf(accept, sizeof accept, "127.0.0.1:%d", port);
    int fd = mkstemp(path), in[2];
    CU_ASSERT_FATAL(fd >= 0 && pipe(in) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);   /* stdin stays open until we close it: s_server quits on EOF */
        close(in[1]);
        dup2(fd, 1);
        dup2(fd, 2);
        execlp("openssl", "openssl", "s_server", "-dtls1_2", "-accept", accept, "-nocert",
               "-psk_identity", KPM_ID, "-psk", KPM_HEX, "-cipher", "PSK-AES128-CCM8",
               "-keymatexport", ENROL_LABEL_BOOTSTRAP, "-keymatexportlen", "48", "-naccept", "1", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    usleep(500000);   /* s_server binds at once; half a second covers a loaded machine */
    dtls_global_init();
    evloop *l = loop_new();
    udp_sock cs;
    CU_ASSERT_EQUAL_FATAL(udp_bind(&cs, "127.0.0.1", 0, err, sizeof err), 0);
    dtls_psk psk = { KPM_ID, kpm, sizeof kpm, NULL };
    dtls_params cp = { .psks = &psk, .npsks = 1, .retrans_ms = 200, .total_ms = 5000 };
    net_addr peer;
    net_addr_parse("127.0.0.1", port, &peer);
    dtls_hooks ch = { NULL, NULL, NULL, NULL };
    dtls_conn *cli = dtls_client_new(l, &cs, &peer, &cp, NULL, ch, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cli);
    loop_run_until(l, mono_now_ns() + 5 * NS_PER_SEC, client_settled, cli);
    enrol_settings st;
    enrol_settings_default(&st);
    enrol_keys k;
    int up = dtls_conn_state(cli) == DTLS_UP;
    int ok = up && enrol_bootstrap(dtls_conn_session(cli), "mef.m2m-harness.test", &st, &k, err, sizeof err) == 0;
    if (up) dtls_close(cli);
    usleep(200000);
    close(in[1]);
    child c = { pid, 0, 0 };
    int64_t deadline = mono_now_ns() + 5 * NS_PER_SEC;
    while (!child_done(&c) && mono_now_ns() < deadline) usleep(10000);
    if (!c.done) { kill(pid, SIGKILL); waitpid(pid, &c.status, 0); }
    FILE *f = fopen(path, "rb");
    char out[16384] = "";
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = '\0';
    if (f) fclose(f);
    unlink(path);
    close(fd);
    char *theirs = key_after(out, "Keying material:");
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_PTR_NOT_NULL(theirs);
    if (ok && theirs) {
        char *ours = hexs(k.exported, ENROL_EXPORT_LEN);
        printf("\n  KAT exporter harness client vs openssl s_server (no context): openssl=%s harness=%s\n"
               "      RelativeKeID=%.32s Ke=%s KeID=%s ", theirs, ours, theirs, theirs + 32, k.keid);
        CU_ASSERT_STRING_EQUAL(ours, theirs);
        char *want_keid = xasprintf("%.32s@mef.m2m-harness.test", theirs);
        CU_ASSERT_STRING_EQUAL(k.keid, want_keid);
        free(want_keid);
        free(ours);
    } else {
        printf("\n  openssl s_server output:\n%s\n  harness: %s ", out, err);
    }
    free(theirs);
    dtls_client_free(cli);
    udp_close(&cs);
    loop_free(l);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("enrol", NULL, NULL);
    CU_add_test(s, "split 0-15 / 16-47, KeID hex case, settings", test_split_and_keid);
    CU_add_test(s, "Kpsa (§10.3.3) = openssl mac", test_kpsa_matches_openssl);
    CU_add_test(s, "Km (§10.3.2) = openssl mac", test_km_matches_openssl);
    CU_add_test(s, "usage-constrained key (§10.3.7) = openssl mac, both SUID encodings", test_usage_key_matches_openssl);
    CU_add_test(s, "exporter (§10.3.1), harness client = openssl s_server -keymatexport", test_exporter_client_matches_openssl_server);
    CU_add_test(s, "exporter (§10.3.1), harness server = gnutls-cli --keymatexport", test_exporter_matches_gnutls_cli);
    CU_add_test(s, "exporter (§10.3.1), harness server = openssl s_client -keymatexport", test_exporter_matches_openssl);
}
