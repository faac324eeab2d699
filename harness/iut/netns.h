/* Optional network-namespace isolation of the IUT (profile <control netns="true">): the
 * harness creates a namespace and a veth pair whose only other end is on this host, puts
 * the IUT's start and ready commands in the namespace (ip netns exec) and raises the host
 * end itself, so net.up is a step of the harness, not inferred from the first datagram.
 * Everything runs through iproute2's `ip` (fork/exec, exit statuses checked). Addresses come
 * from 10.213.0.0/16 in /30 blocks picked by the test process's pid (host .1, namespace .2);
 * nothing is routed off the host. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN). */
#ifndef M2M_NETNS_H
#define M2M_NETNS_H
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char name[16];        /* namespace, m2mh<pid> */
    char host_if[16];     /* veth end on the host, m2mh<pid>h */
    char ns_if[16];       /* veth end in the namespace, m2mh<pid>n */
    char host_addr[16];   /* the harness's address, 10.213.x.y+1 */
    char ns_addr[16];     /* the IUT's address, 10.213.x.y+2 */
    int created, up;
} netns;

/* 1 when namespaces can be made here (euid 0 and `ip` found), else 0 and why. */
int netns_possible(char *why, size_t len);

/* Names and addresses for the test process with this pid (no side effects). */
void netns_names(netns *n, pid_t owner);

/* Creates the namespace for the calling process, the veth pair, their addresses; the host end
 * stays down (netns_link raises it), the namespace end and its lo are up. On failure whatever
 * was made is removed again and err says which `ip` command failed and what it printed. */
int netns_create(netns *n, char *err, size_t len);

/* Raises (up=1) or lowers the host end of the veth pair. */
int netns_link(netns *n, int up, char *err, size_t len);

/* Removes the namespace and the veth pair (idempotent). */
void netns_destroy(netns *n);

/* Removes what netns_create left for the test process owner, if anything (the parent calls it
 * after the test process ended, also when it was killed at its deadline or on interrupt). */
void netns_sweep(pid_t owner);

/* "ip netns exec NAME sh -c '<cmd>'", cmd quoted for the shell; free() the result. */
char *netns_wrap(const netns *n, const char *cmd);
/* netns_wrap that frees cmd. */
char *netns_wrap_free(const netns *n, char *cmd);

#endif
