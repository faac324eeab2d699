#include "xmem.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
    fputs("m2m-harness: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom();
    return q;
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    if (!s) return NULL;
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0) oom();
    return s;
}

void xgrow(void **arr, size_t *cap, size_t need, size_t esz)
{
    if (need <= *cap) return;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc < need) nc *= 2;
    *arr = xrealloc(*arr, nc * esz);
    memset((char *)*arr + *cap * esz, 0, (nc - *cap) * esz);
    *cap = nc;
}

void sb_init(strbuf *b) { b->s = NULL; b->len = b->cap = 0; }
void sb_free(strbuf *b) { free(b->s); sb_init(b); }

void sb_addn(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        while (nc < b->len + n + 1) nc *= 2;
        b->s = xrealloc(b->s, nc);
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_add(strbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

void sb_addf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0) oom();
    sb_addn(b, s, (size_t)r);
    free(s);
}

char *sb_take(strbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    sb_init(b);
    return s;
}

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

int64_t mono_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t parse_duration_ns(const char *text)
{
    if (!text || !*text) return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || v < 0 || v > 86400.0 * 365) return -1;
    double mult;
    if (strcmp(end, "ms") == 0) mult = 1e6;
    else if (strcmp(end, "s") == 0) mult = 1e9;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) mult = 60e9;
    else if (strcmp(end, "us") == 0) mult = 1e3;
    else return -1;
    return (int64_t)(v * mult + 0.5);
}
