/* A reproduction bundle for a failing test (fail, error, inconc, xpass):
 * reports/<run>/bundles/<ID>/ with the test case file, the profile applied (profile.xml),
 * bundle.json (harness version and build, seed, verdict, reason, the environment the
 * profile's commands used), the capture if any, the timeline (text and JSON), the IUT's
 * log, and replay.sh: the one command that runs this test again the same way. */
#ifndef M2M_BUNDLE_H
#define M2M_BUNDLE_H
#include "run_report.h"

/* Writes the bundle of t below ri->report_dir; sets nothing in t. Returns the bundle's
 * path relative to the report folder ("bundles/<ID>"), or NULL with a message on stderr. */
char *bundle_write(const run_info *ri, const profile *p, const report_test *t);
/* The text of replay.sh (for tests). */
char *bundle_replay_script(const run_info *ri, const profile *p, const report_test *t);

#endif
