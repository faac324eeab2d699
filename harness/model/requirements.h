/* The requirement list (testcases/schema/requirements.xml, schema requirements.xsd beside
 * it) and the coverage the test cases give it: per requirement id and per role
 * (D: the IUT is a field node, the harness plays in-cse; C: the IUT is an IN-CSE, the
 * harness plays field), the tests whose covers="" name it. An id uncovered in one of its
 * roles must be marked planned for that role with the reason; that is the coverage gate. */
#ifndef M2M_REQUIREMENTS_H
#define M2M_REQUIREMENTS_H
#include <stddef.h>
#include "testcase.h"

/* A: the D rules an AE is held to (the IUT is an AE, the harness plays in-cse): covered by
 * the in-cse tests whose <requires pics> admit an AE (an item whose alternatives are all
 * IUT kinds other than IUT_AE shuts it out). */
enum { REQ_D = 0, REQ_C = 1, REQ_A = 2, REQ_NROLES = 3 };

typedef struct req_item {
    char *id;                     /* R-FLOW-03 */
    char *group;                  /* the group's title */
    char *text;
    int roles[REQ_NROLES];        /* applies in D / C */
    char *planned[REQ_NROLES];    /* why not covered yet, per role; NULL = not planned */
    int line;
} req_item;

typedef struct req_list {
    char *file;
    req_item *items;
    size_t n;
} req_list;

/* Loads and validates (schema_path may be NULL: the loader's own checks only). Ids are
 * unique, a planned role is one of the requirement's roles. On error returns -1 with
 * file:line entries in d and an empty list. */
int requirements_load(const char *path, const char *schema_path, req_list *out, diag *d);
int requirements_load_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                          req_list *out, diag *d);
void requirements_free(req_list *l);
const req_item *requirements_find(const req_list *l, const char *id);

/* "in-cse" -> REQ_D, "field" -> REQ_C, else -1. */
int requirements_role_of(const char *testcase_role);
/* 1 when the test's <requires pics> admit an IUT of kind AE. */
int requirements_admits_ae(const testcase *tc);

typedef enum { COV_NOT_APPLICABLE = 0, COV_COVERED, COV_PLANNED, COV_UNCOVERED } cov_state;

typedef struct cov_cell {
    cov_state state;
    const char **tests;   /* test ids that cover the id in this role (not owned) */
    size_t n;
    int stale_plan;       /* covered, yet still marked planned: the mark can go */
} cov_cell;

typedef struct coverage {
    size_t n;                             /* = the list's n, same order */
    cov_cell (*cells)[REQ_NROLES];
    /* Tests naming an id the list does not have, or in a role the id does not apply to:
     * "TC_X: R-FOO-01 (not in the list)" (owned strings). */
    char **unknown;
    size_t nunknown;
    size_t covered, planned, uncovered, stale;   /* cells by state */
} coverage;

void coverage_compute(const req_list *l, testcase *const *tcs, size_t n, coverage *out);
void coverage_free(coverage *c);
/* The gate: 0 when every applicable (id, role) is covered or planned and no test names an
 * unknown id; 1 otherwise. */
int coverage_gate(const coverage *c);

#endif
