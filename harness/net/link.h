/* Link control: the harness's own UDP layer as a test input (issue 8). No root, no netem:
 * the link sits on the harness socket that faces the IUT and decides, per datagram, whether
 * it passes, is dropped or is duplicated.
 *
 * Semantics (documented in DESIGN §2 terms):
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
#include "net/udp.h"

enum { LINK_TO_IUT = 0, LINK_FROM_IUT = 1 };
#define LINK_LIST_MAX 32

typedef struct net_link {
    const udp_sock *socks[2];   /* the harness sockets facing the IUT (coaps, coap); others pass */
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
} net_link;

/* Pure: 1 if datagram `index` in direction `dir` is lost under (seed, share_ppm). */
int link_lost(uint64_t seed, int dir, uint64_t index, uint32_t share_ppm);

/* Attaches the process-wide link to sock (starting up or down, recorded as net.up / net.down
 * only when it starts down: an up link at start is the uncontrolled default). NULL detaches. */
void link_attach(net_link *l, const udp_sock *sock, timeline *tl, int start_up);
/* A second socket under the same link (the plain CoAP port beside the coaps one). */
void link_add_sock(net_link *l, const udp_sock *sock);
net_link *link_current(void);

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

#endif
