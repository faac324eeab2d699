/* libFuzzer target for the KpsaID form check of a PSK identity a peer presents in SAE
 * (harness/net/kpsaid.h). Invariants: it reads only the given bytes (no NUL needed, so a
 * copy without one catches an over-read under ASan); an accepted identity has exactly the
 * properties TS-0003 §10.5 asks (an '@', a relative part of the allowed characters, an
 * FQDN without empty labels); the answer does not depend on bytes after len. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/kpsaid.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (size) memcpy(s, data, size);
    int ok = kpsaid_valid(s, size);
    if (ok) {
        const char *at = memchr(s, '@', size);
        if (!at || at == s || at == s + size - 1) abort();
        size_t fq = size - (size_t)(at + 1 - s);
        if (memchr(at + 1, '@', fq) || at[1] == '.' || s[size - 1] == '.' || memmem(at + 1, fq, "..", 2)) abort();
        for (const char *p = s; p < at; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p) || !*p) abort();
    }
    free(s);
    return 0;
}
