/* libFuzzer target for dtls_hs_gap (harness/net/dtls_hsorder.h), which reads datagrams from
 * the wire: never reads past the input, never lowers the highest message_seq, and reports a
 * gap only when it raised it by more than one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/dtls_hsorder.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);   /* exact size: ASan sees any overread */
    memcpy(p, data, size);
    long max = size ? (long)(data[0] % 4) - 1 : -1, before = max;
    int gap = dtls_hs_gap(&max, p, size);
    if (max < before) abort();
    if (gap && max <= before + 1) abort();
    free(p);
    return 0;
}
