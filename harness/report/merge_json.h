/* Merging the results.json of several shards into one (m2m-harness merge): the tests are
 * concatenated in input order, a test id found twice is refused, and the summary is
 * counted again from the merged tests, so it always adds up. */
#ifndef M2M_MERGE_JSON_H
#define M2M_MERGE_JSON_H
#include <stddef.h>
#include "../util/diag.h"

/* Reads inputs[0..n), writes out_path. Problems (unreadable or malformed files, duplicate
 * test ids) go to d with file and line; nothing is written then. Returns 0 or -1. */
int results_merge(char *const *inputs, size_t n, const char *out_path, diag *d);
/* The same on documents in memory (names for messages); returns the merged document as
 * JSON text (NULL on problems, which go to d). For tests and fuzzing. */
char *results_merge_mem(const char *const *bufs, const size_t *lens, const char *const *names, size_t n, diag *d);

#endif
