#include "run_report.h"
#include "bundle.h"
#include "capture.h"
#include "html.h"
#include "msc.h"
#include "results_json.h"
#include "tljson.h"
#include "../util/xmem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int report_is_failing(verdict v)
{
    return v == VERDICT_FAIL || v == VERDICT_ERROR || v == VERDICT_INCONC || v == VERDICT_XPASS;
}

char **report_steps(const char *output, size_t *n)
{
    *n = 0;
    char **out = NULL;
    const char *p = output ? strstr(output, "\nsteps:\n") : NULL;
    if (!p) return NULL;
    for (p += 8; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 9 && !strncmp(p, "timeline:", 9)) break;
        out = xrealloc(out, (*n + 1) * sizeof *out);
        out[(*n)++] = xstrndup(p, len);
        if (!end) break;
        p = end + 1;
    }
    return out;
}

void free_lines(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

/* ---- the observer, in the test's process ---- */

static char *sub_path(const run_info *ri, const char *sub, const char *id, const char *ext)
{
    char *dir = xasprintf("%s/%s", ri->report_dir, sub);
    mkdir(dir, 0755);
    char *p = xasprintf("%s/%s%s", dir, id, ext);
    free(dir);
    return p;
}

static void obs_begin(void *ctx, const testcase *tc)
{
    (void)tc;
    run_observer_ctx *c = ctx;
    if (c->ri->pcap) capture_begin();
}

static void obs_end(void *ctx, const testcase *tc, const timeline *tl, const test_result *r)
{
    (void)r;
    run_observer_ctx *c = ctx;
    char *path = sub_path(c->ri, "timelines", tc->id, ".json");
    if (tljson_write(path, tc->id, tl) < 0) fprintf(stderr, "run: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    if (c->ri->pcap) {
        path = sub_path(c->ri, "captures", tc->id, ".pcapng");
        if (capture_end(path) < 0) fprintf(stderr, "run: cannot write %s: %s\n", path, strerror(errno));
        free(path);
    }
}

static void obs_tick(void *ctx)
{
    run_observer_ctx *c = ctx;
    if (c->progress) c->progress(c->progress_arg);
}

void run_report_observer(exec_observer *obs, run_observer_ctx *ctx)
{
    obs->begin = obs_begin;
    obs->end = obs_end;
    obs->tick = obs_tick;
    obs->ctx = ctx;
}

/* ---- the reports, in the parent ---- */

static char *existing(const run_info *ri, const char *rel)
{
    char *abs = xasprintf("%s/%s", ri->report_dir, rel);
    int ok = access(abs, R_OK) == 0;
    free(abs);
    return ok ? xstrdup(rel) : NULL;
}

int run_report_write(const run_info *ri, const profile *p, testcase *const *tcs,
                     const test_result *rs, size_t n)
{
    report_test *ts = xcalloc(n ? n : 1, sizeof *ts);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        report_test *t = &ts[i];
        t->tc = tcs[i];
        t->r = &rs[i];
        timeline_init(&t->tl);
        if (rs[i].v != VERDICT_SKIP) {
            char *rel = xasprintf("timelines/%s.json", rs[i].id), *abs = xasprintf("%s/%s", ri->report_dir, rel);
            char err[256];
            /* A test killed before it wrote its timeline has none: that is its error, not the report's. */
            if (access(abs, R_OK) == 0) {
                long total = tljson_read_head(abs, &t->tl, REPORT_TIMELINE_HEAD, NULL, err, sizeof err);
                t->has_tl = total >= 0;
                t->tl_total = total >= 0 ? (size_t)total : 0;
                if (!t->has_tl) fprintf(stderr, "run: %s: %s\n", abs, err);
            }
            free(rel);
            free(abs);
            char *cap = xasprintf("captures/%s.pcapng", rs[i].id);
            t->capture = existing(ri, cap);
            free(cap);
        }
        t->violations = msc_violations(rs[i].output);
        if (report_is_failing(rs[i].v)) t->bundle = bundle_write(ri, p, t);
    }
    char *jp = xasprintf("%s/results.json", ri->report_dir), *hp = xasprintf("%s/report.html", ri->report_dir);
    if (results_json_write(jp, ri, p, ts, n) < 0) { fprintf(stderr, "run: cannot write %s\n", jp); rc = -1; }
    if (html_write(hp, ri, p, ts, n) < 0) { fprintf(stderr, "run: cannot write %s\n", hp); rc = -1; }
    free(jp);
    free(hp);
    for (size_t i = 0; i < n; i++) {
        timeline_free(&ts[i].tl);
        free(ts[i].capture);
        free(ts[i].bundle);
        free(ts[i].violations);
    }
    free(ts);
    return rc;
}
