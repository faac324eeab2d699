/* report.html: one self-contained page (inline CSS and script, no network) for a person
 * certifying a device or chasing an interop bug: the audit trail, a summary table with
 * filters by verdict, role and area, the requirement coverage of the run, the skipped
 * tests with their reasons, and per test the requirement, verdict and reason, the steps,
 * a sequence chart (msc.h), the timeline and links to the files. Written as well-formed
 * XHTML so that an XML parser can check it (the tests do). */
#ifndef M2M_HTML_H
#define M2M_HTML_H
#include "run_report.h"

char *html_report(const run_info *ri, const profile *p, const report_test *ts, size_t n);
int html_write(const char *path, const run_info *ri, const profile *p, const report_test *ts, size_t n);

/* index.html of a run over several profiles: one row per profile (its name, report subfolder,
 * role and counts) linking its report.html, junit.xml and results.json, and the totals.
 * Well-formed XHTML, like report.html. Returns 0, or -1 when it cannot be written. */
typedef struct html_index_row {
    const char *name, *dir, *role;
    run_summary sum;
} html_index_row;
int html_index_write(const char *path, const char *run_id, const html_index_row *rows, size_t n);

#endif
