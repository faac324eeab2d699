/* ref-in-cse's reverse association (SA2, TS-0003 §8.2.1): after a request-reachable field CSE
 * registered inside SA1, the IN-CSE opens a second association toward the registree's point
 * of access as DTLS client, with SA1's credentials, and sends a request over it. */
#ifndef M2M_REF_SA2_H
#define M2M_REF_SA2_H
#include "model/profile.h"
#include "net/loop.h"
#include "onem2m/primitive.h"

typedef struct ref_sa2 ref_sa2;

/* From a remoteCSE CREATE (ty=16): opens SA2 to its poa when rr is true, with the PSK of the
 * profile (SA1's credentials) or, when identity is not NULL, under that identity (a fault).
 * Then a RETRIEVE of the registree's CSE travels over SA2. NULL (reason on stderr) when the
 * registree is not request-reachable or its poa is not a loopback coaps://address:port.
 * The handshake starts after delay_ns (0: at once). */
ref_sa2 *ref_sa2_open(evloop *l, const profile *p, const m2m_prim *reg, const char *identity, int64_t delay_ns);
void ref_sa2_free(ref_sa2 *s);

#endif
