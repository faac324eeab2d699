/* The reports for people, beside junit.xml in reports/<run>/:
 *   results.json   every test with verdict, reason, requirement, timeline; the run's audit
 *                  trail and the profile applied (results_json.h, results.schema.json)
 *   report.html    one self-contained page with filters, coverage and sequence charts
 *   bundles/<ID>/  a reproduction bundle for each failing test (bundle.h)
 *   captures/<ID>.pcapng  with --pcap (capture.h)
 * The test's process writes timelines/<ID>.json and the capture through the executor's
 * observer (run_report_observer); the parent reads them back once the run is over. */
#ifndef M2M_RUN_REPORT_H
#define M2M_RUN_REPORT_H
#include "runinfo.h"
#include "../exec/executor.h"

/* The events of a test's timeline the parent keeps for report.html: the sequence chart and
 * the timeline shown in the page stop there and link to the full timeline files. results.json
 * has every event (copied from the test's file event by event), so the parent's memory does
 * not grow with a test's number of events. */
#define REPORT_TIMELINE_HEAD 2000

typedef struct report_test {
    const testcase *tc;
    const test_result *r;
    timeline tl;          /* the first REPORT_TIMELINE_HEAD events of timelines/<ID>.json;
                           * empty when the test wrote none */
    int has_tl;
    char *capture;        /* "captures/<ID>.pcapng" when it exists, else NULL */
    char *bundle;         /* "bundles/<ID>" when one was written, else NULL */
    char *violations;     /* " 3 7 " the seq numbers order violations name, for the chart */
    size_t tl_total;      /* the events in timelines/<ID>.json: more than tl.n when tl is its
                           * head (0 is read as tl.n) */
} report_test;

/* The step log of a result's output (the lines between "steps:" and "timeline:"), one
 * string per step, "  line 12: " prefix kept; caller frees with free_lines. */
char **report_steps(const char *output, size_t *n);
void free_lines(char **l, size_t n);

/* A failing test in the sense of the bundles: fail, error, inconc or xpass. */
int report_is_failing(verdict v);

/* The observer the CLI hands the executor: writes timelines/<ID>.json, and with ri->pcap
 * the capture; tick redraws the console's progress line (ctx->progress may be NULL). */
typedef struct run_observer_ctx {
    const run_info *ri;
    void (*progress)(void *arg);
    void *progress_arg;
} run_observer_ctx;
void run_report_observer(exec_observer *obs, run_observer_ctx *ctx);

/* Writes results.json, report.html and the bundles. Returns 0, or -1 when a file could
 * not be written (a message went to stderr; the others are still written). */
int run_report_write(const run_info *ri, const profile *p, testcase *const *tcs,
                     const test_result *rs, size_t n);

#endif
