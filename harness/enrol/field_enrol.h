/* Role field with <mef at="iut"> (docs/mef.md, "The harness as enrolee toward the IUT's MEF"):
 * before its association the harness enrols with the IUT's MEF at the IUT's address as
 * enrolee (mef_client.h), then presents KeID with the key it derived itself (Kpsa §10.3.3 by
 * default) to the IN-CSE under test. The test case's <harness psk="wrong-key"> /
 * psk="unknown-identity"> vary the bootstrap credential (Kpm flipped / a KpmID the MEF does not
 * know); <drop-associations of="mef"/> makes the harness drop the next enrolment session after
 * its bootstrap handshake, before the Enrolment Exchange. With <mef at="iut" rspf="cert">
 * (§8.3.2.2) the bootstrap handshake uses the profile's cert/key/trust as the harness's own and
 * accepts only an MEF certificate whose subjectAltName names the MEF-FQDN. Events (side=client,
 * rspf=ppsk|cert):
 *   prov.done  keid, mef, enrolment=N, mef_cert (rspf cert: the MEF certificate's identity)
 *   prov.fail  reason, enrolment=N (keid when interrupted) */
#ifndef M2M_FIELD_ENROL_H
#define M2M_FIELD_ENROL_H
#include "mef_client.h"
#include "../flow/timeline.h"
#include "../model/testcase.h"
#include "../model/testenv.h"

/* A port for the IUT's MEF when <mef port> is 0: reserved at the IUT's address of this test
 * (env, testenv.h; NULL = the profile's), as field_pick_ports does. */
int field_enrol_pick_port(const profile *p, const test_env *env);

/* Returns 0 enrolled (out: KeID and key), 1 the enrolment did not finish (prov.fail recorded;
 * out->half = 1 with that session's keys when the harness interrupted it), -1 setup error. */
int field_enrol_iut(evloop *l, const profile *p, const test_env *env, const tc_harness *h, int mef_port,
                    int interrupt, unsigned n, timeline *tl, mef_enrolment *out, char *err, size_t errlen);

#endif
