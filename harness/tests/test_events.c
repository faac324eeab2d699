/* The event vocabulary (flow/events.h): the table is well formed, selectors outside it are
 * refused with the nearest name, every event name written in the sources is registered, and
 * a strict timeline refuses to record an unregistered name, key or value. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "flow/events.h"
#include "util/nearest.h"
#include "m2m_test.h"

void m2m_test_register(void);

static void test_table_well_formed(void)
{
    CU_ASSERT_TRUE(events_count() >= 40);
    regex_t re;
    CU_ASSERT_EQUAL_FATAL(regcomp(&re, "^[a-z]+(\\.[a-z_]+)+$", REG_EXTENDED | REG_NOSUB), 0);
    for (size_t i = 0; i < events_count(); i++) {
        const ev_def *d = events_at(i);
        if (regexec(&re, d->name, 0, NULL, 0) != 0) { fprintf(stderr, "\nbad name %s\n", d->name); CU_FAIL("event name form"); }
        CU_ASSERT_PTR_EQUAL(events_find(d->name), d);   /* unique */
        CU_ASSERT_TRUE(d->module && *d->module && d->when && *d->when);
        ev_attr a, b;
        for (size_t k = 0; events_attr_at(d, k, &a); k++) {
            if (!events_attr_meaning(d->name, a.key)) {
                fprintf(stderr, "\n%s: attribute %s has no meaning in events.c MEANINGS\n", d->name, a.key);
                CU_FAIL("attribute without a meaning");
            }
            CU_ASSERT_STRING_NOT_EQUAL(a.key, "peer");
            CU_ASSERT_TRUE(events_attr(d, a.key, &b) && !strcmp(b.key, a.key));
            for (size_t j = k + 1; events_attr_at(d, j, &b); j++)
                if (!strcmp(a.key, b.key)) { fprintf(stderr, "\n%s: %s twice\n", d->name, a.key); CU_FAIL("attribute twice"); }
            if (a.type == EVA_ENUM) CU_ASSERT_TRUE(a.values[0] && !strstr(a.values, "||"));
        }
    }
    regfree(&re);
    CU_ASSERT_PTR_NULL(events_find("msg.rxx"));
}

static void test_attribute_types(void)
{
    ev_attr a;
    CU_ASSERT_TRUE_FATAL(events_attr(events_find("msg.rx"), "secure", &a));
    CU_ASSERT_EQUAL(a.type, EVA_BOOL);
    CU_ASSERT_TRUE(events_value_ok(&a, "true") && events_value_ok(&a, "false"));
    CU_ASSERT_FALSE(events_value_ok(&a, "flase") || events_value_ok(&a, "TRUE") || events_value_ok(&a, ""));
    CU_ASSERT_TRUE_FATAL(events_attr(events_find("msg.rx"), "ty", &a));
    CU_ASSERT_EQUAL(a.type, EVA_INT);
    CU_ASSERT_TRUE(events_value_ok(&a, "16") && events_value_ok(&a, "-1"));
    CU_ASSERT_FALSE(events_value_ok(&a, "1x") || events_value_ok(&a, "") || events_value_ok(&a, "-"));
    CU_ASSERT_TRUE_FATAL(events_attr(events_find("sae.done"), "side", &a));
    CU_ASSERT_EQUAL(a.type, EVA_ENUM);
    CU_ASSERT_TRUE(events_value_ok(&a, "client") && events_value_ok(&a, "server"));
    CU_ASSERT_FALSE(events_value_ok(&a, "clien") || events_value_ok(&a, "client|server"));
    CU_ASSERT_STRING_EQUAL(events_type_text(&a), "client|server");
    CU_ASSERT_TRUE_FATAL(events_attr(events_find("sae.done"), "suite", &a));
    CU_ASSERT_EQUAL(a.type, EVA_STRING);
    CU_ASSERT_FALSE(events_attr(events_find("sae.done"), "secure", NULL));
    CU_ASSERT_STRING_EQUAL(events_attr_meaning("prov.fetch", "status"), "whether the MEF served the credential");
    CU_ASSERT_STRING_NOT_EQUAL(events_attr_meaning("iut.exit", "status"), "whether the MEF served the credential");
}

/* Parses and checks one selector; returns the check's result, the message in err. */
static int sel(const char *text, char *err, size_t errlen)
{
    ev_sel s;
    CU_ASSERT_EQUAL_FATAL(ev_sel_parse(text, &s, err, errlen), 0);
    int r = events_check_selector(&s, err, errlen);
    ev_sel_free(&s);
    return r;
}

static void expect_refused(const char *text, const char *needle)
{
    char err[1024];
    CU_ASSERT_EQUAL(sel(text, err, sizeof err), -1);
    if (!strstr(err, needle)) {
        fprintf(stderr, "\n%s: expected '%s' in: %s\n", text, needle, err);
        CU_FAIL("message");
    }
}

static void test_selectors(void)
{
    char err[1024];
    const char *ok[] = { "sae.done", "msg.rx[secure=false]", "msg.rx[op=create,ty!=2,fr!=${AEI}]",
                         "sae.*", "sae.*[side=server]", "msg.*[secure=true]", "prov.*[rspf=ppsk,enrolment=2]",
                         "sae.done[peer=127.0.0.1:5684]", "acp.deny[op=CREATE]", "sae.done[side=${SIDE}]", NULL };
    for (size_t i = 0; ok[i]; i++) {
        if (sel(ok[i], err, sizeof err) != 0) { fprintf(stderr, "\n%s: %s\n", ok[i], err); CU_FAIL("refused a valid selector"); }
    }
    expect_refused("msg.rxx[secure=false]", "unknown event 'msg.rxx'");
    expect_refused("msg.rxx[secure=false]", "did you mean 'msg.rx'?");
    expect_refused("sae.doen", "did you mean 'sae.done'?");
    expect_refused("msg.rx[secur=false]", "event msg.rx has no attribute 'secur'; did you mean 'secure'?");
    expect_refused("msg.rx[secure=flase]", "takes only true|false, not 'flase'; did you mean 'false'?");
    expect_refused("sae.done[side=clinet]", "did you mean 'client'?");
    expect_refused("msg.rx[ty=ae]", "is an integer, not 'ae'");
    expect_refused("msg.rx[op=CREATE]", "takes only create|");          /* msg.rx's ops are lower case */
    expect_refused("acp.deny[op=create]", "did you mean 'CREATE'?");     /* acp's are upper case */
    expect_refused("sae.cert_rejected[ctype=x509]", "takes only rpk");   /* only raw keys set ctype there */
    expect_refused("sae.*[secure=true]", "no event matching sae.*");
    expect_refused("sea.*", "no event the harness records starts with 'sea.'");
    expect_refused("totally.different", "unknown event");
    CU_ASSERT_EQUAL(events_check_attr("msg.tx", "dup", NULL, err, sizeof err), -1);   /* only received messages */
    CU_ASSERT_EQUAL(events_check_attr("msg.rx", "dup", "identical", err, sizeof err), 0);
}

static void test_nearest(void)
{
    CU_ASSERT_EQUAL(edit_distance("msg.rxx", "msg.rx"), 1);
    CU_ASSERT_EQUAL(edit_distance("sae.doen", "sae.done"), 1);   /* a swap counts one */
    CU_ASSERT_EQUAL(edit_distance("", "abc"), 3);
    nearest n;
    nearest_init(&n, "SAE_PKS");
    nearest_offer(&n, "SAE_CERT");
    nearest_offer(&n, "SAE_PSK");
    nearest_offer(&n, "SAE_RPK");
    CU_ASSERT_STRING_EQUAL(nearest_plausible(&n), "SAE_PSK");
    nearest_init(&n, "xyz");
    nearest_offer(&n, "SAE_PSK");
    CU_ASSERT_PTR_NULL(nearest_plausible(&n));
}

static void test_emit_check(void)
{
    char err[512];
    CU_ASSERT_EQUAL(events_check_emit("sae.done", NULL, NULL, err, sizeof err), 0);
    CU_ASSERT_EQUAL(events_check_emit("sae.done", "suite", "TLS_PSK_WITH_AES_128_CCM_8", err, sizeof err), 0);
    CU_ASSERT_EQUAL(events_check_emit("sae.doen", NULL, NULL, err, sizeof err), -1);
    CU_ASSERT_EQUAL(events_check_emit("sae.done", "suit", "x", err, sizeof err), -1);
    CU_ASSERT_EQUAL(events_check_emit("sae.done", "kpsaid", "yes", err, sizeof err), -1);
    CU_ASSERT_EQUAL(events_check_emit("msg.rx", "mid", "0x12", err, sizeof err), -1);
    CU_ASSERT_EQUAL(events_check_emit("msg.rx", "peer", "x", err, sizeof err), -1);
}

/* Runs f in a child; returns the signal that ended it, or 0 on a normal exit. */
static int in_child(void (*f)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) _exit(3);   /* the abort's message is expected */
        f();
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void strict_registered(void)
{
    timeline tl;
    timeline_init(&tl);
    timeline_strict(&tl, 1);
    tl_event *e = timeline_add(&tl, "msg.rx", "127.0.0.1:1", "secure", "true", "type", "CON", (char *)NULL);
    tl_event_set(e, "op", "create");
    timeline_add(&tl, "sae.done", NULL, "sa", "1", "side", "server", "kpsaid", "true", (char *)NULL);
    timeline_free(&tl);
}
static void strict_bad_name(void)
{
    timeline tl;
    timeline_init(&tl);
    timeline_strict(&tl, 1);
    timeline_add(&tl, "sae.doen", NULL, (char *)NULL);
}
static void strict_bad_key(void)
{
    timeline tl;
    timeline_init(&tl);
    timeline_strict(&tl, 1);
    tl_event *e = timeline_add(&tl, "msg.rx", NULL, (char *)NULL);
    tl_event_set(e, "secur", "true");
}
static void strict_bad_value(void)
{
    timeline tl;
    timeline_init(&tl);
    timeline_strict(&tl, 1);
    const char *kv[] = { "secure", "yes", NULL };
    timeline_add_at(&tl, 0, "msg.rx", NULL, kv);
}
static void lax_anything(void)
{
    timeline tl;
    timeline_init(&tl);
    timeline_add(&tl, "made.up", NULL, "k", "v", (char *)NULL);   /* replay and checker tests */
    timeline_free(&tl);
}

static void test_strict_timeline(void)
{
#ifdef NDEBUG
    CU_PASS("built with NDEBUG: strict timelines record without checking");
#else
    CU_ASSERT_EQUAL(in_child(strict_registered), 0);
    CU_ASSERT_EQUAL(in_child(strict_bad_name), SIGABRT);
    CU_ASSERT_EQUAL(in_child(strict_bad_key), SIGABRT);
    CU_ASSERT_EQUAL(in_child(strict_bad_value), SIGABRT);
    CU_ASSERT_EQUAL(in_child(lax_anything), 0);
#endif
}

/* ---- every event name written in the sources is in the table ---- */

static int scan_errors;

static int family_known(const char *lit, size_t n)
{
    const char *dot = memchr(lit, '.', n);
    if (!dot) return 0;
    size_t fl = (size_t)(dot - lit);
    for (size_t i = 0; i < events_count(); i++) {
        const char *name = events_at(i)->name;
        if (!strncmp(name, lit, fl) && name[fl] == '.') return 1;
    }
    return 0;
}

static void scan_file(const char *path, regex_t *re)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[4096];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        const char *p = line;
        regmatch_t m[2];
        while (regexec(re, p, 2, m, 0) == 0) {
            const char *lit = p + m[1].rm_so;
            size_t n = (size_t)(m[1].rm_eo - m[1].rm_so);
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)n, lit);
            static const char *const ext[] = { ".c", ".h", ".xml", ".xsd", ".json", ".md", ".txt", ".html",
                                               ".pcapng", ".sh", ".pem", ".tsv", ".js", ".in", NULL };
            int file = 0;
            for (size_t i = 0; ext[i]; i++) {
                size_t el = strlen(ext[i]);
                if (n > el && !strcmp(name + n - el, ext[i])) file = 1;
            }
            size_t nl = strlen(name);
            int prefix = nl && name[nl - 1] == '*';
            if (!file && family_known(name, n)) {
                int known = 0;
                if (prefix) {
                    for (size_t i = 0; i < events_count() && !known; i++)
                        known = !strncmp(events_at(i)->name, name, nl - 1);
                } else {
                    known = events_find(name) != NULL;
                }
                if (!known) {
                    fprintf(stderr, "\n%s:%d: event \"%s\" is not in harness/flow/events.c\n", path, ln, name);
                    scan_errors++;
                }
            }
            p += m[0].rm_eo;
        }
    }
    fclose(f);
}

static size_t scan_dir(const char *dir, regex_t *re)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t l = strlen(de->d_name);
        if (!strcmp(de->d_name, "tests") || !strcmp(de->d_name, "fuzz") || !strcmp(de->d_name, "node_modules")) continue;
        if (l > 2 && (!strcmp(de->d_name + l - 2, ".c") || !strcmp(de->d_name + l - 2, ".h"))) {
            scan_file(path, re);
            files++;
        } else if (de->d_type == DT_DIR) {
            files += scan_dir(path, re);
        }
    }
    closedir(d);
    return files;
}

static void test_sources_use_registered_events(void)
{
    regex_t re;
    CU_ASSERT_EQUAL_FATAL(regcomp(&re, "\"([a-z]+(\\.[a-z_]+)+\\*?)\"", REG_EXTENDED), 0);
    scan_errors = 0;
    size_t files = scan_dir("harness", &re) + scan_dir("tools", &re);
    regfree(&re);
    CU_ASSERT_TRUE(files > 100);   /* run from the source root (meson test's workdir) */
    CU_ASSERT_EQUAL(scan_errors, 0);
    /* the scan itself finds a planted name */
    char tmpl[] = "/tmp/m2m-events-XXXXXX";
    int fd = mkstemp(tmpl);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    const char *src = "timeline_add(tl, \"sae.record_seen\", NULL, (char *)NULL); /* \"acp.h\" \"sae.*\" */\n";
    CU_ASSERT_EQUAL(write(fd, src, strlen(src)), (ssize_t)strlen(src));
    close(fd);
    CU_ASSERT_EQUAL_FATAL(regcomp(&re, "\"([a-z]+(\\.[a-z_]+)+\\*?)\"", REG_EXTENDED), 0);
    scan_errors = 0;
    scan_file(tmpl, &re);
    regfree(&re);
    unlink(tmpl);
    CU_ASSERT_EQUAL(scan_errors, 1);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("events", NULL, NULL);
    CU_add_test(s, "the table is well formed, every attribute has a meaning", test_table_well_formed);
    CU_add_test(s, "attribute types and closed value sets", test_attribute_types);
    CU_add_test(s, "selectors outside the vocabulary are refused with the nearest name", test_selectors);
    CU_add_test(s, "nearest names", test_nearest);
    CU_add_test(s, "what a module records is checked against the table", test_emit_check);
    CU_add_test(s, "a strict timeline aborts on an unregistered name, key or value", test_strict_timeline);
    CU_add_test(s, "every event name in the sources is registered", test_sources_use_registered_events);
}
