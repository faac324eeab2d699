/* An IUT without DTLS, and the plain-CoAP run mode.
 *
 * <transport dtls="no"> (model/profile.h): the IUT speaks oneM2M over plain CoAP only. A test
 * that requires SAE or SAE_PSK still runs when it covers an SAE requirement (the missing DTLS
 * is what it judges: an SAE-mandatory check fails, TS-0003 §6.1.2.2.1, a negative one is
 * inconc with what was seen) or when one of its checks needs no association (a plain-CoAP
 * request refused on Mcc); a test that needs an association only to reach its checks skips,
 * saying so.
 *
 * The plain-CoAP run mode (run --plain-coap, <transport run-mode="plain-coap">; role field):
 * a non-certifying run that shows how an IN-CSE without DTLS does access control. It runs
 * the access-control tests (area access), and the registration tests of a registree CSE only
 * where the profile declares that the IUT accepts plain Mcc (<transport plain-mcc="accepts">);
 * every other test skips with the reason. In it no association is opened, every request goes
 * over plain CoAP, secure="..." in an expected message matches either, order rules about
 * DTLS or secure= are not judged, steps with mode="secure" are left out and those with
 * mode="plain-coap" run; ${REGISTREE_ID} is the AE Cm2mh-admin registered on Mca (else the
 * harness's CSE-ID) and ${AE_ID_PREFIX} is empty (else "${HARNESS_CSE_ID}/"), so the tests'
 * AE originators are AEs registered with the IUT on Mca (AE CREATE is allowed outside an
 * association, TS-0004 §7.3.2.1). */
#ifndef M2M_PLAINMODE_H
#define M2M_PLAINMODE_H
#include <stddef.h>
#include "../flow/order.h"
#include "../model/profile.h"
#include "../model/testcase.h"
#include "../model/vars.h"

/* The AE the plain-CoAP run mode registers as the registree (policy and container creator). */
#define PLAINMODE_REGISTREE_AE "Cm2mh-admin"

/* 1 with the reason when the plain-CoAP run mode does not run tc (p->plain_coap_run). */
int plainmode_not_applicable(const testcase *tc, const profile *p, char *reason, size_t len);

/* Under <transport dtls="no">, for a test that requires SAE or SAE_PSK: 1 with the reason
 * when it skips (it needs an association only to reach its checks, or the profile has no
 * PSK for the harness to offer), 0 when it runs. */
int plainmode_no_dtls_skip(const testcase *tc, const profile *p, char *reason, size_t len);

/* 1 when step s does not run in this run's mode; why (may be NULL) then says so for the step
 * log ("" when it is not worth a line). */
int plainmode_step_left_out(const profile *p, const tc_step *s, char *why, size_t len);

/* The run mode's variables: RUN_MODE, REGISTREE_ID, AE_ID_PREFIX. */
void plainmode_vars(vars *v, const profile *p);

/* 1 when order rule r is not judged in this run's mode (it speaks of DTLS or secure=). */
int plainmode_order_unjudged(const profile *p, const order_rule *r);

/* 1 in the plain-CoAP run mode (vars set by plainmode_vars). */
int plainmode_on(const vars *v);

#endif
