#include "iutctl.h"
#include "../util/timeutil.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int link_fd = -1;

void iut_set_link_fd(int fd) { link_fd = fd; }

int iut_spawn(const char *cmd, const char *log_path, iut_proc *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, 0);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (link_fd >= 0 && fcntl(link_fd, F_SETFD, 0) == 0) {   /* inherited across exec */
            char num[16];
            snprintf(num, sizeof num, "%d", link_fd);
            setenv("M2M_HARNESS_LINK_FD", num, 1);
        }
        signal(SIGPIPE, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);   /* both sides set it: no race with an early kill */
    out->pid = pid;
    return 0;
}

int iut_poll(iut_proc *p)
{
    if (!p->pid) return 1;
    if (p->exited) return 1;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid) {
        p->exited = 1;
        p->status = st;
        return 1;
    }
    return 0;
}

void iut_stop(iut_proc *p, int64_t grace_ns)
{
    if (!p->pid) return;
    /* The group may hold children of the shell even after the shell itself exited. */
    kill(-p->pid, SIGTERM);
    int64_t end = mono_now_ns() + grace_ns;
    while (!iut_poll(p) && mono_now_ns() < end) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    kill(-p->pid, SIGKILL);
    if (!p->exited) {
        int st;
        if (waitpid(p->pid, &st, 0) == p->pid) {
            p->exited = 1;
            p->status = st;
        }
    }
}

void iut_describe(const iut_proc *p, char *buf, size_t len)
{
    if (!p->pid) snprintf(buf, len, "not started");
    else if (!p->exited) snprintf(buf, len, "running");
    else if (WIFEXITED(p->status)) snprintf(buf, len, "exited with status %d", WEXITSTATUS(p->status));
    else if (WIFSIGNALED(p->status))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
    else snprintf(buf, len, "status 0x%x", p->status);
}
