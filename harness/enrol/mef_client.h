/* The enrolee side of the RSPF (TS-0003 §8.3.2.1), shared by the reference device
 * (tools/sim-device) and the harness as enrolee in role field: bootstrap handshake with the MEF in DTLS-PSK
 * (KpmID/Kpm from the profile's <mef>), the Enrolment Exchange (POST of its indications,
 * all False, until "end of exchange"), then KeID and its SAE key from the exporter of that
 * session, with the same settings the profile gives the harness's MEF. With <mef rspf="cert">
 * (§8.3.2.2) the bootstrap handshake uses certificates instead: cert = { cert, key, trust }
 * are the enrolee's, and the MEF's certificate must carry the MEF-FQDN as a subjectAltName
 * dNSName (§10.1.1.6; never its CN), else the enrolee aborts the handshake. */
#ifndef M2M_MEF_CLIENT_H
#define M2M_MEF_CLIENT_H
#include <stddef.h>
#include <stdint.h>
#include "../model/profile.h"
#include "../net/loop.h"
#include "enrol.h"

typedef struct mef_enrolment {
    char keid[sizeof ((enrol_keys *)0)->keid];
    uint8_t key[ENROL_KEY_LEN];          /* Kpsa (or the usage-constrained key) */
    int half;                            /* from a session whose exchange never ended (rc -2) */
    char mef_cert_id[160];               /* rspf cert: the MEF's certificate identity ("dns:<MEF-FQDN>") */
    int mef_heard;                       /* a datagram came from the MEF, whatever the outcome */
    const char *mef_dtls;                /* the first of them that was DTLS by a strict reading
                                          * (net/dgram_class.h): its record type, NULL when none was */
    const char *mef_dtls_hs;             /* ... and its first handshake message, if any */
} mef_enrolment;

/* Returns 0 with out filled, -1 with the reason in err, bounded by the profile's timers;
 * -2 when the bootstrap session came up but the exchange never ended (interrupted): out
 * then holds that session's KeID and key with half = 1, which a correct enrolee discards. */
int mef_enrol(evloop *l, const char *bind_addr, const char *mef_addr, int mef_port, const profile *p,
              const char *const *cert, mef_enrolment *out, char *err, size_t errlen);

/* mef_enrol with a test's variations (role field, the harness enrolling with the IUT's MEF):
 * another KpmID or Kpm for the bootstrap handshake (NULL/0 = the profile's), or interrupt = 1:
 * the enrolee drops the session silently right after the bootstrap handshake, before the
 * Enrolment Exchange (rc -2, out holds that session's KeID and key with half = 1). */
typedef struct mef_enrol_opts {
    const char *kpm_id;
    const uint8_t *kpm;
    size_t kpm_len;
    int interrupt;
} mef_enrol_opts;
int mef_enrol_opt(evloop *l, const char *bind_addr, const char *mef_addr, int mef_port, const profile *p,
                  const char *const *cert, const mef_enrol_opts *o, mef_enrolment *out, char *err, size_t errlen);

/* The enrolment target's side (§8.3.2.1, R-ENR-07): its own DTLS-PSK session to the MEF
 * (psk = its pre-provisioned identity and key), RETRIEVE /fetchCredentials/<KeID>/<SUID>, on
 * a loop of its own, so it may run inside a DTLS server's PSK callback. Returns 1 with the
 * credential in key/keylen, 0 for Status=False (ErrorString in err), -1 on failure. */
#include "../net/dtls.h"
#include "mef_cred.h"
int mef_fetch_credentials(const char *bind_addr, const char *mef_addr, int mef_port, const dtls_psk *psk,
                          const char *keid, const char *suid, unsigned retrans_ms, unsigned total_ms,
                          uint8_t key[MEF_CRED_MAX], size_t *keylen, char *err, size_t errlen);

#endif
