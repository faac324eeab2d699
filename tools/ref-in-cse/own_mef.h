/* ref-in-cse with an MEF of its own (docs/mef.md, "The harness as enrolee toward the IUT's
 * MEF"): with <mef at="iut"> in the profile, --mef-port N makes the reference IN-CSE the
 * infrastructure side of the RSPF (TS-0003 §8.3.2.1): harness/exec/mef.c on its loop at the
 * IUT's address and port N, and its DTLS server accepts a KeID from a finished enrolment
 * with the derived key (mef_psk_lookup). Faults (faults.tsv, profile ref-in-cse-mef):
 * mef-any-kpm, mef-wrong-label, accept-half-enrolled, accept-expired-keid,
 * forget-enrolment-on-close, keep-enrolment-on-provider-change; with rspf="cert"
 * (ref-in-cse-mef-cert) mef-cert-wrong-name, mef-cert-cn-only. */
#ifndef REF_OWN_MEF_H
#define REF_OWN_MEF_H
#include "model/profile.h"
#include "net/loop.h"

typedef struct ref_mef ref_mef;

/* NULL with err on failure. cert: with <mef rspf="cert"> (§8.3.2.2) the MEF's own certificate,
 * key and trust anchors for the enrolee's (--mef-cert/--mef-key/--mef-trust; the profile's are
 * the field node's), else unused. fault: the reference's fault name or NULL. */
ref_mef *ref_mef_open(evloop *l, const profile *p, int port, const char *const cert[3], const char *fault,
                      char *err, size_t errlen);
void *ref_mef_lookup_ctx(ref_mef *r);   /* for dtls_params.psk_lookup = mef_psk_lookup */
/* A change of service provider (R-FLOW-05; SIGUSR2, profile trigger change-service-provider):
 * the enrolments belong to the former provider and are forgotten, so their KeIDs are refused
 * and the field node must enrol again (docs/mef.md). */
void ref_mef_change_provider(ref_mef *r);
/* The IN-CSE's association under PSK identity `identity` ended. Enrolments outlive their
 * associations; only the fault forget-enrolment-on-close drops that KeID here. */
void ref_mef_association_ended(ref_mef *r, const char *identity);
void ref_mef_close(ref_mef *r);

#endif
