/* Runs one test case in the calling process (the runner gives each test its own child):
 * binds the harness's endpoints, starts and drives the IUT through the profile, executes
 * preamble, body and postamble step by step on the event loop, then checks the order
 * rules on the timeline and sets the verdict. */
#ifndef M2M_EXECUTOR_H
#define M2M_EXECUTOR_H
#include "../flow/result.h"
#include "../flow/timeline.h"
#include "../model/profile.h"
#include "../model/testcase.h"

/* Observers of a test, set by the CLI so that exec never includes report/:
 * begin runs in the test's process before any endpoint is bound (captures install their
 * taps there), end after the endpoints are closed with the final timeline and result
 * (timeline JSON, the capture file); tick runs in the parent while a test runs, at least
 * every 200 ms (a progress line). Any may be NULL. */
typedef struct exec_observer {
    void (*begin)(void *ctx, const testcase *tc);
    void (*end)(void *ctx, const testcase *tc, const timeline *tl, const test_result *r);
    void (*tick)(void *ctx);
    void *ctx;
} exec_observer;

typedef struct exec_opts {
    const char *report_dir;   /* timelines/<ID>.txt and logs/<ID>.iut.log go below it; NULL = none */
    int verbose;
    int result_fd;            /* the runner's pipe: the IUT's process group is announced on it */
    const exec_observer *observer;   /* NULL = none */
    const char *run_id;       /* ${RUN_ID}: the short id of the run (attach mode names resources with it) */
    int keep_resources;       /* attach mode: leave what the test created on the IUT (--keep-resources) */
} exec_opts;

void executor_run(const testcase *tc, const profile *p, const exec_opts *o, test_result *out);

#endif
