/* The outcome of one test case as the reports see it. Produced by the executor (in the
 * test's child process, passed to the parent), consumed by report/. */
#ifndef M2M_RESULT_H
#define M2M_RESULT_H
#include <stddef.h>
#include "verdict.h"

/* The events of a test's timeline its summary text carries (to the parent, the console with
 * -v, JUnit's system-out): a fleet of associations records hundreds of thousands, which stay
 * in the timeline files. */
#define RESULT_OUTPUT_EVENTS 2000

typedef struct test_result {
    char *id;            /* test id: JUnit name */
    char *role;          /* "in-cse" | "field" */
    char *area;          /* JUnit classname = role + "." + area */
    char *title;
    char *file;          /* test case file */
    verdict v;
    char *reason;        /* why (expected vs actual); NULL for a clean pass */
    char *error_type;    /* JUnit error type for error/inconc: "inconclusive", "crash", "deadline", ... */
    double seconds;
    char *output;        /* summary text for system-out: requirement, steps, timeline (its first
                          * RESULT_OUTPUT_EVENTS events; capped again by each writer) */
    char *timeline_file; /* path of the full timeline beside the report, relative to the report dir */
    /* Known failures and reruns (exec/plan.h): */
    verdict original;    /* xfail/xpass: the verdict the test gave itself */
    char *known_reason;  /* xfail/xpass: the reason the profile's known-failures list gives */
    char *attempts;      /* --repeat/--retry: each attempt's verdict in order, "fail pass"; NULL = one */
    int flaky;           /* its attempts disagree: it failed, and passed on another attempt */
} test_result;

void test_result_free(test_result *r);

typedef struct run_summary {
    size_t total, pass, warn, fail, error, inconc, skip, xfail, xpass;
    size_t other_role;   /* tests of the other role, not in the plan: not in total, never a skip */
} run_summary;

void run_summary_add(run_summary *s, verdict v);
/* Exit status: 1 on any fail, error, inconc or xpass; 0 otherwise. */
int run_summary_exit_code(const run_summary *s);

#endif
