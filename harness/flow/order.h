/* Order constraints, checked on a finished timeline:
 *   before  first=A then=B   : every B has an A recorded before it
 *   never   event=X [before=Y]: no X at all, or no X before the first Y
 *   within  first=A then=B limit=T : after the first A, a B follows within T
 * Ordering is by (t_ns, seq): equal timestamps are ordered as recorded.
 * A violation message names both events with their times. */
#ifndef M2M_ORDER_H
#define M2M_ORDER_H
#include "timeline.h"

typedef enum { ORDER_BEFORE, ORDER_NEVER, ORDER_WITHIN } order_kind;

typedef struct order_rule {
    order_kind kind;
    ev_sel a;          /* BEFORE/WITHIN: first;  NEVER: event */
    ev_sel b;          /* BEFORE/WITHIN: then;   NEVER: before (name NULL if absent) */
    int64_t limit_ns;  /* WITHIN only */
    /* WITHIN whose limit follows the profile's timers (model/window.h: limit_ns is then the
     * addend until the executor resolves it against the run's profile): the timers, as
     * model/window.h numbers them (0 = none), and the limit as written ("dtls-total+4s"), which
     * the rule's description shows. */
    int limit_timer, limit_timer2;
    char limit_text[64];
    int required;      /* absence of the triggering event is a violation, not "not exercised" */
    int line;          /* source line in the test case, for messages */
} order_rule;

typedef enum {
    ORDER_OK = 0,            /* held, and was exercised */
    ORDER_NOT_EXERCISED = 1, /* held vacuously: the events it speaks of did not occur */
    ORDER_VIOLATED = 2,
} order_status;

/* Checks one rule; on VIOLATED or NOT_EXERCISED writes a human sentence into msg. */
order_status order_check(const order_rule *r, const timeline *tl, char *msg, size_t msglen);
void order_rule_free(order_rule *r);
/* Human description: "sae.done before msg.rx[op=create]". */
void order_rule_describe(const order_rule *r, char *buf, size_t len);

#endif
