/* Console reporter: one line per test as it finishes, the summary last. */
#ifndef M2M_CONSOLE_H
#define M2M_CONSOLE_H
#include <stdio.h>
#include "../flow/result.h"

typedef struct console {
    FILE *out;
    int color;         /* only on a terminal */
    int verbose;
    size_t index, total;
} console;

void console_init(console *c, FILE *out, size_t total, int verbose);
/* "[ 3/12] PASS   in-cse.sae  TC_SEC_SAE_PSK_001  (0.84 s)" and, if not a pass, the reason. */
void console_test_done(console *c, const test_result *r);
void console_summary(console *c, const run_summary *s, const char *report_dir);

#endif
