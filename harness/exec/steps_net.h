/* Network steps of a test case: <link .../> drives the harness's link control (net/link.h)
 * on the sockets facing the IUT (the wire's, wire_link); <drop-associations/> makes the harness forget
 * its DTLS state silently. Kept out of executor.c. */
#ifndef M2M_STEPS_NET_H
#define M2M_STEPS_NET_H
#include <stddef.h>
#include "wire.h"
#include "../model/testcase.h"

/* Runs a STEP_LINK or STEP_DROP_STATE. Returns 0 with a log line in msg, or -1 with the
 * reason in msg (a malformed attribute, nothing to drop). The first <link> of a test
 * attaches the wire's link; wire_close takes it off when the test ends. */
int steps_net_run(const tc_step *s, wire *w, char *msg, size_t len);
/* 1 when link control saw a datagram from the IUT, even one it dropped: the IUT is
 * reachable, what the link did to its datagrams is the test's business. */
int steps_net_heard_iut(wire *w);

#endif
