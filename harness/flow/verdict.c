#include "verdict.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
    [VERDICT_NONE] = "none",     [VERDICT_PASS] = "pass",   [VERDICT_WARN] = "warn",
    [VERDICT_INCONC] = "inconc", [VERDICT_FAIL] = "fail",   [VERDICT_ERROR] = "error",
    [VERDICT_SKIP] = "skip",     [VERDICT_XFAIL] = "xfail", [VERDICT_XPASS] = "xpass",
};
#define NVERDICTS (sizeof names / sizeof names[0])

const char *verdict_name(verdict v)
{
    return (unsigned)v < NVERDICTS ? names[v] : "unknown";
}

int verdict_from_name(const char *name, verdict *out)
{
    if (!name) return -1;
    for (size_t i = 0; i < NVERDICTS; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (verdict)i;
            return 0;
        }
    }
    return -1;
}

int verdict_rank(verdict v)
{
    switch (v) {
    case VERDICT_NONE: return 0;
    case VERDICT_PASS: return 1;
    case VERDICT_WARN: return 2;
    case VERDICT_INCONC: return 3;
    case VERDICT_FAIL: return 4;
    case VERDICT_ERROR: return 5;
    case VERDICT_SKIP: case VERDICT_XFAIL: case VERDICT_XPASS:   /* outside the lattice */
    default: return -1;
    }
}

int verdict_fails_run(verdict v)
{
    /* none: a test that ended without any verdict proved nothing, like inconc. */
    return v == VERDICT_NONE || v == VERDICT_INCONC || v == VERDICT_FAIL ||
           v == VERDICT_ERROR || v == VERDICT_XPASS;
}

void verdict_init(verdict_state *s)
{
    s->v = VERDICT_NONE;
    s->reason[0] = '\0';
}

/* skip, xfail and xpass are final classifications (applicability decided before the
 * run, known failures applied after it): they replace whatever is there, and once set
 * the lattice values no longer move the verdict. */
void verdict_set(verdict_state *s, verdict v, const char *fmt, ...)
{
    int cur = verdict_rank(s->v), next = verdict_rank(v);
    if (next < 0) {
        if (s->v == v) return; /* keep the first reason */
    } else if (cur < 0 || next <= cur) {
        return;
    }
    s->v = v;
    s->reason[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->reason, sizeof s->reason, fmt, ap);
        va_end(ap);
    }
}
