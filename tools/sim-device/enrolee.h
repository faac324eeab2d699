/* sim-device as enrolee (TS-0003 §8.3.2.1): bootstrap handshake with the MEF in DTLS-PSK
 * (KpmID/Kpm from the profile's <mef>), the Enrolment Exchange (POST of its indications,
 * all False, until "end of exchange"), then KeID and its SAE key from the exporter of that
 * session, with the same settings the profile gives the harness's MEF. */
#ifndef SIM_ENROLEE_H
#define SIM_ENROLEE_H
#include <stddef.h>
#include <stdint.h>
#include "model/profile.h"
#include "net/loop.h"
#include "sec/enrol.h"

typedef struct sim_enrolment {
    char keid[sizeof ((enrol_keys *)0)->keid];
    uint8_t key[ENROL_KEY_LEN];          /* Kpsa (or the usage-constrained key) */
} sim_enrolment;

/* Returns 0 with out filled, -1 with the reason in err. bounded by the profile's timers. */
int sim_enrol(evloop *l, const char *bind_addr, const char *mef_addr, int mef_port, const profile *p,
              sim_enrolment *out, char *err, size_t errlen);

#endif
