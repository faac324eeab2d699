/* sim-device's remotely provisioned credential over the device's life (TS-0003 §8.3.2.1,
 * §10.7; docs/mef.md): enrolment from the beginning, retried from the beginning when it is
 * interrupted (R-ENR-08); a new enrolment before an association once Ke's Enrolment Expiry
 * (profile <mef lifetime>) has passed (R-ENR-05); on a simulated reboot (SIGHUP) the stored
 * enrolment is kept, on a change of service provider (SIGUSR2) the device enrols again
 * (R-FLOW-05). Each rule has a fault that breaks it (see sim_cred_faults). */
#ifndef SIM_LIFECYCLE_H
#define SIM_LIFECYCLE_H
#include <stdint.h>
#include "enrol/mef_client.h"
#include "model/profile.h"
#include "net/dtls.h"
#include "net/loop.h"

typedef struct sim_cred {
    evloop *loop;
    const profile *p;
    const char *bind_addr, *mef_addr, *fault;
    int mef_port;
    mef_enrolment en;
    dtls_psk psk;                /* what SAE presents (points into en, or the bootstrap PSK) */
    int64_t enrolled_ns;         /* when the current enrolment ended */
    int provider_changed;        /* a change of service provider is pending */
    const char *cert[3];         /* certificate-based RSPF: our certificate, key, trust anchors */
    char cn_only[2][512];        /* the enrol-cert-cn-only fault's certificate and key */
} sim_cred;

/* Enrols (or, under a fault, does not): 0 with c->psk ready for SAE, -1 when it gave up. */
int sim_cred_start(sim_cred *c, evloop *l, const profile *p, const char *bind_addr, const char *mef_addr,
                   int mef_port, const char *const cert[3], const char *fault);
/* Before each new association: enrols again when Ke expired or the provider changed. */
void sim_cred_refresh(sim_cred *c);
/* A reboot or a change of service provider signalled since the last call (1), else 0: the
 * caller ends its association and sets up a new one (sim_cred_refresh decides the key). */
int sim_cred_event(sim_cred *c);

#endif
