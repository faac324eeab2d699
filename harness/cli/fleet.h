/* The run options of a CI fleet and the loop that executes the plan (cmd_run.c calls it):
 * several profiles in one run with one job pool, -j N (default: fleet_default_jobs),
 * --certify, --shard K/N, --repeat N, --retry N. Known failures are applied here
 * (run/plan.h), except in a certification run. */
#ifndef M2M_FLEET_H
#define M2M_FLEET_H
#include "cli.h"
#include "../exec/executor.h"
#include "../report/console.h"
#include "../report/junit.h"
#include "../report/run_report.h"

typedef struct fleet_opts {
    int certify;
    int plain_coap;          /* --plain-coap: the plain-CoAP run mode (exec/plainmode.h), not certifying */
    const char *shard;       /* "K/N" as given, or NULL */
    unsigned shard_k, shard_n;
    unsigned jobs, repeat, retry;
    int jobs_given;          /* -j on the command line; else jobs is fleet_default_jobs() */
    unsigned cpu_jobs;       /* CPU-bound tests at once (run/pool.h): fleet_default_jobs */
    const char *bad_number;  /* the option whose number did not parse, for fleet_check */
    const struct durations *durations;   /* --durations: recorded durations, or NULL */
} fleet_opts;

/* One profile of a run: its plan, its report folder and its results. */
typedef struct fleet_unit {
    const char *profile_path;
    profile *p;
    char *name;              /* unique in the run: the report subfolder and the JUnit suite */
    char *dir;               /* its report folder */
    char *junit_path;
    testcase **selected;     /* after --filter, both roles (the suite digest) */
    size_t nselected;
    testcase **plan;         /* the selected tests of the profile's role, its shard: what runs or skips */
    size_t nplan;
    size_t other_role;       /* selected tests of the other role: not in the plan, counted */
    char *lock;              /* the single real IUT it drives (run/plan.h), or NULL */
    test_result *results;    /* nplan of them, a slice of the run's array */
    size_t executed;         /* tests that ran at least one attempt */
    run_summary sum;
    run_info ri;
    run_observer_ctx octx;
    exec_observer obs;
    exec_opts eo;
    junit_run jr;
    const char *audit[24];
    char seedstr[24], other[24];
    pid_t report_pid;        /* the process writing its reports early (fleet_execute), or 0 */
} fleet_unit;

void fleet_opts_init(fleet_opts *fo);
/* -j / --repeat / --retry values: "1".."1000" (retry "0".."1000"). 0, or -1 with a message on stderr. */
int fleet_parse_number(const char *opt, const char *s, unsigned min, unsigned *out);

/* The default -j and the CPU bound, from the cores this process may use: jobs = 32 per
 * core, cpu_jobs = 4 per core; fleet_execute then widens jobs to fit the plan
 * (plan_default_jobs). Most tests wait on protocol timers (a silence window, a link
 * down, a handshake the IUT must give up), using ~25 ms of CPU in seconds of wall time: the
 * bundled suite has ~70 such waits of 1 s and more, which must all overlap (with 64 slots on
 * 2 cores, the last waits queued behind the first and the short tests behind all of them,
 * which cost the main job a third of its time). A short test is mostly process start, exec of the IUT and a
 * handshake: CPU, about 80 % of its wall time on a quiet machine; 4 per core keep the cores
 * busy without crowding out the timers of the waiting ones (measured on 2 cores: 1 per core
 * made the main job ~2x slower, no bound at all no faster than 4). */
void fleet_default_jobs(unsigned *jobs, unsigned *cpu_jobs);

/* Before anything runs (exit 2 on any problem): the shard syntax; with --certify, no
 * --filter, --shard or --retry and a complete profile (certify.h). Appends diag entries;
 * returns their number. */
size_t fleet_check(fleet_opts *fo, const profile *p, testcase *const *tcs, size_t ntcs, size_t nfilters, diag *d);

/* The plan after --shard (in place, plan order kept); returns its length. */
size_t fleet_plan(const fleet_opts *fo, testcase **plan, size_t n);

/* Runs every unit's plan in one job pool: skips decided first, then the main pass (repeat
 * attempts, -j), then up to --retry passes over the tests that still fail. The console gets
 * one line per test in plan order, unit after unit (and one per retried test under a "retry"
 * heading). Each unit's junit.xml, and with several units combined_junit (one suite per
 * profile), is rewritten as results come in, at most about once a second, and at the end.
 * Returns the number of tests that ran. */
size_t fleet_execute(const fleet_opts *fo, fleet_unit *units, size_t nunits, console *con,
                     const char *combined_junit, const junit_run *combined);

/* Writes the unit's reports once its results are final (junit.xml, results.json,
 * report.html, bundles), or waits for the process that fleet_execute started to write them
 * while the other profiles' tests ran. */
void fleet_unit_reports(fleet_unit *u);

/* After the summary: the flaky tests, and for a certification run what was not applied and
 * where the skipped tests are listed (writes skipped.txt in dir); in attach mode also the tests
 * not run for a restart or a trigger and the requirements left unproven (certify.h); and whether
 * SAE is there where TS-0003 §6.1.2.2.1 makes it mandatory (certify_sae_rule). Returns 1 when
 * that rule keeps the certification run from being green (said on out), else 0. */
int fleet_report(const fleet_opts *fo, const profile *p, testcase *const *plan, const char *dir,
                 const test_result *rs, size_t n, FILE *out);

#endif
