#include "console.h"
#include "../flow/timeline.h"
#include "../util/timeutil.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RESET "\033[0m"

static int digits(size_t n);

void console_init(console *c, FILE *out, size_t total, int verbose)
{
    c->out = out;
    c->verbose = verbose;
    c->index = 0;
    c->total = total;
    /* Colour only for a person at a terminal; NO_COLOR (no-color.org) and TERM=dumb opt out. */
    const char *term = getenv("TERM");
    c->color = out && isatty(fileno(out)) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
    /* The progress line rewrites itself with \r and erase-line: a terminal only, never a log. */
    c->quiet = 0;
    c->progress = out && isatty(fileno(out)) && !(term && strcmp(term, "dumb") == 0);
    c->drawn = 0;
    c->shown_secs = -1;
    c->t0_ns = mono_now_ns();
    c->current[0] = '\0';
    c->tag = NULL;
}

void console_set_quiet(console *c, int quiet)
{
    c->quiet = quiet;
    if (quiet) c->progress = 0;
}

static void clear_progress(console *c)
{
    if (!c->drawn) return;
    fputs("\r\033[K", c->out);
    c->drawn = 0;
}

static void draw_progress(console *c)
{
    long secs = (long)((mono_now_ns() - c->t0_ns) / NS_PER_SEC);
    size_t total = c->total > c->index ? c->total : c->index + 1;
    fprintf(c->out, "\r\033[K[%*zu/%zu] running %s  %ld:%02ld", digits(total), c->index + 1, total,
            c->current, secs / 60, secs % 60);
    fflush(c->out);
    c->drawn = 1;
    c->shown_secs = secs;
}

void console_test_start(console *c, const char *id)
{
    /* Test ids are schema-checked names; keep only what is printable anyway. */
    size_t j = 0;
    for (size_t i = 0; id && id[i] && j + 1 < sizeof c->current; i++)
        if ((unsigned char)id[i] >= 0x20 && (unsigned char)id[i] < 0x7f) c->current[j++] = id[i];
    c->current[j] = '\0';
    if (c->progress) draw_progress(c);
}

void console_tick(console *c)
{
    if (c->progress && c->current[0] && (mono_now_ns() - c->t0_ns) / NS_PER_SEC != c->shown_secs)
        draw_progress(c);
}

static const char *label_of(verdict v)
{
    switch (v) {
    case VERDICT_PASS: return "PASS";
    case VERDICT_WARN: return "WARN";
    case VERDICT_INCONC: return "INCONC";
    case VERDICT_FAIL: return "FAIL";
    case VERDICT_ERROR: return "ERROR";
    case VERDICT_SKIP: return "SKIP";
    case VERDICT_XFAIL: return "XFAIL";
    case VERDICT_XPASS: return "XPASS";
    case VERDICT_NONE:
    default: return "NONE";
    }
}

static const char *color_of(verdict v)
{
    switch (v) {
    case VERDICT_PASS: return "\033[32m";             /* green */
    case VERDICT_WARN: return "\033[33m";             /* yellow */
    case VERDICT_SKIP: case VERDICT_XFAIL: return "\033[36m"; /* cyan: not counted against */
    case VERDICT_INCONC: case VERDICT_NONE: return "\033[35m"; /* magenta */
    case VERDICT_FAIL: case VERDICT_ERROR: case VERDICT_XPASS:
    default: return "\033[1;31m";                     /* bold red: fail, error, xpass */
    }
}

/* Test data and reasons may quote what the IUT sent: never let a byte of it reach the
 * terminal as a control sequence. Newlines continue on a new line with the indent. */
static void put_clean(FILE *f, const char *s, const char *indent)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (p[i] == '\n') {
            if (i + 1 < n) fprintf(f, "\n%s", indent);
        } else if (p[i] == '\t') {
            fputc(' ', f);
        } else if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            /* C0, DEL, C1 (e.g. CSI) and invalid bytes: a lone 0x9b is CSI to some terminals */
            size_t k = len ? len : 1;
            for (size_t j = 0; j < k; j++) fprintf(f, "\\x%02x", p[i + j]);
            i += k;
            continue;
        } else {
            fwrite(p + i, 1, len, f);
            i += len;
            continue;
        }
        i++;
    }
}

/* Width padding that counts what put_clean writes for plain ASCII names. */
static void put_padded(FILE *f, const char *s, int width)
{
    put_clean(f, s, "");
    int len = (int)strlen(s);
    for (int i = len; i < width; i++) fputc(' ', f);
}

static int digits(size_t n)
{
    int d = 1;
    while (n >= 10) { n /= 10; d++; }
    return d;
}

/* Hundredths of a second, formatted by hand so the locale never changes the separator. */
static void put_seconds(FILE *f, double secs)
{
    if (!(secs > 0)) secs = 0;
    if (secs > 1e9) secs = 1e9;
    unsigned long long cs = (unsigned long long)(secs * 100.0 + 0.5);
    fprintf(f, "%llu.%02llu s", cs / 100, cs % 100);
}

void console_test_done(console *c, const test_result *r)
{
    FILE *f = c->out;
    clear_progress(c);
    c->index++;
    c->current[0] = '\0';
    if (c->quiet && !r->flaky && (r->v == VERDICT_PASS || r->v == VERDICT_SKIP || r->v == VERDICT_XFAIL)) return;
    size_t total = c->total > c->index ? c->total : c->index;
    int w = digits(total);
    fprintf(f, "[%*zu/%zu] ", w, c->index, total);
    /* A pass that needed another attempt is never shown as a plain pass. */
    const char *label = r->flaky && !verdict_fails_run(r->v) ? "FLAKY" : label_of(r->v);
    if (c->color) fprintf(f, "%s%-7s" RESET " ", color_of(r->v), label);
    else fprintf(f, "%-7s ", label);

    const char *role = r->role && *r->role ? r->role : "unknown";
    char classname[256];
    if (r->area && *r->area) snprintf(classname, sizeof classname, "%s.%s", role, r->area);
    else snprintf(classname, sizeof classname, "%s", role);
    put_padded(f, classname, 16);
    fputc(' ', f);
    put_clean(f, r->id ? r->id : "(no id)", "");
    if (c->tag) {
        fputs(" [", f);
        put_clean(f, c->tag, "");
        fputc(']', f);
    }
    fputs(" (", f);
    put_seconds(f, r->seconds);
    fputs(")\n", f);

    const char *indent = "        ";
    int show_reason = r->reason && *r->reason && (r->v != VERDICT_PASS || c->verbose || r->flaky);
    if (!show_reason && r->v != VERDICT_PASS && r->v != VERDICT_SKIP) {
        /* A non-pass always says why, even when the executor gave no reason. */
        fprintf(f, "%sno reason recorded\n", indent);
    } else if (show_reason) {
        fputs(indent, f);
        put_clean(f, r->reason, indent);
        fputc('\n', f);
    } else if (r->v == VERDICT_SKIP) {
        fprintf(f, "%snot applicable\n", indent);
    }
    if (c->verbose && r->output && *r->output) {
        fputs(indent, f);
        put_clean(f, r->output, indent);
        fputc('\n', f);
    }
    fflush(f);
}

static void put_count(FILE *f, int color, const char *col, size_t n, const char *what, int *first)
{
    fputs(*first ? "" : ", ", f);
    *first = 0;
    if (color && n) fprintf(f, "%s%zu %s" RESET, col, n, what);
    else fprintf(f, "%zu %s", n, what);
}

void console_summary(console *c, const run_summary *s, const char *report_dir)
{
    console_summary_role(c, s, NULL, report_dir);
}

static void put_counts(console *c, const run_summary *s);

void console_profile_line(console *c, const char *name, const run_summary *s, const char *report)
{
    FILE *f = c->out;
    clear_progress(c);
    fputs("  ", f);
    put_padded(f, name ? name : "?", 24);
    fputc(' ', f);
    put_counts(c, s);
    if (s->other_role) fprintf(f, "; %zu of the other role not run", s->other_role);
    int failed = run_summary_exit_code(s) != 0 || s->total == 0;
    fprintf(f, "  %s  ", s->total == 0 ? "NO TEST RAN" : failed ? "FAILED" : "PASSED");
    put_clean(f, report ? report : "", "");
    fputc('\n', f);
}

static void put_counts(console *c, const run_summary *s)
{
    FILE *f = c->out;
    int first = 1, col = c->color;
    fprintf(f, "%zu %s: ", s->total, s->total == 1 ? "test" : "tests");
    put_count(f, col, color_of(VERDICT_PASS), s->pass, "passed", &first);
    /* The rest only when present: the line stays short on a clean run. */
    if (s->warn) put_count(f, col, color_of(VERDICT_WARN), s->warn, "warned", &first);
    if (s->fail) put_count(f, col, color_of(VERDICT_FAIL), s->fail, "failed", &first);
    if (s->error) put_count(f, col, color_of(VERDICT_ERROR), s->error, s->error == 1 ? "error" : "errors", &first);
    if (s->inconc) put_count(f, col, color_of(VERDICT_INCONC), s->inconc, "inconclusive", &first);
    if (s->skip) put_count(f, col, color_of(VERDICT_SKIP), s->skip, "skipped", &first);
    if (s->xfail) put_count(f, col, color_of(VERDICT_XFAIL), s->xfail, "expected failures", &first);
    if (s->xpass) put_count(f, col, color_of(VERDICT_XPASS), s->xpass, "unexpected passes", &first);
}

void console_summary_role(console *c, const run_summary *s, const char *other_role_name, const char *report_dir)
{
    FILE *f = c->out;
    clear_progress(c);
    int col = c->color;
    fputc('\n', f);
    put_counts(c, s);
    /* The other role's tests were never in the plan: counted, not listed as skips. */
    if (s->other_role)
        fprintf(f, "; %zu test%s of the other role%s%s%s not run", s->other_role, s->other_role == 1 ? "" : "s",
                other_role_name ? " (" : "", other_role_name ? other_role_name : "", other_role_name ? ")" : "");
    fputc('\n', f);
    /* An empty run certifies nothing: never call it passed. */
    int failed = run_summary_exit_code(s) != 0 || s->total == 0;
    const char *word = s->total == 0 ? "NO TEST RAN" : failed ? "FAILED" : "PASSED";
    if (col) fprintf(f, "result: %s%s" RESET "\n", failed ? color_of(VERDICT_FAIL) : color_of(VERDICT_PASS), word);
    else fprintf(f, "result: %s\n", word);
    if (report_dir) {
        fputs("report: ", f);
        put_clean(f, report_dir, "");
        fputc('\n', f);
    }
    fflush(f);
}

void console_reports(console *c, const char *report_dir, int captures, size_t bundles)
{
    static const char *const files[] = { "junit.xml", "results.json", "report.html" };
    FILE *f = c->out;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        fprintf(f, "  %-13s", files[i]);
        put_clean(f, report_dir, "");
        fprintf(f, "/%s\n", files[i]);
    }
    if (bundles) {
        fprintf(f, "  %-13s", "bundles");
        put_clean(f, report_dir, "");
        fprintf(f, "/bundles/  (%zu: sh bundles/<ID>/replay.sh replays one)\n", bundles);
    }
    if (captures) {
        fprintf(f, "  %-13s", "captures");
        put_clean(f, report_dir, "");
        /* The run says it wrote them: they carry the session keys. */
        fputs("/captures/  (pcapng with the DTLS keys embedded: treat them as secrets)\n", f);
    }
    fflush(f);
}
