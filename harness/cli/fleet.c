#include "fleet.h"
#include "certify.h"
#include "../run/plan.h"
#include "../run/pool.h"
#include "../run/runner.h"
#include "../util/xmem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fleet_opts_init(fleet_opts *fo)
{
    memset(fo, 0, sizeof *fo);
    fo->jobs = 1;
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

size_t fleet_check(fleet_opts *fo, const profile *p, testcase *const *tcs, size_t ntcs, size_t nfilters, diag *d)
{
    size_t before = diag_count(d);
    char err[256];
    if (fo->shard && plan_parse_shard(fo->shard, &fo->shard_k, &fo->shard_n, err, sizeof err) < 0)
        diag_error(d, NULL, 0, "%s", err);
    if (fo->jobs > 1) {
        const profile_trigger *st = profile_trigger_find(p, "start");
        if (p->listen_coap > 0 || p->listen_coaps > 0)
            diag_error(d, p->file, 0, "-j %u: the profile has fixed listen ports (a real IUT configured with "
                       "them); parallel tests need the ephemeral ports of the bundled peers: use -j 1", fo->jobs);
        else if (!st || !st->command)
            diag_error(d, p->file, 0, "-j %u: the profile has no start command, so every test talks to the "
                       "same IUT; parallel tests need an IUT started per test: use -j 1", fo->jobs);
    }
    if (fo->certify) {
        if (nfilters) diag_error(d, NULL, 0, "--certify runs every applicable test: --filter is refused");
        if (fo->shard) diag_error(d, NULL, 0, "--certify is one complete run: --shard is refused");
        if (fo->retry) diag_error(d, NULL, 0, "--certify reports each test's first verdict: --retry is refused");
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
    testcase **plan;
    console *con;
    const char *junit_path;
    const junit_run *jr;
    test_result *results;
    size_t n;
    size_t written;      /* results[0..written) are final: junit.xml holds them */
} fleet_ctx;

static void on_started(void *ctx, size_t i)
{
    fleet_ctx *f = ctx;
    console_test_start(f->con, f->plan[i]->id);
}

static void write_junit(fleet_ctx *f)
{
    if (junit_write(f->junit_path, f->jr, f->results, f->written) < 0)
        fprintf(stderr, "run: cannot write %s: %s\n", f->junit_path, strerror(errno));
}

static void on_final(void *ctx, size_t i)
{
    fleet_ctx *f = ctx;
    console_test_done(f->con, &f->results[i]);
    if (i + 1 > f->written) f->written = i + 1;
    write_junit(f);
}

static void on_tick(void *ctx)
{
    fleet_ctx *f = ctx;
    console_tick(f->con);
}

size_t fleet_execute(const fleet_opts *fo, testcase **plan, size_t n, const profile *p, const exec_opts *eo,
                     console *con, const char *junit_path, const junit_run *jr, test_result *results)
{
    fleet_ctx f = { plan, con, junit_path, jr, results, n, 0 };
    pool_hooks h = { on_started, on_final, on_tick, &f };
    unsigned char *want = xcalloc(n ? n : 1, 1);
    if (fo->certify)
        fprintf(con->out, "certification run: every applicable test, profile %s; its known-failures list "
                          "(%zu) is not applied\n", p->file, p->known_failures.n);
    for (size_t i = 0; i < n; i++) {
        char reason[512];
        if (runner_not_applicable(plan[i], p, reason, sizeof reason)) {
            test_result *r = &results[i];
            r->id = xstrdup(plan[i]->id); r->role = xstrdup(plan[i]->role); r->area = xstrdup(plan[i]->area);
            r->title = xstrdup(plan[i]->title); r->file = xstrdup(plan[i]->file);
            r->v = VERDICT_SKIP;
            r->reason = xstrdup(reason);
            want[i] = POOL_FINAL;
        } else {
            want[i] = POOL_RUN;
        }
    }
    pool_opts po = { fo->jobs, fo->repeat, 0, fo->certify ? NULL : &p->known_failures };
    size_t executed = pool_run(plan, n, want, p, eo, &po, &h, results);
    /* --retry: failures are re-run at the end, one more attempt per pass. */
    po.attempts = 1;
    po.retry = 1;
    for (unsigned round = 1; round <= fo->retry && !runner_interrupted; round++) {
        size_t again = 0;
        for (size_t i = 0; i < n; i++) {
            want[i] = plan_retry_wanted(&results[i]) ? POOL_RUN : POOL_NOT_IN_PASS;
            again += want[i] == POOL_RUN;
        }
        if (!again) break;
        fprintf(con->out, "\nretry %u of %u: %zu test(s) that did not pass\n", round, fo->retry, again);
        con->index = 0;
        con->total = again;
        pool_run(plan, n, want, p, eo, &po, &h, results);
    }
    free(want);
    f.written = n;
    write_junit(&f);
    return executed;
}

void fleet_report(const fleet_opts *fo, const profile *p, const char *dir, const test_result *rs, size_t n, FILE *out)
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
    }
}
