/* Link control, second half: delay and reorder (datagrams held and released by
 * loop timers) and rebinding (a NAT in the harness's own UDP layer). Semantics in link.h. */
#include "link.h"
#include "loop.h"
#include "../util/timeutil.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir_name[2] = { "to-iut", "from-iut" };

void link_set_loop(net_link *l, struct evloop *loop) { l->loop = loop; }

int link_set_shape(net_link *l, uint32_t delay_ms, uint32_t reorder_ppm, uint32_t hold_ms, char *err, size_t errlen)
{
    if ((delay_ms || reorder_ppm) && !l->loop) {
        snprintf(err, errlen, "delay and reorder need the harness's event loop");
        return -1;
    }
    l->delay_ms = delay_ms;
    l->reorder_ppm = reorder_ppm;
    l->reorder_hold_ms = hold_ms ? hold_ms : 200;
    char d[16], r[16], h[16], sd[24];
    snprintf(d, sizeof d, "%" PRIu32, delay_ms);
    snprintf(r, sizeof r, "%" PRIu32, reorder_ppm);
    snprintf(h, sizeof h, "%" PRIu32, l->reorder_hold_ms);
    snprintf(sd, sizeof sd, "%" PRIu64, l->seed);
    link_rec(l, "net.delay", "delay_ms", d, "reorder_ppm", r, "hold_ms", h, "seed", sd, (const char *)NULL);
    return 0;
}

static void set_port(net_addr *a, int port)
{
    if (a->ss.ss_family == AF_INET) ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
    else ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

static int get_port(const net_addr *a)
{
    if (a->ss.ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

int link_set_rebind(net_link *l, const char *spec, char *err, size_t errlen)
{
    if (!strcmp(spec, "off")) {
        l->nat_on = 0;
        l->nnat = 0;
        link_rec(l, "net.rebind", "address", "off", (const char *)NULL);
        return 0;
    }
    char ip[64];
    int off = 0;
    const char *colon = strstr(spec, ":+");
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n == 0 || n >= sizeof ip) {
        snprintf(err, errlen, "rebind '%s': expected ADDRESS, ADDRESS:+PORTOFFSET or off", spec);
        return -1;
    }
    memcpy(ip, spec, n);
    ip[n] = 0;
    if (colon) {
        char *end;
        long v = strtol(colon + 2, &end, 10);
        if (end == colon + 2 || *end || v < 0 || v > 65534) {
            snprintf(err, errlen, "rebind '%s': port offset must be 0..65534", spec);
            return -1;
        }
        off = (int)v;
    }
    if (net_addr_parse(ip, 1, &l->nat_addr) < 0) {
        snprintf(err, errlen, "rebind '%s': '%s' is not an IPv4 or IPv6 address", spec, ip);
        return -1;
    }
    l->nat_on = 1;
    l->nnat = 0;   /* a new rebinding: every flow gets a new external address */
    l->nat_port_off = off;
    l->rebinds++;
    char o[16];
    snprintf(o, sizeof o, "%d", off);
    link_rec(l, "net.rebind", "address", ip, "port_offset", o, (const char *)NULL);
    return 0;
}

static int controlled(const net_link *l, const udp_sock *sock)
{
    if (!l || !sock) return 0;
    for (int k = 0; k < LINK_SOCK_MAX; k++)
        if (l->socks[k] == sock) return 1;
    return 0;
}

/* The mapping whose internal (by_ex 0) or external (by_ex 1) address is a, or NULL. */
static const net_addr *nat_find(const net_link *l, int by_ex, const net_addr *a)
{
    for (size_t i = 0; i < l->nnat; i++)
        if (net_addr_equal(by_ex ? &l->nat[i].ex : &l->nat[i].in, a)) return by_ex ? &l->nat[i].in : &l->nat[i].ex;
    return NULL;
}

int link_nat_in(net_link *l, const udp_sock *sock, net_addr *from)
{
    if (!controlled(l, sock) || !l->nat_on) return 0;
    const net_addr *mapped = nat_find(l, 0, from);
    if (mapped) {
        *from = *mapped;
        return 0;
    }
    /* A NAT keeps the family: a flow of the other family keeps its address and gets only the
     * port offset (on IPv6 loopback, ::1 is the only address there is). */
    net_addr ex = from->ss.ss_family == l->nat_addr.ss.ss_family ? l->nat_addr : *from;
    int port = get_port(from) + l->nat_port_off;
    if (port > 65535) port -= 65535;   /* 1..65535, never 0 */
    set_port(&ex, port);
    char a[64], b[64];
    net_addr_str(from, a, sizeof a);
    net_addr_str(&ex, b, sizeof b);
    link_rec(l, "net.nat", "internal", a, "external", b, (const char *)NULL);
    if (l->nnat < LINK_NAT_MAX) l->nat[l->nnat++] = (__typeof__(l->nat[0])){ *from, ex };
    *from = ex;
    return 0;
}

int link_nat_out(net_link *l, const udp_sock *sock, net_addr *to)
{
    if (!controlled(l, sock) || !l->nat_on) return 0;
    const net_addr *mapped = nat_find(l, 1, to);
    if (mapped) {
        *to = *mapped;
        return 0;
    }
    /* The IUT's old address: a NAT that rebound no longer maps it. Other peers pass. */
    if (!nat_find(l, 0, to)) return 0;
    char a[64];
    net_addr_str(to, a, sizeof a);
    link_rec(l, "net.drop", "dir", dir_name[LINK_TO_IUT], "to", a, "reason", "rebind", (const char *)NULL);
    l->dropped[LINK_TO_IUT]++;
    return -1;
}

/* ---- holding ---- */

static void item_free(link_held *h)
{
    if (h->timer && h->l->loop) loop_timer_cancel(h->l->loop, h->timer);
    free(h->buf);
    memset(h, 0, sizeof *h);
}

/* A from-iut datagram that became ready: its reader is woken as if the socket were readable
 * (the socket itself shows nothing). The wake-up is the item's timer until then, so freeing
 * the item (link_detach) cancels it. */
static void kick_cb(evloop *loop, void *ctx)
{
    link_held *h = ctx;
    h->timer = 0;
    loop_kick_fd(loop, h->sock->fd);
}

static void release_waiting(net_link *l, const udp_sock *sock, int dir, uint64_t before_seq);

/* Sends a to-iut item now, or marks a from-iut one ready and wakes its reader. */
static void release(link_held *h)
{
    net_link *l = h->l;
    if (h->timer) loop_timer_cancel(l->loop, h->timer);
    h->timer = 0;
    if (!l->up) {
        char idx[24];
        snprintf(idx, sizeof idx, "%" PRIu64, h->index);
        link_rec(l, "net.drop", "dir", dir_name[h->dir], "index", idx, "reason", "down", (const char *)NULL);
        l->dropped[h->dir]++;
        item_free(h);
        return;
    }
    if (h->dir == LINK_TO_IUT) {
        const udp_sock *s = h->sock;
        int dir = h->dir, wait = h->wait_next;
        uint64_t seq = h->seq;
        udp_send_raw(s, h->buf, h->len, &h->peer, &h->tap_peer);
        item_free(h);
        if (!wait) release_waiting(l, s, dir, seq);
        return;
    }
    h->ready = 1;
    h->timer = loop_timer_add(l->loop, 0, kick_cb, h);
}

static void release_waiting(net_link *l, const udp_sock *sock, int dir, uint64_t before_seq)
{
    for (int k = 0; k < LINK_HOLD_MAX; k++) {
        link_held *h = &l->held[k];
        if (h->used && !h->ready && h->wait_next && h->sock == sock && h->dir == dir && h->seq < before_seq)
            release(h);
    }
}

static void timer_cb(evloop *loop, void *ctx)
{
    (void)loop;
    link_held *h = ctx;
    h->timer = 0;
    release(h);
}

int link_hold(net_link *l, const udp_sock *sock, int dir, const void *buf, size_t len,
              const net_addr *peer, const net_addr *tap_peer, int act)
{
    (void)act;
    if (!controlled(l, sock) || !l->loop || (!l->delay_ms && !l->reorder_ppm)) return 0;
    int pick = link_lost(l->seed ^ LINK_REORDER_SALT, dir, l->last_index, l->reorder_ppm);
    if (!l->delay_ms && !pick) return 0;
    link_held *h = NULL;
    for (int k = 0; k < LINK_HOLD_MAX && !h; k++)
        if (!l->held[k].used) h = &l->held[k];
    if (!h) return 0;   /* full: it passes now (never seen with the test windows) */
    h->used = 1;
    h->l = l;
    h->sock = sock;
    h->dir = dir;
    h->index = l->last_index;
    h->seq = ++l->held_seq;
    h->wait_next = pick;
    h->peer = *peer;
    h->tap_peer = tap_peer ? *tap_peer : *peer;
    h->buf = malloc(len ? len : 1);
    if (!h->buf) {
        memset(h, 0, sizeof *h);
        return 0;
    }
    memcpy(h->buf, buf, len);
    h->len = len;
    if (pick) {
        char idx[24];
        snprintf(idx, sizeof idx, "%" PRIu64, h->index);
        link_rec(l, "net.reorder", "dir", dir_name[dir], "index", idx, (const char *)NULL);
        l->reordered[dir]++;
    } else {
        l->delayed[dir]++;
    }
    uint64_t ms = (uint64_t)l->delay_ms + (pick ? l->reorder_hold_ms : 0);
    h->timer = loop_timer_add(l->loop, (int64_t)ms * NS_PER_MS, timer_cb, h);
    return 1;
}

void link_passed(net_link *l, const udp_sock *sock, int dir)
{
    if (!controlled(l, sock) || !l->reorder_ppm) return;
    release_waiting(l, sock, dir, UINT64_MAX);
}

ssize_t link_take_ready(net_link *l, const udp_sock *sock, void *buf, size_t cap, net_addr *from)
{
    if (!controlled(l, sock)) return -1;
    link_held *best = NULL;
    for (int k = 0; k < LINK_HOLD_MAX; k++) {
        link_held *h = &l->held[k];
        if (h->used && h->ready && h->sock == sock && (!best || h->seq < best->seq)) best = h;
    }
    if (!best) return -1;
    size_t n = best->len < cap ? best->len : cap;
    memcpy(buf, best->buf, n);
    *from = best->peer;
    int wait = best->wait_next;
    uint64_t seq = best->seq;
    item_free(best);
    if (!wait) release_waiting(l, sock, LINK_FROM_IUT, seq);
    return (ssize_t)n;
}

void link_detach(net_link *l)
{
    if (!l) return;
    for (int k = 0; k < LINK_HOLD_MAX; k++)
        if (l->held[k].used) item_free(&l->held[k]);
    for (int k = 0; k < LINK_SOCK_MAX; k++)
        if (l->socks[k] && l->socks[k]->shaper == &l->io) l->socks[k]->shaper = NULL;
    memset(l->socks, 0, sizeof l->socks);
    free(l->rx_dup.buf);
    memset(&l->rx_dup, 0, sizeof l->rx_dup);
}
