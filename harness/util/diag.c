#include "diag.h"
#include "xmem.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diag *d) { d->items = NULL; d->n = d->cap = 0; }

void diag_free(diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    diag_init(d);
}

void diag_error(diag *d, const char *file, int line, const char *fmt, ...)
{
    xgrow((void **)&d->items, &d->cap, d->n + 1, sizeof *d->items);
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    va_end(ap);
    diag_entry *e = &d->items[d->n++];
    e->file = xstrdup(file);
    e->line = line;
    e->message = msg;
}

size_t diag_count(const diag *d) { return d->n; }

void diag_print(const diag *d, void *fp)
{
    FILE *f = fp;
    for (size_t i = 0; i < d->n; i++) {
        const diag_entry *e = &d->items[i];
        if (e->file && e->line > 0) fprintf(f, "%s:%d: error: %s\n", e->file, e->line, e->message);
        else if (e->file) fprintf(f, "%s: error: %s\n", e->file, e->message);
        else fprintf(f, "error: %s\n", e->message);
    }
}

int diag_contains(const diag *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->items[i].message, needle)) return 1;
    return 0;
}
