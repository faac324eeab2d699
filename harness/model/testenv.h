/* The per-test environment: what one test picks at run time, beside the loaded profile,
 * which every test shares and nobody modifies. It holds the IUT's ports when the profile
 * leaves them to the harness (a bundled IN-CSE started per test, so tests run side by side),
 * the two ends of the veth pair when the IUT runs in a network namespace, and the ports the
 * harness's endpoints bound. Consumers read a value through the accessors, which fall back to
 * the profile's own when the test picked nothing; env may be NULL (a peer without a test).
 * ${IUT_COAP_PORT}, ${HARNESS_ADDRESS} and the rest see these values (vars_from_env). */
#ifndef M2M_TESTENV_H
#define M2M_TESTENV_H
#include "profile.h"

typedef struct test_env {
    int iut_coap_port, iut_coaps_port;   /* picked for this test; 0 = the profile's */
    const char *iut_address;             /* the IUT's end of the veth; NULL = the profile's */
    const char *harness_address;         /* the harness's end of the veth; NULL = the profile's */
    int harness_coap_port, harness_coaps_port;   /* bound by the harness; 0 = the profile's listen ports */
    int mef_port;                        /* the harness's MEF (profile <mef>); 0 = none */
} test_env;

/* Nothing picked: every accessor gives the profile's value. */
void test_env_init(test_env *e);

const char *env_iut_address(const test_env *e, const profile *p);
const char *env_harness_address(const test_env *e, const profile *p);
int env_iut_coap_port(const test_env *e, const profile *p);
int env_iut_coaps_port(const test_env *e, const profile *p);
int env_harness_coap_port(const test_env *e, const profile *p);
int env_harness_coaps_port(const test_env *e, const profile *p);

#endif
