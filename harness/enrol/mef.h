/* The harness as M2M Enrolment Function (TS-0003 §8.3.2.1, Pre-Provisioned Symmetric
 * Enrolee Key RSPF) toward an enrolling device in role in-cse: a DTLS-PSK endpoint of its
 * own (identity KpmID, key Kpm; or, certificate-based RSPF §8.3.2.2, the MEF's certificate
 * and the enrolee's, rspf=cert in the events) that answers the Enrolment Exchange over CoAP, derives
 * Ke/KeID and the enrolee's SAE key (harness/sec/enrol.h), and then lets the registrar's
 * DTLS server accept KeID as PSK identity with that key (mef_psk_lookup). Events:
 *   prov.start  bootstrap handshake up (identity = KpmID, version, suite)
 *   prov.done   exchange answered (keid, identity = the derived identity, derive, mef)
 *   prov.fail   bootstrap handshake failed or the exchange was wrong (reason)
 *   prov.expire Ke's Enrolment Expiry passed (keid, lifetime; profile <mef lifetime>)
 *   prov.refused a KeID presented to the registrar after its Ke expired (keid, reason)
 *   prov.fetch  the enrolment target's RETRIEVE /fetchCredentials/<KeID>/<SUID> (target, keid,
 *               suid, status, reason) in a session with the target's PSK (R-ENR-07)
 *   prov.forgotten enrolments dropped by mef_forget (keid or count, reason)
 * prov.start/done/fail carry enrolment=N, the number of the bootstrap handshake (1, 2 ...).
 * The bootstrap handshake is not an SAE: the MEF's DTLS layer records no sae.* events.
 * Keys exist only after prov.done, so an interrupted enrolment leaves nothing to use. */
#ifndef M2M_MEF_H
#define M2M_MEF_H
#include <stddef.h>
#include <stdint.h>
#include "../flow/timeline.h"
#include "../net/coap_ep.h"
#include "../net/dtls.h"
#include "enrol.h"
#include "mef_msg.h"
#include "profile_mef.h"

#define MEF_DEFAULT_PATH "/enrolment"

typedef struct mef_config {
    const char *address;         /* bind address, NULL = 127.0.0.1 */
    int port;                    /* 0 = ephemeral */
    const profile_mef *set;      /* the profile's <mef> settings the MEF uses as written: MEF-FQDN,
                                  * Kpm and its identity, path, SUID, Enrolment Expiry, RSPF, the
                                  * enrolee's certificate identity, the enrolment target's PSK */
    const char *enrolee_b_id;    /* identity the derived key binds (Kpsa input, §10.3.3) */
    const char *target_fqdn;     /* usage-constrained key: the enrolment target's FQDN */
    const char *cert, *key, *trust;   /* the MEF's certificate and key, trust anchors for the enrolee's */
    enrol_settings keys;
    mef_names names;
    unsigned retrans_ms, total_ms;
    coap_params coap;
    unsigned faults;             /* MEF_FAULT_*: the reference IN-CSE's MEF as a faulty IUT (tools/ref-in-cse) */
} mef_config;

#define MEF_FAULT_ANY_KPM_ID 1u          /* any bootstrap PSK identity, with Kpm (mef-any-kpm) */
#define MEF_FAULT_KEYS_AT_HANDSHAKE 2u   /* keys stored at the bootstrap handshake (accept-half-enrolled) */
#define MEF_FAULT_IGNORE_EXPIRY 4u       /* a Ke past its lifetime still serves (accept-expired-keid) */

typedef struct mef mef;

/* cfg and what it points to must outlive the MEF. */
mef *mef_open(evloop *l, const mef_config *cfg, timeline *tl, char *err, size_t errlen);
void mef_close(mef *m);
int mef_port(const mef *m);
size_t mef_enrolments(const mef *m);        /* prov.done count */
/* The next Enrolment Exchange is interrupted: at the enrolee's request (bootstrap session up,
 * no answer yet) the MEF forgets the session silently and records prov.fail (R-ENR-08). */
void mef_interrupt(mef *m);
/* The next Enrolment Exchange is refused: at the enrolee's request the MEF answers 5.00 with a
 * JSON error body (no "end of exchange"), closes the session, keeps nothing and records
 * prov.fail (R-ENR-08: the enrolee must not use that session's KeID). */
void mef_refuse_next(mef *m);
/* Drops the enrolment of keid, or every enrolment when keid is NULL (a change of service
 * provider, R-FLOW-05): its KeID is refused from then on. Records prov.forgotten with reason;
 * returns how many were dropped. */
size_t mef_forget(mef *m, const char *keid, const char *reason);
/* 1 once a bootstrap handshake came up or failed: the IUT reached the MEF. */
int mef_heard(const mef *m);
/* dtls_params.psk_lookup for the registrar's DTLS server (ctx = the mef): a KeID from a
 * finished enrolment, with its derived key and identity; -1 for anything else. */
int mef_psk_lookup(const char *identity, dtls_psk *out, void *ctx);

struct profile;
/* Fills cfg from the profile's <mef> (docs/mef.md defaults for what it leaves out); cfg
 * points into p. Returns 0, -1 with err (no <mef>, a bad setting word, no enrolee identity). */
int mef_config_from_profile(const struct profile *p, mef_config *cfg, char *err, size_t errlen);

#endif
