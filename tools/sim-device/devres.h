/* What the simulated device hosts for the registrar to use (tools/sim-device): containers
 * under its own CSEBase and the contentInstances created in them, counted (cni). A request
 * executed twice shows in the count and in the response (each contentInstance gets a new
 * resource ID), so a device that does not detect a duplicate CON (RFC 7252 §4.5) is
 * caught by R-BIND-05. */
#ifndef SIM_DEVRES_H
#define SIM_DEVRES_H
#include "onem2m/primitive.h"

typedef struct devres devres;

/* base: the device's CSEBase as it announced it at registration (m2m:csr/cb, "/asn-cse-1/base"). */
/* release: onem2m/release.h code; a CREATE lacking an attribute mandatory in it is refused
 * with 4000 naming the attribute (cse/strict.h). */
devres *devres_new(const char *base, int release);
void devres_free(devres *d);
/* Answers req when it addresses a hosted resource: fills rsp (rsc, content) and returns 1;
 * 0 when the request is not for one (the caller answers as before). */
int devres_handle(devres *d, const m2m_prim *req, m2m_prim *rsp);

#endif
