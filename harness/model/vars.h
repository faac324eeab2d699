/* Variables ${NAME}: from the profile (IUT_CSE_ID, HARNESS_COAPS_PORT, ...) and from
 * captures. An unknown variable is an input error found before any test runs. */
#ifndef M2M_VARS_H
#define M2M_VARS_H
#include "testcase.h"
#include "profile.h"
#include "testenv.h"

typedef struct vars { kvlist kv; } vars;

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
/* Static check: every ${NAME} in tc is either in known or captured by an earlier step.
 * Appends "file:line: unknown variable ${X}" to d; returns the number of problems. */
int vars_check_testcase(const vars *known, const testcase *tc, diag *d);

/* Added with the implementation: */
/* Sets every name the harness itself may set (vars_from_profile's, TEST_ID), with empty
 * values, so test cases can be checked without a profile (validate, fuzzing). */
void vars_placeholders(vars *v);
/* True if the harness sets this name itself (vars_from_profile, or TEST_ID from the
 * executor): a profile's <var> must not reuse it. */
int vars_is_reserved(const char *name);

#endif
