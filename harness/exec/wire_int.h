/* The wire's state, shared by its three parts: wire.c (what every datagram becomes in the
 * timeline, the requests the harness sends, the link), wire_in.c (the harness as IN-CSE or
 * registrar: its listening coap and coaps ports, the registrar behind them) and
 * wire_field.c (the associations the harness opens as client: field role, reverse
 * association SA2, enrolment with the IUT's or its own MEF). Not for other modules. */
#ifndef M2M_WIRE_INT_H
#define M2M_WIRE_INT_H
#include "wire.h"
#include "rxdup.h"
#include "../enrol/mef.h"
#include "../enrol/mef_client.h"
#include "../net/dtls.h"
#include "../net/link.h"
#include "../net/node.h"

struct wire {
    evloop *loop;
    const profile *p;
    const test_env *env;     /* this test's picks (ports, veth addresses); the profile stays as loaded */
    timeline *tl;
    node *node;              /* the coap and coaps ports, the client associations, the CoAP layer */
    size_t npsk;             /* how many of psk[] the DTLS server accepts */
    dtls_psk psk[3];         /* the profile's identity, its alias (<psk alias>), the IUT's second credential */
    uint8_t *psk_key;        /* the key the harness accepts: the profile's, or a wrong one */
    char *psk_identity;
    char priority[512];
    dtls_params dp;
    registrar *reg;
    int peer_seen;
    int net_controlled;      /* the harness raises the link itself (iut/netns.h) */
    unsigned reverse_count, assoc_count;
    dtls_rpk_pin *rpk_pins;  /* the IUT keys the harness accepts (RFC 7250) */
    mef_config mef_cfg;      /* the harness as MEF when the profile has <mef> (enrol/mef.h) */
    mef *mef;
    mef_enrolment men;       /* role field: the harness's own enrolment (it is the enrolee) */
    const tc_harness *h;     /* the test's variations (enrol/field_enrol.h) */
    int iut_mef_port;        /* <mef at="iut">: the IUT's MEF (enrol/field_enrol.h) */
    int enrol_interrupt;     /* <drop-associations of="mef"/> there: the next enrolment is dropped */
    unsigned enrol_count;
    wire_responder responder;
    void *responder_ctx;
    rxdup *dups;             /* repeated messages from the IUT: dup=identical|different */
    net_link *link;          /* link control on every socket facing the IUT, once a test asks */
    int srv_dtls_seen;       /* a DTLS record arrived on the harness's coaps port (dtls.rx) */
    unsigned notdtls_count;  /* net.notdtls events recorded (capped) */
    int control_assoc;       /* the association being opened is the positive control: the
                              * profile's credential, suites and versions (WIRE_CRED_PROFILE) */
};

/* wire.c: the node's hooks for the timeline (msg.rx / msg.tx, net.up inferred) */
void wire_on_wire(coap_ep *ep, const cm_link *link, int tx, const uint8_t *raw, size_t n,
                  const cm_msg *m, int rc, const cm_defects *d, int xok, const char *xwhy, void *ctx);
void wire_on_datagram(node_peer *pr, const char *peer, const uint8_t *p, size_t n, void *ctx);
/* net.up inferred from the first datagram from peer, unless the harness controls the link. */
void wire_note_peer(wire *w, const char *peer);
/* wire_in.c: the registrar answers a request (the node's on_request) */
void wire_on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx);

#endif
