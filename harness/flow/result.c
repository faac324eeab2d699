#include "result.h"
#include <stdlib.h>
#include <string.h>

void test_result_free(test_result *r)
{
    if (!r) return;
    free(r->id);
    free(r->role);
    free(r->area);
    free(r->title);
    free(r->file);
    free(r->reason);
    free(r->error_type);
    free(r->output);
    free(r->timeline_file);
    free(r->known_reason);
    free(r->attempts);
    memset(r, 0, sizeof *r);
}

void run_summary_add(run_summary *s, verdict v)
{
    s->total++;
    switch (v) {
    case VERDICT_PASS: s->pass++; break;
    case VERDICT_WARN: s->warn++; break;
    case VERDICT_FAIL: s->fail++; break;
    case VERDICT_ERROR: s->error++; break;
    case VERDICT_SKIP: s->skip++; break;
    case VERDICT_XFAIL: s->xfail++; break;
    case VERDICT_XPASS: s->xpass++; break;
    /* none (no verdict was ever set) proved nothing: counted as inconclusive. */
    case VERDICT_INCONC:
    case VERDICT_NONE:
    default: s->inconc++; break;
    }
}

int run_summary_exit_code(const run_summary *s)
{
    return (s->fail || s->error || s->inconc || s->xpass) ? 1 : 0;
}
