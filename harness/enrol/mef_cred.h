/* The MEF's answer to an Enrolment Target's RETRIEVE /fetchCredentials/<KeID>/<SUID>
 * (TS-0003 §8.3.2.1, tables 8.3.2.1-5/-6): Status=True, Credential, EnroleeID, Lifetime; or
 * Status=False, ErrorString. TS-0032 is not at hand: JSON with the lowerCamelCase of the
 * table entries ("status", "credential" as lower-case hex, "enroleeID", "lifetime" in whole
 * seconds, 0 = none; "errorString"), documented in docs/mef.md. */
#ifndef M2M_MEF_CRED_H
#define M2M_MEF_CRED_H
#include <stddef.h>
#include <stdint.h>

#define MEF_CRED_MAX 64

char *mef_build_credential(const uint8_t *key, size_t keylen, const char *enrolee_id, long lifetime_s);
char *mef_build_cred_error(const char *why);
/* Returns 1 (Status=True: key, enrolee id, lifetime filled), 0 (Status=False: the
 * ErrorString in err), -1 (not such an answer: the reason in err). */
int mef_parse_credential(const uint8_t *p, size_t n, uint8_t key[MEF_CRED_MAX], size_t *keylen,
                         char *enrolee, size_t elen, long *lifetime_s, char *err, size_t errlen);

#endif
