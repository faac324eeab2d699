/* Runs one test case in the calling process (the runner gives each test its own child):
 * binds the harness's endpoints, starts and drives the IUT through the profile, executes
 * preamble, body and postamble step by step on the event loop, then checks the order
 * rules on the timeline and sets the verdict. */
#ifndef M2M_EXECUTOR_H
#define M2M_EXECUTOR_H
#include "../flow/result.h"
#include "../model/profile.h"
#include "../model/testcase.h"

typedef struct exec_opts {
    const char *report_dir;   /* timelines/<ID>.txt and logs/<ID>.iut.log go below it; NULL = none */
    int verbose;
    int result_fd;            /* the runner's pipe: the IUT's process group is announced on it */
} exec_opts;

void executor_run(const testcase *tc, const profile *p, const exec_opts *o, test_result *out);

#endif
