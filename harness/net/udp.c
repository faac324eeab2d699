#include "udp.h"
#include <stdint.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int net_addr_parse(const char *ip, int port, net_addr *out)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
    if (port < 0 || port > 65535) return -1;
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->len = sizeof *v6;
        return 0;
    }
    return -1;
}

int net_addr_equal(const net_addr *a, const net_addr *b)
{
    if (a->ss.ss_family != b->ss.ss_family) return 0;
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

uint32_t net_addr_hash(const net_addr *a)
{
    uint32_t h = fnv1a(2166136261u, &a->ss.ss_family, sizeof a->ss.ss_family);
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&a->ss;
        h = fnv1a(h, &x->sin_port, sizeof x->sin_port);
        return fnv1a(h, &x->sin_addr.s_addr, sizeof x->sin_addr.s_addr);
    }
    const struct sockaddr_in6 *x = (const void *)&a->ss;
    h = fnv1a(h, &x->sin6_port, sizeof x->sin6_port);
    return fnv1a(h, &x->sin6_addr, 16);
}

void net_addr_str(const net_addr *a, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const void *)&a->ss;
        inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
        snprintf(buf, len, "%s:%u", ip, ntohs(v4->sin_port));
    } else if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const void *)&a->ss;
        inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
        snprintf(buf, len, "[%s]:%u", ip, ntohs(v6->sin6_port));
    } else {
        snprintf(buf, len, "?");
    }
}

int udp_bind(udp_sock *s, const char *ip, int port, char *err, size_t errlen)
{
    s->fd = -1;
    s->shaper = NULL;
    net_addr a;
    if (net_addr_parse(ip, port, &a) < 0) {
        snprintf(err, errlen, "%s:%d: not an IPv4 or IPv6 address", ip, port);
        return -1;
    }
    int fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* No SO_REUSEADDR: a port already in use must be an error, not a silent second server. */
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0) {
        snprintf(err, errlen, "%s port %d: %s", ip, port, strerror(errno));
        close(fd);
        return -1;
    }
    /* The kernel's receive time on every datagram: the event loop hands on datagrams waiting
     * on several sockets in the order they arrived (net/loop.c). */
    int on = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    s->fd = fd;
    s->local.len = sizeof s->local.ss;
    getsockname(fd, (struct sockaddr *)&s->local.ss, &s->local.len);
    return 0;
}

void udp_close(udp_sock *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}

int udp_port(const udp_sock *s)
{
    if (s->local.ss.ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)&s->local.ss)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)&s->local.ss)->sin6_port);
}

static udp_tap_fn tap_fn;
static void *tap_ctx;

void udp_set_tap(udp_tap_fn fn, void *ctx)
{
    tap_fn = fn;
    tap_ctx = ctx;
}

ssize_t udp_send_raw(const udp_sock *s, const void *buf, size_t len, const net_addr *to, const net_addr *tap_peer)
{
    ssize_t r = sendto(s->fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len);
    if (r >= 0 && tap_fn) tap_fn(s, 1, tap_peer, buf, (size_t)r, tap_ctx);
    return r;
}

ssize_t udp_send(const udp_sock *s, const void *buf, size_t len, const net_addr *to)
{
    if (s->shaper) return s->shaper->send(s->shaper, s, buf, len, to);
    return udp_send_raw(s, buf, len, to, to);
}

ssize_t udp_recv_raw(const udp_sock *s, void *buf, size_t cap, net_addr *from)
{
    from->len = sizeof from->ss;
    return recvfrom(s->fd, buf, cap, 0, (struct sockaddr *)&from->ss, &from->len);
}

ssize_t udp_recv(const udp_sock *s, void *buf, size_t cap, net_addr *from)
{
    ssize_t r = s->shaper ? s->shaper->recv(s->shaper, s, buf, cap, from) : udp_recv_raw(s, buf, cap, from);
    if (r >= 0 && tap_fn) tap_fn(s, 0, from, buf, (size_t)r, tap_ctx);
    return r;
}
