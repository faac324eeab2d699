#include "html.h"
#include "msc.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CSS[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code,pre,.mono{font-family:ui-monospace,monospace;font-size:12px}"
    "pre{background:#f8f8f8;padding:6px;overflow-x:auto;white-space:pre-wrap}"
    ".v{font-weight:bold;padding:0 4px;border-radius:3px}"
    ".v-pass{background:#d7f5d7}.v-warn{background:#fff1b8}.v-skip,.v-xfail{background:#d9f0f7}"
    ".v-inconc{background:#f2d9f2}.v-fail,.v-error,.v-xpass{background:#f7c6c6}"
    "section.test{border-top:2px solid #ccc;margin-top:1.5em}.hidden{display:none}"
    "svg.msc{font:12px ui-monospace,monospace;background:#fff;border:1px solid #ddd}"
    "svg .lane{fill:#eef;stroke:#88a}svg .life{stroke:#aaa;stroke-dasharray:4 3}"
    "svg .msg{stroke:#234;stroke-width:1.5}svg .msg.plain{stroke-dasharray:6 4;stroke:#a60}"
    "svg .span{fill:#eef6ee;stroke:#9b9}svg .span.warn{fill:#fbe3d6;stroke:#d84}svg .span.net{fill:#eee;stroke:#aaa}"
    "svg .note{fill:#f7f7f7;stroke:#ccc}svg .note.warn{fill:#fbe3d6}svg .bad text,svg text.bad{fill:#c00;font-weight:bold}"
    "svg .row.bad line{stroke:#c00;stroke-width:2.5}svg .row.bad rect{stroke:#c00;stroke-width:2}svg .mark{fill:#c00}"
    "svg .t{fill:#777}";

/* The filters: a row or section shows when it matches all three selects. Wrapped in
 * CDATA so the page stays well-formed XML. */
static const char JS[] =
    "//<![CDATA[\n"
    "function m2mFilter(){var f={};['verdict','role','area'].forEach(function(k){f[k]=document.getElementById('f-'+k).value;});"
    "document.querySelectorAll('.filterable').forEach(function(e){var ok=true;"
    "for(var k in f){if(f[k]&&e.getAttribute('data-'+k)!==f[k])ok=false;}e.classList.toggle('hidden',!ok);});}\n"
    "//]]>\n";

static void td(strbuf *b, const char *s)
{
    sb_add(b, "<td>");
    sb_add_xml(b, s);
    sb_add(b, "</td>");
}

static void kv_row(strbuf *b, const char *k, const char *v)
{
    sb_add(b, "<tr><th>");
    sb_add_xml(b, k);
    sb_add(b, "</th>");
    td(b, v);
    sb_add(b, "</tr>\n");
}

static void verdict_span(strbuf *b, verdict v)
{
    sb_addf(b, "<span class=\"v v-%s\">%s</span>", verdict_name(v), verdict_name(v));
}

static void audit(strbuf *b, const run_info *ri, const profile *p)
{
    char num[64];
    sb_add(b, "<h2>Run</h2>\n<table class=\"audit\">\n");
    kv_row(b, "run", ri->run_id);
    char *hv = xasprintf("%s (git %s, build %s%s%s)", ri->harness_version, ri->harness_git, ri->build_type,
                         ri->build_sanitize[0] && strcmp(ri->build_sanitize, "none") ? ", sanitize " : "",
                         ri->build_sanitize[0] && strcmp(ri->build_sanitize, "none") ? ri->build_sanitize : "");
    kv_row(b, "harness", hv);
    free(hv);
    char *pv = xasprintf("%s (%s), sha256 %s", ri->profile_path, p->name ? p->name : "?", ri->profile_sha256);
    kv_row(b, "profile", pv);
    free(pv);
    char *sv = xasprintf("sha256 %s over %zu test case file(s)", ri->suite_sha256, ri->suite_files);
    kv_row(b, "test suite", sv);
    free(sv);
    kv_row(b, "transport", !p->transport_dtls ? "the IUT offers no DTLS (<transport dtls=\"no\">)" : "DTLS and plain CoAP");
    char *mcc = xasprintf("plain Mcc: %s (<transport plain-mcc>)", profile_plain_mcc_name(p->plain_mcc));
    kv_row(b, "plain Mcc", mcc);
    free(mcc);
    kv_row(b, "run mode", p->plain_coap_run ? "plain-CoAP run mode: NOT CERTIFYING (no association; access control over plain "
                                             "CoAP with AE originators registered on Mca)" : "secure");
    kv_row(b, "started", ri->started);
    kv_row(b, "ended", ri->ended);
    snprintf(num, sizeof num, "%llu", ri->seed);
    kv_row(b, "seed", num);
    kv_row(b, "host", ri->host);
    kv_row(b, "command", ri->command);
    for (size_t i = 0; i < ri->env.n; i++) {
        char *k = xasprintf("environment %s", ri->env.items[i].key);
        kv_row(b, k, ri->env.items[i].value ? ri->env.items[i].value : "(unset)");
        free(k);
    }
    sb_add(b, "</table>\n");
}

static void select_of(strbuf *b, const char *key, const report_test *ts, size_t n)
{
    sb_addf(b, "<label>%s <select id=\"f-%s\" onchange=\"m2mFilter()\"><option value=\"\">all</option>", key, key);
    for (size_t i = 0; i < n; i++) {
        const test_result *r = ts[i].r;
        const char *v = !strcmp(key, "verdict") ? verdict_name(r->v) : !strcmp(key, "role") ? r->role : r->area;
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) {
            const test_result *q = ts[j].r;
            const char *w = !strcmp(key, "verdict") ? verdict_name(q->v) : !strcmp(key, "role") ? q->role : q->area;
            dup = v && w && !strcmp(v, w);
        }
        if (dup || !v) continue;
        sb_add(b, "<option value=\"");
        sb_add_xml(b, v);
        sb_add(b, "\">");
        sb_add_xml(b, v);
        sb_add(b, "</option>");
    }
    sb_add(b, "</select></label> ");
}

static void data_attrs(strbuf *b, const test_result *r)
{
    sb_addf(b, " data-verdict=\"%s\" data-role=\"", verdict_name(r->v));
    sb_add_xml(b, r->role);
    sb_add(b, "\" data-area=\"");
    sb_add_xml(b, r->area);
    sb_add(b, "\"");
}

/* A row or section the filters act on: open, its data-* attributes, then mid, the test id,
 * close and the id again (its anchor and its text). */
static void filterable(strbuf *b, const char *open, const test_result *r, const char *mid, const char *close)
{
    sb_add(b, open);
    data_attrs(b, r);
    sb_add(b, mid);
    sb_add_xml(b, r->id);
    sb_add(b, close);
    sb_add_xml(b, r->id);
}

static void summary(strbuf *b, const run_info *ri, const profile *p, const report_test *ts, size_t n)
{
    run_summary s;
    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < n; i++) run_summary_add(&s, ts[i].r->v);
    sb_addf(b, "<h2>Summary</h2>\n<p>%zu tests: %zu pass, %zu warn, %zu fail, %zu error, %zu inconc, %zu skip, "
               "%zu xfail, %zu xpass &#8212; <b>%s</b></p>\n", s.total, s.pass, s.warn, s.fail, s.error,
            s.inconc, s.skip, s.xfail, s.xpass, run_summary_exit_code(&s) || !s.total ? "FAILED" : "PASSED");
    if (ri->other_role)   /* left out of the plan: counted, never listed as skips */
        sb_addf(b, "<p class=\"other-role\">%zu test(s) of the other role (%s) were not run: this profile has "
                   "the harness play %s.</p>\n", ri->other_role, ri->other_role_name ? ri->other_role_name : "?",
                p && p->role ? p->role : "?");
    sb_add(b, "<p class=\"filters\">");
    select_of(b, "verdict", ts, n);
    select_of(b, "role", ts, n);
    select_of(b, "area", ts, n);
    sb_add(b, "</p>\n<table class=\"summary\"><tr><th>test</th><th>role.area</th><th>title</th><th>verdict</th>"
              "<th>s</th><th>reason</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const test_result *r = ts[i].r;
        filterable(b, "<tr class=\"filterable\"", r, "><td><a href=\"#t-", "\">");
        sb_add(b, "</a></td><td>");
        sb_add_xml(b, r->role);
        sb_add(b, ".");
        sb_add_xml(b, r->area);
        sb_add(b, "</td>");
        td(b, r->title);
        sb_add(b, "<td>");
        verdict_span(b, r->v);
        sb_addf(b, "</td><td>%.2f</td><td>", r->seconds);
        sb_add_xml_cut(b, r->reason, 160);
        sb_add(b, "</td></tr>\n");
    }
    sb_add(b, "</table>\n");
}

/* Requirement id -> the tests that cover it, and what they gave. */
static void coverage(strbuf *b, const report_test *ts, size_t n)
{
    sb_add(b, "<h2>Requirement coverage</h2>\n<table class=\"coverage\"><tr><th>requirement</th><th>status</th>"
              "<th>tests</th></tr>\n");
    const char **seen = xcalloc(1, sizeof *seen);
    size_t nseen = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; ts[i].tc && c < ts[i].tc->ncovers; c++) {
            const char *req = ts[i].tc->covers[c];
            int dup = 0;
            for (size_t k = 0; k < nseen && !dup; k++) dup = !strcmp(seen[k], req);
            if (dup) continue;
            seen = xrealloc(seen, (nseen + 1) * sizeof *seen);
            seen[nseen++] = req;
            strbuf cell;
            sb_init(&cell);
            int ran = 0, bad = 0;
            for (size_t j = i; j < n; j++)
                for (size_t d = 0; ts[j].tc && d < ts[j].tc->ncovers; d++) {
                    if (strcmp(ts[j].tc->covers[d], req)) continue;
                    verdict v = ts[j].r->v;
                    if (v != VERDICT_SKIP) ran = 1;
                    if (verdict_fails_run(v) || v == VERDICT_XFAIL) bad = 1;
                    sb_add(&cell, "<a href=\"#t-");
                    sb_add_xml(&cell, ts[j].r->id);
                    sb_add(&cell, "\">");
                    sb_add_xml(&cell, ts[j].r->id);
                    sb_add(&cell, "</a> ");
                    verdict_span(&cell, v);
                    sb_add(&cell, " ");
                }
            sb_add(b, "<tr>");
            td(b, req);
            sb_addf(b, "<td>%s</td><td>%s</td></tr>\n", !ran ? "not tested (skipped)" : bad ? "not met" : "met",
                    cell.s ? cell.s : "");
            sb_free(&cell);
        }
    free(seen);
    sb_add(b, "</table>\n");
}

static void skipped(strbuf *b, const report_test *ts, size_t n)
{
    sb_add(b, "<h2>Skipped tests</h2>\n<table class=\"skipped\"><tr><th>test</th><th>reason</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        if (ts[i].r->v != VERDICT_SKIP) continue;
        /* A skipped test has no section of its own: its row here is what the links to it
         * (summary, coverage) land on. */
        sb_add(b, "<tr id=\"t-");
        sb_add_xml(b, ts[i].r->id);
        sb_add(b, "\">");
        td(b, ts[i].r->id);
        td(b, ts[i].r->reason ? ts[i].r->reason : "(no reason recorded)");
        sb_add(b, "</tr>\n");
    }
    sb_add(b, "</table>\n");
}

static void file_link(strbuf *b, const char *label, const char *href)
{
    if (!href) return;
    sb_add(b, "<a href=\"");
    sb_add_xml(b, href);
    sb_addf(b, "\">%s</a> ", label);
}

static void test_section(strbuf *b, const report_test *t, const profile *p, unsigned uid)
{
    const test_result *r = t->r;
    const testcase *tc = t->tc;
    filterable(b, "<section class=\"test filterable\"", r, " id=\"t-", "\"><h3>");
    sb_add(b, " ");
    verdict_span(b, r->v);
    sb_add(b, "</h3>\n<table>\n");
    kv_row(b, "title", r->title);
    if (tc) {
        kv_row(b, "requirement", tc->requirement);
        strbuf l;
        sb_init(&l);
        for (size_t i = 0; i < tc->ncovers; i++) sb_addf(&l, "%s%s", i ? " " : "", tc->covers[i]);
        kv_row(b, "requirement ids", l.s ? l.s : "");
        l.len = 0;
        for (size_t i = 0; i < tc->nreferences; i++) sb_addf(&l, "%s%s", i ? "; " : "", tc->references[i]);
        kv_row(b, "clauses", l.s ? l.s : "");
        sb_free(&l);
    }
    kv_row(b, "verdict", verdict_name(r->v));
    /* The reason is the expected-vs-actual statement of the step or rule that decided. */
    kv_row(b, "expected vs actual", r->reason && *r->reason ? r->reason : "as expected");
    if (r->error_type) kv_row(b, "error type", r->error_type);
    kv_row(b, "file", r->file);
    sb_add(b, "</table>\n<p>");
    file_link(b, "timeline", r->timeline_file);
    char *tj = t->has_tl ? xasprintf("timelines/%s.json", r->id) : NULL;
    file_link(b, "timeline (JSON)", tj);
    free(tj);
    file_link(b, "capture (pcapng)", t->capture);
    file_link(b, "reproduction bundle", t->bundle);
    sb_add(b, "</p>\n");
    size_t ns = 0;
    char **steps = report_steps(r->output, &ns);
    if (ns) {
        sb_add(b, "<h4>Steps</h4>\n<pre>");
        for (size_t i = 0; i < ns; i++) { sb_add_xml(b, steps[i]); sb_add(b, "\n"); }
        sb_add(b, "</pre>\n");
    }
    free_lines(steps, ns);
    if (t->has_tl && t->tl.n) {
        sb_add(b, "<h4>Message sequence chart</h4>\n");
        char *hl = xasprintf("harness (%s)", p->role ? p->role : "?");
        char *il = xasprintf("IUT (%s)", p->iut_kind ? p->iut_kind : p->name ? p->name : "?");
        size_t total = t->tl_total > t->tl.n ? t->tl_total : t->tl.n;
        msc_svg(b, &t->tl, total, t->violations, hl, il, uid);
        free(hl);
        free(il);
        sb_add(b, "<details><summary>Timeline</summary>\n<pre>");
        for (size_t i = 0; i < t->tl.n; i++) {
            char d[64];
            const tl_event *e = &t->tl.ev[i];
            snprintf(d, sizeof d, "%10.6f #%llu ", ns_to_sec(e->t_ns), (unsigned long long)e->seq);
            sb_add(b, d);
            sb_add_xml(b, e->name);
            if (e->peer) { sb_add(b, " peer="); sb_add_xml(b, e->peer); }
            for (size_t k = 0; k < e->nattrs; k++) {
                sb_add(b, " ");
                sb_add_xml(b, e->attrs[k].key);
                sb_add(b, "=");
                sb_add_xml_cut(b, e->attrs[k].value, 400);
            }
            sb_add(b, "\n");
        }
        sb_add(b, "</pre>");
        if (total > t->tl.n) {   /* the parent kept the head of a long timeline: the rest is in the files */
            sb_addf(b, "<p class=\"timeline-cut\">The first %zu of %zu events; all of them in ", t->tl.n, total);
            file_link(b, "the timeline", r->timeline_file);
            sb_add(b, "and ");
            char *tjs = xasprintf("timelines/%s.json", r->id);
            file_link(b, "its JSON", tjs);
            free(tjs);
            sb_add(b, "(also in results.json).</p>");
        }
        sb_add(b, "</details>\n");
    }
    sb_add(b, "</section>\n");
}

char *html_report(const run_info *ri, const profile *p, const report_test *ts, size_t n)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
               "<meta charset=\"utf-8\"/><title>m2m-harness report ");
    sb_add_xml(&b, ri->run_id);
    sb_addf(&b, "</title>\n<style>%s</style>\n<script>\n%s</script>\n</head>\n<body>\n<h1>m2m-harness report</h1>\n",
            CSS, JS);
    if (p->plain_coap_run)
        sb_add(&b, "<p class=\"banner\"><strong>Plain-CoAP run mode: this run is not certifying.</strong> No security "
                   "association was opened; the access-control tests ran over plain CoAP with AE originators registered "
                   "on Mca, to show how the CSE's access control behaves.</p>\n");
    audit(&b, ri, p);
    summary(&b, ri, p, ts, n);
    coverage(&b, ts, n);
    skipped(&b, ts, n);
    sb_add(&b, "<h2>Tests</h2>\n");
    for (size_t i = 0; i < n; i++)
        if (ts[i].r->v != VERDICT_SKIP) test_section(&b, &ts[i], p, (unsigned)i);
    sb_add(&b, "</body></html>\n");
    return sb_take(&b);
}

/* Writes doc (freed) to path through a temporary file renamed into place: a reader never
 * sees half a page. */
static int write_doc(const char *path, char *doc)
{
    char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        size_t len = strlen(doc);
        rc = fwrite(doc, 1, len, f) == len ? 0 : -1;
        if (fclose(f) != 0) rc = -1;
        if (rc == 0 && rename(tmp, path) != 0) rc = -1;
        if (rc != 0) unlink(tmp);
    }
    free(tmp);
    free(doc);
    return rc;
}

int html_write(const char *path, const run_info *ri, const profile *p, const report_test *ts, size_t n)
{
    return write_doc(path, html_report(ri, p, ts, n));
}

int html_index_write(const char *path, const char *run_id, const html_index_row *rows, size_t n)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
               "<meta charset=\"utf-8\"/><title>m2m-harness run ");
    sb_add_xml(&b, run_id);
    sb_add(&b, "</title>\n<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}"
               "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}th{background:#f3f3f3}"
               ".FAILED{background:#f7c6c6}.PASSED{background:#d7f5d7}</style>\n</head>\n<body>\n"
               "<h1>m2m-harness run ");
    sb_add_xml(&b, run_id);
    sb_add(&b, "</h1>\n<table class=\"profiles\"><tr><th>profile</th><th>role</th><th>result</th><th>tests</th>"
               "<th>pass</th><th>warn</th><th>fail</th><th>error</th><th>inconc</th><th>skip</th><th>xfail</th>"
               "<th>xpass</th><th>other role, not run</th><th>reports</th></tr>\n");
    run_summary all;
    memset(&all, 0, sizeof all);
    for (size_t k = 0; k < n; k++) {
        const html_index_row *u = &rows[k];
        const run_summary *s = &u->sum;
        const char *word = !s->total ? "NO TEST RAN" : run_summary_exit_code(s) ? "FAILED" : "PASSED";
        sb_add(&b, "<tr class=\"profile\"><td><a href=\"");
        sb_add_xml(&b, u->dir);
        sb_add(&b, "/report.html\">");
        sb_add_xml(&b, u->name);
        sb_add(&b, "</a></td><td>");
        sb_add_xml(&b, u->role);
        sb_addf(&b, "</td><td class=\"%s\">%s</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
                    "<td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>",
                !s->total || run_summary_exit_code(s) ? "FAILED" : "PASSED", word, s->total, s->pass, s->warn,
                s->fail, s->error, s->inconc, s->skip, s->xfail, s->xpass, s->other_role);
        const char *files[] = { "report.html", "junit.xml", "results.json" };
        for (size_t i = 0; i < 3; i++) {
            sb_add(&b, "<a href=\"");
            sb_add_xml(&b, u->dir);
            sb_addf(&b, "/%s\">%s</a> ", files[i], files[i]);
        }
        sb_add(&b, "</td></tr>\n");
        all.total += s->total; all.pass += s->pass; all.warn += s->warn; all.fail += s->fail;
        all.error += s->error; all.inconc += s->inconc; all.skip += s->skip; all.xfail += s->xfail;
        all.xpass += s->xpass; all.other_role += s->other_role;
    }
    sb_addf(&b, "</table>\n<p class=\"total\">%zu profiles, %zu tests: %zu pass, %zu warn, %zu fail, %zu error, "
                "%zu inconc, %zu skip, %zu xfail, %zu xpass; %zu of the other role not run &#8212; "
                "<a href=\"junit.xml\">junit.xml</a> (one testsuite per profile)</p>\n</body></html>\n",
            n, all.total, all.pass, all.warn, all.fail, all.error, all.inconc, all.skip, all.xfail, all.xpass,
            all.other_role);
    return write_doc(path, sb_take(&b));
}

