/* Verdicts as in TTCN-3: none < pass < inconc < fail < error, and a test's
 * verdict only gets worse. warn is a pass with a reason ("should" not met); skip is set
 * before a test runs (not applicable); xfail/xpass come from the known-failures list. */
#ifndef M2M_VERDICT_H
#define M2M_VERDICT_H
#include <stddef.h>

typedef enum {
    VERDICT_NONE = 0,
    VERDICT_PASS,
    VERDICT_WARN,
    VERDICT_INCONC,
    VERDICT_FAIL,
    VERDICT_ERROR,
    VERDICT_SKIP,
    VERDICT_XFAIL,
    VERDICT_XPASS,
} verdict;

const char *verdict_name(verdict v);           /* "pass", "inconc", ... */
int verdict_from_name(const char *name, verdict *out); /* 0 ok, -1 unknown */
/* Rank in the lattice for the five TTCN-3 values (+warn between pass and inconc). */
int verdict_rank(verdict v);
/* True if this verdict makes the run's exit code 1. */
int verdict_fails_run(verdict v);

typedef struct verdict_state {
    verdict v;
    char reason[2048];  /* the reason of the first event that set the current (worst) value */
} verdict_state;

void verdict_init(verdict_state *s);
/* Moves to v if v is worse than the current value; the reason is kept only then. */
void verdict_set(verdict_state *s, verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
