/* ref-in-cse as Enrolment Target (TS-0003 §8.3.2.1, R-ENR-07): a PSK identity it does not
 * hold that has the form of a KeID of the profile's MEF (<32 hex>@<MEF-FQDN>) makes it fetch
 * the credential from the MEF — its own DTLS-PSK session with target-psk-id/target-psk of
 * the profile's <mef>, RETRIEVE /fetchCredentials/<KeID>/22 — inside the handshake (the
 * DTLS server's psk_lookup), then it completes the handshake with that key, bound to the
 * EnroleeID the MEF names. Faults: no-fetch-credentials, fetch-wrong-suid. */
#ifndef REF_FETCH_H
#define REF_FETCH_H
#include "model/profile.h"
#include "net/dtls.h"
#include "enrol/mef_cred.h"

typedef struct ref_fetch {
    const profile *p;
    const char *bind_addr, *mef_addr;
    int mef_port;
    const char *fault;
    uint8_t key[MEF_CRED_MAX];
} ref_fetch;

/* dtls_params.psk_lookup (ctx = a ref_fetch). */
int ref_fetch_lookup(const char *identity, dtls_psk *out, void *ctx);

#endif
