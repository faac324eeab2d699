#include "hex.h"
#include "xmem.h"
#include <stdlib.h>
#include <string.h>

char *hex_encode(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = xmalloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[n * 2] = '\0';
    return s;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int hex_decode(const char *hex, uint8_t **out, size_t *outlen)
{
    size_t n = strlen(hex);
    if (n % 2) return -1;
    uint8_t *p = xmalloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) { free(p); return -1; }
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = p;
    *outlen = n / 2;
    return 0;
}
