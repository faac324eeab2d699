/* Diagnostics for bad input: every message names file, line and what was expected.
 * A loader appends to a diag list instead of printing, so the CLI can print them all,
 * a test can assert on them, and nothing is lost on the first error. */
#ifndef M2M_DIAG_H
#define M2M_DIAG_H
#include <stddef.h>

typedef struct diag_entry {
    char *file;      /* may be NULL when the problem is not in a file */
    int line;        /* 0 when unknown */
    char *message;
} diag_entry;

typedef struct diag {
    diag_entry *items;
    size_t n, cap;
} diag;

void diag_init(diag *d);
void diag_free(diag *d);
/* Appends "file:line: message". Never fails silently: on allocation failure aborts. */
void diag_error(diag *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t diag_count(const diag *d);
/* Writes every entry as "file:line: error: message\n". */
void diag_print(const diag *d, void *file /* FILE* */);
/* True if any entry's message contains needle (for tests). */
int diag_contains(const diag *d, const char *needle);

#endif
