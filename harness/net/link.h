/* Link control: the harness's own UDP layer as a test input. No root, no netem: the link is
 * the shaper (udp.h) of the harness sockets that face the IUT, and decides, per datagram,
 * whether it passes, is dropped or is duplicated. Each socket carries its own pointer to it:
 * there is no process-wide link, and sockets without one are not shaped.
 *
 * Semantics:
 * - Directions: LINK_TO_IUT (datagrams the harness sends), LINK_FROM_IUT (datagrams it
 *   receives). Each direction numbers its datagrams 0, 1, 2 ... as they reach the link,
 *   counting datagrams dropped by the link too (not those dropped while it is down).
 * - Loss is a pure function link_lost(seed, dir, index, share_ppm): the same seed gives the
 *   same losses whatever the timing, so a run under loss is reproducible.
 * - An explicit drop list ("from-iut:0,2") drops exactly those indices.
 * - Down: nothing passes either way; a datagram from the IUT is read off the socket and
 *   discarded (the device cannot reach the harness), one sent to it is not sent. Both are
 *   recorded as `net.drop reason=down`. `net.up` is recorded when the harness raises the
 *   link, so with a link that starts down, R-FLOW-01 (net.up < sae.done) is no longer true
 *   by construction: nothing the device sent before net.up can reach the DTLS layer.
 * - Every change (up, down, loss settings) is a timeline event: net.up, net.down, net.loss.
 *   Every datagram the link removes is `net.drop dir=… index=… reason=loss|list|down`.
 */
#ifndef M2M_LINK_H
#define M2M_LINK_H
#include <stddef.h>
#include <stdint.h>
#include "flow/timeline.h"
#include "udp.h"

enum { LINK_TO_IUT = 0, LINK_FROM_IUT = 1 };
#define LINK_LIST_MAX 32
#define LINK_HOLD_MAX 64
#define LINK_NAT_MAX 16
#define LINK_SOCK_MAX 16

struct evloop;
struct net_link;
/* A datagram the link holds back (delay, reorder): sent or handed to the reader later. */
typedef struct link_held {
    struct net_link *l;
    const udp_sock *sock;
    int used, dir, wait_next, ready;
    uint64_t index, seq, timer;
    net_addr peer;          /* to-iut: where it goes (after NAT); from-iut: who it is from (as seen) */
    net_addr tap_peer;      /* to-iut: the address the harness sent it to */
    size_t len;
    uint8_t *buf;
} link_held;

typedef struct net_link {
    udp_shaper io;          /* what the link's sockets point to (udp.h): its send and recv */
    udp_sock *socks[LINK_SOCK_MAX];   /* the harness sockets facing the IUT (coaps, coap, own client sockets); others pass */
    timeline *tl;
    int up;
    uint64_t seed;
    uint32_t share_ppm[2];  /* loss share per direction, parts per million */
    uint64_t list[2][LINK_LIST_MAX];   /* explicit indices to drop */
    size_t nlist[2];
    uint64_t dup[2][LINK_LIST_MAX];    /* explicit indices to duplicate */
    size_t ndup[2];
    uint64_t index[2];      /* next datagram index per direction */
    uint64_t dropped[2], passed[2];
    /* Flights: bursts of datagrams in one direction (a change of direction, or 20 ms of
     * quiet, starts a new one), counted as they reach the link, lost ones included. */
    uint64_t flights[2];
    int64_t last_ns[2];
    int last_dir;
    /* Delay and reorder, rebinding (link_shape.c) */
    struct evloop *loop;    /* for the timers that release held datagrams; NULL = no holding */
    uint64_t last_index;    /* the index link_decide just gave */
    uint32_t delay_ms;      /* every datagram, both ways, arrives this much later (order kept) */
    uint32_t reorder_ppm;   /* share of datagrams held back until the next one in their direction passed */
    uint32_t reorder_hold_ms;   /* ... or at most this long after their delay (default 200) */
    link_held held[LINK_HOLD_MAX];
    uint64_t held_seq;
    uint64_t reordered[2], delayed[2];
    int nat_on;             /* rebinding: the IUT appears from nat_addr (port + nat_port_off) */
    net_addr nat_addr;
    int nat_port_off;
    struct { net_addr in, ex; } nat[LINK_NAT_MAX];
    size_t nnat;
    uint64_t rebinds;
    /* One pending duplicate of a received datagram, delivered by the next recv on its socket. */
    struct { const udp_sock *s; net_addr from; size_t len; uint8_t *buf; } rx_dup;
} net_link;

/* Pure: 1 if datagram `index` in direction `dir` is lost under (seed, share_ppm). */
int link_lost(uint64_t seed, int dir, uint64_t index, uint32_t share_ppm);

/* A link with no socket yet, starting up or down (recorded as net.down only when it starts
 * down: an up link at start is the uncontrolled default). */
void link_init(net_link *l, timeline *tl, int start_up);
/* Puts sock under the link (sock->shaper; again after udp_bind, which clears it). Returns 0,
 * or -1 when the link already has LINK_SOCK_MAX sockets (sock stays unshaped). */
int link_attach(net_link *l, udp_sock *sock);

void link_set_up(net_link *l, int up);
/* share_ppm per direction; seed; recorded as net.loss. */
void link_set_loss(net_link *l, uint64_t seed, uint32_t to_iut_ppm, uint32_t from_iut_ppm);
/* "to-iut:0,3;from-iut:1" — explicit drop (kind 'd') or duplicate (kind 'u') indices.
 * Returns 0, or -1 with a reason in err. Recorded as net.loss with the list. */
int link_set_list(net_link *l, char kind, const char *spec, char *err, size_t errlen);

/* What the link does with the next datagram in dir through sock:
 * 0 = drop, 1 = pass, 2 = pass and duplicate. Advances the index. */
int link_decide(net_link *l, const udp_sock *sock, int dir);

/* Parses "10%" / "0.5%" / "2500ppm" into parts per million; -1 on error. */
long link_parse_share(const char *s);
/* Parses "200ms" / "1.5s" (at most 60 s) into milliseconds; -1 on error. */
long link_parse_ms(const char *s);

/* ---- link_shape.c: delay, reorder, rebinding ----
 * Delay: every datagram through the link (both ways) is held delay_ms and then sent / handed
 * to its reader, in order. Reorder: datagram `index` in a direction is picked when
 * link_lost(seed ^ LINK_REORDER_SALT, dir, index, reorder_ppm) — a pure function of the
 * seed, like loss — and is held until the next datagram in that direction has passed (it then
 * arrives right after it: the two swap), or reorder_hold_ms after its delay when none follows.
 * Each picked datagram is a `net.reorder dir= index=` event; the settings are `net.delay`.
 * A held datagram whose release finds the link down is dropped (net.drop reason=down).
 * Holding needs the loop (link_set_loop); without one, delay and reorder are refused.
 *
 * Rebinding (as a NAT that gives the IUT's flows a new external address): from the step on,
 * a datagram from internal address X is seen from (nat_addr, X.port + off) — each new X is a
 * `net.nat internal= external=` event — and what the harness sends to such an external
 * address goes to X. What the harness sends to an old, unmapped address of the IUT is lost
 * (net.drop reason=rebind), as after a real NAT rebinding. */
/* A timeline event with key/value pairs, NULL-terminated (NULL values are left out). */
void link_rec(net_link *l, const char *name, ...) __attribute__((sentinel));
#define LINK_REORDER_SALT 0x5245304f52444552ULL
void link_set_loop(net_link *l, struct evloop *loop);
/* delay_ms, reorder share (ppm), hold (0 = 200 ms); seed as for loss. -1 with err when
 * holding is asked for without a loop. Recorded as net.delay. */
int link_set_shape(net_link *l, uint32_t delay_ms, uint32_t reorder_ppm, uint32_t hold_ms, char *err, size_t errlen);
/* "127.0.0.2", "127.0.0.2:+1000" (port offset), or "off". net.rebind. A flow of the other address
 * family keeps its own address and gets only the port offset. -1 with err. */
int link_set_rebind(net_link *l, const char *spec, char *err, size_t errlen);
/* 1 when the link took the datagram (held: it is sent / delivered later). act is
 * link_decide's answer (2 = also duplicate: a held datagram is not duplicated). */
int link_hold(net_link *l, const udp_sock *sock, int dir, const void *buf, size_t len,
              const net_addr *peer, const net_addr *tap_peer, int act);
/* After a datagram in dir passed through sock: releases the ones reordered behind it. */
void link_passed(net_link *l, const udp_sock *sock, int dir);
/* A held from-iut datagram that is due for sock: copied to buf (at most cap), its sender in
 * from; its length, or -1 when none. */
ssize_t link_take_ready(net_link *l, const udp_sock *sock, void *buf, size_t cap, net_addr *from);
/* NAT: rewrites a received sender (internal -> external); returns 0. Rewrites a destination
 * (external -> internal); returns 0, or -1 when the datagram is lost to the rebinding. */
int link_nat_in(net_link *l, const udp_sock *sock, net_addr *from);
int link_nat_out(net_link *l, const udp_sock *sock, net_addr *to);
/* Cancels the timers, frees what the link holds and takes it off its sockets. */
void link_detach(net_link *l);

#endif
