/* The run options for certification and CI fleets and the loop that executes the plan (cmd_run.c calls it):
 * --certify, --shard K/N, -j N, --repeat N, --retry N. Known failures are applied here
 * (exec/plan.h), except in a certification run. */
#ifndef M2M_FLEET_H
#define M2M_FLEET_H
#include "cli.h"
#include "../exec/executor.h"
#include "../report/console.h"
#include "../report/junit.h"

typedef struct fleet_opts {
    int certify;
    const char *shard;       /* "K/N" as given, or NULL */
    unsigned shard_k, shard_n;
    unsigned jobs, repeat, retry;
    const char *bad_number;  /* the option whose number did not parse, for fleet_check */
} fleet_opts;

void fleet_opts_init(fleet_opts *fo);
/* -j / --repeat / --retry values: "1".."1000" (retry "0".."1000"). 0, or -1 with a message on stderr. */
int fleet_parse_number(const char *opt, const char *s, unsigned min, unsigned *out);

/* Before anything runs (exit 2 on any problem): the shard syntax; -j > 1 against a single
 * real IUT (fixed listen ports, or no start command: the harness does not start the IUT
 * per test); with --certify, no --filter, --shard or --retry and a complete profile
 * (certify.h). Appends diag entries; returns their number. */
size_t fleet_check(fleet_opts *fo, const profile *p, testcase *const *tcs, size_t ntcs, size_t nfilters, diag *d);

/* The plan after --shard (in place, plan order kept); returns its length. */
size_t fleet_plan(const fleet_opts *fo, testcase **plan, size_t n);

/* Runs the plan: skips decided first, then the main pass (repeat attempts, -j), then up to
 * --retry passes over the tests that still fail. The console gets one line per test in
 * plan order (and one per retried test under a "retry" heading); junit.xml is rewritten
 * after every line. Returns the number of tests that ran. */
size_t fleet_execute(const fleet_opts *fo, testcase **plan, size_t n, const profile *p, const exec_opts *eo,
                     console *con, const char *junit_path, const junit_run *jr, test_result *results);

/* After the summary: the flaky tests, and for a certification run what was not applied and
 * where the skipped tests are listed (writes skipped.txt in dir). */
void fleet_report(const fleet_opts *fo, const profile *p, const char *dir, const test_result *rs, size_t n, FILE *out);

#endif
