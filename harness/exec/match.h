/* Matching expectations against timeline events. Message alternatives of an <expect> are
 * matched against msg.rx / msg.tx events, whose attributes carry the decoded primitive
 * (op, ty, fr, to, rqi, rsc, rvi, secure, type, code, pc), so a verdict always points at
 * a recorded event. */
#ifndef M2M_MATCH_H
#define M2M_MATCH_H
#include "../flow/timeline.h"
#include "../model/testcase.h"
#include "../model/vars.h"

/* 1 if event e satisfies alternative a (ALT_MSG or ALT_EVENT), 0 if not, -1 on a bad
 * selector or variable (reason in err). */
int match_alt(const tc_alt *a, const tl_event *e, const vars *v, char *err, size_t errlen);
/* Value of a field of an event for match/capture: attributes, or "pc:<path>" into the
 * JSON content kept in the "pc" attribute. Returns a new string or NULL. */
char *event_field(const tl_event *e, const char *field);
/* Sets every capture of a from e; returns -1 if a captured field is absent (reason in err). */
int capture_apply(const tc_alt *a, const tl_event *e, vars *v, char *err, size_t errlen);
/* "msg.rx[op=create,ty=16,secure=true]" — the alternative in selector-like words. */
void alt_describe(const tc_alt *a, char *buf, size_t len);
/* What arrived from event `from` on that the harness could not take as an answer, for a
 * step's failure message: "; received but unusable: malformed: REASON; rejected: REASON"
 * (at most 3, then a count), or "" when nothing did. */
void rx_unusable(const timeline *tl, size_t from, char *buf, size_t len);

#endif
