/* Non-blocking UDP endpoints and address helpers. The harness owns this layer, so later
 * network conditions (loss, delay, rebinding) are steps of a test, not kernel settings. */
#ifndef M2M_UDP_H
#define M2M_UDP_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef struct net_addr { struct sockaddr_storage ss; socklen_t len; } net_addr;

typedef struct udp_sock udp_sock;

/* A layer a socket's datagrams pass through on their way to and from the wire (link control,
 * net/link.h, is one): a function table per socket, so each socket has its own or none.
 * send: one datagram out through s; it passes on what it lets through with udp_send_raw and
 * returns what udp_send returns (a dropped datagram looks sent). recv: the next datagram that
 * passes, read off s with udp_recv_raw (or one it held back); -1 with errno EAGAIN when none. */
typedef struct udp_shaper {
    ssize_t (*send)(struct udp_shaper *sh, const udp_sock *s, const void *buf, size_t len, const net_addr *to);
    ssize_t (*recv)(struct udp_shaper *sh, const udp_sock *s, void *buf, size_t cap, net_addr *from);
} udp_shaper;

struct udp_sock {
    int fd;
    net_addr local;
    udp_shaper *shaper;   /* NULL: datagrams go straight to the wire */
};

/* Binds ip:port (port 0 = ephemeral), with no shaper. Returns 0, or -1 with a reason in err
 * ("127.0.0.1:5684: Address already in use"). */
int udp_bind(udp_sock *s, const char *ip, int port, char *err, size_t errlen);
void udp_close(udp_sock *s);
int udp_port(const udp_sock *s);
/* Sends through the socket's shaper, if it has one. */
ssize_t udp_send(const udp_sock *s, const void *buf, size_t len, const net_addr *to);
/* Sends to `to` past the shaper (a datagram it passes, or held and now releases); the tap
 * sees it as sent to tap_peer. */
ssize_t udp_send_raw(const udp_sock *s, const void *buf, size_t len, const net_addr *to, const net_addr *tap_peer);
/* One datagram, through the socket's shaper if it has one; returns its length (0 for an
 * empty datagram), -1 with errno EAGAIN when none is waiting, -1 with ECONNREFUSED after an
 * ICMP port unreachable. The tap sees what passes. */
ssize_t udp_recv(const udp_sock *s, void *buf, size_t cap, net_addr *from);
/* One datagram off the socket itself, past the shaper and unseen by the tap (a shaper's recv). */
ssize_t udp_recv_raw(const udp_sock *s, void *buf, size_t cap, net_addr *from);

/* A process-wide observer of every datagram that udp_send sends and udp_recv receives
 * (tx = 1 for sent), with the socket it went through and the peer: the one chokepoint
 * that DTLS and plain CoAP both pass, so captures (report/capture.h) see the wire as it
 * was. NULL fn removes it. Not for the reference peers' use: one tap per process. */
typedef void (*udp_tap_fn)(const udp_sock *s, int tx, const net_addr *peer,
                           const void *buf, size_t len, void *ctx);
void udp_set_tap(udp_tap_fn fn, void *ctx);

int net_addr_parse(const char *ip, int port, net_addr *out);
int net_addr_equal(const net_addr *a, const net_addr *b);
/* A hash of what net_addr_equal compares (family, address, port): equal addresses hash alike. */
uint32_t net_addr_hash(const net_addr *a);
/* "127.0.0.1:5684" or "[::1]:5684" */
void net_addr_str(const net_addr *a, char *buf, size_t len);

#endif
