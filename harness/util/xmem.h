/* Allocation helpers that abort on exhaustion: the harness has no sensible way to go on
 * without memory, and a NULL check at every call site hides real logic. Plus a growable
 * string buffer built on them. */
#ifndef M2M_XMEM_H
#define M2M_XMEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow *arr (element size esz) so that it holds at least need elements. */
void xgrow(void **arr, size_t *cap, size_t need, size_t esz);

/* Growable string buffer. */
typedef struct strbuf { char *s; size_t len, cap; } strbuf;
void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_add(strbuf *b, const char *s);
void sb_addn(strbuf *b, const char *s, size_t n);
void sb_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_take(strbuf *b);                /* returns the string, resets b */
/* Appends the whole file at path; -1 (errno set, b unchanged) when it cannot be opened. */
int sb_read_file(strbuf *b, const char *path);

#endif
