/* Runs a list of jobs (a test against a profile: one run may hold several profiles), each
 * attempt through runner_run_one (its own child, ports and deadline), up to `jobs` at a time
 * (-j), with --repeat and --retry. With jobs > 1 each attempt runs in a worker
 * process that hands its result back on a pipe; two attempts of the same job never run at
 * once (they share timelines/<ID>.txt). Whatever the order jobs start and finish in, results
 * are handed on in job order.
 *
 * Scheduling with jobs > 1: jobs start longest expected first (expect_ns, ties in job order),
 * so the long waits overlap each other and the short tests fill the gaps (those group by
 * group, pool_start_order). A job expected to
 * keep a core busy (cpu_bound: no long wait in it) starts only while fewer than cpu_jobs of
 * those run, so waiting tests can be many while CPU-bound ones stay bounded. Jobs with the
 * same lock key (a single real IUT: its address and port) never run at the same time. */
#ifndef M2M_POOL_H
#define M2M_POOL_H
#include "../exec/executor.h"

typedef struct pool_hooks {
    void (*started)(void *ctx, size_t i);  /* an attempt of job i started (a progress line) */
    void (*final)(void *ctx, size_t i);    /* results[i] is final for this pass: in job order */
    void (*tick)(void *ctx);               /* at least every 200 ms while tests run */
    void *ctx;
} pool_hooks;

typedef struct pool_job {
    const testcase *tc;
    const profile *p;
    const exec_opts *eo;
    const kvlist *known;    /* known-failures list to apply, NULL = none (certification) */
    const char *lock;       /* NULL, or a key: jobs with equal keys never run at once */
    int64_t expect_ns;      /* expected duration (plan_expected_ns): longer ones start first */
    int cpu_bound;          /* counts against pool_opts.cpu_jobs while it runs */
    unsigned group;         /* CPU-bound jobs start group by group (a profile's tests together,
                             * so its reports can be written while others still run) */
} pool_job;

typedef struct pool_opts {
    unsigned jobs;          /* >= 1: attempts running at once */
    unsigned cpu_jobs;      /* at most this many cpu_bound attempts at once; 0 = no bound but jobs */
    unsigned attempts;      /* attempts per test in this pass: --repeat N in the main pass, 1 for a retry */
    int retry;              /* this pass retries tests that failed (plan_add_attempt) */
} pool_opts;

enum { POOL_NOT_IN_PASS = 0, POOL_RUN = 1, POOL_FINAL = 2 };

/* want[i]: POOL_RUN runs job i (its attempts fold into results[i], which may already hold
 * earlier ones), POOL_FINAL only hands results[i] on (a skip), POOL_NOT_IN_PASS ignores it.
 * A job not started because the run was interrupted becomes a skip saying so.
 * Returns the number of jobs that ran at least one attempt in this pass. */
size_t pool_run(const pool_job *jobs, size_t n, const unsigned char *want, const pool_opts *po,
                const pool_hooks *h, test_result *results);

/* The order jobs start in with -j > 1 (exposed for the unit tests): order[0..n) a permutation
 * of 0..n-1: the jobs that wait (not cpu_bound) first, longest expect_ns first; then the
 * CPU-bound ones group by group (lowest first), longest first within a group; ties in job
 * order. The CPU-bound ones are short: their order hardly moves the end of the run, but
 * grouped, a group is done long before the last job ends. */
void pool_start_order(const pool_job *jobs, size_t n, size_t *order);

#endif
