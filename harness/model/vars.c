/* Variables and their substitution.
 *
 * Syntax: ${NAME}, NAME = [A-Za-z_][A-Za-z0-9_]*. A '$' not followed by '{' is literal;
 * "$${" stands for a literal "${" (the only escape). An unterminated "${" or a bad name
 * inside it is an error, never copied through: a typo must not reach the wire silently.
 * Substitution is one pass: a value that itself holds "${" is not expanded again.
 *
 * vars_expand's err: the unknown variable's name alone (as vars.h says), or for a syntax
 * error a sentence ("unterminated '${' at column 4"). */
#include "../onem2m/release.h"
#include "vars.h"
#include "xmlload.h"
#include "../util/hex.h"
#include "../util/nearest.h"
#include "../util/xmem.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void vars_init(vars *v) { v->kv.items = NULL; v->kv.n = 0; }
void vars_free(vars *v) { kvlist_free(&v->kv); }

void vars_set(vars *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->kv.n; i++) {
        if (strcmp(v->kv.items[i].key, name) == 0) {
            free(v->kv.items[i].value);
            v->kv.items[i].value = xstrdup(value ? value : "");
            return;
        }
    }
    kvlist_add(&v->kv, name, value);
}

const char *vars_get(const vars *v, const char *name) { return kvlist_get(&v->kv, name); }

/* Every variable the harness sets: where its value comes from (a profile element, or the
 * run), and what it is. vars_from_profile and the executor set exactly these; a <var> of the
 * profile adds its own names, and captures add theirs within one test case. */
static const var_def VARS[] = {
    { "IUT_CSE_ID", "<iut><cse-id>", "the IUT's CSE-ID (/asn-cse-1)" },
    { "IUT_AE_ID", "<iut><ae-id>", "the IUT's AE-ID" },
    { "IUT_ID", "<iut kind> with <iut><ae-id> or <iut><cse-id>", "the IUT's own identity as originator: its AE-ID when <iut kind=\"ae\">, else its CSE-ID" },
    { "REG_TY", "<iut kind>", "the resource type the IUT's registration creates: 2 (<AE>) when <iut kind=\"ae\">, else 16 (<remoteCSE>)" },
    { "IUT_CSE_BASE", "<iut><cse-base>", "the IUT's CSEBase resource name (role field)" },
    { "IUT_ADDRESS", "<iut address>", "the IUT's IPv4 or IPv6 address (with <control netns>: the namespace end of its link)" },
    { "IUT_SP_ID", "<iut sp-id>", "the IUT's M2M-SP-ID (//m2m-harness.test): ${IUT_SP_ID}${IUT_CSE_ID} is its absolute CSE-ID" },
    { "IUT_HOST", "<iut host>", "the IUT's host name (the SNI the harness sends)" },
    { "IUT_COAP_PORT", "<iut coap-port>", "the IUT's plain CoAP port (role field; a free port picked per test when 0)" },
    { "IUT_COAPS_PORT", "<iut coaps-port>", "the IUT's CoAP-over-DTLS port (role field; a free port picked per test when 0)" },
    { "IUT_RELEASE", "<iut release>", "the oneM2M release the IUT implements (1..5)" },
    { "HARNESS_ADDRESS", "<harness address>", "the address the harness binds (with <control netns>: the host end of the IUT's link)" },
    { "HARNESS_URI_HOST", "<harness address>", "the harness's address as the host of a URI (a point of access coaps://${HARNESS_URI_HOST}:port): an IPv6 address in brackets (RFC 3986 §3.2.2), an IPv4 one as is" },
    { "HARNESS_ADDRESS_FAMILY", "<harness address>", "ipv4 or ipv6: the family of the harness's address, the member of accessControlIpAddresses that lists it (TS-0004 m2m:ipv4 / m2m:ipv6)" },
    { "HARNESS_ADDRESS_NEIGHBOURS", "<harness address>", "the 32 addresses that differ from the harness's address in exactly one of its lowest 32 bits (every bit of an IPv4 address), as a JSON list of strings: an accessControlIpAddresses list of them matches no request from the harness" },
    { "HARNESS_HOST", "<harness host>", "the harness's host name (the SNI the IUT sends)" },
    { "HARNESS_CSE_ID", "<harness><cse-id>", "the harness's CSE-ID (/in-cse)" },
    { "HARNESS_AE_ID", "<harness><ae-id>", "the harness's AE-ID when it registers as an AE (role field)" },
    { "CSE_BASE", "<harness><cse-base>", "the harness's CSEBase resource name (in-name)" },
    { "HARNESS_COAP_PORT", "<harness coap-port>", "the plain CoAP port the harness bound for this test (that port, or a free one when 0)" },
    { "HARNESS_COAPS_PORT", "<harness coaps-port>", "the CoAP-over-DTLS port the harness bound for this test (that port, or a free one when 0)" },
    { "PSK_IDENTITY", "<credentials><psk identity>", "the PSK identity (KpsaID) of the harness's credential" },
    { "PSK_KEY", "<credentials><psk key>", "the PSK itself, as text (unset for a key with NUL bytes): for a start command that must hand a real device its key; the harness redacts it (as text, hex and base64) from the IUT's output and every report" },
    { "PSK_KEY_HEX", "<credentials><psk key>", "the PSK in lower-case hex (redacted like PSK_KEY)" },
    { "IUT_CERT_ID", "<credentials><certificate iut-identity>", "the identity the IUT's certificate carries in subjectAltName (dns:FQDN or uri:AE-ID)" },
    { "MEF_FQDN", "<mef fqdn>", "the MEF's FQDN" },
    { "KPM_ID", "<mef kpm-id>", "the enrolee's bootstrap PSK identity KpmID" },
    { "ENROLEE_INDICATIONS", "<mef>, with <pics> ENROLEE_CERT_ENROLMENT, ENROLEE_MAF_ENROLMENT, ENROLEE_REMOTE_MANAGEMENT", "the indications the IUT as enrolee must send in its Enrolment Exchange request, as the harness's MEF records them (prov.done indications): cert=1 for a claimed ENROLEE_CERT_ENROLMENT, else cert=0, and so maf and rmgmt (cert=0 maf=0 rmgmt=0 when none is claimed)" },
    { "ENROLEE_CERT_ID", "<mef enrolee-cert-id>", "the identity the enrolee's certificate carries in subjectAltName for the certificate-based RSPF (dns:FQDN of a CSE, uri:AE-ID of an AE)" },
    { "HARNESS_APP_ID", "<harness app-id>", "an App-ID the IUT's service subscription for the harness's credential allows" },
    { "HARNESS_DENIED_APP_ID", "<harness denied-app-id>", "an App-ID that subscription does not allow" },
    { "IUT_CSE_ID_CASE", "<iut><cse-id>", "the IUT's CSE-ID with the case of every letter changed (/ASN-CSE-1): another CSE-ID, since identifiers are case-sensitive (unset for a CSE-ID without a letter)" },
    { "OTHER_CSE_ID", "<iut><cse-id>", "a CSE-ID that is not the IUT's and differs from it only in its last character (a request addressed to it is not for the IUT's CSEBase)" },
    { "RSC_APP_RULE_FAILED", "<iut release>", "the RSC of a failed serviceSubscribedAppRule check: 4126 from Release 3, 4107 before" },
    { "RSC_ALREADY_REGISTERED", "<iut release>", "the RSC of a registration whose remoteCSE or AE-ID-Stem is still registered: 4117 ORIGINATOR_HAS_ALREADY_REGISTERED from Release 3, 4105 CONFLICT before" },
    { "SECOND_REGISTREE_CSE_ID", "<credentials><psk cse-id> (the second <psk>)", "the CSE-ID of the profile's second registree credential" },
    { "IUT_SECOND_ID", "<credentials><psk ae-id> or cse-id (the second <psk>, role in-cse)", "the IUT's second identity: the AE-ID or CSE-ID its second credential is bound to" },
    { "PROFILE", "the profile file", "the profile's absolute path" },
    { "PROFILE_DIR", "the profile file", "the folder of the profile" },
    { "TEST_ID", NULL, "the id of the running test case" },
    { "RUN_ID", NULL, "a short id of the run (8 hex digits of its report folder's name); in attach mode the harness appends -${RUN_ID} to the name of everything it creates on the IUT but a registration" },
    { "MEF_PORT", NULL, "the port of the harness's MEF for this test (with <mef>)" },
    { "RUN_MODE", NULL, "secure, or plain-coap in the plain-CoAP run mode (run --plain-coap: no association, every request over plain CoAP)" },
    { "REGISTREE_ID", NULL, "the originator that registered with the IUT and creates the test's policies and containers: ${HARNESS_CSE_ID}; in the plain-CoAP run mode the AE-ID-Stem Cm2mh-admin, an AE registered on Mca" },
    { "AE_ID_PREFIX", NULL, "what precedes an AE-ID-Stem to name another AE originator: \"${HARNESS_CSE_ID}/\" (an AE below the field CSE); empty in the plain-CoAP run mode (an AE registered with the IUT on Mca)" },
    { "IUT_PID", NULL, "the process id the start trigger ran (for later triggers: kill -HUP ${IUT_PID})" },
};
#define NVARS (sizeof VARS / sizeof *VARS)

size_t vars_count(void) { return NVARS; }
const var_def *vars_at(size_t i) { return i < NVARS ? &VARS[i] : NULL; }

const var_def *vars_find(const char *name)
{
    for (size_t i = 0; name && i < NVARS; i++)
        if (strcmp(VARS[i].name, name) == 0) return &VARS[i];
    return NULL;
}

int vars_is_reserved(const char *name) { return vars_find(name) != NULL; }

void vars_placeholders(vars *v)
{
    for (size_t i = 0; i < NVARS; i++) vars_set(v, VARS[i].name, "");
}

void vars_run_time(vars *v)
{
    for (size_t i = 0; i < NVARS; i++)
        if (!VARS[i].from && !vars_get(v, VARS[i].name)) vars_set(v, VARS[i].name, "0");
}

static void set_opt(vars *v, const char *name, const char *value)
{
    if (value) vars_set(v, name, value);
}

static void set_int(vars *v, const char *name, int value)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", value);
    vars_set(v, name, buf);
}

/* The profile's path made absolute without requiring it to exist (profiles loaded from
 * memory have only a name). */
static char *absolute(const char *path)
{
    char *r = realpath(path, NULL);
    if (r) return r;
    if (path[0] == '/') return xstrdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

/* The harness's address as the host of a URI, and, when it is an IP literal, its family and
 * the 32 addresses one of its lowest 32 bits away (every bit of an IPv4 address), as a JSON
 * list. One parse of the address for all three. */
static void set_address_vars(vars *v, const char *addr)
{
    if (!addr) return;
    char *uh = strchr(addr, ':') ? xasprintf("[%s]", addr) : xstrdup(addr);
    vars_set(v, "HARNESS_URI_HOST", uh);
    free(uh);
    unsigned char a[16];
    int fam = inet_pton(AF_INET, addr, a) == 1 ? AF_INET : inet_pton(AF_INET6, addr, a) == 1 ? AF_INET6 : 0;
    if (!fam) return;
    vars_set(v, "HARNESS_ADDRESS_FAMILY", fam == AF_INET ? "ipv4" : "ipv6");
    size_t len = fam == AF_INET ? 4 : 16;
    char list[32 * (INET6_ADDRSTRLEN + 3) + 3] = "[";
    for (int bit = 0; bit < 32; bit++) {
        unsigned char n[16];
        memcpy(n, a, len);
        n[len - 1 - bit / 8] ^= (unsigned char)(1u << (bit % 8));
        char one[INET6_ADDRSTRLEN];
        inet_ntop(fam, n, one, sizeof one);
        size_t at = strlen(list);
        snprintf(list + at, sizeof list - at, "%s\"%s\"", bit ? "," : "", one);
    }
    strcat(list, "]");
    vars_set(v, "HARNESS_ADDRESS_NEIGHBOURS", list);
}

/* Identities that the profile leaves out stay unset, so a test case that needs one is
 * reported by vars_check_testcase instead of running with an empty value. Addresses and
 * ports are this test's (testenv.h: the profile's where e is NULL or leaves them open). */
static void from_profile(vars *v, const profile *p, const test_env *e)
{
    set_opt(v, "IUT_CSE_ID", p->iut_cse_id);
    if (p->iut_cse_id && strlen(p->iut_cse_id) > 1) {   /* same length, last character changed */
        char *other = xstrdup(p->iut_cse_id);
        char *last = other + strlen(other) - 1;
        *last = *last == 'x' ? 'y' : 'x';
        vars_set(v, "OTHER_CSE_ID", other);
        free(other);
    }
    if (p->iut_cse_id) {   /* the same letters in the other case; none: no such CSE-ID */
        char *swapped = xstrdup(p->iut_cse_id);
        int letters = 0;
        for (char *q = swapped; *q; q++)
            if (isalpha((unsigned char)*q)) {
                letters++;
                *q = isupper((unsigned char)*q) ? (char)tolower((unsigned char)*q) : (char)toupper((unsigned char)*q);
            }
        if (letters) vars_set(v, "IUT_CSE_ID_CASE", swapped);
        free(swapped);
    }
    set_opt(v, "IUT_AE_ID", p->iut_ae_id);
    int ae = p->iut_kind && !strcmp(p->iut_kind, "ae");
    set_opt(v, "IUT_ID", ae ? p->iut_ae_id : p->iut_cse_id);
    vars_set(v, "REG_TY", ae ? "2" : "16");
    set_opt(v, "IUT_CSE_BASE", p->iut_cse_base_name);
    set_opt(v, "IUT_ADDRESS", env_iut_address(e, p));
    set_opt(v, "IUT_HOST", p->iut_host);
    set_opt(v, "IUT_SP_ID", p->iut_sp_id);
    set_int(v, "IUT_COAP_PORT", env_iut_coap_port(e, p));
    set_int(v, "IUT_COAPS_PORT", env_iut_coaps_port(e, p));
    vars_set(v, "IUT_RELEASE", m2m_release_name(p->release) ? m2m_release_name(p->release) : "3");
    set_opt(v, "HARNESS_ADDRESS", env_harness_address(e, p));
    set_address_vars(v, env_harness_address(e, p));
    set_opt(v, "HARNESS_HOST", p->harness_host);
    set_opt(v, "HARNESS_CSE_ID", p->harness_cse_id);
    set_opt(v, "HARNESS_AE_ID", p->harness_ae_id);
    set_opt(v, "CSE_BASE", p->cse_base_name);
    set_int(v, "HARNESS_COAP_PORT", env_harness_coap_port(e, p));
    set_int(v, "HARNESS_COAPS_PORT", env_harness_coaps_port(e, p));
    set_opt(v, "PSK_IDENTITY", p->psk_identity);

    set_opt(v, "IUT_CERT_ID", p->x509_iut_identity);
    set_opt(v, "MEF_FQDN", p->mef ? p->mef->fqdn : NULL);
    set_opt(v, "KPM_ID", p->mef ? p->mef->kpm_id : NULL);
    set_opt(v, "ENROLEE_CERT_ID", p->mef ? p->mef->enrolee_cert_id : NULL);
    /* TS-0003 table 8.3.2.1-1: "These indications indicate whether or not the Enrolee is
     * prepared to execute these procedures if instructed by the MEF." In the form of prov.done's
     * indications attribute (harness/enrol/mef.c). */
    if (p->mef) {
        char ind[64];
        snprintf(ind, sizeof ind, "cert=%d maf=%d rmgmt=%d", profile_has_pics(p, "ENROLEE_CERT_ENROLMENT"),
                 profile_has_pics(p, "ENROLEE_MAF_ENROLMENT"), profile_has_pics(p, "ENROLEE_REMOTE_MANAGEMENT"));
        vars_set(v, "ENROLEE_INDICATIONS", ind);
    }
    set_opt(v, "HARNESS_APP_ID", p->harness_app_id);
    set_opt(v, "HARNESS_DENIED_APP_ID", p->harness_denied_app_id);
    set_opt(v, "SECOND_REGISTREE_CSE_ID", p->second_registree ? p->second_registree->cse_id : NULL);
    set_opt(v, "IUT_SECOND_ID", !p->second_registree || !p->role || strcmp(p->role, "in-cse") ? NULL
                                : p->second_registree->ae_id ? p->second_registree->ae_id : p->second_registree->cse_id);
    /* A failed serviceSubscribedAppRule check (TS-0004 §7.3.2.7): 4126 APP_RULE_VALIDATION_FAILED
     * since Release 3; Release 1/2 products (and the 2017 ATS) answer 4107. */
    set_int(v, "RSC_APP_RULE_FAILED", p->release >= M2M_REL_3 ? 4126 : 4107);
    /* A registration whose <remoteCSE> or AE-ID-Stem is still registered (TS-0004 §7.4.4.2.1,
     * §7.4.5.2.1): 4117 ORIGINATOR_HAS_ALREADY_REGISTERED since Release 3; Release 1/2
     * products (and the 2017 ATS, TC_CSE_REG_CRE_023) answer 4105 CONFLICT. */
    set_int(v, "RSC_ALREADY_REGISTERED", p->release >= M2M_REL_3 ? 4117 : 4105);
    if (p->file) {
        char *abs = absolute(p->file);
        vars_set(v, "PROFILE", abs);
        char *slash = strrchr(abs, '/');
        if (slash) {
            *slash = '\0';
            vars_set(v, "PROFILE_DIR", slash == abs ? "/" : abs);
        }
        free(abs);
    }
    for (size_t i = 0; i < p->extra_vars.n; i++)
        vars_set(v, p->extra_vars.items[i].key, p->extra_vars.items[i].value);
}

void vars_from_profile(vars *v, const profile *p) { from_profile(v, p, NULL); }

int vars_is_secret(const char *name) { return !strcmp(name, "PSK_KEY") || !strcmp(name, "PSK_KEY_HEX"); }

/* The key, for the profile's commands only (a real device's start command needs it). */
static void set_secrets(vars *v, const profile *p)
{
    if (!p->psk_key || !p->psk_key_len) return;
    char *hex = hex_encode(p->psk_key, p->psk_key_len);
    vars_set(v, "PSK_KEY_HEX", hex);
    free(hex);
    if (!memchr(p->psk_key, 0, p->psk_key_len)) {
        char *text = xstrndup((const char *)p->psk_key, p->psk_key_len);
        vars_set(v, "PSK_KEY", text);
        free(text);
    }
}

char *vars_expand_command(const vars *v, const profile *p, const char *text, char *err, size_t errlen)
{
    vars w;
    vars_init(&w);
    for (size_t i = 0; i < v->kv.n; i++) vars_set(&w, v->kv.items[i].key, v->kv.items[i].value);
    set_secrets(&w, p);
    char *out = vars_expand(&w, text, err, errlen);
    vars_free(&w);
    return out;
}

void vars_from_env(vars *v, const profile *p, const test_env *e)
{
    from_profile(v, p, e);
    set_int(v, "MEF_PORT", e ? e->mef_port : 0);
}

static int name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

/* Walks text: literal runs go to lit(), each ${NAME} to ref(). Returns -1 with a sentence in
 * err on a syntax error, or the first non-zero return of a callback. */
typedef struct scan_cb {
    int (*lit)(void *ctx, const char *s, size_t n);
    int (*ref)(void *ctx, const char *name, size_t n);
    void *ctx;
    const char *escape;   /* what "$${" gives: "${" (NULL), or "$${" kept for a later pass */
} scan_cb;

static int scan(const char *text, const scan_cb *cb, char *err, size_t errlen)
{
    const char *p = text, *run = text;
    int r;
    while (*p) {
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            if (cb->lit && ((r = cb->lit(cb->ctx, run, (size_t)(p - run))) != 0 ||
                            (r = cb->lit(cb->ctx, cb->escape ? cb->escape : "${", cb->escape ? strlen(cb->escape) : 2)) != 0))
                return r;
            p += 3;
            run = p;
            continue;
        }
        if (p[0] != '$' || p[1] != '{') {
            p++;
            continue;
        }
        if (cb->lit && (r = cb->lit(cb->ctx, run, (size_t)(p - run))) != 0) return r;
        const char *name = p + 2, *q = name;
        while (name_char(*q)) q++;
        if (*q != '}' || q == name || !name_start(*name)) {
            const char *close = strchr(name, '}');
            if (!close)
                snprintf(err, errlen, "unterminated '${' at column %zu", (size_t)(p - text) + 1);
            else
                snprintf(err, errlen, "bad variable name '${%.*s}' at column %zu (letters, digits, _)",
                         (int)(close - name > 40 ? 40 : close - name), name, (size_t)(p - text) + 1);
            return -1;
        }
        if (cb->ref && (r = cb->ref(cb->ctx, name, (size_t)(q - name))) != 0) return r;
        p = q + 1;
        run = p;
    }
    if (cb->lit && p > run && (r = cb->lit(cb->ctx, run, (size_t)(p - run))) != 0) return r;
    return 0;
}

typedef struct expand_ctx {
    const vars *v;
    strbuf out;
    char *err;
    size_t errlen;
} expand_ctx;

static int ex_lit(void *ctx, const char *s, size_t n)
{
    sb_addn(&((expand_ctx *)ctx)->out, s, n);
    return 0;
}

static int ex_ref(void *ctx, const char *name, size_t n)
{
    expand_ctx *e = ctx;
    char *key = xstrndup(name, n);
    const char *val = vars_get(e->v, key);
    if (val) sb_add(&e->out, val);
    else snprintf(e->err, e->errlen, "%s", key);
    free(key);
    return val ? 0 : 1;
}

typedef struct fill_ctx { const vars *v; strbuf out; unsigned char *used; int changed; } fill_ctx;

static int fill_lit(void *ctx, const char *s, size_t n)
{
    sb_addn(&((fill_ctx *)ctx)->out, s, n);
    return 0;
}

static int fill_ref(void *ctx, const char *name, size_t n)
{
    fill_ctx *f = ctx;
    for (size_t i = 0; i < f->v->kv.n; i++)
        if (strlen(f->v->kv.items[i].key) == n && !strncmp(f->v->kv.items[i].key, name, n)) {
            sb_add(&f->out, f->v->kv.items[i].value);
            if (f->used) f->used[i] = 1;
            f->changed = 1;
            return 0;
        }
    sb_add(&f->out, "${");   /* not ours: left for the test's own variables */
    sb_addn(&f->out, name, n);
    sb_add(&f->out, "}");
    return 0;
}

char *vars_fill(const vars *v, const char *text, unsigned char *used)
{
    if (!text || !strstr(text, "${")) return NULL;
    fill_ctx f = { .v = v, .used = used };
    sb_init(&f.out);
    scan_cb cb = { fill_lit, fill_ref, &f, "$${" };
    char err[8];
    if (scan(text, &cb, err, sizeof err) != 0 || !f.changed) {   /* a bad ${ is the later check's to report */
        sb_free(&f.out);
        return NULL;
    }
    return sb_take(&f.out);
}

char *vars_expand(const vars *v, const char *text, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) { err = dummy; errlen = sizeof dummy; }
    err[0] = '\0';
    if (!text) return NULL;
    expand_ctx e = { .v = v, .err = err, .errlen = errlen };
    sb_init(&e.out);
    scan_cb cb = { ex_lit, ex_ref, &e, NULL };
    if (scan(text, &cb, err, errlen) != 0) {
        sb_free(&e.out);
        return NULL;
    }
    return sb_take(&e.out);
}

/* ---- the static check ---- */

typedef struct check_ctx {
    const vars *known;
    kvlist captured;   /* names surely set by the steps so far */
    kvlist partial;    /* name -> line of an expect where only some alternatives set it */
    const kvlist *extra; /* captures of the alternative being checked (its respond) */
    const testcase *tc;  /* NULL when checking a profile's commands */
    const char *file;    /* for messages */
    const char *what;    /* prefix of messages ("trigger 'start': "), or NULL */
    diag *d;
    int line;
    const xml_origin *src;  /* the fragment the text being checked comes from, or NULL */
    int src_line;
    int problems;
} check_ctx;

static int is_known(const check_ctx *c, const char *name)
{
    return vars_get(c->known, name) || kvlist_get(&c->captured, name) ||
           (c->extra && kvlist_get(c->extra, name));
}

/* "; did you mean ${Y}?" for the nearest name known here or in the table, or "". */
static void nearest_hint(const check_ctx *c, const char *key, char *buf, size_t len)
{
    nearest n;
    nearest_init(&n, key);
    for (size_t i = 0; i < NVARS; i++) nearest_offer(&n, VARS[i].name);
    for (size_t i = 0; i < c->known->kv.n; i++) nearest_offer(&n, c->known->kv.items[i].key);
    for (size_t i = 0; i < c->captured.n; i++) nearest_offer(&n, c->captured.items[i].key);
    for (size_t i = 0; c->extra && i < c->extra->n; i++) nearest_offer(&n, c->extra->items[i].key);
    const char *b = nearest_plausible(&n);
    if (b) snprintf(buf, len, "; did you mean ${%s}?", b);
    else buf[0] = '\0';
}

static int chk_ref(void *ctx, const char *name, size_t n)
{
    check_ctx *c = ctx;
    char *key = xstrndup(name, n);
    if (!is_known(c, key)) {
        const char *where = kvlist_get(&c->partial, key);
        const var_def *def = vars_find(key);
        if (c->tc && vars_is_secret(key)) {
            xml_diag(c->d, c->file, c->line, c->src, c->src_line,
                       "${%s} is for the profile's commands only: a test case never puts the key on the wire or into a "
                       "report", key);
        } else if (where) {
            xml_diag(c->d, c->file, c->line, c->src, c->src_line,
                       "variable ${%s} may be unset: only some alternatives of the expect at "
                       "line %s capture it", key, where);
        } else if (def && def->from) {
            xml_diag(c->d, c->file, c->line, c->src, c->src_line, "%s${%s} needs %s in the profile, which has none",
                       c->what ? c->what : "", key, def->from);
        } else {
            char hint[128];
            nearest_hint(c, key, hint, sizeof hint);
            xml_diag(c->d, c->file, c->line, c->src, c->src_line,
                       "%sunknown variable ${%s}%s (known are the variables in docs/variables.md, the profile's "
                       "<var> names%s)", c->what ? c->what : "", key, hint,
                       c->tc ? " and what the test case captures before this line" : "");
        }
        c->problems++;
    }
    free(key);
    return 0;
}

static void check_text(check_ctx *c, int line, const char *text)
{
    if (!text) return;
    char err[160];
    c->line = line;
    scan_cb cb = { NULL, chk_ref, c, NULL };
    if (scan(text, &cb, err, sizeof err) < 0) {
        xml_diag(c->d, c->file, line, c->src, c->src_line, "%s%s in \"%.60s\"", c->what ? c->what : "", err, text);
        c->problems++;
    }
}

/* Which captures an expect makes certain: those set by every alternative after which the
 * test goes on (pass, warn). A capture made only by some of them may be unset later. */
static void after_expect(check_ctx *c, const tc_step *st)
{
    for (size_t i = 0; i < st->nalts; i++) {
        const tc_alt *a = &st->alts[i];
        for (size_t k = 0; k < a->capture.n; k++) {
            const char *name = a->capture.items[k].key;
            if (kvlist_get(&c->captured, name)) continue;
            int everywhere = 1, continuing = 0;
            for (size_t j = 0; j < st->nalts; j++) {
                const tc_alt *b = &st->alts[j];
                if (b->on_match != VERDICT_PASS && b->on_match != VERDICT_WARN) continue;
                continuing = 1;
                if (!kvlist_get(&b->capture, name)) everywhere = 0;
            }
            if (continuing && everywhere) {
                kvlist_add(&c->captured, name, "");
            } else if (!kvlist_get(&c->partial, name)) {
                char line[16];
                snprintf(line, sizeof line, "%d", st->line);
                kvlist_add(&c->partial, name, line);
            }
        }
    }
}

static void check_steps(check_ctx *c, const tc_steps *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const tc_step *st = &s->items[i];
        c->src = st->src;
        c->src_line = st->src_line;
        switch (st->kind) {
        case STEP_SEND:
            for (size_t k = 0; k < st->send.n; k++) check_text(c, st->line, st->send.items[k].value);
            break;
        case STEP_AWAIT:
            check_text(c, st->line, st->event);
            break;
        case STEP_EXPECT:
            for (size_t j = 0; j < st->nalts; j++) {
                const tc_alt *a = &st->alts[j];
                int line = a->line ? a->line : st->line;
                c->src = a->line ? a->src : st->src;
                c->src_line = a->line ? a->src_line : st->src_line;
                for (size_t k = 0; k < a->match.n; k++) check_text(c, line, a->match.items[k].value);
                check_text(c, line, a->event);
                /* The respond is built after the match, so this alternative's captures
                 * are already set. */
                c->extra = &a->capture;
                check_text(c, line, a->respond.content);
                c->extra = NULL;
            }
            after_expect(c, st);
            break;
        case STEP_TRIGGER: /* names the profile's hook, not a value */
        case STEP_ASSOC:   /* takes its target from the profile */
        case STEP_WAIT:
        case STEP_CLOSE:
        case STEP_LINK:        /* literal network settings, no ${VAR} */
        case STEP_DROP_STATE:
            break;
        case STEP_REVERSE:
            check_text(c, st->line, st->poa);
            break;
        }
    }
}

int vars_check_testcase(const vars *known, const testcase *tc, diag *d)
{
    check_ctx c = { .known = known, .tc = tc, .file = tc->file, .d = d };
    check_steps(&c, &tc->preamble);
    check_steps(&c, &tc->body);
    check_steps(&c, &tc->postamble);
    /* Order rules are checked on the finished timeline: every capture is known by then. */
    c.src = NULL;
    for (size_t i = 0; i < tc->norder; i++) {
        check_text(&c, tc->order[i].line, tc->order[i].a.text);
        check_text(&c, tc->order[i].line, tc->order[i].b.text);
    }
    kvlist_free(&c.captured);
    kvlist_free(&c.partial);
    return c.problems;
}

int vars_check_profile(const profile *p, const char *file, diag *d)
{
    vars known;
    vars_init(&known);
    vars_from_profile(&known, p);
    set_secrets(&known, p);
    vars_run_time(&known);
    check_ctx c = { .known = &known, .file = file, .d = d };
    char what[160];
    for (size_t i = 0; i < p->ntriggers; i++) {
        snprintf(what, sizeof what, "%s%.60s%s: ", strcmp(p->triggers[i].name, "start") ? "<trigger name=\"" : "<",
                 p->triggers[i].name, strcmp(p->triggers[i].name, "start") ? "\">" : ">");
        c.what = what;
        c.src = p->triggers[i].src;
        c.src_line = p->triggers[i].line;
        check_text(&c, p->triggers[i].line, p->triggers[i].command);
    }
    c.what = "<ready>: ";
    c.src = p->ready_src;
    c.src_line = p->ready_line;
    check_text(&c, p->ready_line, p->ready_command);
    kvlist_free(&c.captured);
    kvlist_free(&c.partial);
    vars_free(&known);
    return c.problems;
}
