/* The harness's endpoint for one test, on a CoAP node (net/node.h): the coap and coaps
 * sockets, the DTLS server, the associations it opens as client, the CoAP message layer and
 * the registrar, wired together so every datagram in and out becomes a timeline event with
 * its decoded primitive (msg.rx / msg.tx, with secure=true|false and the association
 * number), malformed ones msg.rx.malformed with the bytes and the reason, and decoder
 * disagreements msg.rx.xcheck. wire.c: events, sending, link; wire_in.c: the listening
 * side and the registrar; wire_field.c: the client associations and enrolment. */
#ifndef M2M_WIRE_H
#define M2M_WIRE_H
#include "../cse/registrar.h"
#include "../flow/timeline.h"
#include "../model/optspec.h"
#include "../model/profile.h"
#include "../model/testcase.h"
#include "../model/testenv.h"
#include "../net/loop.h"
#include "../onem2m/primitive.h"

typedef struct wire wire;

/* Called for every new request after its msg.rx event was recorded (ev). Returns
 * WIRE_RSP_OWN when it filled rsp (a test's <respond> overrides the registrar), 0 to let the
 * registrar answer, plus WIRE_RSP_SEPARATE_TWICE for an answer to a CON carried separately
 * (RFC 7252 §5.2.2: an empty ACK, then the response in a CON of its own) with that CON sent
 * a second time, byte for byte, as a retransmission whose ACK was lost (§4.5). */
enum { WIRE_RSP_OWN = 1, WIRE_RSP_SEPARATE_TWICE = 2 };
typedef int (*wire_responder)(const tl_event *ev, const m2m_prim *req, m2m_prim *rsp, void *ctx);

/* h: the test's conditions for the association (suites, versions, credential variant). env:
 * what this test picked (testenv.h: the IUT's ports, the veth's addresses), read for every
 * address and port; it must outlive the wire; NULL = the profile's values. */
wire *wire_open(evloop *l, const profile *p, const test_env *env, const tc_harness *h, timeline *tl, char *err,
                size_t errlen);
void wire_close(wire *w);
void wire_set_responder(wire *w, wire_responder fn, void *ctx);
int wire_coap_port(const wire *w);
int wire_coaps_port(const wire *w);
int wire_mef_port(const wire *w);
/* The MEF drops the next enrolment session mid-exchange (exec/mef.h); -1 without a MEF. */
int wire_mef_interrupt(wire *w, int refuse);   /* the MEF's coaps port (profile <mef>), 0 = no MEF */
/* 1 once any datagram arrived from a peer (net.up was recorded). */
int wire_peer_seen(const wire *w);
/* The harness raises the link itself (exec/netns.h): no net.up inferred from a datagram. */
void wire_set_net_controlled(wire *w);
/* Opens a reverse association SA2 (TS-0003 §8.2.1): the harness as DTLS client toward the
 * IUT's point of access "coaps://host:port", with SA1's credentials. Its events carry
 * side=client and sa=101, 102, ...; requests the harness sends with secure=true go on it
 * while it is up. Returns 0 when the handshake started (the caller waits for sae.done /
 * sae.fail), -1 with a reason. */
int wire_open_reverse(wire *w, const char *poa, char *err, size_t errlen);
/* Role field (TS-0003 §8.2.1: the registree is the client): opens the harness's own
 * association toward the IUT's coaps port of the profile, offering the test's <harness>
 * choices (suites, versions, psk variant) and SNI; its events carry side=client and sa=1,
 * 2, ...; requests sent with secure=true go on it. second_registree: with the profile's
 * second registree credential as given instead (profile_creds.h; no variant, no enrolment),
 * as another registree CSE. Returns 0 when the handshake started, -1 with a reason. */
/* cred: WIRE_CRED_OWN (the test's credential), WIRE_CRED_SECOND (the second registree's), or
 * WIRE_CRED_PROFILE: the profile's own credential, suites and versions without the test's
 * <harness> variations — the right-credential handshake that is the positive control of a
 * refused one (<open-association credential="profile">). */
enum { WIRE_CRED_OWN = 0, WIRE_CRED_SECOND = 1, WIRE_CRED_PROFILE = 2 };
int wire_open_association(wire *w, int cred, char *err, size_t errlen);
/* <mef at="iut">: the harness discards its enrolment with the IUT's MEF (KeID and key), so
 * the next wire_open_association enrols anew (<open-association enrol="again">). */
void wire_discard_enrolment(wire *w);
/* Ends every established association (close_notify); returns how many were closed. */
int wire_close_associations(wire *w);
/* Drops the harness's state of every association it accepted, telling no one (dtls_forget).
 * Role field: the harness's own associations instead, as a node that rebooted: the next
 * wire_open_association runs from the same address and port, and the dropped keys stay for
 * sending in the old epoch (secure = 2 in wire_send_request*). */
int wire_drop_associations(wire *w);
/* The registrar forgets every registration and resource (a restart without persistent
 * state): the IUT must register again. Records reg.forgotten. */
void wire_forget_registrations(wire *w);
/* The test's link control (net/link.h) on every socket that faces the IUT: the coap and
 * coaps ports and the associations the harness opens as client, also later ones. attach: put
 * it on them (up) when it is not there yet; else NULL until then. */
struct net_link *wire_link(wire *w, int attach);
/* How wire_send_request sends. */
#define WIRE_MAX_OPTS CM_OPTSPEC_MAX   /* every option a test may list (model/optspec.h) */
typedef struct wire_send_opts {
    int secure;              /* 0 plain CoAP to the address the IUT last used (or the profile's),
                              * 1 its newest association, 2 the one dropped last (old epoch) */
    size_t nopt;             /* extra raw options, added in this order after the request's own
                              * (maybe ones the IUT must refuse, or a second Accept) */
    uint16_t onum[WIRE_MAX_OPTS];
    const uint8_t *oval[WIRE_MAX_OPTS];
    size_t olen[WIRE_MAX_OPTS];
    int repeat;              /* > 1: the identical message again, each copy a new record, as a
                              * retransmission whose ACK was lost (RFC 7252 §4.5) */
    int type;                /* the message type: CM_CON (0, the default), CM_NON (RFC 7252 §4.3),
                              * or CM_ACK / CM_RST carrying the request, which the IUT must
                              * silently ignore (§4.2) */
    unsigned sa;             /* with secure = 1: that association (its "sa" number) while it is up;
                              * 0 = the newest */
    int format_error;        /* 1: the message ends in a payload marker with no payload after it,
                              * a message format error (RFC 7252 §3); sent once, not kept as an
                              * exchange (the IUT must reject it, §4.2-4.3) */
} wire_send_opts;
/* Sends a request to the IUT; the response arrives in the timeline as msg.rx. Returns 0, or
 * -1 with a reason. */
int wire_send_request(wire *w, const m2m_prim *req, const wire_send_opts *o, char *err, size_t errlen);

#endif
