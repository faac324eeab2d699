#include "ports.h"
#include "udp.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's ephemeral range (ports it hands to bind(0) and to unbound sends). */
static void ephemeral_range(int *lo, int *hi)
{
    *lo = 32768;
    *hi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (!f) return;
    int a, b;
    if (fscanf(f, "%d %d", &a, &b) == 2 && a > 0 && b >= a) {
        *lo = a;
        *hi = b;
    }
    fclose(f);
}

/* Ports this process has reserved for its IUTs: one open file description per pick, each
 * holding an OFD lock on bytes [port, port + n) of one lock file shared by every harness
 * process on the machine. Why: the bind check below only says a port is free now; two
 * harness processes (tests under -j, runs side by side) can pick the same pair before
 * either IUT binds it. The loser's IUT dies, and a readiness probe running just then meets
 * the winner's IUT: the test goes on against another test's IN-CSE (seen in CI as a 4105 to
 * a first registration). Closing the descriptor, or the process ending, frees the pair. */
static int *reserved;
static size_t nreserved;

static const char *lock_path(void)
{
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/m2m-harness-ports.lock", dir && *dir ? dir : "/tmp");
    return path;
}

/* 1: ports [port, port + n) are ours until ports_release; 0: another process holds
 * one of them; -1: no lock file (unwritable folder): they are used unreserved, as before. */
static int reserve_ports(int port, int n)
{
    mode_t old = umask(0);   /* every user's harness shares the file */
    int fd = open(lock_path(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    umask(old);
    if (fd < 0) return -1;
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = port, .l_len = n };
    if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
        close(fd);
        return 0;
    }
    reserved = xrealloc(reserved, (nreserved + 1) * sizeof *reserved);
    reserved[nreserved++] = fd;
    return 1;
}

void ports_release(void)
{
    for (size_t i = 0; i < nreserved; i++) close(reserved[i]);
    free(reserved);
    reserved = NULL;
    nreserved = 0;
}

/* n free consecutive ports chosen at random below the ephemeral range, reserved; or 0.
 * Why not bind(0): a port taken from the ephemeral range and released for the IUT to bind
 * is handed out again to any socket opened meanwhile (the harness's own, a parallel test's),
 * and the IUT then dies with "address in use" (seen about once per 500 tests under -j). */
int ports_pick_below_ephemeral(const char *addr, int n)
{
    int lo, hi;
    ephemeral_range(&lo, &hi);
    (void)hi;
    const int first = 10000;
    int span = lo - n - first;
    if (span < 1000) return 0;
    static uint64_t state;
    if (!state) state = ((uint64_t)getpid() << 32) ^ (uint64_t)mono_now_ns() ^ 0x9e3779b97f4a7c15ULL;
    char err[256];
    for (int tries = 0; tries < 50; tries++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;   /* xorshift64 */
        int port = first + (int)(state % (uint64_t)span);
        int ok = 1;
        for (int i = 0; i < n && ok; i++) {
            udp_sock a = { .fd = -1 };
            ok = udp_bind(&a, addr, port + i, err, sizeof err) == 0;
            udp_close(&a);
        }
        if (ok && reserve_ports(port, n) != 0) return port;
    }
    return 0;
}

int ports_reserve_one(const char *addr)
{
    int port = ports_pick_below_ephemeral(addr, 1);
    udp_sock s = { .fd = -1 };
    char err[256];
    if (!port && udp_bind(&s, addr, 0, err, sizeof err) == 0) port = udp_port(&s);   /* no room below */
    udp_close(&s);
    return port;
}
