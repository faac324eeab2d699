#include "link.h"
#include "../util/timeutil.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir_name[2] = { "to-iut", "from-iut" };

/* splitmix64: a fixed, well-mixed function of its input, so losses depend only on
 * (seed, dir, index) and never on timing or on how many other datagrams were sent. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

int link_lost(uint64_t seed, int dir, uint64_t index, uint32_t share_ppm)
{
    if (share_ppm == 0) return 0;
    uint64_t h = mix(mix(seed) ^ mix(((uint64_t)(dir & 1) << 62) ^ index));
    return (h % 1000000u) < share_ppm;
}

void link_rec(net_link *l, const char *name, ...)
{
    if (!l->tl) return;
    tl_event *e = timeline_add(l->tl, name, NULL, (const char *)NULL);
    va_list ap;
    va_start(ap, name);
    for (const char *k; (k = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        if (v) tl_event_set(e, k, v);
    }
    va_end(ap);
}

/* The shaper's send (udp.h): a dropped datagram looks sent to the caller, as on a real lossy
 * network, and the tap does not see it (it never reached the wire). A held one (delay,
 * reorder) is sent later by the link; a rebinding maps the destination. */
static ssize_t io_send(udp_shaper *sh, const udp_sock *s, const void *buf, size_t len, const net_addr *to)
{
    net_link *l = (net_link *)sh;
    int act = link_decide(l, s, LINK_TO_IUT);
    if (act == 0) return (ssize_t)len;
    net_addr dst = *to;
    if (link_nat_out(l, s, &dst) < 0) return (ssize_t)len;
    if (link_hold(l, s, LINK_TO_IUT, buf, len, &dst, to, act)) return (ssize_t)len;
    ssize_t r = udp_send_raw(s, buf, len, &dst, to);
    if (r >= 0 && act == 2) udp_send_raw(s, buf, len, &dst, to);
    link_passed(l, s, LINK_TO_IUT);
    return r;
}

/* The shaper's recv: a dropped datagram is read off the socket and discarded before anyone
 * (tap included) sees it, as if it never arrived. A rebinding shows the sender's new address;
 * a held one is handed back later (link_take_ready), a duplicated one on the next call. */
static ssize_t io_recv(udp_shaper *sh, const udp_sock *s, void *buf, size_t cap, net_addr *from)
{
    net_link *l = (net_link *)sh;
    if (l->rx_dup.s == s) {
        l->rx_dup.s = NULL;
        size_t n = l->rx_dup.len < cap ? l->rx_dup.len : cap;
        memcpy(buf, l->rx_dup.buf, n);
        *from = l->rx_dup.from;
        return (ssize_t)n;
    }
    ssize_t held = link_take_ready(l, s, buf, cap, from);   /* a delayed / reordered one, due now */
    if (held >= 0) return held;
    for (;;) {
        ssize_t r = udp_recv_raw(s, buf, cap, from);
        if (r < 0) return r;
        int act = link_decide(l, s, LINK_FROM_IUT);
        if (act == 0) continue;
        link_nat_in(l, s, from);
        if (link_hold(l, s, LINK_FROM_IUT, buf, (size_t)r, from, NULL, act)) continue;
        if (act == 2) {
            uint8_t *copy = realloc(l->rx_dup.buf, (size_t)r ? (size_t)r : 1);
            if (copy) {
                l->rx_dup.buf = copy;
                l->rx_dup.s = s;
                l->rx_dup.from = *from;
                l->rx_dup.len = (size_t)r;
                memcpy(copy, buf, (size_t)r);
            }
        }
        link_passed(l, s, LINK_FROM_IUT);
        return r;
    }
}

void link_init(net_link *l, timeline *tl, int start_up)
{
    memset(l, 0, sizeof *l);
    l->io.send = io_send;
    l->io.recv = io_recv;
    l->tl = tl;
    l->up = start_up ? 1 : 0;
    if (!start_up) link_rec(l, "net.down", "reason", "start", (const char *)NULL);
}

int link_attach(net_link *l, udp_sock *sock)
{
    for (int k = 0; k < LINK_SOCK_MAX; k++)
        if (l->socks[k] == sock || !l->socks[k]) {
            l->socks[k] = sock;
            sock->shaper = &l->io;
            return 0;
        }
    return -1;
}

void link_set_up(net_link *l, int up)
{
    if (l->up == !!up) return;
    l->up = !!up;
    link_rec(l, up ? "net.up" : "net.down", "reason", "step", (const char *)NULL);
}

void link_set_loss(net_link *l, uint64_t seed, uint32_t to_ppm, uint32_t from_ppm)
{
    l->seed = seed;
    l->share_ppm[LINK_TO_IUT] = to_ppm;
    l->share_ppm[LINK_FROM_IUT] = from_ppm;
    char s[24], a[16], b[16];
    snprintf(s, sizeof s, "%" PRIu64, seed);
    snprintf(a, sizeof a, "%" PRIu32, to_ppm);
    snprintf(b, sizeof b, "%" PRIu32, from_ppm);
    link_rec(l, "net.loss", "seed", s, "to_iut_ppm", a, "from_iut_ppm", b, (const char *)NULL);
}

int link_set_list(net_link *l, char kind, const char *spec, char *err, size_t errlen)
{
    uint64_t (*arr)[LINK_LIST_MAX] = kind == 'u' ? l->dup : l->list;
    size_t *n = kind == 'u' ? l->ndup : l->nlist;
    size_t nn[2] = { 0, 0 };
    uint64_t tmp[2][LINK_LIST_MAX];
    const char *p = spec;
    while (*p) {
        int dir;
        if (!strncmp(p, "to-iut:", 7)) { dir = LINK_TO_IUT; p += 7; }
        else if (!strncmp(p, "from-iut:", 9)) { dir = LINK_FROM_IUT; p += 9; }
        else {
            snprintf(err, errlen, "list '%s': expected to-iut: or from-iut: at '%s'", spec, p);
            return -1;
        }
        for (;;) {
            char *end;
            if (*p < '0' || *p > '9') {
                snprintf(err, errlen, "list '%s': expected an index at '%s'", spec, p);
                return -1;
            }
            unsigned long long v = strtoull(p, &end, 10);
            if (nn[dir] == LINK_LIST_MAX) {
                snprintf(err, errlen, "list '%s': more than %d indices", spec, LINK_LIST_MAX);
                return -1;
            }
            tmp[dir][nn[dir]++] = v;
            p = end;
            if (*p == ',') { p++; continue; }
            break;
        }
        if (*p == ';') p++;
        else if (*p) {
            snprintf(err, errlen, "list '%s': unexpected '%c'", spec, *p);
            return -1;
        }
    }
    for (int d = 0; d < 2; d++) {
        memcpy(arr[d], tmp[d], nn[d] * sizeof tmp[d][0]);
        n[d] = nn[d];
    }
    link_rec(l, "net.loss", kind == 'u' ? "duplicate" : "drop", spec, (const char *)NULL);
    return 0;
}

static int in_list(const uint64_t *a, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == v) return 1;
    return 0;
}

static void rec_drop(net_link *l, int dir, const char *idx, const char *reason)
{
    link_rec(l, "net.drop", "dir", dir_name[dir], "index", idx, "reason", reason, (const char *)NULL);
}

int link_decide(net_link *l, const udp_sock *sock, int dir)
{
    if (!l || !sock) return 1;
    int ours = 0;
    for (int k = 0; k < LINK_SOCK_MAX; k++) ours |= sock == l->socks[k];
    if (!ours) return 1;
    if (!l->up) {
        l->dropped[dir]++;
        rec_drop(l, dir, NULL, "down");
        return 0;
    }
    uint64_t i = l->index[dir]++;
    l->last_index = i;
    int64_t now = mono_now_ns();
    if (i == 0 || l->last_dir != dir || now - l->last_ns[dir] > 20 * NS_PER_MS) l->flights[dir]++;
    l->last_dir = dir;
    l->last_ns[dir] = now;
    char idx[24];
    snprintf(idx, sizeof idx, "%" PRIu64, i);
    if (in_list(l->list[dir], l->nlist[dir], i)) {
        l->dropped[dir]++;
        rec_drop(l, dir, idx, "list");
        return 0;
    }
    if (link_lost(l->seed, dir, i, l->share_ppm[dir])) {
        l->dropped[dir]++;
        rec_drop(l, dir, idx, "loss");
        return 0;
    }
    l->passed[dir]++;
    return in_list(l->dup[dir], l->ndup[dir], i) ? 2 : 1;
}

/* A non-negative number with a unit: `big` counts `scale` of `unit`; at most max units. */
static long parse_with_unit(const char *s, const char *big, double scale, const char *unit, double max)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0) return -1;
    if (!strcmp(end, big)) v *= scale;
    else if (strcmp(end, unit) != 0) return -1;
    return v > max ? -1 : (long)(v + 0.5);
}

long link_parse_share(const char *s) { return parse_with_unit(s, "%", 10000.0, "ppm", 1000000.0); }
long link_parse_ms(const char *s) { return parse_with_unit(s, "s", 1000.0, "ms", 60000.0); }
