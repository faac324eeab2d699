/* A CoAP node: the sockets and DTLS endpoints of one party and a record per peer, feeding one
 * CoAP message layer (coap_ep.h). The harness's wire and both reference peers are built on
 * it. A node has at most one plain socket (CoAP), at most one secure socket (a DTLS server
 * on it), and any number of DTLS client associations, each on a socket of its own. Every
 * datagram that arrives goes to the record of its peer — a plain peer by its address, an
 * association by its DTLS connection —, created on first sight, and on to the coap_ep; what
 * the coap_ep sends on a record goes back the way it came (udp_send to the address, or
 * dtls_send in the association). Link shaping (net/link.h) is per socket: node_set_link puts
 * one link on every socket the node has and opens later. */
#ifndef M2M_NODE_H
#define M2M_NODE_H
#include <stddef.h>
#include <stdint.h>
#include "coap_ep.h"
#include "dtls.h"
#include "link.h"
#include "loop.h"
#include "udp.h"

typedef struct node node;

/* One peer of the node: a plain peer or a security association. */
typedef struct node_peer {
    cm_link link;           /* what the coap_ep sends on: link.ctx is this record; a user may
                             * replace link.send (node_send_plain / node_send_secure are the
                             * defaults) */
    node *n;
    net_addr addr;          /* plain peers: the address; client associations: the server's */
    dtls_conn *conn;        /* associations */
    udp_sock *own_sock;     /* associations the node opened as client: the socket they run on */
    int shared_sock;        /* ... taken over from an older record (node_connect's reuse) */
    dtls_psk psk;           /* ... the credential and parameters they were opened with */
    dtls_params dp;
    int dropped;            /* client associations: forgotten (node_forget) 1, its socket
                             * taken over by a newer association since 2 */
    int rx_dtls;            /* the user's mark: a DTLS record from the peer arrived here */
    void *user;             /* the node user's data for this peer (the user frees it) */
    struct node_peer *next; /* newest first */
    struct node_peer *hnext;    /* plain peers: the next in the node's address bucket */
} node_peer;

typedef struct node_hooks {
    coap_ep_hooks coap;     /* given to the node's coap_ep: node_peer_of(link) is the record */
    /* Every association's state changes, and every datagram before the DTLS layer sees it
     * (dtls.h): pr is the client association it came in on, NULL on the server's socket;
     * either hook may be NULL. */
    void (*on_state)(dtls_conn *c, dtls_state st, void *ctx);
    void (*on_datagram)(node_peer *pr, const char *peer, const uint8_t *p, size_t len, void *ctx);
    /* A new record, before its first datagram: the user may replace link.send or set user. */
    void (*on_peer)(node_peer *pr, void *ctx);
    void *ctx;              /* of on_state, on_datagram, on_peer */
} node_hooks;

node *node_new(evloop *l, coap_params cp, const node_hooks *h);
/* Frees the DTLS server and the client associations (no close_notify: node_close_all first
 * for that), the records and the coap_ep, and closes the sockets. */
void node_free(node *n);
coap_ep *node_ep(const node *n);
evloop *node_loop(const node *n);

/* Binds the plain socket (port 0 = ephemeral) and reads it. 0, or -1 with a reason. */
int node_listen_plain(node *n, const char *addr, int port, char *err, size_t errlen);
/* Binds the secure socket; its port is known before node_serve_secure starts the DTLS server
 * on it (a point of access to announce first, or a socket a hostile stand-in serves). */
int node_bind_secure(node *n, const char *addr, int port, char *err, size_t errlen);
/* dp (and what it points to) must outlive the node. 0, or -1 with a reason. */
int node_serve_secure(node *n, const dtls_params *dp, timeline *tl, char *err, size_t errlen);
/* The sockets (fd -1 while not bound). */
udp_sock *node_plain_sock(node *n);
udp_sock *node_secure_sock(node *n);

/* The record of the plain peer at `to`, created when there is none yet; what is sent to it
 * leaves from the plain socket (node_listen_plain first). */
node_peer *node_plain_peer(node *n, const net_addr *to);
/* A DTLS client association toward `to`, on a new socket bound to bind_addr (ephemeral port),
 * or on the socket of `reuse` (the same address and port, as a node that rebooted; reuse must
 * have released it, dtls_client_release_socket). dp is copied, and psk when not NULL (then
 * offered alone), into the record. NULL with a reason when it cannot start. */
node_peer *node_connect(node *n, const char *bind_addr, const net_addr *to, const dtls_params *dp,
                        const dtls_psk *psk, node_peer *reuse, timeline *tl, char *err, size_t errlen);
/* A client association's record loses its association and socket (a peer that lost it); the
 * record stays, so exchanges pending on it go on over the next one (node_reconnect). */
void node_disconnect(node_peer *pr);
/* ... and gets a new one, from a new socket bound to bind_addr. 0, or -1 with a reason. */
int node_reconnect(node_peer *pr, const char *bind_addr, timeline *tl, char *err, size_t errlen);

/* Ends an association silently, as a party that lost its state (dtls_forget). A client
 * association also releases its socket for a new one (node_connect's reuse) and keeps its
 * keys: its record then sends records in the old epoch (dtls_send_anyway). */
void node_forget(node_peer *pr);

node_peer *node_peers(const node *n);           /* newest first; ->next for the rest */
node_peer *node_peer_of(const cm_link *link);   /* the record behind a link the node made */
/* close_notify on every association that is up; returns how many. */
int node_close_all(node *n);
/* Puts link l on every socket of the node, now and as they are opened; NULL: no more. The
 * caller takes it off (link_detach) before node_free. */
void node_set_link(node *n, net_link *l);

/* The senders of a record (cm_link.send, ctx the record): to a plain peer, in an association,
 * in a forgotten association's epoch. */
int node_send_plain(void *ctx, const uint8_t *buf, size_t len);
int node_send_secure(void *ctx, const uint8_t *buf, size_t len);
int node_send_old(void *ctx, const uint8_t *buf, size_t len);

#endif
