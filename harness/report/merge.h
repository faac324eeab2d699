/* Joins the junit.xml of several shards (run --shard K/N) into one report:
 * one testsuite per role as the writer makes them, the test cases of every input, counts
 * recomputed from the children so they add up, the first input's suite properties with
 * "shard" replaced by the list of shards merged. Within a suite, test cases are ordered by
 * their file attribute, then name: the plan order of an unsharded run over one folder
 * (test files are collected sorted by path). The same test (classname and name) in two
 * inputs is an error: shards never overlap. Inputs are parsed as the harness's XML loader
 * parses everything: no DTD, no entities, no network. */
#ifndef M2M_MERGE_H
#define M2M_MERGE_H
#include <stddef.h>
#include "../util/diag.h"

typedef struct junit_merge junit_merge;

typedef struct junit_counts {
    size_t tests, failures, errors, skipped;
} junit_counts;

junit_merge *junit_merge_new(void);
void junit_merge_free(junit_merge *m);
/* Adds one report; on a problem returns -1 with file:line entries in d and adds nothing. */
int junit_merge_add_mem(junit_merge *m, const char *name, const char *buf, size_t len, diag *d);
int junit_merge_add_file(junit_merge *m, const char *path, diag *d);
/* The merged document (malloc'd, UTF-8) and its counts. */
char *junit_merge_render(junit_merge *m, junit_counts *total);

#endif
