/* The harness as M2M Enrolment Function (TS-0003 §8.3.2.1, Pre-Provisioned Symmetric
 * Enrolee Key RSPF) toward an enrolling device in role in-cse: a DTLS-PSK endpoint of its
 * own (identity KpmID, key Kpm) that answers the Enrolment Exchange over CoAP, derives
 * Ke/KeID and the enrolee's SAE key (harness/sec/enrol.h), and then lets the registrar's
 * DTLS server accept KeID as PSK identity with that key (mef_psk_lookup). Events:
 *   prov.start  bootstrap handshake up (identity = KpmID, version, suite)
 *   prov.done   exchange answered (keid, identity = the derived identity, derive, mef)
 *   prov.fail   bootstrap handshake failed or the exchange was wrong (reason)
 * The bootstrap handshake is not an SAE: the MEF's DTLS layer records no sae.* events.
 * Keys exist only after prov.done, so an interrupted enrolment leaves nothing to use. */
#ifndef M2M_MEF_H
#define M2M_MEF_H
#include <stddef.h>
#include <stdint.h>
#include "../flow/timeline.h"
#include "../net/coap_ep.h"
#include "../net/dtls.h"
#include "../sec/enrol.h"
#include "../sec/mef_msg.h"

#define MEF_DEFAULT_PATH "/enrolment"

typedef struct mef_config {
    const char *address;         /* bind address, NULL = 127.0.0.1 */
    int port;                    /* 0 = ephemeral */
    const char *fqdn;            /* MEF-FQDN, the KeID's issuer */
    const char *kpm_id;          /* bootstrap PSK identity */
    const uint8_t *kpm;
    size_t kpm_len;
    const char *path;            /* Enrolment Exchange URI path, NULL = MEF_DEFAULT_PATH */
    const char *enrolee_b_id;    /* identity the derived key binds (Kpsa input, §10.3.3) */
    const char *suid;            /* usage-constrained key: SUID, NULL = "22" (§10.3.7) */
    const char *target_fqdn;     /* usage-constrained key: the enrolment target's FQDN */
    enrol_settings keys;
    mef_names names;
    unsigned retrans_ms, total_ms;
    coap_params coap;
} mef_config;

typedef struct mef mef;

/* cfg and what it points to must outlive the MEF. */
mef *mef_open(evloop *l, const mef_config *cfg, timeline *tl, char *err, size_t errlen);
void mef_close(mef *m);
int mef_port(const mef *m);
size_t mef_enrolments(const mef *m);        /* prov.done count */
/* dtls_params.psk_lookup for the registrar's DTLS server (ctx = the mef): a KeID from a
 * finished enrolment, with its derived key and identity; -1 for anything else. */
int mef_psk_lookup(const char *identity, dtls_psk *out, void *ctx);

struct profile;
/* Fills cfg from the profile's <mef> (docs/mef.md defaults for what it leaves out); cfg
 * points into p. Returns 0, -1 with err (no <mef>, a bad setting word, no enrolee identity). */
int mef_config_from_profile(const struct profile *p, mef_config *cfg, char *err, size_t errlen);

#endif
