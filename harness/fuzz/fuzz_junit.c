/* libFuzzer target for the JUnit reader of `m2m-harness merge` (report/merge.h): the bytes
 * are one shard's junit.xml, merged with a valid report. Invariants: a refusal says why and
 * adds nothing; a merged document parses again, and merging it into a fresh merge gives the
 * same counts (they are recomputed from the test cases, whatever the input claimed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "report/merge.h"
#include "fuzz_target.h"

static const char *BASE =
    "<testsuites><testsuite name=\"in-cse\"><testcase name=\"TC_BASE_001\" classname=\"in-cse.sae\">"
    "<failure message=\"m\" type=\"fail\">m</failure></testcase></testsuite></testsuites>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag d;
    diag_init(&d);
    junit_merge *m = junit_merge_new();
    if (junit_merge_add_mem(m, "base.xml", BASE, strlen(BASE), &d) != 0) abort();
    junit_counts before, after, again;
    free(junit_merge_render(m, &before));
    if (junit_merge_add_mem(m, "fuzz.xml", (const char *)data, size, &d) != 0) {
        if (diag_count(&d) == 0) abort();
        free(junit_merge_render(m, &after));
        if (after.tests != before.tests) abort();   /* nothing taken from a refused report */
    }
    char *doc = junit_merge_render(m, &after);
    if (after.failures + after.errors + after.skipped > after.tests) abort();
    junit_merge_free(m);
    diag_free(&d);
    diag_init(&d);
    m = junit_merge_new();
    if (junit_merge_add_mem(m, "merged.xml", doc, strlen(doc), &d) != 0) abort();
    free(junit_merge_render(m, &again));
    if (again.tests != after.tests || again.failures != after.failures || again.errors != after.errors ||
        again.skipped != after.skipped)
        abort();
    junit_merge_free(m);
    diag_free(&d);
    free(doc);
    return 0;
}
