#include "fleet.h"
#include "certify.h"
#include "../run/plan.h"
#include "../run/pool.h"
#include "../run/runner.h"
#include "../run/ready.h"
#include "../report/durations.h"
#include "../util/timeutil.h"
#include "../util/xmem.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

void fleet_opts_init(fleet_opts *fo)
{
    memset(fo, 0, sizeof *fo);
    fleet_default_jobs(&fo->jobs, &fo->cpu_jobs);
    fo->repeat = 1;
    fo->shard_k = fo->shard_n = 1;
}

int fleet_parse_number(const char *opt, const char *s, unsigned min, unsigned *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = s && *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : 0;
    if (!s || !end || *end || errno || v < min || v > 1000) {
        fprintf(stderr, "run: %s needs a number from %u to 1000, not '%s'\n", opt, min, s ? s : "");
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

void fleet_default_jobs(unsigned *jobs, unsigned *cpu_jobs)
{
    cpu_set_t set;
    long cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    if (cores > 64) cores = 64;
    *cpu_jobs = (unsigned)cores * 4;
    *jobs = (unsigned)cores * 32;
}

size_t fleet_check(fleet_opts *fo, const profile *p, testcase *const *tcs, size_t ntcs, size_t nfilters, diag *d)
{
    size_t before = diag_count(d);
    char err[256];
    if (fo->shard && plan_parse_shard(fo->shard, &fo->shard_k, &fo->shard_n, err, sizeof err) < 0)
        diag_error(d, NULL, 0, "%s", err);
    if (fo->certify) {
        if (nfilters) diag_error(d, NULL, 0, "--certify runs every applicable test: --filter is refused");
        if (fo->shard) diag_error(d, NULL, 0, "--certify is one complete run: --shard is refused");
        if (fo->retry) diag_error(d, NULL, 0, "--certify reports each test's first verdict: --retry is refused");
        if (p->plain_coap_run)
            diag_error(d, p->file, p->transport_line, "--certify refuses the plain-CoAP run mode (%s): it opens no "
                       "security association and certifies nothing", fo->plain_coap ? "--plain-coap" :
                       "<transport run-mode=\"plain-coap\">");
        certify_check(p, tcs, ntcs, d);
    }
    return diag_count(d) - before;
}

size_t fleet_plan(const fleet_opts *fo, testcase **plan, size_t n)
{
    if (!fo->shard || fo->shard_n <= 1) return n;
    return plan_shard(plan, n, fo->shard_k, fo->shard_n);
}

typedef struct fleet_ctx {
    const fleet_opts *fo;
    fleet_unit *units;
    size_t nunits;
    size_t *unit_of;         /* job -> unit */
    size_t *first;           /* unit -> its first job */
    console *con;
    const char *combined_junit;
    const junit_run *combined;
    size_t *written;         /* per unit: results[0..written) are final */
    int64_t last_write_ns;
} fleet_ctx;

static void on_started(void *ctx, size_t i)
{
    fleet_ctx *f = ctx;
    fleet_unit *u = &f->units[f->unit_of[i]];
    console_test_start(f->con, u->plan[i - f->first[f->unit_of[i]]]->id);
}

static void write_junits(fleet_ctx *f)
{
    junit_part *parts = xcalloc(f->nunits, sizeof *parts);
    for (size_t k = 0; k < f->nunits; k++) {
        fleet_unit *u = &f->units[k];
        if (junit_write(u->junit_path, &u->jr, u->results, f->written[k]) < 0)
            fprintf(stderr, "run: cannot write %s: %s\n", u->junit_path, strerror(errno));
        parts[k] = (junit_part){ &u->jr, u->results, f->written[k] };
    }
    if (f->combined_junit && junit_write_profiles(f->combined_junit, f->combined, parts, f->nunits) < 0)
        fprintf(stderr, "run: cannot write %s: %s\n", f->combined_junit, strerror(errno));
    free(parts);
    f->last_write_ns = mono_now_ns();
}

void fleet_unit_reports(fleet_unit *u)
{
    if (u->report_pid > 0) {   /* written already, by a process of their own */
        while (waitpid(u->report_pid, NULL, 0) < 0 && errno == EINTR) {}
        u->report_pid = 0;
        return;
    }
    run_info_finish(&u->ri);
    if (junit_write(u->junit_path, &u->jr, u->results, u->nplan) < 0)
        fprintf(stderr, "run: cannot write %s: %s\n", u->junit_path, strerror(errno));
    run_report_write(&u->ri, u->p, u->plan, u->results, u->nplan);
}

/* A profile whose every result is final while other profiles' tests still run: its reports
 * (junit.xml, results.json, report.html, bundles) are written by a child process now, beside
 * the tests, rather than by this process after the last test. Not with --retry: a later pass
 * changes results. */
static void reports_early(fleet_ctx *f, fleet_unit *u)
{
    if (f->fo->retry || runner_interrupted || u->report_pid) return;
    run_info_finish(&u->ri);   /* the end time this process writes too (junit.xml) */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_IGN);   /* the reports of a finished profile are written whole */
        if (junit_write(u->junit_path, &u->jr, u->results, u->nplan) < 0)
            fprintf(stderr, "run: cannot write %s: %s\n", u->junit_path, strerror(errno));
        run_report_write(&u->ri, u->p, u->plan, u->results, u->nplan);
        fflush(NULL);
        _exit(0);
    }
    if (pid > 0) u->report_pid = pid;   /* else written at the end, by this process */
}

static void on_final(void *ctx, size_t i)
{
    fleet_ctx *f = ctx;
    size_t k = f->unit_of[i], j = i - f->first[k];
    f->con->tag = f->nunits > 1 ? f->units[k].name : NULL;
    console_test_done(f->con, &f->units[k].results[j]);
    f->con->tag = NULL;
    if (j + 1 > f->written[k]) f->written[k] = j + 1;
    if (f->nunits > 1 && j + 1 == f->units[k].nplan && k + 1 < f->nunits) reports_early(f, &f->units[k]);
    /* The reports are complete at any moment up to a second behind; rewriting them after
     * every one of hundreds of tests would cost more than the tests. */
    if (mono_now_ns() - f->last_write_ns >= NS_PER_SEC) write_junits(f);
}

static void on_tick(void *ctx)
{
    fleet_ctx *f = ctx;
    console_tick(f->con);
}

size_t fleet_execute(const fleet_opts *fo, fleet_unit *units, size_t nunits, console *con,
                     const char *combined_junit, const junit_run *combined)
{
    size_t n = 0;
    for (size_t k = 0; k < nunits; k++) n += units[k].nplan;
    fleet_ctx f = { fo, units, nunits, NULL, NULL, con, combined_junit, combined, NULL, 0 };
    f.unit_of = xcalloc(n ? n : 1, sizeof *f.unit_of);
    f.first = xcalloc(nunits ? nunits : 1, sizeof *f.first);
    f.written = xcalloc(nunits ? nunits : 1, sizeof *f.written);
    pool_job *jobs = xcalloc(n ? n : 1, sizeof *jobs);
    test_result *results = xcalloc(n ? n : 1, sizeof *results);
    unsigned char *want = xcalloc(n ? n : 1, 1);
    size_t i = 0;
    for (size_t k = 0; k < nunits; k++) {
        fleet_unit *u = &units[k];
        f.first[k] = i;
        if (fo->certify)
            fprintf(con->out, "certification run: every applicable test, profile %s; its known-failures list "
                              "(%zu) is not applied\n", u->p->file, u->p->known_failures.n);
        for (size_t j = 0; j < u->nplan; j++, i++) {
            const testcase *tc = u->plan[j];
            f.unit_of[i] = k;
            /* A recorded duration when there is one: a static estimate misses the waits on
             * the IUT's own timers. */
            double rec = fo->durations ? durations_get(fo->durations, u->p->name, tc->id) : -1;
            int64_t expect = rec >= 0 ? (int64_t)(rec * (double)NS_PER_SEC) : plan_expected_ns(tc, u->p);
            jobs[i] = (pool_job){ tc, u->p, &u->eo, fo->certify ? NULL : &u->p->known_failures, u->lock,
                                  expect, expect < PLAN_WAITING_NS, (unsigned)k };
            char reason[512];
            if (runner_not_applicable(tc, u->p, reason, sizeof reason)) {
                test_result *r = &results[i];
                r->id = xstrdup(tc->id); r->role = xstrdup(tc->role); r->area = xstrdup(tc->area);
                r->title = xstrdup(tc->title); r->file = xstrdup(tc->file);
                r->v = VERDICT_SKIP;
                r->reason = xstrdup(reason);
                want[i] = POOL_FINAL;
            } else {
                want[i] = POOL_RUN;
            }
        }
    }
    /* Each unit's results are a slice of the run's array, filled in place. */
    for (size_t k = 0; k < nunits; k++) units[k].results = results + f.first[k];
    /* Attach mode: an IN-CSE the harness does not start is checked once, before its tests; one
     * that does not become ready makes each of them inconclusive without running it. */
    for (size_t k = 0; k < nunits && !runner_interrupted; k++) {
        fleet_unit *u = &units[k];
        unsigned tries = 0;
        double secs = 0;
        char why[600];
        int planned = 0;
        for (size_t j = 0; j < u->nplan; j++) planned |= want[f.first[k] + j] == POOL_RUN;
        int rd = planned ? ready_attached(u->p, &u->eo, &tries, &secs, why, sizeof why) : -1;
        if (rd == 1)
            fprintf(con->out, "attach: %s: the running IUT at %s:%d is ready (RETRIEVE of its CSEBase: %s; "
                              "%u attempt(s), %.1f s)\n", u->p->name ? u->p->name : "profile", u->p->iut_address,
                    u->p->iut_coaps_port > 0 ? u->p->iut_coaps_port : u->p->iut_coap_port,
                    why[0] ? why : "2000", tries, secs);
        if (rd != 0) continue;
        fprintf(con->out, "attach: %s: the running IUT did not become ready within the ready-timeout (%u attempt(s), "
                          "%.1f s): %s\n", u->p->name ? u->p->name : "profile", tries, secs, why);
        for (size_t j = 0; j < u->nplan; j++) {
            size_t at = f.first[k] + j;
            if (want[at] != POOL_RUN) continue;
            test_result *r = &results[at];
            const testcase *tc = u->plan[j];
            r->id = xstrdup(tc->id); r->role = xstrdup(tc->role); r->area = xstrdup(tc->area);
            r->title = xstrdup(tc->title); r->file = xstrdup(tc->file);
            r->v = VERDICT_INCONC;
            r->error_type = xstrdup("inconclusive");
            r->reason = xasprintf("attach mode: the running IUT was not ready (a RETRIEVE of its CSEBase was neither "
                                  "answered 2000 nor refused by its own rules within %.1f s): %s", secs, why);
            want[at] = POOL_FINAL;
        }
    }
    pool_hooks h = { on_started, on_final, on_tick, &f };
    /* Without -j: room for every wait of this plan at once (run/plan.h). */
    size_t waiting = 0;
    for (size_t j = 0; j < n; j++) waiting += want[j] == POOL_RUN && !jobs[j].cpu_bound;
    unsigned njobs = fo->jobs_given ? fo->jobs : plan_default_jobs(fo->jobs, fo->cpu_jobs, waiting);
    pool_opts po = { njobs, fo->cpu_jobs, fo->repeat, 0 };
    size_t executed = pool_run(jobs, n, want, &po, &h, results);
    for (size_t k = 0; k < nunits; k++) {
        units[k].executed = 0;
        for (size_t j = 0; j < units[k].nplan; j++)
            units[k].executed += want[f.first[k] + j] == POOL_RUN && units[k].results[j].v != VERDICT_SKIP;
    }
    /* --retry: failures are re-run at the end, one more attempt per pass. */
    po.attempts = 1;
    po.retry = 1;
    for (unsigned round = 1; round <= fo->retry && !runner_interrupted; round++) {
        size_t again = 0;
        for (size_t j = 0; j < n; j++) {
            want[j] = plan_retry_wanted(&results[j]) ? POOL_RUN : POOL_NOT_IN_PASS;
            again += want[j] == POOL_RUN;
        }
        if (!again) break;
        fprintf(con->out, "\nretry %u of %u: %zu test(s) that did not pass\n", round, fo->retry, again);
        con->index = 0;
        con->total = again;
        pool_run(jobs, n, want, &po, &h, results);
    }
    for (size_t k = 0; k < nunits; k++) f.written[k] = units[k].nplan;
    write_junits(&f);
    free(want);
    free(jobs);
    free(f.unit_of);
    free(f.first);
    free(f.written);
    return executed;
}

int fleet_report(const fleet_opts *fo, const profile *p, testcase *const *plan, const char *dir, const test_result *rs,
                 size_t n, FILE *out)
{
    size_t flaky = 0;
    for (size_t i = 0; i < n; i++) flaky += rs[i].flaky != 0;
    if (flaky) {
        fprintf(out, "flaky: %zu test(s) failed on one attempt and passed on another (JUnit property 'flaky'):\n", flaky);
        for (size_t i = 0; i < n; i++)
            if (rs[i].flaky)
                fprintf(out, "  %s  %s (attempts: %s)\n", rs[i].id ? rs[i].id : "?",
                        verdict_fails_run(rs[i].v) ? "counted as failed" : "passed in the end, not counted against the run",
                        rs[i].attempts ? rs[i].attempts : "?");
    }
    if (fo->certify) {
        size_t skipped = 0;
        for (size_t i = 0; i < n; i++) skipped += rs[i].v == VERDICT_SKIP;
        if (certify_write_skipped(dir, rs, n) < 0)
            fprintf(stderr, "run: cannot write %s/skipped.txt: %s\n", dir, strerror(errno));
        fprintf(out, "certification run: profile applied in %s/profile.xml; %zu skipped test(s) with their "
                     "reasons in %s/skipped.txt; known failures not applied: %zu\n",
                dir, skipped, dir, p->known_failures.n);
        char why[400];
        int sae = certify_sae_rule(p, why, sizeof why);
        if (sae == 2) {
            fprintf(out, "certification run NOT PASSED: %s, whatever the tests that ran gave\n", why);
            return 1;
        }
        if (sae == 1) fprintf(out, "certification run: warning: %s\n", why);
        if (profile_attached(p)) certify_attach_summary(p, plan, dir, rs, n, out);
    }
    return 0;
}
