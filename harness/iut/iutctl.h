/* Driving the IUT through the profile's commands: the start command runs in the background
 * for the length of a test, named triggers run to completion with a timeout. Each command
 * runs under /bin/sh in its own process group, so stopping it stops everything it started,
 * and dies with the harness process (PR_SET_PDEATHSIG) so nothing outlives a crashed test. */
#ifndef M2M_IUTCTL_H
#define M2M_IUTCTL_H
#include <stdint.h>
#include <sys/types.h>

typedef struct iut_proc {
    pid_t pid;           /* also the process group id; 0 = none */
    int exited;
    int status;          /* waitpid status once exited */
} iut_proc;

/* Starts cmd; its stdout and stderr are appended to log_path (NULL = /dev/null). */
int iut_spawn(const char *cmd, const char *log_path, iut_proc *out, char *err, size_t errlen);
/* Non-blocking: returns 1 once the process has exited (status filled). */
int iut_poll(iut_proc *p);
/* SIGTERM to the group, up to grace_ns to exit, then SIGKILL. */
void iut_stop(iut_proc *p, int64_t grace_ns);
/* "exited with status 3", "killed by signal 9 (Killed)", "running" */
void iut_describe(const iut_proc *p, char *buf, size_t len);

#endif
