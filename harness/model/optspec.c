#include "optspec.h"
#include "../util/hex.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cm_optspec_parse(const char *spec, uint16_t *num, uint8_t **val, size_t *len, char *err, size_t errlen)
{
    *val = NULL;
    *len = 0;
    char *end;
    errno = 0;
    unsigned long n = strtoul(spec, &end, 10);
    if (end == spec || errno || n == 0 || n > 65535 || (*end && *end != ':')) {
        snprintf(err, errlen, "expected NUM or NUM:HEX with NUM an option number 1-65535");
        return -1;
    }
    if (*end == ':' && end[1] && hex_decode(end + 1, val, len) < 0) {
        snprintf(err, errlen, "the value after ':' is not hex (an even number of digits 0-9, a-f)");
        return -1;
    }
    *num = (uint16_t)n;
    return 0;
}

int cm_optspec_parse_list(const char *spec, size_t max, uint16_t *nums, uint8_t **vals, size_t *lens, size_t *n,
                          char *err, size_t errlen)
{
    *n = 0;
    const char *p = spec;
    for (;;) {
        size_t w = strcspn(p, " ");
        if (*n == max) {
            snprintf(err, errlen, "more than %zu options", max);
            break;
        }
        char *one = strndup(p, w);
        char why[128] = "out of memory";
        int rc = one ? cm_optspec_parse(one, &nums[*n], &vals[*n], &lens[*n], why, sizeof why) : -1;
        free(one);
        if (rc < 0) {
            snprintf(err, errlen, "option %zu: %s", *n + 1, why);
            break;
        }
        (*n)++;
        if (!p[w]) return 0;
        p += w + 1;
    }
    for (size_t i = 0; i < *n; i++) free(vals[i]);
    *n = 0;
    return -1;
}
