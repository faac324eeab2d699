/* Variables ${NAME}: from the profile (IUT_CSE_ID, HARNESS_COAPS_PORT, ...) and from
 * captures. An unknown variable is an input error found before any test runs. */
#ifndef M2M_VARS_H
#define M2M_VARS_H
#include "testcase.h"
#include "profile.h"
#include "testenv.h"

typedef struct vars { kvlist kv; } vars;

/* The variables the harness sets (docs/variables.md is generated from this table). */
typedef struct var_def {
    const char *name;     /* "IUT_CSE_ID" */
    const char *from;     /* the profile element its value comes from ("<iut><cse-id>"), or
                           * NULL when the harness sets it at run time */
    const char *meaning;
} var_def;
size_t vars_count(void);
const var_def *vars_at(size_t i);
const var_def *vars_find(const char *name);
/* Sets every run-time variable (from == NULL) not yet set, to "0": enough to check
 * references before anything runs. */
void vars_run_time(vars *v);

void vars_init(vars *v);
void vars_free(vars *v);
void vars_set(vars *v, const char *name, const char *value);   /* replaces */
const char *vars_get(const vars *v, const char *name);
/* The profile's variables. Port variables are set from the profile's values; the executor
 * overrides them with the ports actually bound. Secrets (PSK key) are never variables. */
void vars_from_profile(vars *v, const profile *p);
/* vars_from_profile, then this test's values over the profile's (testenv.h): the IUT's
 * address and ports, the harness's address and bound ports, MEF_PORT. The profile is not
 * touched. */
void vars_from_env(vars *v, const profile *p, const test_env *e);
/* Substitutes every ${NAME}. Returns a new string, or NULL and the unknown name in err. */
char *vars_expand(const vars *v, const char *text, char *err, size_t errlen);
/* A first pass: each ${NAME} that v holds replaced by its value (used[i] set for the i-th
 * variable of v when given), every other ${NAME} and "$${" left as written for a later
 * vars_expand. NULL when nothing was replaced or the text is not well formed. */
char *vars_fill(const vars *v, const char *text, unsigned char *used);
/* vars_expand for a command of the profile (start, ready, triggers): also ${PSK_KEY} and
 * ${PSK_KEY_HEX}, which nothing else expands; the caller redacts what the command's process
 * writes (model/profile_redact.h). */
char *vars_expand_command(const vars *v, const profile *p, const char *text, char *err, size_t errlen);
/* 1 for the variables that hold a secret (PSK_KEY, PSK_KEY_HEX): a test case may not use them. */
int vars_is_secret(const char *name);
/* Static check: every ${NAME} in tc is either in known or captured by an earlier step.
 * Appends "file:line: unknown variable ${X}; did you mean ${Y}?" to d, or for a variable of
 * the table that known lacks, which profile element it needs; returns the number of problems. */
int vars_check_testcase(const vars *known, const testcase *tc, diag *d);
/* The same for the profile's own commands (start, triggers, ready probe), with the
 * profile's variables and the run-time ones; messages name file and the command's line. */
int vars_check_profile(const profile *p, const char *file, diag *d);

/* Added with the implementation: */
/* Sets every name the harness itself may set (vars_from_profile's, TEST_ID), with empty
 * values, so test cases can be checked without a profile (validate, fuzzing). */
void vars_placeholders(vars *v);
/* True if the harness sets this name itself (the table: vars_from_profile, or the
 * executor at run time): a profile's <var> must not reuse it. */
int vars_is_reserved(const char *name);

#endif
