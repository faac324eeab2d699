#include "coap_ep.h"
#include "coap_xcheck.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define DEDUP_SLOTS 64
#define BUF_MAX 2048

typedef struct dedup_entry {
    char peer[64];
    int secure;
    uint16_t mid;
    uint8_t *rsp;      /* encoded response, NULL = request seen, no response yet */
    size_t rsplen;
    int used;
} dedup_entry;

typedef struct pending {
    coap_ep *ep;
    cm_link link;
    uint16_t mid;
    uint8_t token[8];
    uint8_t tkl;
    uint8_t *bytes;
    size_t len;
    int con;
    int acked;           /* empty ACK seen: wait for the separate response */
    int is_rsp;          /* our own separate response (RFC 7252 §5.2.2) waiting for its ACK */
    int tries;
    int64_t timeout_ns;
    uint64_t timer;
    coap_rsp_cb cb;
    void *ctx;
    struct pending *next;
} pending;

struct coap_ep {
    evloop *loop;
    coap_params p;
    coap_ep_hooks h;
    uint16_t next_mid;
    uint32_t token_counter;
    dedup_entry dedup[DEDUP_SLOTS];
    size_t dedup_next;
    int no_dedup;        /* fault injection: every duplicate is a new request */
    int fault_requests_in_ack; /* fault injection: an ACK or RST carrying a request is executed */
    int separate;        /* answer CON requests with an empty ACK, then the response as a CON */
    pending *pend;
    /* answered lately; con_mid: the Message ID of a separate response that came as a CON,
     * so a retransmission of it (our ACK lost) is ACKed again, not reset */
    struct { char peer[64]; int secure; uint8_t token[8]; uint8_t tkl; int has_con; uint16_t con_mid; } done[16];
    size_t done_next;
};

coap_ep *coap_ep_new(evloop *l, coap_params p, coap_ep_hooks h)
{
    coap_ep *ep = xcalloc(1, sizeof *ep);
    ep->loop = l;
    ep->p = p;
    ep->h = h;
    uint32_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = (uint32_t)mono_now_ns();
    ep->next_mid = (uint16_t)seed;         /* RFC 7252 §4.4: randomised initial message id */
    ep->token_counter = seed >> 16;
    cm_xcheck_init();
    return ep;
}

static void pending_free(pending *q)
{
    if (q->timer) loop_timer_cancel(q->ep->loop, q->timer);
    free(q->bytes);
    free(q);
}

void coap_ep_free(coap_ep *ep)
{
    if (!ep) return;
    for (pending *q = ep->pend, *n; q; q = n) {
        n = q->next;
        pending_free(q);
    }
    for (size_t i = 0; i < DEDUP_SLOTS; i++) free(ep->dedup[i].rsp);
    free(ep);
}

void coap_ep_set_dedup(coap_ep *ep, int on) { ep->no_dedup = !on; }
void coap_ep_set_requests_in_ack(coap_ep *ep, int on) { ep->fault_requests_in_ack = on; }
void coap_ep_set_separate(coap_ep *ep, int on) { ep->separate = on; }

size_t coap_ep_pending(const coap_ep *ep)
{
    size_t n = 0;
    for (pending *q = ep->pend; q; q = q->next) n++;
    return n;
}

static void wire_tx(coap_ep *ep, const cm_link *link, const uint8_t *buf, size_t n)
{
    if (!ep->h.on_wire) return;
    cm_msg m;
    cm_defects d;
    cm_msg_init(&m);
    int rc = cm_decode(buf, n, &m, &d);
    ep->h.on_wire(ep, link, 1, buf, n, &m, rc, &d, 1, NULL, ep->h.ctx);
    cm_msg_free(&m);
}

static int link_send(coap_ep *ep, const cm_link *link, const uint8_t *buf, size_t n)
{
    wire_tx(ep, link, buf, n);
    return link->send(link->ctx, buf, n);
}

int coap_ep_send_raw(coap_ep *ep, const cm_link *link, const uint8_t *buf, size_t n)
{
    return link_send(ep, link, buf, n);
}

uint16_t coap_ep_take_mid(coap_ep *ep) { return ep->next_mid++; }

static dedup_entry *dedup_find(coap_ep *ep, const cm_link *link, uint16_t mid)
{
    for (size_t i = 0; i < DEDUP_SLOTS; i++) {
        dedup_entry *e = &ep->dedup[i];
        if (e->used && e->mid == mid && e->secure == link->secure && strcmp(e->peer, link->peer) == 0)
            return e;
    }
    return NULL;
}

static dedup_entry *dedup_add(coap_ep *ep, const cm_link *link, uint16_t mid)
{
    dedup_entry *e = &ep->dedup[ep->dedup_next];
    ep->dedup_next = (ep->dedup_next + 1) % DEDUP_SLOTS;
    free(e->rsp);
    memset(e, 0, sizeof *e);
    e->used = 1;
    e->mid = mid;
    e->secure = link->secure;
    snprintf(e->peer, sizeof e->peer, "%s", link->peer);
    return e;
}

/* An empty message (code 0.00, no token): an ACK or RST of Message ID mid. */
static void encode_empty(uint8_t b[4], uint8_t type, uint16_t mid)
{
    b[0] = (uint8_t)(0x40 | (type << 4));
    b[1] = CM_EMPTY;
    b[2] = (uint8_t)(mid >> 8);
    b[3] = (uint8_t)mid;
}

static int send_empty(coap_ep *ep, const cm_link *link, uint8_t type, uint16_t mid)
{
    uint8_t b[4];
    encode_empty(b, type, mid);
    return link_send(ep, link, b, sizeof b);
}

static void pending_remove(coap_ep *ep, pending *q)
{
    for (pending **pp = &ep->pend; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            return;
        }
}

static void finish(coap_ep *ep, pending *q, const cm_msg *rsp, int reset)
{
    pending_remove(ep, q);
    if (!q->is_rsp) {
        size_t k = ep->done_next++ % (sizeof ep->done / sizeof ep->done[0]);
        snprintf(ep->done[k].peer, sizeof ep->done[k].peer, "%s", q->link.peer);
        ep->done[k].secure = q->link.secure;
        memcpy(ep->done[k].token, q->token, sizeof q->token);
        ep->done[k].tkl = q->tkl;
        ep->done[k].has_con = rsp && rsp->type == CM_CON;
        ep->done[k].con_mid = rsp ? rsp->mid : 0;
    }
    coap_rsp_cb cb = q->cb;
    void *ctx = q->ctx;
    pending_free(q);
    if (cb) cb(ep, rsp, reset, ctx);
}

static int done_matches(const coap_ep *ep, size_t i, const cm_link *link, const cm_msg *m)
{
    return ep->done[i].secure == link->secure && !strcmp(ep->done[i].peer, link->peer) &&
           m->tkl == ep->done[i].tkl && !memcmp(m->token, ep->done[i].token, m->tkl);
}

static size_t done_count(const coap_ep *ep)
{
    size_t cap = sizeof ep->done / sizeof ep->done[0];
    return ep->done_next < cap ? ep->done_next : cap;
}

static void handle_response(coap_ep *ep, const cm_link *link, const cm_msg *m)
{
    for (pending *q = ep->pend; q; q = q->next) {
        if (strcmp(q->link.peer, link->peer) != 0 || q->link.secure != link->secure) continue;
        int mid_match = (m->type == CM_ACK || m->type == CM_RST) && m->mid == q->mid;
        if (q->is_rsp) {   /* our separate response: its ACK (or the client's RST) ends it */
            if (mid_match && m->code == CM_EMPTY) { finish(ep, q, NULL, m->type == CM_RST); return; }
            continue;
        }
        int tok_match = m->code != CM_EMPTY && m->tkl == q->tkl && memcmp(m->token, q->token, q->tkl) == 0;
        if (m->type == CM_RST && mid_match) { finish(ep, q, NULL, 1); return; }
        if (m->type == CM_ACK && mid_match && m->code == CM_EMPTY) {
            q->acked = 1;          /* separate response follows; stop retransmitting */
            if (q->timer) loop_timer_cancel(ep->loop, q->timer);
            q->timer = 0;
            return;
        }
        if (tok_match && (mid_match || m->type == CM_CON || m->type == CM_NON)) {
            if (m->type == CM_CON) send_empty(ep, link, CM_ACK, m->mid);
            finish(ep, q, m, 0);
            return;
        }
    }
    if (m->type != CM_CON) return;   /* an unmatched ACK, NON or RST is ignored */
    /* A separate response taken already, again: its sender missed our ACK (RFC 7252 §4.5:
     * acknowledge every copy, process it once). Any other unmatched CON is reset (§4.2). */
    for (size_t i = 0; i < done_count(ep); i++)
        if (ep->done[i].has_con && ep->done[i].con_mid == m->mid && done_matches(ep, i, link, m)) {
            send_empty(ep, link, CM_ACK, m->mid);
            return;
        }
    send_empty(ep, link, CM_RST, m->mid);
}

int coap_ep_rsp_known(const coap_ep *ep, const cm_link *link, const cm_msg *m)
{
    for (const pending *q = ep->pend; q; q = q->next)
        if (!q->is_rsp && q->link.secure == link->secure && !strcmp(q->link.peer, link->peer) && m->tkl == q->tkl &&
            !memcmp(m->token, q->token, q->tkl))
            return 1;
    for (size_t i = 0; i < done_count(ep); i++)
        if (done_matches(ep, i, link, m)) return 1;
    return 0;
}

void coap_ep_input(coap_ep *ep, const cm_link *link, const uint8_t *buf, size_t n)
{
    cm_msg m;
    cm_defects d;
    cm_msg_init(&m);
    int rc = cm_decode(buf, n, &m, &d);
    char why[256] = "";
    int agree = cm_xcheck(buf, n, &m, rc, why, sizeof why);
    if (ep->h.on_wire) ep->h.on_wire(ep, link, 0, buf, n, &m, rc, &d, agree, why, ep->h.ctx);
    if (rc < 0) {
        /* Format error: reject a CON with RST, silently drop anything else (RFC 7252 §4.2-4.3). */
        if (n >= 4 && (buf[0] >> 6) == 1 && ((buf[0] >> 4) & 3) == CM_CON)
            send_empty(ep, link, CM_RST, (uint16_t)(buf[2] << 8 | buf[3]));
        cm_msg_free(&m);
        return;
    }
    int cls = m.code >> 5;
    if (m.code == CM_EMPTY) {
        if (m.type == CM_CON) send_empty(ep, link, CM_RST, m.mid);   /* CoAP ping */
        else handle_response(ep, link, &m);
    } else if (cls == 0) {
        if ((m.type == CM_ACK || m.type == CM_RST) && !ep->fault_requests_in_ack) {
            /* A request can only be CON or NON: an ACK/RST carrying one is ignored. */
        } else {
            dedup_entry *e = ep->no_dedup ? NULL : dedup_find(ep, link, m.mid);
            if (e) {
                if (e->rsp) link_send(ep, link, e->rsp, e->rsplen);
            } else {
                dedup_add(ep, link, m.mid);
                if (ep->h.on_request) ep->h.on_request(ep, link, &m, ep->h.ctx);
            }
        }
    } else {
        handle_response(ep, link, &m);
    }
    cm_msg_free(&m);
}

static void cache_answer(coap_ep *ep, const cm_link *link, uint16_t req_mid, const uint8_t *buf, size_t n)
{
    dedup_entry *e = dedup_find(ep, link, req_mid);
    if (!e) return;
    free(e->rsp);
    e->rsp = xmalloc(n);
    memcpy(e->rsp, buf, n);
    e->rsplen = n;
}

static void retransmit(evloop *l, void *ctx)
{
    pending *q = ctx;
    coap_ep *ep = q->ep;
    q->timer = 0;
    if (!q->con || q->tries >= ep->p.max_retransmit) {
        finish(ep, q, NULL, 0);
        return;
    }
    q->tries++;
    q->timeout_ns *= 2;
    link_send(ep, &q->link, q->bytes, q->len);
    q->timer = loop_timer_add(l, q->timeout_ns, retransmit, q);
}

/* Sends the encoded message m (a request, or our separate response) and keeps it until it is
 * answered: a CON is retransmitted with back-off until MAX_RETRANSMIT (RFC 7252 §4.2), a NON
 * waits the same overall window for its response. */
static int exchange_start(coap_ep *ep, const cm_link *link, const cm_msg *m, const uint8_t *buf, size_t n,
                          int is_rsp, coap_rsp_cb cb, void *ctx)
{
    pending *q = xcalloc(1, sizeof *q);
    q->ep = ep;
    q->link = *link;
    q->mid = m->mid;
    q->tkl = m->tkl;
    memcpy(q->token, m->token, m->tkl);
    q->bytes = xmalloc(n);
    memcpy(q->bytes, buf, n);
    q->len = n;
    q->con = m->type == CM_CON;
    q->is_rsp = is_rsp;
    q->cb = cb;
    q->ctx = ctx;
    /* RFC 7252 §4.8: initial timeout between ACK_TIMEOUT and ACK_TIMEOUT * 1.5 */
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != sizeof r) r = 0;
    q->timeout_ns = ep->p.ack_timeout_ns + (int64_t)((double)(r % 1000) / 2000.0 * (double)ep->p.ack_timeout_ns);
    q->next = ep->pend;
    ep->pend = q;
    if (link_send(ep, link, buf, n) < 0) {
        pending_remove(ep, q);
        pending_free(q);
        return -1;
    }
    q->timer = loop_timer_add(ep->loop, q->con ? q->timeout_ns : ep->p.ack_timeout_ns * 8, retransmit, q);
    return 0;
}

int coap_ep_respond(coap_ep *ep, const cm_link *link, const cm_msg *req, cm_msg *rsp)
{
    rsp->ver = 1;
    rsp->tkl = req->tkl;
    memcpy(rsp->token, req->token, req->tkl);
    int separate = ep->separate && req->type == CM_CON;
    if (req->type == CM_CON && !separate) {
        rsp->type = CM_ACK;
        rsp->mid = req->mid;
    } else {
        rsp->type = separate ? CM_CON : CM_NON;
        rsp->mid = ep->next_mid++;
    }
    uint8_t buf[BUF_MAX];
    size_t n = cm_encode(rsp, buf, sizeof buf);
    if (!n) return -1;
    if (!separate) {
        cache_answer(ep, link, req->mid, buf, n);
        return link_send(ep, link, buf, n) < 0 ? -1 : 0;
    }
    /* RFC 7252 §5.2.2: the request is acknowledged at once with an empty ACK, which is what
     * a duplicate of it gets again (§4.5); the response follows in a CON of its own. */
    uint8_t ack[4];
    encode_empty(ack, CM_ACK, req->mid);
    cache_answer(ep, link, req->mid, ack, sizeof ack);
    if (link_send(ep, link, ack, sizeof ack) < 0) return -1;
    return exchange_start(ep, link, rsp, buf, n, 1, NULL, NULL);
}

int coap_ep_request(coap_ep *ep, const cm_link *link, cm_msg *req, coap_rsp_cb cb, void *ctx)
{
    req->ver = 1;
    req->mid = ep->next_mid++;
    uint32_t t = ++ep->token_counter;
    req->tkl = 4;
    memcpy(req->token, &t, 4);
    uint8_t buf[BUF_MAX];
    size_t n = cm_encode(req, buf, sizeof buf);
    if (!n) return -1;
    return exchange_start(ep, link, req, buf, n, 0, cb, ctx);
}
