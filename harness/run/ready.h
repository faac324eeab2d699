/* Attach mode's readiness check, once per run before the first test (model/profile.h
 * profile_attached): an IN-CSE the harness does not start is ready when it serves oneM2M, not
 * when its port is bound. A real CSE binds its port about a second before it serves and
 * answers 4000 meanwhile, so a port probe races it. The check is a built-in test run like any
 * other (its own process, the profile's transport and credentials): inside an association when
 * the IUT claims SAE, else over plain CoAP, the harness RETRIEVEs the CSEBase
 * (${IUT_CSE_ID}/${IUT_CSE_BASE}) as its registree identity until a 2000 answers, or a
 * refusal by the CSE's own rules for that originator (4103, 4106, 4107: it serves, it only
 * does not serve this request), again every 250 ms up to the profile's ready-timeout; a 4000
 * (what a CSE still starting answers), any other answer or none is not ready. */
#ifndef M2M_READY_H
#define M2M_READY_H
#include "../exec/executor.h"

/* 1: ready (after *attempts attempts, *secs seconds; why "" for a 2000, else the refusal);
 * 0: not within the ready-timeout, the last attempt's reason in why; -1: nothing to check here (not attached, not an IN-CSE — a
 * device's first datagram is what its tests wait for —, or a <ready> probe of its own, which
 * each test's start trigger runs). */
int ready_attached(const profile *p, const exec_opts *eo, unsigned *attempts, double *secs, char *why, size_t len);

/* The built-in test's XML for this profile (malloc'd), for the unit tests. */
char *ready_testcase_xml(const profile *p);

#endif
