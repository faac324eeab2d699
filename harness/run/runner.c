#include "runner.h"
#include "plan.h"
#include "../iut/netns.h"
#include "../onem2m/release.h"
#include "../exec/plainmode.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int runner_interrupted;

static void on_signal(int sig) { runner_interrupted = sig; }

void runner_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int runner_not_applicable(const testcase *tc, const profile *p, char *reason, size_t len)
{
    if (strcmp(tc->role, p->role) != 0) {
        snprintf(reason, len, "test is for role %s; profile '%s' has the harness play %s",
                 tc->role, p->name ? p->name : "?", p->role);
        return 1;
    }
    if (p->netns && !netns_possible(reason, len)) return 1;   /* <control netns="true">, exec/netns.h */
    /* A test that sends a request without rvi (rvi="") shows nothing when the profile's
     * option numbering has no number for rvi (legacy): every request then lacks it. Nor when
     * the IUT claims Release 1 (PICS RELEASE_1, or <iut release="1">): such a request is a
     * Release-1 request (TS-0004 §7.3.2.1), which it serves instead of refusing with 4001. */
    int serves_r1 = profile_has_pics(p, "RELEASE_1") || p->release == M2M_REL_1;
    if (!p->options.num[M2M_OPT_RVI] || serves_r1) {
        const tc_steps *all[] = { &tc->preamble, &tc->body };
        for (size_t a = 0; a < 2; a++)
            for (size_t i = 0; i < all[a]->n; i++) {
                const tc_step *st = &all[a]->items[i];
                for (size_t k = 0; st->kind == STEP_SEND && k < st->send.n; k++)
                    if (!strcmp(st->send.items[k].key, "rvi") && !*st->send.items[k].value) {
                        snprintf(reason, len, "%s", p->options.num[M2M_OPT_RVI]
                                 ? "the IUT serves Release 1 (PICS RELEASE_1 or release 1): a request without rvi is a Release-1 request it serves"
                                 : "the profile's option numbering has no number for rvi: no request carries it");
                        return 1;
                    }
            }
    }
    /* The plain-CoAP run mode picks its tests first (exec/plainmode.h): what DTLS the IUT
     * claims does not matter there, no association is opened. */
    int plain_run = p->plain_coap_run && !strcmp(p->role, "field");
    if (plain_run && plainmode_not_applicable(tc, p, reason, len)) return 1;
    int needs_dtls = 0;   /* an item of DTLS the IUT without it lacks: the test judges that */
    for (size_t i = 0; i < tc->nrequires; i++)
        if (!profile_has_pics(p, tc->requires[i])) {
            /* <transport dtls="no">: SAE and SAE_PSK are asked of the IUT's transport (the
             * harness offers the handshake and records what came back); the other DTLS items
             * name a framework or a behaviour the IUT does not claim */
            if (profile_pics_needs_dtls(tc->requires[i]) && (plain_run || (!p->transport_dtls &&
                (!strcmp(tc->requires[i], "SAE") || !strcmp(tc->requires[i], "SAE_PSK"))))) {
                needs_dtls = 1;
                continue;
            }
            const char *r = tc->requires[i];
            size_t rl = strlen(r);
            /* An independent DTLS peer claims no CSE item: say so, not only which is missing. */
            int cse_item = strncmp(r, "IUT_", 4) == 0 && rl > 8 && strcmp(r + rl - 4, "_CSE") == 0;
            int any_cse = profile_has_pics(p, "IUT_IN_CSE") || profile_has_pics(p, "IUT_MN_CSE") ||
                          profile_has_pics(p, "IUT_ASN_CSE");
            /* CFG_ items set up the test configuration; they are no claim of the IUT */
            if (strchr(r, '|'))
                snprintf(reason, len, "IUT claims none of the PICS items %s (any one would do)", r);
            else if (strncmp(r, "CFG_", 4) == 0)
                snprintf(reason, len, "the profile does not configure PICS item %s (test configuration)", r);
            else
                snprintf(reason, len, "IUT does not claim PICS item %s%s", r,
                         cse_item && !any_cse ? " (IUT is not a CSE)" : "");
            return 1;
        }
    if (needs_dtls && !plain_run && plainmode_no_dtls_skip(tc, p, reason, len)) return 1;
    /* Only once the PICS items are claimed: a profile without SAE_CERT has no certificate
     * variants, and that is not the reason its certificate tests skip. A raw-key test names
     * a variant of <raw-public-key>, which is no certificate. */
    if (tc->harness.certificate && !profile_cert_variant(p, tc->harness.certificate)) {
        int rpk = p->rpk_pub != NULL;
        for (size_t i = 0; i < tc->nrequires; i++) rpk |= !strcmp(tc->requires[i], "SAE_RPK");
        snprintf(reason, len, "the profile has no harness %s variant '%s' (<%s><variant name=\"%s\">)",
                 rpk ? "raw public key" : "certificate", tc->harness.certificate,
                 rpk ? "raw-public-key" : "certificate", tc->harness.certificate);
        return 1;
    }
    /* Last: a test that applies but needs what an IUT the harness does not start cannot give */
    return plan_attach_needs(tc, p, reason, len);
}

/* Result records on the pipe: "key <length>\n<bytes>\n"; "iut_pgid <pid>\n" is a line. */
static void put(int fd, const char *key, const char *val)
{
    if (!val) return;
    size_t n = strlen(val);
    dprintf(fd, "%s %zu\n", key, n);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, val + off, n - off);
        if (w <= 0) { if (errno == EINTR) continue; return; }
        off += (size_t)w;
    }
    if (write(fd, "\n", 1) < 0) return;
}

/* Self-test hook for --repeat/--retry: M2M_HARNESS_SELFTEST_FLAKY="ID:COUNTER-FILE" makes test
 * ID fail while the counter file (attempts so far) reads 0; every attempt counts up. */
static int selftest_fail_first_attempt(const char *id)
{
    const char *v = getenv("M2M_HARNESS_SELFTEST_FLAKY");
    const char *colon = v ? strchr(v, ':') : NULL;
    if (!colon || strncmp(v, id, (size_t)(colon - v)) != 0 || id[colon - v] != '\0') return 0;
    long n = 0;
    FILE *f = fopen(colon + 1, "r");
    if (f) { if (fscanf(f, "%ld", &n) != 1) n = 0; fclose(f); }
    if ((f = fopen(colon + 1, "w")) != NULL) { fprintf(f, "%ld\n", n + 1); fclose(f); }
    return n == 0;
}

static void child_main(const testcase *tc, const profile *p, const exec_opts *o, int fd)
{
    /* Self-test hook for the harness's own tests: crash this test's process on purpose. */
    const char *crash = getenv("M2M_HARNESS_SELFTEST_CRASH");
    if (crash && strcmp(crash, tc->id) == 0) raise(SIGSEGV);
    if (selftest_fail_first_attempt(tc->id)) {
        test_result f = { .v = VERDICT_FAIL, .reason = xstrdup("self-test: the first attempt fails on purpose") };
        runner_result_send(fd, &f);
        test_result_free(&f);
        return;
    }
    exec_opts co = *o;
    co.result_fd = fd;
    test_result r;
    memset(&r, 0, sizeof r);
    executor_run(tc, p, &co, &r);
    runner_result_send(fd, &r);
    test_result_free(&r);
}

void runner_result_send(int fd, const test_result *r)
{
    put(fd, "verdict", verdict_name(r->v));
    put(fd, "reason", r->reason);
    put(fd, "error_type", r->error_type);
    put(fd, "output", r->output);
    put(fd, "timeline_file", r->timeline_file);
    char secs[32];
    snprintf(secs, sizeof secs, "%lld", (long long)(r->seconds * (double)US_PER_SEC));  /* microseconds */
    put(fd, "usec", secs);
}

static void parse_results(const char *buf, size_t len, test_result *out, pid_t *iut_pgid)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (!nl) return;
        char key[32];
        unsigned long long n = 0;
        char line[96];
        size_t ll = (size_t)(nl - (buf + i));
        snprintf(line, sizeof line, "%.*s", (int)(ll < sizeof line ? ll : sizeof line - 1), buf + i);
        i = (size_t)(nl - buf) + 1;
        if (sscanf(line, "%31s %llu", key, &n) != 2) return;
        if (strcmp(key, "iut_pgid") == 0) { *iut_pgid = (pid_t)n; continue; }
        if (n > len - i) return;
        char *val = xstrndup(buf + i, (size_t)n);
        i += (size_t)n + 1;
        if (!strcmp(key, "verdict")) { if (verdict_from_name(val, &out->v) < 0) out->v = VERDICT_ERROR; free(val); }
        else if (!strcmp(key, "reason")) { free(out->reason); out->reason = val; }
        else if (!strcmp(key, "error_type")) { free(out->error_type); out->error_type = val; }
        else if (!strcmp(key, "output")) { free(out->output); out->output = val; }
        else if (!strcmp(key, "timeline_file")) { free(out->timeline_file); out->timeline_file = val; }
        else if (!strcmp(key, "usec")) { out->seconds = (double)strtoll(val, NULL, 10) / (double)US_PER_SEC; free(val); }
        else free(val);
    }
}

void runner_result_parse(const char *buf, size_t len, test_result *out)
{
    pid_t ignored = 0;
    parse_results(buf, len, out, &ignored);
}

static void set_error(test_result *out, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_error(test_result *out, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    out->v = VERDICT_ERROR;
    free(out->reason);
    out->reason = msg;
    free(out->error_type);
    out->error_type = xstrdup(type);
}

void runner_run_one(const testcase *tc, const profile *p, const exec_opts *o, test_result *out)
{
    out->id = xstrdup(tc->id);
    out->role = xstrdup(tc->role);
    out->area = xstrdup(tc->area);
    out->title = xstrdup(tc->title);
    out->file = xstrdup(tc->file);
    int64_t deadline = tc->deadline_ns ? tc->deadline_ns : p->test_deadline_ns;
    int64_t t0 = mono_now_ns();
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        set_error(out, "setup", "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        set_error(out, "setup", "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return;
    }
    if (pid == 0) {
        close(pfd[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(3);
        signal(SIGINT, SIG_IGN);      /* the parent decides; it kills us when interrupted */
        signal(SIGTERM, SIG_DFL);
        child_main(tc, p, o, pfd[1]);
        close(pfd[1]);
        _exit(0);
    }
    close(pfd[1]);
    strbuf buf;
    sb_init(&buf);
    pid_t iut_pgid = 0;
    int status = 0, reaped = 0, timed_out = 0;
    int64_t end = t0 + deadline;
    for (;;) {
        if (runner_interrupted) break;
        if (o->observer && o->observer->tick) o->observer->tick(o->observer->ctx);
        int64_t left = end - mono_now_ns();
        if (left <= 0) { timed_out = 1; break; }
        struct pollfd pf = { pfd[0], POLLIN, 0 };
        int ms = (int)(left / NS_PER_MS + 1);
        if (ms > 200) ms = 200;       /* wake up to notice signals */
        int r = poll(&pf, 1, ms);
        if (r > 0) {
            char chunk[8192];
            ssize_t n = read(pfd[0], chunk, sizeof chunk);
            if (n > 0) {
                sb_addn(&buf, chunk, (size_t)n);
                test_result scratch;   /* learn the IUT's process group early */
                memset(&scratch, 0, sizeof scratch);
                parse_results(buf.s, buf.len, &scratch, &iut_pgid);
                test_result_free(&scratch);
                continue;
            }
            if (n == 0) break;        /* child closed the pipe */
        }
    }
    if (timed_out || runner_interrupted) {
        kill(pid, SIGKILL);
        if (iut_pgid > 0) kill(-iut_pgid, SIGKILL);
    }
    if (waitpid(pid, &status, 0) == pid) reaped = 1;
    close(pfd[0]);
    out->seconds = ns_to_sec(mono_now_ns() - t0);
    test_result parsed;
    memset(&parsed, 0, sizeof parsed);
    parsed.v = VERDICT_NONE;
    parse_results(buf.s ? buf.s : "", buf.len, &parsed, &iut_pgid);
    sb_free(&buf);
    out->v = parsed.v;
    out->reason = parsed.reason;
    out->error_type = parsed.error_type;
    out->output = parsed.output;
    out->timeline_file = parsed.timeline_file;
    if (iut_pgid > 0) kill(-iut_pgid, SIGKILL);   /* nothing started by a test outlives it */
    if (p->netns) netns_sweep(pid);   /* nor its namespace, also when it was killed */
    if (runner_interrupted) {
        set_error(out, "interrupted", "run interrupted by signal %d while this test ran", runner_interrupted);
    } else if (timed_out) {
        set_error(out, "deadline", "test exceeded its deadline of %.3g s and was killed; the run went on",
                  ns_to_sec(deadline));
    } else if (reaped && WIFSIGNALED(status)) {
        set_error(out, "crash", "test process killed by signal %d (%s); the run went on",
                  WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else if (out->v == VERDICT_NONE) {
        set_error(out, "crash", "test process ended without a result (exit status %d)",
                  reaped && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
}
