#include "netns.h"
#include "../util/xmem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ip_path(void)
{
    static const char *const cands[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip", NULL };
    for (size_t i = 0; cands[i]; i++)
        if (access(cands[i], X_OK) == 0) return cands[i];
    return NULL;
}

/* Runs `ip ARGS...` (NULL-terminated); 0 on exit status 0, else -1 with the command and
 * the first line of what it printed in err. */
static int ip_run(char *err, size_t len, ...)
{
    const char *argv[16];
    size_t n = 0;
    const char *ip = ip_path();
    argv[n++] = "ip";
    va_list ap;
    va_start(ap, len);
    const char *a;
    while (n < 15 && (a = va_arg(ap, const char *))) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    if (!ip) {
        if (err) snprintf(err, len, "iproute2's ip not found");
        return -1;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        if (err) snprintf(err, len, "pipe: %s", strerror(errno));
        return -1;
    }
    char *xargv[16];   /* execv takes char *const[]: copies, made before the fork */
    for (size_t i = 0; i <= n; i++) xargv[i] = xstrdup(argv[i]);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        execv(ip, xargv);
        _exit(127);
    }
    for (size_t i = 0; i < n; i++) free(xargv[i]);
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        if (err) snprintf(err, len, "fork: %s", strerror(errno));
        return -1;
    }
    close(pfd[1]);
    char out[512];
    size_t got = 0;
    ssize_t r;
    while ((r = read(pfd[0], out + got, sizeof out - 1 - got)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0) got += (size_t)r;
    close(pfd[0]);
    out[got] = '\0';
    out[strcspn(out, "\n")] = '\0';
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (err) {
        strbuf b;
        sb_init(&b);
        for (size_t i = 0; argv[i]; i++) sb_addf(&b, "%s%s", i ? " " : "", argv[i]);
        snprintf(err, len, "`%s` %s%d%s%s", b.s, WIFEXITED(st) ? "exited " : "killed by signal ",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), got ? ": " : "", out);
        sb_free(&b);
    }
    return -1;
}

int netns_possible(char *why, size_t len)
{
    if (geteuid() != 0) {
        snprintf(why, len, "network namespaces need root (CAP_NET_ADMIN, CAP_SYS_ADMIN); euid is %d", (int)geteuid());
        return 0;
    }
    if (!ip_path()) {
        snprintf(why, len, "iproute2's ip not found (/usr/sbin/ip, /sbin/ip)");
        return 0;
    }
    return 1;
}

void netns_names(netns *n, pid_t owner)
{
    memset(n, 0, sizeof *n);
    unsigned pid = (unsigned)owner % 10000000u;   /* 7 digits: interface names stay under 16 */
    unsigned block = ((unsigned)owner % 16383u + 1u) * 4u;   /* a /30 in 10.213.0.0/16, never .0.0 */
    snprintf(n->name, sizeof n->name, "m2mh%u", pid);
    snprintf(n->host_if, sizeof n->host_if, "m2mh%uh", pid);
    snprintf(n->ns_if, sizeof n->ns_if, "m2mh%un", pid);
    snprintf(n->host_addr, sizeof n->host_addr, "10.213.%u.%u", block >> 8, (block & 255u) + 1u);
    snprintf(n->ns_addr, sizeof n->ns_addr, "10.213.%u.%u", block >> 8, (block & 255u) + 2u);
}

int netns_create(netns *n, char *err, size_t len)
{
    netns_names(n, getpid());
    char host_cidr[24], ns_cidr[24];
    snprintf(host_cidr, sizeof host_cidr, "%s/30", n->host_addr);
    snprintf(ns_cidr, sizeof ns_cidr, "%s/30", n->ns_addr);
    netns_sweep(getpid());   /* a pid reused after a crash: start clean */
    if (ip_run(err, len, "netns", "add", n->name, NULL) < 0) return -1;
    n->created = 1;
    if (ip_run(err, len, "link", "add", n->host_if, "type", "veth", "peer", "name", n->ns_if, NULL) < 0 ||
        ip_run(err, len, "link", "set", n->ns_if, "netns", n->name, NULL) < 0 ||
        ip_run(err, len, "addr", "add", host_cidr, "dev", n->host_if, NULL) < 0 ||
        ip_run(err, len, "-n", n->name, "addr", "add", ns_cidr, "dev", n->ns_if, NULL) < 0 ||
        ip_run(err, len, "-n", n->name, "link", "set", "lo", "up", NULL) < 0 ||
        ip_run(err, len, "-n", n->name, "link", "set", n->ns_if, "up", NULL) < 0) {
        netns_destroy(n);
        return -1;
    }
    return 0;
}

int netns_link(netns *n, int up, char *err, size_t len)
{
    if (!n->created) {
        snprintf(err, len, "no namespace");
        return -1;
    }
    if (ip_run(err, len, "link", "set", n->host_if, up ? "up" : "down", NULL) < 0) return -1;
    n->up = up;
    return 0;
}

void netns_destroy(netns *n)
{
    if (!n->created) return;
    ip_run(NULL, 0, "link", "del", n->host_if, NULL);   /* also takes the namespace's end */
    ip_run(NULL, 0, "netns", "del", n->name, NULL);
    n->created = n->up = 0;
}

void netns_sweep(pid_t owner)
{
    netns n;
    netns_names(&n, owner);
    char path[64];
    snprintf(path, sizeof path, "/run/netns/%s", n.name);
    char sys[64];
    snprintf(sys, sizeof sys, "/sys/class/net/%s", n.host_if);
    if (access(path, F_OK) != 0 && access(sys, F_OK) != 0) return;   /* the usual case: no fork */
    n.created = 1;
    netns_destroy(&n);
}

char *netns_wrap(const netns *n, const char *cmd)
{
    strbuf b;
    sb_init(&b);
    sb_addf(&b, "exec ip netns exec %s sh -c '", n->name);
    for (const char *c = cmd; *c; c++) {
        if (*c == '\'') sb_add(&b, "'\\''");
        else sb_addn(&b, c, 1);
    }
    sb_add(&b, "'");
    return sb_take(&b);
}

char *netns_wrap_free(const netns *n, char *cmd)
{
    char *w = netns_wrap(n, cmd);
    free(cmd);
    return w;
}
