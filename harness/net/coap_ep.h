/* The CoAP message layer (RFC 7252 §4): CON/ACK/RST, message ids, tokens, piggybacked and
 * separate responses, retransmission with ACK_TIMEOUT and exponential back-off, duplicate
 * detection. It runs over any "link" (plain UDP to a peer, or a DTLS association), so the
 * same code serves plain CoAP and CoAP over DTLS, harness and reference peers. */
#ifndef M2M_COAP_EP_H
#define M2M_COAP_EP_H
#include <stddef.h>
#include <stdint.h>
#include "coap.h"
#include "loop.h"

typedef struct cm_link {
    int (*send)(void *ctx, const uint8_t *buf, size_t len);
    void *ctx;
    int secure;          /* inside a security association */
    unsigned sa;         /* association number, 0 for plain */
    char peer[64];       /* "127.0.0.1:40001" */
} cm_link;

typedef struct coap_params {
    int64_t ack_timeout_ns;   /* RFC 7252 ACK_TIMEOUT, > 0: the profile's <timers ack-timeout> */
    int max_retransmit;       /* RFC 7252 MAX_RETRANSMIT, >= 0: the profile's <timers max-retransmit> */
} coap_params;

typedef struct coap_ep coap_ep;

typedef struct coap_ep_hooks {
    /* Every datagram in (tx=0) or out (tx=1) with its decode; rc is cm_decode's result.
     * xcheck_ok/xcheck_why: libcoap's verdict on the same bytes (rx only; 1 for tx). */
    void (*on_wire)(coap_ep *ep, const cm_link *link, int tx, const uint8_t *raw, size_t n,
                    const cm_msg *m, int rc, const cm_defects *d, int xcheck_ok,
                    const char *xcheck_why, void *ctx);
    /* A new request (duplicates are answered from the cache and not passed up). The upper
     * layer answers with coap_ep_respond before returning, or not at all. */
    void (*on_request)(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx);
    void *ctx;
} coap_ep_hooks;

/* rsp is NULL when the exchange timed out (MAX_RETRANSMIT reached) or was reset (reset=1). */
typedef void (*coap_rsp_cb)(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx);

coap_ep *coap_ep_new(evloop *l, coap_params p, coap_ep_hooks h);
void coap_ep_free(coap_ep *ep);
/* Feeds one received datagram. */
void coap_ep_input(coap_ep *ep, const cm_link *link, const uint8_t *buf, size_t n);
/* Answers req: a piggybacked ACK for a CON, a NON for a NON; the answer is cached so a
 * duplicate of req gets the same bytes (RFC 7252 §4.5). In separate mode a CON is answered
 * with an empty ACK at once (what a duplicate gets again), then the response as a CON of its
 * own with a new Message ID and req's token, retransmitted until the client ACKs or resets it
 * or MAX_RETRANSMIT is reached (§5.2.2). Fills type, mid, token of rsp. */
int coap_ep_respond(coap_ep *ep, const cm_link *link, const cm_msg *req, cm_msg *rsp);
/* Sends a request (req->type CON or NON); assigns mid and token. cb fires once. */
int coap_ep_request(coap_ep *ep, const cm_link *link, cm_msg *req, coap_rsp_cb cb, void *ctx);
/* Sends bytes as they are (fault injection); reported through on_wire as tx. */
int coap_ep_send_raw(coap_ep *ep, const cm_link *link, const uint8_t *buf, size_t n);
/* The next message id of the endpoint's sequence (RFC 7252 §4.4), taken for a message the
 * caller encodes and sends itself with coap_ep_send_raw. */
uint16_t coap_ep_take_mid(coap_ep *ep);
/* Exchanges still open: requests waiting for a response, separate responses for an ACK. */
size_t coap_ep_pending(const coap_ep *ep);
/* 1 when the response m carries the token of a request sent on link that is pending or was
 * answered lately (a duplicate response), 0 when its token matches nothing (RFC 7252 §5.3.2). */
int coap_ep_rsp_known(const coap_ep *ep, const cm_link *link, const cm_msg *m);
/* Duplicate detection on (default) or off: off, a repeated CON is passed up again as a new
 * request (a reference peer's fault, never the harness). */
void coap_ep_set_dedup(coap_ep *ep, int on);
/* A reference peer's fault: an ACK or RST that carries a request is executed and answered
 * like a CON instead of being silently ignored (RFC 7252 §4.2). Never the harness. */
void coap_ep_set_requests_in_ack(coap_ep *ep, int on);
/* Separate responses (RFC 7252 §5.2.2) on or off (default: piggybacked). An interop mode,
 * not a fault: both are correct, and a client must handle either. */
void coap_ep_set_separate(coap_ep *ep, int on);

#endif
