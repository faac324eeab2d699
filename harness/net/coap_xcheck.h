/* Re-decodes a datagram with libcoap's coap_pdu_parse and compares the result with the
 * harness's own decoder: two independent decoders that disagree point at a
 * bug in one of them or at a message on the edge of the RFC. */
#ifndef M2M_COAP_XCHECK_H
#define M2M_COAP_XCHECK_H
#include <stddef.h>
#include <stdint.h>
#include "coap.h"

/* Call once per process before the first check (wraps coap_startup, routes libcoap's log). */
void cm_xcheck_init(void);
/* libcoap messages at or below this syslog level go to stderr (default LOG_ERR = 3). */
void cm_xcheck_set_log_level(int level);
/* ours/our_rc: the harness's decode of buf. Returns 1 when both agree (both reject, or both
 * accept with the same type, code, mid, token, options and payload), 0 with a reason. */
int cm_xcheck(const uint8_t *buf, size_t len, const cm_msg *ours, int our_rc,
              char *why, size_t whylen);

#endif
