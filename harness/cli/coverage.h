/* list --coverage: per requirement id and per role, the test cases that cover it,
 * the reason an id is planned, and the ids covered by none. */
#ifndef M2M_CLI_COVERAGE_H
#define M2M_CLI_COVERAGE_H
#include <stdio.h>
#include "cli.h"
#include "../model/requirements.h"

/* The requirement list in the tree and its schema (below cli_data_dir()). */
char *cli_requirements_path(void);
char *cli_requirements_schema(void);

/* Prints the coverage of the list at req_path (NULL = the tree's) by set. Returns 0 when
 * the gate passes, 1 when an id is uncovered in one of its roles without being planned or
 * a test names an unknown id, 2 when the list does not load (file:line on stderr). */
int cli_list_coverage(const tc_set *set, const char *req_path, FILE *f);

#endif
