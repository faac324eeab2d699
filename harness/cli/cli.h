/* The m2m-harness command line: run, list, validate. Bad input is found before any test
 * runs and reported with file and line; such a run exits 2. */
#ifndef M2M_CLI_H
#define M2M_CLI_H
#include <stddef.h>
#include "../model/profile.h"
#include "../model/testcase.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_BAD_INPUT = 2 };

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_doc(int argc, char **argv);

/* Where the schemas live: $M2M_HARNESS_DATA_DIR, else the source tree the binary was built from. */
const char *cli_data_dir(void);
char *cli_testcase_schema(void);
char *cli_profile_schema(void);

typedef struct tc_set { testcase **items; size_t n; } tc_set;

/* Loads every test case below paths (files or folders), then checks ids are unique and, when
 * p is given, that every ${VAR} is known. Appends problems to d; returns the number found. */
size_t cli_load_testcases(char **paths, size_t npaths, const profile *p, tc_set *out, diag *d);
void tc_set_free(tc_set *s);
/* The profile-dependent checks of loaded test cases (cli_load_testcases does them for its
 * profile): every ${VAR} of a test that applies to p has its source in p. For each further
 * profile of a run over several. Returns the number of problems added to d. */
size_t cli_check_testcases_for(const profile *p, const tc_set *set, diag *d);
/* The optional profile (NULL path = none) and then the test cases, problems into d. */
profile *cli_load_inputs(const char *profile_path, char **paths, size_t npaths, tc_set *out, diag *d);

/* Fixed listen ports (a real device is configured with them) must be free before the run
 * starts: a port in use is an input error naming the profile, not N failed tests. */
void cli_check_listen_ports(const profile *p, diag *d);

#endif
