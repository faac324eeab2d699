/* Runs the plan's tests, each attempt through runner_run_one (its own child, ports and
 * deadline), up to `jobs` at a time (-j), with --repeat and --retry.
 * With jobs > 1 each attempt runs in a worker process that hands its result back on a pipe;
 * two attempts of the same test never run at once (they share timelines/<ID>.txt).
 * Whatever the order tests finish in, results are handed on in plan order. */
#ifndef M2M_POOL_H
#define M2M_POOL_H
#include "../exec/executor.h"

typedef struct pool_hooks {
    void (*started)(void *ctx, size_t i);  /* an attempt of test i started (a progress line) */
    void (*final)(void *ctx, size_t i);    /* results[i] is final for this pass: in plan order */
    void (*tick)(void *ctx);               /* at least every 200 ms while tests run */
    void *ctx;
} pool_hooks;

typedef struct pool_opts {
    unsigned jobs;          /* >= 1 */
    unsigned attempts;      /* attempts per test in this pass: --repeat N in the main pass, 1 for a retry */
    int retry;              /* this pass retries tests that failed (plan_add_attempt) */
    const kvlist *known;    /* known-failures list to apply, NULL = none (certification) */
} pool_opts;

enum { POOL_NOT_IN_PASS = 0, POOL_RUN = 1, POOL_FINAL = 2 };

/* want[i]: POOL_RUN runs test i (its attempts fold into results[i], which may already hold
 * earlier ones), POOL_FINAL only hands results[i] on (a skip), POOL_NOT_IN_PASS ignores it.
 * A test not started because the run was interrupted becomes a skip saying so.
 * Returns the number of tests that ran at least one attempt in this pass. */
size_t pool_run(testcase *const *plan, size_t n, const unsigned char *want, const profile *p,
                const exec_opts *eo, const pool_opts *po, const pool_hooks *h, test_result *results);

#endif
