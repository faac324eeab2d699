/* results.json (schema: harness/report/results.schema.json). The profile applied is the
 * profile as the harness understood it, without the secrets (the PSK key is never
 * written); the file itself is in profile.xml beside it. */
#ifndef M2M_RESULTS_JSON_H
#define M2M_RESULTS_JSON_H
#include <jansson.h>
#include "run_report.h"

#define RESULTS_SCHEMA_ID "m2m-harness/results/1"

json_t *results_json_run(const run_info *ri);
json_t *results_json_profile(const profile *p);
/* Written test by test: each test's timeline is copied from timelines/<ID>.json event by
 * event, never held whole (a test with a fleet of associations has hundreds of thousands). */
int results_json_write(const char *path, const run_info *ri, const profile *p, const report_test *ts, size_t n);

#endif
