/* Step windows that follow the profile's timers. A silence window ("the IUT sends nothing for
 * T") proves something only if T exceeds the time the IUT could legitimately take, which is set
 * by the IUT's own timers (DTLS flight retransmission, CoAP MAX_TRANSMIT_WAIT). So a test case
 * may write within="dtls-total+2s" instead of a number, resolved against the profile of the
 * run (testcases/schema/testcase.xsd, type "window"). */
#ifndef M2M_MODEL_WINDOW_H
#define M2M_MODEL_WINDOW_H
#include <stddef.h>
#include <stdint.h>

struct profile;

typedef enum {
    TC_TIMER_NONE = 0,
    TC_TIMER_ACK_TIMEOUT,       /* <timers ack-timeout> */
    TC_TIMER_MAX_TRANSMIT_WAIT, /* RFC 7252 §4.8.2 from ack-timeout and max-retransmit */
    TC_TIMER_DTLS_RETRANSMIT,   /* <timers dtls-retransmit> */
    TC_TIMER_DTLS_TOTAL,        /* <timers dtls-total> */
    TC_TIMER_STEP_TIMEOUT,      /* <timers step-timeout> */
} tc_timer;

/* A window: a fixed duration, or one or two profile timers plus a fixed addend (the time a
 * device may take for two things in a row: give up an unanswered request, then hand-shake). */
typedef struct tc_window {
    tc_timer timer;
    int64_t ns;      /* the duration, or the addend to the timer(s) */
    tc_timer timer2; /* a second timer added to the first, TC_TIMER_NONE if none */
} tc_window;

/* Parses "5s", "dtls-total", "dtls-total+2s", "max-transmit-wait+500ms",
 * "max-transmit-wait+dtls-total(+1s)". 0 on success; -1 with a reason in err otherwise. */
int tc_window_parse(const char *text, tc_window *out, char *err, size_t errlen);

/* The window in ns for this profile; 0 when it is unset (no timer and ns == 0). */
int64_t tc_window_ns(const tc_window *w, const struct profile *p);

/* tc_window_ns, or dflt when the window is unset. */
int64_t tc_window_or(const tc_window *w, const struct profile *p, int64_t dflt);

/* "dtls-total+2s" or "5s" into buf. */
const char *tc_window_text(const tc_window *w, char *buf, size_t len);

/* The name of a timer as written in test cases and profiles. */
const char *tc_timer_name(tc_timer t);

#endif
