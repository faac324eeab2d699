/* Runs each test case in its own child process with a hard deadline: a crash
 * or a hang stays inside one test and becomes an `error` with the signal or the deadline,
 * and the run goes on. The child sends its result through a pipe. */
#ifndef M2M_RUNNER_H
#define M2M_RUNNER_H
#include "../exec/executor.h"

/* Set by a SIGINT/SIGTERM handler: the running test is stopped and reported as error. */
extern volatile int runner_interrupted;
void runner_install_signal_handlers(void);

/* Decides applicability before anything runs: returns 1 and a reason when the test does not
 * apply to the profile (role, PICS, ...; last, in attach mode, a restart or a trigger the
 * profile cannot give: plan_attach_needs), so it is skipped with that reason. */
int runner_not_applicable(const testcase *tc, const profile *p, char *reason, size_t len);

/* Runs tc in a child; fills out (id, role, area, title, file, verdict, reason, seconds,
 * output, timeline_file). deadline_ns: the whole test; 0 = test's or profile's. */
void runner_run_one(const testcase *tc, const profile *p, const exec_opts *o, test_result *out);

/* The result record a test's process sends on its pipe (verdict, reason, error_type,
 * output, timeline_file, seconds); exec/pool.c's -j workers send theirs the same way. */
void runner_result_send(int fd, const test_result *r);
void runner_result_parse(const char *buf, size_t len, test_result *out);

#endif
