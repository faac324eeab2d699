/* libFuzzer target: the results.json reader of `m2m-harness merge`. The input is split at
 * the first NUL into two documents (two shards), merged, and merged with itself (which
 * must be refused when it holds any test: shards never overlap). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "report/merge_json.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *a = (const char *)data;
    const char *nul = memchr(data, 0, size);
    size_t la = nul ? (size_t)(nul - a) : size;
    const char *b = nul ? nul + 1 : "";
    size_t lb = nul ? size - la - 1 : 0;
    const char *bufs[2] = { a, b }, *names[2] = { "shard1.json", "shard2.json" };
    size_t lens[2] = { la, lb };
    diag d;
    diag_init(&d);
    char *out = results_merge_mem(bufs, lens, names, 2, &d);
    free(out);
    diag_free(&d);
    const char *same[2] = { a, a };
    size_t same_lens[2] = { la, la };
    diag_init(&d);
    out = results_merge_mem(same, same_lens, names, 2, &d);
    free(out);
    diag_free(&d);
    return 0;
}
