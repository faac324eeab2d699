/* sim-device's state, shared by its files: sim_device.c (the device's flow), modes.c (the
 * behaviours that are no fault: back-to-back sending, a second identity). */
#ifndef SIM_DEVICE_SIM_H
#define SIM_DEVICE_SIM_H
#include "devres.h"
#include "lifecycle.h"
#include "../common/peer_util.h"
#include "model/profile.h"
#include "net/node.h"
#include "onem2m/primitive.h"

typedef struct sim {
    evloop *loop;
    const profile *p;
    const char *kind;
    const char *fault;
    const char *harness_addr;
    int coap_port, coaps_port;
    node *node;         /* its plain socket, its association (sa1) and the SA2 server */
    node_peer *sa1;     /* the association with the registrar */
    int sa2_up;         /* the node's secure socket accepts the reverse association (SA2) */
    dtls_params sa2dp;
    char poa[96];
    int done;           /* current exchange finished */
    int last_rsc;
    int swapped;        /* RETRIEVEs sent under the retrieve-other-numbering fault */
    sim_cred *cred;     /* remotely provisioned credential (--mef-port), lifecycle.h */
    devres *res;        /* what it hosts under its CSEBase (devres.h) */
    int verbose;
    long hs_max;        /* reorder-intolerant: highest handshake message_seq seen */
    int hs_gap;         /* ... and whether one arrived ahead of its predecessor */
    unsigned releases;  /* the releases it serves as a CSE (m2m_release_bit) */
    int link_fd;        /* the harness's link notices (M2M_HARNESS_LINK_FD), or -1 */
    int link_down;      /* the last notice said "down" */
    int back_to_back;   /* --back-to-back: a CREATE right upon each heartbeat answer */
    int b2b_armed;      /* ... the heartbeat's RETRIEVE is out: its answer sends the CREATE */
    const char *me;     /* its From after registering */
    int two_identities; /* --two-identities: also the profile's second credential and identity */
    int as_second;      /* registration() builds the second identity's */
    node_peer *sa_second;   /* the second identity's association */
} sim;

#define say(...) peer_log("sim-device", __VA_ARGS__)

/* A fault by its name (as an AE, "ae-NAME" is the fault NAME too). */
int has_fault(const sim *s, const char *name);
/* One request on link, answered within limit_ns: its rsc, or -1. */
int exchange(sim *s, const cm_link *link, const m2m_prim *req, int64_t limit_ns);
/* The device's registration request (as_second: the second identity's). */
void registration(sim *s, m2m_prim *req);
/* --back-to-back: the reading's CREATE, sent from the heartbeat's answer handler. */
void b2b_send(sim *s);
/* --two-identities: the second identity's association and registration (modes.c). */
void second_identity(sim *s, const char *bind_addr, const net_addr *peer, const dtls_params *dp1);

#endif
