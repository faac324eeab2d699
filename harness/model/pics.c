/* The PICS items (pics.h). Adding one is one row. Items starting with CFG_ configure the
 * test setup (which side the harness plays) rather than claim something of the IUT. */
#include "pics.h"
#include "../util/nearest.h"
#include <stdio.h>
#include <string.h>

static const pics_def PICS[] = {
    /* what the IUT is (one of them) */
    { "IUT_ASN_CSE", "the IUT is an ASN-CSE (a field CSE on Mcc toward the IN-CSE)" },
    { "IUT_MN_CSE", "the IUT is an MN-CSE (a field CSE on Mcc toward the IN-CSE)" },
    { "IUT_AE", "the IUT is an AE (on Mca toward its registrar CSE)" },
    { "IUT_IN_CSE", "the IUT is an IN-CSE (the harness plays the field node)" },
    /* security association establishment */
    { "SAE", "the IUT sets up security associations (DTLS) with at least one of SAE_PSK, SAE_CERT, SAE_RPK" },
    { "SAE_PSK", "the IUT associates with a pre-shared key (TS-0003 §8.2.2.1; the profile's <psk>)" },
    { "SAE_CERT", "the IUT associates with X.509 certificates (TS-0003 §8.2.2.2; the profile's <certificate>)" },
    { "SAE_RPK", "the IUT associates with raw public keys (RFC 7250; the profile's <raw-public-key>)" },
    { "MCA_PLAIN", "the IUT (an IN-CSE) serves field AEs on Mca over plain CoAP, without SAE" },
    /* behaviour the tests rely on */
    { "IUT_KEEPS_SENDING", "the IUT (a device) sends requests on its own after registering, so tests can watch its next primitive" },
    { "IUT_REQUEST_REACHABLE", "the IUT (a field CSE) is request-reachable: it accepts a reverse association SA2 from the registrar" },
    { "IUT_OPENS_SA2", "the IUT (an IN-CSE) opens the reverse association SA2 toward a request-reachable field CSE" },
    /* remote security provisioning */
    { "RSPF_PPSK", "the IUT enrols with the MEF by the pre-provisioned symmetric key RSPF (TS-0003 §8.3.2.1)" },
    { "RSPF_CERT", "the IUT enrols with the MEF by the certificate-based RSPF (TS-0003 §8.3.2.2)" },
    { "RSPF_EXPIRY", "the IUT's enrolments expire (an Enrolment Expiry of Ke is configured: <mef lifetime>)" },
    { "RSPF_TARGET", "the IUT (an IN-CSE) is an Enrolment Target: it fetches an unknown KeID's credential from the MEF" },
    { "IUT_MEF", "the IUT (an IN-CSE) hosts a MEF the harness can enrol with (pre-provisioned symmetric key RSPF)" },
    { "IUT_MEF_CERT", "the IUT's MEF also runs the certificate-based RSPF" },
    /* what the IUT as enrolee says it is prepared to execute if the MEF instructs it (TS-0003
     * table 8.3.2.1-1): the indications of its Enrolment Exchange request (${ENROLEE_INDICATIONS}) */
    { "ENROLEE_CERT_ENROLMENT", "the IUT as enrolee is prepared to run Certificate Enrolment if the MEF instructs it (its Certificate Enrolment Indication is True, TS-0003 table 8.3.2.1-1)" },
    { "ENROLEE_MAF_ENROLMENT", "the IUT as enrolee is prepared to enrol with a MAF if the MEF instructs it (its MAF Enrolment Indication is True, TS-0003 table 8.3.2.1-1)" },
    { "ENROLEE_REMOTE_MANAGEMENT", "the IUT as enrolee is prepared to contact a remote management server if the MEF instructs it (its Remote Management Indication is True, TS-0003 table 8.3.2.1-1)" },
    /* access control options */
    { "ACP_ACTW", "the IUT applies accessControlTimeWindow contexts" },
    { "ACP_ACIP", "the IUT applies accessControlIpAddresses contexts" },
    { "ACP_ACAF", "the IUT applies the accessControlAuthenticationFlag" },
    { "ACAF_PLAIN_AE_NOT_AUTHENTICATED", "the IUT (an IN-CSE) does not count an AE registered over plain CoAP as authenticated for accessControlAuthenticationFlag (TS-0003 §7.1.2 leaves it to the deployment)" },
    /* releases */
    { "RELEASE_1", "the IUT also serves Release-1 requests (no rvi, TS-0004 §7.3.2.1)" },
    /* serializations */
    { "SER_JSON", "the IUT serializes oneM2M content as JSON (10001)" },
    { "SER_XML", "the IUT serializes oneM2M content as XML (10014)" },
    /* the test configuration */
    { "CFG_REGISTRAR_IN_CSE", "configuration: the harness plays the registrar as an IN-CSE" },
    { "CFG_REGISTRAR_MN_CSE", "configuration: the harness plays a field-domain registrar (an MN-CSE) for an AE on Mca" },
    { "CFG_REGISTREE_CSE", "configuration (role field): the harness registers as a field CSE (<harness><cse-id>)" },
    { "CFG_REGISTREE_AE", "configuration (role field): the harness registers as a field AE on Mca (<harness><ae-id>)" },
    { "CFG_SECOND_REGISTREE", "configuration (role field): the profile gives a second registree CSE (a second <psk cse-id=...>)" },
    { "IUT_SECOND_IDENTITY", "the IUT (role in-cse) holds a second credential bound to another of its identities (a second <psk ae-id=...> or cse-id, ${IUT_SECOND_ID}) and uses both" },
};

#define NPICS (sizeof PICS / sizeof *PICS)

size_t pics_count(void) { return NPICS; }
const pics_def *pics_at(size_t i) { return i < NPICS ? &PICS[i] : NULL; }

const pics_def *pics_find(const char *name)
{
    for (size_t i = 0; name && i < NPICS; i++)
        if (!strcmp(PICS[i].name, name)) return &PICS[i];
    return NULL;
}

int pics_check(const char *item, char *err, size_t errlen)
{
    if (pics_find(item)) return 0;
    nearest n;
    nearest_init(&n, item);
    for (size_t i = 0; i < NPICS; i++) nearest_offer(&n, PICS[i].name);
    const char *b = nearest_plausible(&n);
    if (b) snprintf(err, errlen, "unknown PICS item '%s'; did you mean '%s'? (the items are listed in docs/pics.md)", item, b);
    else snprintf(err, errlen, "unknown PICS item '%s' (the items are listed in docs/pics.md)", item);
    return -1;
}
