/* Role field (the harness is a field node, the IUT an IN-CSE): what the executor needs
 * beyond the in-cse role, kept out of executor.c. */
#ifndef M2M_STEPS_FIELD_H
#define M2M_STEPS_FIELD_H
#include "../model/profile.h"
#include "../model/testenv.h"

/* A profile in role field whose IUT ports are 0 (a bundled reference IN-CSE started per
 * test) gets free ports for this test in env, so tests run side by side (-j); the start
 * command sees them as ${IUT_COAP_PORT} and ${IUT_COAPS_PORT} (vars_from_env). Ports picked
 * earlier into env are replaced (a restart on new ports). The profile is not touched.
 * Returns 1 when env holds picked ports, 0 when the profile's are to be used as they are. */
int field_pick_ports(const profile *p, test_env *env);

#endif
