/* libFuzzer target for the requirement list (testcases/schema/requirements.xml): the bytes go
 * through requirements_load_mem with the real schema and without it. Invariants: a refusal
 * says why and leaves an empty list; what the schema accepts the loader alone accepts too;
 * a loaded list has unique ids, planned reasons only for its roles, and its coverage by
 * no test case is all planned or uncovered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "model/requirements.h"
#include "fuzz_target.h"

#define SCHEMA M2M_DATA_DIR "/testcases/schema/requirements.xsd"

static void use(const req_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (requirements_find(l, l->items[i].id) != &l->items[i]) abort();   /* ids unique */
        for (int r = 0; r < REQ_NROLES; r++)
            if (l->items[i].planned[r] && !l->items[i].roles[r]) abort();
    }
    coverage c;
    coverage_compute(l, NULL, 0, &c);
    if (c.covered || c.nunknown || c.planned + c.uncovered == 0) abort();
    coverage_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    int rc[2];
    for (int k = 0; k < 2; k++) {
        diag d;
        diag_init(&d);
        req_list l;
        rc[k] = requirements_load_mem("fuzz.xml", buf, size, k ? SCHEMA : NULL, &l, &d);
        if (rc[k] == 0) use(&l);
        else if (l.n || l.items || diag_count(&d) == 0) abort();
        requirements_free(&l);
        diag_free(&d);
    }
    if (rc[1] == 0 && rc[0] != 0) abort();
    return 0;
}
