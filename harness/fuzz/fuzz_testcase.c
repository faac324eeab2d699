/* libFuzzer target for test case files (the suite is input like any other: a file from a
 * merge request, a vendor's own tests). The bytes go through testcase_load_mem against the
 * real schema, then the variable check with a fixed set of variables. The same bytes are
 * also loaded without the schema, so the loader's own checks meet every well-formed shape,
 * not only the few mutations that still validate. Invariants: a refusal always says why,
 * and what the schema accepts the loader alone accepts too. Bytes from memory have no folder:
 * an <include> in them is refused (never read), so fuzz input cannot reach any file. */
#include <stdint.h>
#include <stdlib.h>
#include "model/testcase.h"
#include "model/vars.h"
#include "fuzz_target.h"

#define SCHEMA M2M_DATA_DIR "/testcases/schema/testcase.xsd"

static vars known;
static int ready;

static int load_and_check(const uint8_t *data, size_t size, const char *schema)
{
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    int rc = testcase_load_mem("fuzz.xml", (const char *)data, size, schema, &tc, &d);
    if (rc == 0) {
        if (!tc) abort();
        (void)vars_check_testcase(&known, tc, &d);
        testcase_free(tc);
    } else if (tc || diag_count(&d) == 0) {
        abort(); /* failure must leave nothing behind and say why */
    }
    diag_free(&d);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        vars_init(&known);
        vars_placeholders(&known);
        vars_set(&known, "IUT_CSE_ID", "/asn-cse-1");
        vars_set(&known, "HARNESS_CSE_ID", "/in-cse");
        ready = 1;
    }
    int with_schema = load_and_check(data, size, SCHEMA);
    int without = load_and_check(data, size, NULL);
    if (with_schema == 0 && without != 0) abort();
    return 0;
}
