/* The profile's <mef> section (fixtures/schema/profile.xsd): the harness as MEF for remote
 * security provisioning (docs/mef.md). Values stay text where the executor maps them onto
 * enrol_settings, so the model layer does not depend on sec/. */
#ifndef M2M_PROFILE_MEF_H
#define M2M_PROFILE_MEF_H
#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>

typedef struct profile_mef {
    char *fqdn;              /* MEF-FQDN, issuer of the KeID */
    char *kpm_id;            /* bootstrap PSK identity */
    uint8_t *kpm;            /* never printed */
    size_t kpm_len;
    int port;                /* MEF's coaps port, 0 = ephemeral */
    char *path;              /* Enrolment Exchange URI path, default "/enrolment" */
    char *enrolee_id;        /* Enrolee-B-ID; NULL = the IUT's CSE-ID or AE-ID */
    char *context, *keid_case, *derive, *suid_encoding;   /* enrol.h setting words, NULL = default */
    char *suid;              /* default "22" */
    char *target_fqdn;       /* usage-constrained key; NULL = the harness's host name */
    int64_t lifetime_ns;     /* Enrolment Expiry of Ke (§8.3.2.1, §10.7), 0 = Ke does not expire */
    int rspf_cert;           /* rspf="cert": certificate-based RSPF (§8.3.2.2), else ppsk (§8.3.2.1) */
    char *cert, *key, *trust;   /* the MEF's certificate, key, trust anchors (resolved by profile.c);
                                 * at="iut": the harness's own as enrolee, trust for the MEF's */
    char *enrolee_cert_id;   /* "dns:<FQDN>" / "uri:<AE-ID>" the enrolee's certificate must carry */
    /* The enrolment target that fetches credentials (§8.3.2.1, R-ENR-07): its identity
     * (From, e.g. /in-cse) and its pre-provisioned PSK with the MEF (ascii; never printed). */
    char *target_id, *target_psk_id, *target_psk;
    /* at="iut" (role field): the MEF is the IUT's, not the harness's; the harness enrols with
     * it at the IUT's address and <mef port> (0 = picked per test, ${MEF_PORT}) (docs/mef.md). */
    int at_iut;
} profile_mef;

/* Parses <mef>; returns NULL with the reason in err. */
profile_mef *profile_mef_parse(const xmlNode *n, char *err, size_t errlen);
void profile_mef_free(profile_mef *m);

#endif
