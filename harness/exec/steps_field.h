/* Role field (the harness is a field node, the IUT an IN-CSE): what the executor needs
 * beyond the in-cse role, kept out of executor.c. */
#ifndef M2M_STEPS_FIELD_H
#define M2M_STEPS_FIELD_H
#include "../model/profile.h"

/* A profile in role field whose IUT ports are 0 (a bundled reference IN-CSE started per
 * test) gets free ephemeral ports for this test, so tests run side by side (-j): *out is a
 * shallow copy of in with them filled in (the start command sees ${IUT_COAP_PORT} and
 * ${IUT_COAPS_PORT}). Returns 1 when out was filled, 0 when in is to be used as it is. */
int field_pick_ports(const profile *in, profile *out);

#endif
