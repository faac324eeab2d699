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

/* The link notices of a test that controls the link (<link state>): the harness writes a line
 * "down" or "up" on a pipe each time it lowers or raises the IUT's link; every command spawned
 * from now on inherits the pipe's read end, its number in the environment variable
 * M2M_HARNESS_LINK_FD, as a device's operating system tells its stack that the network
 * attached. An IUT may ignore it (a real device learns of its link its own way); the bundled
 * device starts its handshake timers when the link is up. fd -1: none. */
void iut_set_link_fd(int fd);

/* Starts cmd; its stdout and stderr are appended to log_path (NULL = /dev/null). */
int iut_spawn(const char *cmd, const char *log_path, iut_proc *out, char *err, size_t errlen);
/* Non-blocking: returns 1 once the process has exited (status filled). */
int iut_poll(iut_proc *p);
/* SIGTERM to the group, up to grace_ns to exit, then SIGKILL. */
void iut_stop(iut_proc *p, int64_t grace_ns);
/* "exited with status 3", "killed by signal 9 (Killed)", "running" */
void iut_describe(const iut_proc *p, char *buf, size_t len);

#endif
