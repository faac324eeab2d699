/* Console reporter: one line per test as it finishes, the summary last. */
#ifndef M2M_CONSOLE_H
#define M2M_CONSOLE_H
#include <stdint.h>
#include <stdio.h>
#include "../flow/result.h"

typedef struct console {
    FILE *out;
    int color;         /* only on a terminal */
    int verbose;
    size_t index, total;
    /* Added with the progress line: */
    int quiet;         /* only non-passing tests and the summary */
    int progress;      /* a progress line is drawn (a terminal, not quiet) */
    int drawn;         /* the progress line is on screen now */
    long shown_secs;   /* elapsed seconds it shows */
    int64_t t0_ns;     /* when the run started */
    char current[128]; /* the test running now */
    const char *tag;   /* a run of several profiles: the profile of the line printed next, else NULL */
} console;

void console_init(console *c, FILE *out, size_t total, int verbose);
/* --quiet: a line only for tests that did not pass or skip; no progress line. */
void console_set_quiet(console *c, int quiet);
/* Progress line "[ 3/12] running TC_X  0:42" on a terminal only, redrawn in place. */
void console_test_start(console *c, const char *id);
void console_tick(console *c);   /* redraws when the elapsed second changed */
/* After the summary: where the reports are; with captures, that they hold secrets. */
void console_reports(console *c, const char *report_dir, int captures, size_t bundles);
/* "[ 3/12] PASS   in-cse.sae  TC_SEC_SAE_PSK_001  (0.84 s)" and, if not a pass, the reason. */
void console_test_done(console *c, const test_result *r);
/* The summary; s->other_role (tests of the other role, not in the plan) is said after the
 * counts, with the role the harness does not play here (other_role_name, may be NULL). */
void console_summary(console *c, const run_summary *s, const char *report_dir);
void console_summary_role(console *c, const run_summary *s, const char *other_role_name, const char *report_dir);
/* A run of several profiles: one line per profile before the overall summary. */
void console_profile_line(console *c, const char *name, const run_summary *s, const char *report);

#endif
