/* Recorded test durations of an earlier run (its results.json files), for the scheduler only:
 * `run --durations PATH` starts the tests that took longest first (run/pool.h). A duration
 * never changes a verdict; a test without a record falls back to plan_expected_ns. */
#ifndef M2M_DURATIONS_H
#define M2M_DURATIONS_H
#include <stddef.h>

typedef struct durations durations;

/* path: a results.json, or a run's report folder: its results.json and those of its
 * subfolders (a run over several profiles). Unreadable or foreign files are ignored;
 * returns an empty set when nothing was found, never NULL. */
durations *durations_load(const char *path);
size_t durations_count(const durations *du);
/* Seconds test `id` took against the profile named `profile`; when that pair is not
 * recorded, the longest of `id` against any profile; -1 when `id` is not recorded at all. */
double durations_get(const durations *du, const char *profile, const char *id);
void durations_free(durations *du);

#endif
