#include "pool.h"
#include "plan.h"
#include "runner.h"
#include "../util/timeutil.h"
#include "../util/xmem.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct worker {
    pid_t pid;
    int fd;
    size_t test;
    strbuf buf;
} worker;

typedef struct pool {
    const pool_job *jobs;
    size_t n;
    const unsigned char *want;
    const pool_opts *po;
    const pool_hooks *h;
    test_result *results;
    unsigned *left;           /* attempts still to start per job */
    unsigned char *running;   /* an attempt of the job is running */
    unsigned char *done;      /* handed on */
    unsigned char *ran;       /* at least one attempt started */
    size_t *order;            /* the order jobs start in */
    int64_t *started_ns;      /* when the running attempt of each job started */
    size_t next_final;
} pool;

static void set_identity(test_result *r, const testcase *tc)
{
    if (r->id) return;
    r->id = xstrdup(tc->id);
    r->role = xstrdup(tc->role);
    r->area = xstrdup(tc->area);
    r->title = xstrdup(tc->title);
    r->file = xstrdup(tc->file);
}

/* Hands on every job whose result is final, in job order, up to the first that is not. */
static void flush(pool *pl)
{
    while (pl->next_final < pl->n) {
        size_t i = pl->next_final;
        if (pl->want[i] == POOL_RUN && (pl->left[i] || pl->running[i])) return;
        if (pl->want[i] != POOL_NOT_IN_PASS && !pl->done[i]) {
            if (pl->want[i] == POOL_RUN) {
                if (!pl->ran[i] && !pl->results[i].id) {
                    set_identity(&pl->results[i], pl->jobs[i].tc);
                    pl->results[i].v = VERDICT_SKIP;
                    free(pl->results[i].reason);
                    pl->results[i].reason = xstrdup("not run: the run was interrupted");
                } else {
                    plan_apply_known(&pl->results[i], pl->jobs[i].known);
                }
            }
            pl->done[i] = 1;
            if (pl->h && pl->h->final) pl->h->final(pl->h->ctx, i);
        }
        pl->next_final++;
    }
}

static void fold(pool *pl, size_t i, test_result *att)
{
    set_identity(att, pl->jobs[i].tc);
    plan_add_attempt(&pl->results[i], att, pl->po->retry);
    /* A retry stops at the first attempt that passes. */
    if (pl->po->retry && !plan_retry_wanted(&pl->results[i])) pl->left[i] = 0;
}

/* CPU-bound attempts that count against cpu_jobs now: running, and started less than
 * PLAN_WAITING_NS ago. One still running after that is waiting (its expected duration was
 * wrong): it gives its slot back. */
static unsigned cpu_busy(const pool *pl, int64_t now)
{
    unsigned n = 0;
    for (size_t k = 0; k < pl->n; k++)
        n += pl->running[k] && pl->jobs[k].cpu_bound && now - pl->started_ns[k] < PLAN_WAITING_NS;
    return n;
}

static int lock_held(const pool *pl, const char *lock)
{
    if (!lock) return 0;
    for (size_t k = 0; k < pl->n; k++)
        if (pl->running[k] && pl->jobs[k].lock && !strcmp(pl->jobs[k].lock, lock)) return 1;
    return 0;
}

/* The next attempt to start, in start order: attempts left, none of the job running, its
 * lock free, and a CPU slot when it needs one. */
static int next_job(pool *pl, size_t *out)
{
    unsigned busy = pl->po->cpu_jobs ? cpu_busy(pl, mono_now_ns()) : 0;
    for (size_t k = 0; k < pl->n; k++) {
        size_t i = pl->order[k];
        const pool_job *j = &pl->jobs[i];
        if (pl->want[i] != POOL_RUN || !pl->left[i] || pl->running[i]) continue;
        if (j->cpu_bound && pl->po->cpu_jobs && busy >= pl->po->cpu_jobs) continue;
        if (lock_held(pl, j->lock)) continue;
        *out = i;
        return 1;
    }
    return 0;
}

static void start(pool *pl, size_t i)
{
    pl->left[i]--;
    pl->ran[i] = 1;
    if (pl->h && pl->h->started) pl->h->started(pl->h->ctx, i);
}

static void run_serial(pool *pl)
{
    size_t i;
    while (!runner_interrupted && next_job(pl, &i)) {
        start(pl, i);
        test_result att;
        memset(&att, 0, sizeof att);
        runner_run_one(pl->jobs[i].tc, pl->jobs[i].p, pl->jobs[i].eo, &att);
        fold(pl, i, &att);
        flush(pl);
    }
    for (size_t k = 0; k < pl->n; k++) pl->left[k] = 0;   /* interrupted: nothing more starts */
    flush(pl);
}

static int spawn(pool *pl, worker *w, size_t i)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) return -1;
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) { close(pfd[0]); close(pfd[1]); return -1; }
    if (pid == 0) {
        close(pfd[0]);
        /* The parent's SIGTERM reaches us on interrupt; so does its death. Our handler only
         * sets runner_interrupted: runner_run_one then stops the test and its IUT. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(3);
        const pool_job *j = &pl->jobs[i];
        exec_opts weo = *j->eo;   /* a worker draws no progress line: the parent does */
        exec_observer wobs;
        if (j->eo->observer) {
            wobs = *j->eo->observer;
            wobs.tick = NULL;
            weo.observer = &wobs;
        }
        test_result r;
        memset(&r, 0, sizeof r);
        runner_run_one(j->tc, j->p, &weo, &r);
        runner_result_send(pfd[1], &r);
        _exit(0);
    }
    close(pfd[1]);
    w->pid = pid;
    w->fd = pfd[0];
    w->test = i;
    sb_init(&w->buf);
    pl->running[i] = 1;
    pl->started_ns[i] = mono_now_ns();
    start(pl, i);
    return 0;
}

static void reap(pool *pl, worker *w)
{
    int status = 0;
    int reaped = waitpid(w->pid, &status, 0) == w->pid;
    close(w->fd);
    test_result att;
    memset(&att, 0, sizeof att);
    att.v = VERDICT_NONE;
    runner_result_parse(w->buf.s ? w->buf.s : "", w->buf.len, &att);
    sb_free(&w->buf);
    if (att.v == VERDICT_NONE) {
        att.v = VERDICT_ERROR;
        free(att.error_type);
        att.error_type = xstrdup("crash");
        free(att.reason);
        att.reason = reaped && WIFSIGNALED(status)
                         ? xasprintf("the -j worker running this test was killed by signal %d", WTERMSIG(status))
                         : xstrdup("the -j worker running this test ended without a result");
    }
    pl->running[w->test] = 0;
    fold(pl, w->test, &att);
    w->pid = 0;
}

static void run_parallel(pool *pl)
{
    unsigned jobs = pl->po->jobs;
    worker *ws = xcalloc(jobs, sizeof *ws);
    struct pollfd *pf = xcalloc(jobs, sizeof *pf);
    unsigned *idx = xcalloc(jobs, sizeof *idx);
    int signalled = 0;
    for (;;) {
        size_t i;
        int more = !runner_interrupted;   /* until no job can start now: each look scans the plan */
        for (unsigned k = 0; more && k < jobs; k++)
            if (!ws[k].pid && (more = next_job(pl, &i)) && spawn(pl, &ws[k], i) < 0) {
                    /* cannot fork now: that attempt is an error, the run goes on */
                    test_result att;
                    memset(&att, 0, sizeof att);
                    att.v = VERDICT_ERROR;
                    att.error_type = xstrdup("setup");
                    att.reason = xasprintf("cannot start a -j worker: %s", strerror(errno));
                    start(pl, i);
                    fold(pl, i, &att);
                }
        if (runner_interrupted && !signalled) {
            for (unsigned k = 0; k < jobs; k++)
                if (ws[k].pid) kill(ws[k].pid, SIGTERM);
            for (size_t k = 0; k < pl->n; k++) pl->left[k] = 0;
            signalled = 1;
        }
        unsigned np = 0;
        for (unsigned k = 0; k < jobs; k++)
            if (ws[k].pid) { pf[np].fd = ws[k].fd; pf[np].events = POLLIN; pf[np].revents = 0; idx[np++] = k; }
        if (!np) break;
        if (pl->h && pl->h->tick) pl->h->tick(pl->h->ctx);
        /* 50 ms: a CPU slot freed by time (cpu_busy) is noticed soon */
        if (poll(pf, np, 50) <= 0) continue;
        for (unsigned q = 0; q < np; q++) {
            if (!pf[q].revents) continue;
            worker *w = &ws[idx[q]];
            char chunk[65536];
            ssize_t got = read(w->fd, chunk, sizeof chunk);
            if (got > 0) sb_addn(&w->buf, chunk, (size_t)got);
            else if (got == 0 || (errno != EINTR && errno != EAGAIN)) reap(pl, w);
        }
        flush(pl);
    }
    flush(pl);
    free(pf);
    free(idx);
    free(ws);
}

/* a starts after b */
static int starts_after(const pool_job *a, const pool_job *b)
{
    if (!!a->cpu_bound != !!b->cpu_bound) return a->cpu_bound != 0;
    if (a->cpu_bound && a->group != b->group) return a->group > b->group;
    return a->expect_ns < b->expect_ns;
}

void pool_start_order(const pool_job *jobs, size_t n, size_t *order)
{
    /* insertion sort, stable: n is a few thousand at most and this runs once per pass */
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        while (k > 0 && starts_after(&jobs[order[k - 1]], &jobs[i])) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
}

size_t pool_run(const pool_job *jobs, size_t n, const unsigned char *want, const pool_opts *po,
                const pool_hooks *h, test_result *results)
{
    pool pl = { .jobs = jobs, .n = n, .want = want, .po = po, .h = h, .results = results };
    pl.left = xcalloc(n ? n : 1, sizeof *pl.left);
    pl.running = xcalloc(n ? n : 1, 1);
    pl.done = xcalloc(n ? n : 1, 1);
    pl.ran = xcalloc(n ? n : 1, 1);
    pl.order = xcalloc(n ? n : 1, sizeof *pl.order);
    pl.started_ns = xcalloc(n ? n : 1, sizeof *pl.started_ns);
    for (size_t i = 0; i < n; i++) {
        if (want[i] == POOL_RUN) pl.left[i] = po->attempts ? po->attempts : 1;
        pl.order[i] = i;
    }
    /* One at a time: job order, as the console shows it. Several: longest expected first. */
    if (po->jobs > 1) pool_start_order(jobs, n, pl.order);
    if (po->jobs > 1) run_parallel(&pl);
    else run_serial(&pl);
    size_t ran = 0;
    for (size_t i = 0; i < n; i++) ran += pl.ran[i];
    free(pl.left);
    free(pl.running);
    free(pl.done);
    free(pl.ran);
    free(pl.order);
    free(pl.started_ns);
    return ran;
}
