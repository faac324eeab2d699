#include "xmem.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* vasprintf that never fails; *len (when not NULL) gets the length. */
static char *xvasprintf(size_t *len, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static char *xvasprintf(size_t *len, const char *fmt, va_list ap)
{
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    if (r < 0) oom();
    if (len) *len = (size_t)r;
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(NULL, fmt, ap);
    va_end(ap);
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
    size_t n;
    char *s = xvasprintf(&n, fmt, ap);
    va_end(ap);
    sb_addn(b, s, n);
    free(s);
}

int sb_read_file(strbuf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_addn(b, chunk, n);
    fclose(f);
    return 0;
}

char *sb_take(strbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    sb_init(b);
    return s;
}
