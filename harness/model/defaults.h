/* Every default of the IUT profile, in one place. profile_load applies them once: after it,
 * each of these profile fields holds a value (the file's or the default), and no consumer
 * decides a default of its own. The schema's documentation (fixtures/schema/profile.xsd)
 * states the same values. Each says where its value comes from. */
#ifndef M2M_MODEL_DEFAULTS_H
#define M2M_MODEL_DEFAULTS_H
#include "../onem2m/release.h"

/* <iut release>: harness choice, the release whose RSCs the suite expects unless told. */
#define M2M_DEFAULT_RELEASE M2M_REL_3   /* onem2m/release.h */
/* <harness address>: harness choice, the loopback address. */
#define M2M_DEFAULT_HARNESS_ADDRESS "127.0.0.1"
/* <coap options>: the IANA-registered numbers, TS-0008 V3.7.0 and later. */
#define M2M_DEFAULT_OPTION_PRESET "iana"
/* <coap serialization>: harness choice, JSON. */
#define M2M_DEFAULT_SERIALIZATION "json"
/* <coap content-format>: the oneM2M media type of the serialization, TS-0008 Table 6.2.2.2-1
 * (vnd.onem2m-res+json 10001, vnd.onem2m-res+xml 10014). */
#define M2M_DEFAULT_CF_JSON 10001
#define M2M_DEFAULT_CF_XML 10014
/* ... under <coap options="legacy">: the plain media types, RFC 7252 §12.3 (application/json
 * 50, application/xml 41), which CSEs of that numbering's era take instead (Mobius drops a
 * request in 10001 without an answer). */
#define M2M_LEGACY_CF_JSON 50
#define M2M_LEGACY_CF_XML 41
/* <coap accept-formats>: the content-format and the other media type of its serialization
 * (10001 and 50, 10014 and 41): what an IUT may answer in. */

/* <timers ack-timeout>: RFC 7252 §4.8, ACK_TIMEOUT = 2 s. */
#define M2M_DEFAULT_ACK_TIMEOUT_MS 2000
/* <timers max-retransmit>: RFC 7252 §4.8, MAX_RETRANSMIT = 4. */
#define M2M_DEFAULT_MAX_RETRANSMIT 4
/* <timers dtls-retransmit>: RFC 6347 §4.2.4.1, an initial timer value of 1 s. */
#define M2M_DEFAULT_DTLS_RETRANS_MS 1000
/* <timers dtls-total>: harness choice, room for four flight retransmissions doubling from 1 s
 * (1 + 2 + 4 + 8 s, RFC 6347 §4.2.4.1); GnuTLS's own limit (60 s) would stall a test. */
#define M2M_DEFAULT_DTLS_TOTAL_MS 20000
/* <timers step-timeout>: harness choice, the window of a step that gives none. */
#define M2M_DEFAULT_STEP_TIMEOUT_MS 5000
/* <timers test-deadline>: harness choice, the hard limit of one test that gives none. */
#define M2M_DEFAULT_TEST_DEADLINE_MS 60000

/* <control ready-timeout>: harness choice, how long the readiness probe is retried. */
#define M2M_DEFAULT_READY_TIMEOUT_MS 5000
/* <start>/<trigger timeout> of a command: harness choice, the profile's step-timeout (no
 * constant: the loader copies the step timeout the profile ends up with). */
/* <trigger timeout> of an operator prompt: harness choice, five minutes for a person to act
 * (the test's deadline still applies). */
#define M2M_DEFAULT_PROMPT_TIMEOUT_MS 300000

/* Not in the profile: the CoAP timers of the enrolment target's fetchCredentials request to
 * the MEF (TS-0003 §8.3.2.1). Harness choice: it runs inside a handshake callback, so it
 * gives up within about 10 s instead of RFC 7252's MAX_TRANSMIT_WAIT (93 s). */
#define M2M_MEF_FETCH_ACK_TIMEOUT_MS 1000
#define M2M_MEF_FETCH_MAX_RETRANSMIT 2

#endif
