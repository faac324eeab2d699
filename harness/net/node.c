#include "node.h"
#include "../util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest UDP payload: a smaller buffer would silently cut an oversized datagram and the
 * evidence would show a message the peer never sent. */
#define NODE_RX_MAX 65536

struct node {
    evloop *loop;
    node_hooks h;
    coap_ep *ep;
    udp_sock plain, secure;
    int plain_watched;
    dtls_server *srv;
    node_peer *peers;
    node_peer **plain_buckets;   /* the plain peers by address: a lookup that does not grow */
    size_t nplain_buckets, nplain;
    net_link *link;
    uint8_t *rx;
};

int node_send_plain(void *ctx, const uint8_t *buf, size_t len)
{
    const node_peer *pr = ctx;
    return udp_send(&pr->n->plain, buf, len, &pr->addr) < 0 ? -1 : 0;
}

int node_send_secure(void *ctx, const uint8_t *buf, size_t len)
{
    const node_peer *pr = ctx;
    return pr->conn ? dtls_send(pr->conn, buf, len) : -1;
}

int node_send_old(void *ctx, const uint8_t *buf, size_t len)
{
    const node_peer *pr = ctx;
    return dtls_send_anyway(pr->conn, buf, len);
}

static node_peer *peer_add(node *n, int secure, const char *label)
{
    node_peer *pr = xcalloc(1, sizeof *pr);
    pr->n = n;
    pr->link.ctx = pr;
    pr->link.secure = secure;
    pr->link.send = secure ? node_send_secure : node_send_plain;
    snprintf(pr->link.peer, sizeof pr->link.peer, "%s", label);
    pr->next = n->peers;
    n->peers = pr;
    return pr;
}

static void peer_new_done(node *n, node_peer *pr)
{
    if (n->h.on_peer) n->h.on_peer(pr, n->h.ctx);
}

/* An association's label and number, as its events show them. */
static void peer_set_conn(node_peer *pr, dtls_conn *c)
{
    pr->conn = c;
    dtls_conn_set_user(c, pr);
    pr->link.sa = dtls_conn_number(c);
    snprintf(pr->link.peer, sizeof pr->link.peer, "%s", dtls_conn_peer(c));
}

static size_t plain_bucket(const node *n, const net_addr *a)
{
    return net_addr_hash(a) & (n->nplain_buckets - 1);
}

static void plain_index(node *n, node_peer *np)
{
    if (n->nplain + 1 > n->nplain_buckets) {   /* about one peer per bucket: double the table */
        free(n->plain_buckets);
        n->nplain_buckets = n->nplain_buckets ? n->nplain_buckets * 2 : 16;
        n->plain_buckets = xcalloc(n->nplain_buckets, sizeof *n->plain_buckets);
        for (node_peer *pr = n->peers; pr; pr = pr->next)
            if (!pr->link.secure && pr != np) {
                size_t i = plain_bucket(n, &pr->addr);
                pr->hnext = n->plain_buckets[i];
                n->plain_buckets[i] = pr;
            }
    }
    size_t i = plain_bucket(n, &np->addr);
    np->hnext = n->plain_buckets[i];
    n->plain_buckets[i] = np;
    n->nplain++;
}

node_peer *node_plain_peer(node *n, const net_addr *to)
{
    if (n->nplain_buckets)
        for (node_peer *pr = n->plain_buckets[plain_bucket(n, to)]; pr; pr = pr->hnext)
            if (net_addr_equal(&pr->addr, to)) return pr;
    char label[64];
    net_addr_str(to, label, sizeof label);
    node_peer *pr = peer_add(n, 0, label);
    pr->addr = *to;
    plain_index(n, pr);
    peer_new_done(n, pr);
    return pr;
}

static void plain_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)l; (void)fd; (void)revents;
    node *n = ctx;
    for (int i = 0; i < 64; i++) {
        net_addr from;
        ssize_t got = udp_recv(&n->plain, n->rx, NODE_RX_MAX, &from);
        if (got < 0) return;
        coap_ep_input(n->ep, &node_plain_peer(n, &from)->link, n->rx, (size_t)got);
    }
}

static void on_data(dtls_conn *c, const uint8_t *p, size_t len, void *ctx)
{
    node *n = ctx;
    node_peer *pr = dtls_conn_user(c);   /* the record of this association, not a scan of them all */
    if (!pr) {   /* a new association on the server's socket */
        pr = peer_add(n, 1, "");
        peer_set_conn(pr, c);
        peer_new_done(n, pr);
    }
    coap_ep_input(n->ep, &pr->link, p, len);
}

static void on_state(dtls_conn *c, dtls_state st, void *ctx)
{
    const node *n = ctx;
    if (n->h.on_state) n->h.on_state(c, st, n->h.ctx);
}

static void on_datagram(const char *peer, const uint8_t *p, size_t len, void *ctx)
{
    const node *n = ctx;
    if (n->h.on_datagram) n->h.on_datagram(NULL, peer, p, len, n->h.ctx);
}

/* A client association's hooks carry its record, so its datagrams are told apart. */
static void client_data(dtls_conn *c, const uint8_t *p, size_t len, void *ctx)
{
    on_data(c, p, len, ((node_peer *)ctx)->n);
}

static void client_state(dtls_conn *c, dtls_state st, void *ctx)
{
    on_state(c, st, ((node_peer *)ctx)->n);
}

static void client_datagram(const char *peer, const uint8_t *p, size_t len, void *ctx)
{
    node_peer *pr = ctx;
    if (pr->n->h.on_datagram) pr->n->h.on_datagram(pr, peer, p, len, pr->n->h.ctx);
}

node *node_new(evloop *l, coap_params cp, const node_hooks *h)
{
    node *n = xcalloc(1, sizeof *n);
    n->loop = l;
    n->h = *h;
    n->plain.fd = n->secure.fd = -1;
    n->rx = xmalloc(NODE_RX_MAX);
    n->ep = coap_ep_new(l, cp, h->coap);
    return n;
}

static void sock_shape(const node *n, udp_sock *s)
{
    if (n->link && s->fd >= 0) link_attach(n->link, s);
}

int node_listen_plain(node *n, const char *addr, int port, char *err, size_t errlen)
{
    if (udp_bind(&n->plain, addr, port, err, errlen) < 0) return -1;
    sock_shape(n, &n->plain);
    loop_add_fd(n->loop, n->plain.fd, plain_readable, n);
    n->plain_watched = 1;
    return 0;
}

int node_bind_secure(node *n, const char *addr, int port, char *err, size_t errlen)
{
    if (udp_bind(&n->secure, addr, port, err, errlen) < 0) return -1;
    sock_shape(n, &n->secure);
    return 0;
}

static dtls_hooks conn_hooks(node *n)
{
    dtls_hooks dh = { on_data, n->h.on_state ? on_state : NULL, n->h.on_datagram ? on_datagram : NULL, n };
    return dh;
}

int node_serve_secure(node *n, const dtls_params *dp, timeline *tl, char *err, size_t errlen)
{
    n->srv = dtls_server_new(n->loop, &n->secure, dp, tl, conn_hooks(n), err, errlen);
    return n->srv ? 0 : -1;
}

static int start_client(node_peer *pr, timeline *tl, char *err, size_t errlen)
{
    node *n = pr->n;
    dtls_hooks dh = { client_data, n->h.on_state ? client_state : NULL, n->h.on_datagram ? client_datagram : NULL, pr };
    pr->conn = dtls_client_new(n->loop, pr->own_sock, &pr->addr, &pr->dp, tl, dh, err, errlen);
    if (!pr->conn) return -1;
    peer_set_conn(pr, pr->conn);
    return 0;
}

static int bind_own(node_peer *pr, const char *bind_addr, char *err, size_t errlen)
{
    pr->own_sock = xcalloc(1, sizeof *pr->own_sock);
    pr->own_sock->fd = -1;
    pr->shared_sock = 0;
    if (udp_bind(pr->own_sock, bind_addr, 0, err, errlen) < 0) return -1;
    sock_shape(pr->n, pr->own_sock);
    return 0;
}

node_peer *node_connect(node *n, const char *bind_addr, const net_addr *to, const dtls_params *dp,
                        const dtls_psk *psk, node_peer *reuse, timeline *tl, char *err, size_t errlen)
{
    char label[64];
    net_addr_str(to, label, sizeof label);
    node_peer *pr = peer_add(n, 1, label);
    pr->addr = *to;
    pr->dp = *dp;
    if (psk) {
        pr->psk = *psk;
        pr->dp.psks = &pr->psk;
        pr->dp.npsks = 1;
    }
    if (reuse) {
        pr->own_sock = reuse->own_sock;
        pr->shared_sock = 1;
        reuse->dropped = 2;
    } else if (bind_own(pr, bind_addr, err, errlen) < 0) {
        return NULL;
    }
    if (start_client(pr, tl, err, errlen) < 0) return NULL;
    peer_new_done(n, pr);
    return pr;
}

static void drop_own(node_peer *pr)
{
    dtls_client_free(pr->conn);
    pr->conn = NULL;
    if (pr->own_sock && !pr->shared_sock) {
        udp_close(pr->own_sock);
        free(pr->own_sock);
    }
    pr->own_sock = NULL;
}

void node_disconnect(node_peer *pr)
{
    drop_own(pr);
}

int node_reconnect(node_peer *pr, const char *bind_addr, timeline *tl, char *err, size_t errlen)
{
    drop_own(pr);
    if (bind_own(pr, bind_addr, err, errlen) < 0) return -1;
    return start_client(pr, tl, err, errlen);
}

void node_forget(node_peer *pr)
{
    dtls_forget(pr->conn);
    if (!pr->own_sock) return;
    dtls_client_release_socket(pr->conn);
    pr->dropped = 1;
    pr->link.send = node_send_old;
}

node_peer *node_peers(const node *n) { return n->peers; }
node_peer *node_peer_of(const cm_link *link) { return link->ctx; }
coap_ep *node_ep(const node *n) { return n->ep; }
evloop *node_loop(const node *n) { return n->loop; }
udp_sock *node_plain_sock(node *n) { return &n->plain; }
udp_sock *node_secure_sock(node *n) { return &n->secure; }

int node_close_all(node *n)
{
    int count = 0;
    for (node_peer *pr = n->peers; pr; pr = pr->next)
        if (pr->conn && dtls_conn_state(pr->conn) == DTLS_UP) {
            dtls_close(pr->conn);
            count++;
        }
    return count;
}

void node_set_link(node *n, net_link *l)
{
    n->link = l;
    if (!l) return;
    sock_shape(n, &n->secure);
    sock_shape(n, &n->plain);
    for (node_peer *pr = n->peers; pr; pr = pr->next)
        if (pr->own_sock) sock_shape(n, pr->own_sock);
}

void node_free(node *n)
{
    if (!n) return;
    if (n->plain_watched) loop_del_fd(n->loop, n->plain.fd);
    coap_ep_free(n->ep);
    dtls_server_free(n->srv);
    /* newest first: a record that shares a socket goes before the one that owns it */
    for (node_peer *pr = n->peers, *next; pr; pr = next) {
        next = pr->next;
        if (pr->own_sock) drop_own(pr);
        free(pr);
    }
    udp_close(&n->plain);
    udp_close(&n->secure);
    free(n->plain_buckets);
    free(n->rx);
    free(n);
}
