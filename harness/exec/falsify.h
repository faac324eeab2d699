/* Every check of a test case must be able to fail. For each order rule and each alternative
 * of an <expect> whose verdict is not pass, this builds a timeline that violates it and one
 * that satisfies it, only from what the event vocabulary (flow/events.h) says some module
 * records (names, attributes, values of the closed sets), and runs the real order checker
 * (flow/order.h) or matcher (exec/match.h) on both. A rule or alternative on an event or a
 * value the harness never records, one whose filters contradict each other, one that can
 * never hold, or a failing alternative an earlier alternative of the same step always takes
 * first, is reported: `validate` refuses it like any other bad input. ${VAR} values stand for
 * whatever the variable holds at run time. */
#ifndef M2M_FALSIFY_H
#define M2M_FALSIFY_H
#include "../model/testcase.h"

/* 0 when the rule is shown falsifiable (and satisfiable), else -1 with the reason in why. */
int falsify_rule(const order_rule *r, char *why, size_t len);
/* The same for alternative i of an <expect> step: an event that makes the step take it (it
 * matches, no earlier alternative does) and one it does not match. */
int falsify_alt(const tc_step *st, size_t i, char *why, size_t len);

typedef struct falsify_count { size_t rules, alts; } falsify_count;
/* Every order rule and every non-pass alternative of tc; problems go to d as file:line.
 * Returns the number of problems; counts what was checked into *n (may be NULL). */
int falsify_testcase(const testcase *tc, diag *d, falsify_count *n);

#endif
