#include "results_json.h"
#include "tljson.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include "../onem2m/release.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x) tljson_str(x)

static json_t *str_array(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, S(v[i]));
    return a;
}

json_t *results_json_run(const run_info *ri)
{
    json_t *env = json_object();
    for (size_t i = 0; i < ri->env.n; i++)
        json_object_set_new(env, ri->env.items[i].key, S(ri->env.items[i].value));
    return json_pack("{s:o, s:{s:o, s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:o, s:o, s:I, s:b,"
                     " s:{s:o, s:o}, s:{s:o, s:I}, s:o}",
                     "id", S(ri->run_id),
                     "harness", "version", S(ri->harness_version), "git", S(ri->harness_git),
                     "build_type", S(ri->build_type), "sanitize", S(ri->build_sanitize),
                     "executable", S(ri->harness_exe),
                     "started", S(ri->started), "ended", S(ri->ended[0] ? ri->ended : ri->started),
                     "host", S(ri->host), "command", S(ri->command), "cwd", S(ri->cwd),
                     "seed", (json_int_t)(ri->seed & 0x7fffffffffffffffULL), "pcap", ri->pcap,
                     "profile", "path", S(ri->profile_path), "sha256", S(ri->profile_sha256),
                     "suite", "sha256", S(ri->suite_sha256), "files", (json_int_t)ri->suite_files,
                     "environment", env);
}

static json_t *secs(int64_t ns) { return json_real(ns_to_sec(ns)); }

static json_t *int_array(const int *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
    return a;
}

json_t *results_json_profile(const profile *p)
{
    json_t *trig = json_array();
    for (size_t i = 0; i < p->ntriggers; i++)
        json_array_append_new(trig, json_pack("{s:o, s:o, s:o}", "name", S(p->triggers[i].name),
                                              "command", S(p->triggers[i].command), "prompt", S(p->triggers[i].prompt)));
    json_t *known = json_object();
    for (size_t i = 0; i < p->known_failures.n; i++)
        json_object_set_new(known, p->known_failures.items[i].key, S(p->known_failures.items[i].value));
    /* Identities and where the credentials are, never the key itself. */
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o,"
                     " s:{s:o, s:o, s:o, s:o, s:i, s:i},"
                     " s:{s:o, s:o, s:o, s:i, s:i},"
                     " s:{s:o, s:o, s:b, s:o, s:o},"
                     " s:o, s:o, s:o, s:i, s:o,"
                     " s:{s:o, s:i, s:o, s:o, s:o, s:o},"
                     " s:o, s:o, s:o}",
                     "file", S(p->file), "name", S(p->name), "role", S(p->role), "iut_kind", S(p->iut_kind),
                     "release", S(m2m_release_name(p->release)),
                     "iut", "address", S(p->iut_address), "host", S(p->iut_host), "cse_id", S(p->iut_cse_id),
                     "ae_id", S(p->iut_ae_id), "coap_port", p->iut_coap_port, "coaps_port", p->iut_coaps_port,
                     "harness", "address", S(p->harness_address), "host", S(p->harness_host),
                     "cse_id", S(p->harness_cse_id), "coap_port", p->listen_coap, "coaps_port", p->listen_coaps,
                     "credentials", "psk_identity", S(p->psk_identity), "psk_hint", S(p->psk_hint),
                     "psk_key_present", p->psk_key_len > 0, "certificate", S(p->x509_cert),
                     "trust", S(p->x509_trust),
                     "pics", str_array(p->pics, p->npics), "options", S(p->option_preset),
                     "serialization", S(p->serialization), "content_format", p->content_format,
                     "accept_formats", int_array(p->accept_formats, p->naccept_formats),
                     "timers", "ack_timeout", secs(p->ack_timeout_ns), "max_retransmit", p->max_retransmit,
                     "dtls_retransmit", secs(p->dtls_retrans_ns), "dtls_total", secs(p->dtls_total_ns),
                     "step_timeout", secs(p->step_timeout_ns), "test_deadline", secs(p->test_deadline_ns),
                     "triggers", trig, "ready_command", S(p->ready_command), "known_failures", known);
    /* <transport>, and the run mode it leads to: the plain-CoAP run mode certifies nothing */
    json_object_set_new(o, "transport", json_pack("{s:b, s:s, s:s, s:b}", "dtls", p->transport_dtls,
                                                  "plain_mcc", profile_plain_mcc_name(p->plain_mcc),
                                                  "run_mode", p->plain_coap_run ? "plain-coap" : "secure",
                                                  "certifying", !p->plain_coap_run));
    return o;
}

/* A test without its timeline (written after it, streamed from the test's file). */
static json_t *test_json(const report_test *t)
{
    const testcase *tc = t->tc;
    const test_result *r = t->r;
    size_t ns = 0;
    char **steps = report_steps(r->output, &ns);
    json_t *files = json_pack("{s:o, s:o, s:o, s:o}", "timeline", S(r->timeline_file),
                              "timeline_json", t->has_tl ? json_sprintf("timelines/%s.json", r->id) : json_null(),
                              "capture", S(t->capture), "bundle", S(t->bundle));
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f,"
                          " s:o, s:o, s:o, s:o, s:o, s:o}",
                          "id", S(r->id), "role", S(r->role), "area", S(r->area), "title", S(r->title),
                          "file", S(r->file), "verdict", json_string(verdict_name(r->v)),
                          "reason", S(r->reason && *r->reason ? r->reason : NULL), "error_type", S(r->error_type),
                          "seconds", r->seconds,
                          "requirement", S(tc ? tc->requirement : NULL),
                          "covers", tc ? str_array(tc->covers, tc->ncovers) : json_array(),
                          "references", tc ? str_array(tc->references, tc->nreferences) : json_array(),
                          "requires", tc ? str_array(tc->requires, tc->nrequires) : json_array(),
                          "steps", str_array(steps, ns), "files", files);
    free_lines(steps, ns);
    return o;
}

/* The document without its tests: "tests" is last, an empty array the writer fills. */
static json_t *doc_json(const run_info *ri, const profile *p, const report_test *ts, size_t n)
{
    run_summary sum;
    memset(&sum, 0, sizeof sum);
    json_t *skipped = json_array();
    for (size_t i = 0; i < n; i++) {
        run_summary_add(&sum, ts[i].r->v);
        if (ts[i].r->v == VERDICT_SKIP)
            json_array_append_new(skipped, json_pack("{s:o, s:o}", "id", S(ts[i].r->id), "reason", S(ts[i].r->reason)));
    }
    json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
                                "total", (json_int_t)sum.total, "pass", (json_int_t)sum.pass,
                                "warn", (json_int_t)sum.warn, "fail", (json_int_t)sum.fail,
                                "error", (json_int_t)sum.error, "inconc", (json_int_t)sum.inconc,
                                "skip", (json_int_t)sum.skip, "xfail", (json_int_t)sum.xfail,
                                "xpass", (json_int_t)sum.xpass, "exit_code", run_summary_exit_code(&sum));
    if (ri->other_role) json_object_set_new(summary, "other_role", json_integer((json_int_t)ri->other_role));
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "schema", RESULTS_SCHEMA_ID,
                     "run", results_json_run(ri), "profile_applied", results_json_profile(p),
                     "summary", summary, "skipped", skipped, "tests", json_array());
}

typedef struct results_doc {
    const run_info *ri;
    const profile *p;
    const report_test *ts;
    size_t n;
} results_doc;

/* Writes the dump s of an object without its last "\n}" (to add members after it). */
static int put_open(FILE *f, const char *s, const char *close)
{
    size_t len = strlen(s), cl = strlen(close);
    if (len < cl || strcmp(s + len - cl, close) != 0) return -1;
    return fwrite(s, 1, len - cl, f) == len - cl ? 0 : -1;
}

/* One test; its timeline streamed from timelines/<ID>.json, event by event. */
static int put_test(FILE *f, const results_doc *d, const report_test *t)
{
    json_t *o = test_json(t);
    char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(o);
    int rc = s ? put_open(f, s, "\n}") : -1;
    free(s);
    if (rc < 0 || fputs(",\n \"timeline\": ", f) < 0) return -1;
    if (!t->has_tl) return fputs("null\n}", f) < 0 ? -1 : 0;
    if (t->tl.n >= t->tl_total)   /* the report holds all of it: no need to read it again */
        return tljson_put_events(f, &t->tl, ",\n  ") < 0 || fputs("\n}", f) < 0 ? -1 : 0;
    char *path = xasprintf("%s/timelines/%s.json", d->ri->report_dir, t->r->id), err[256];
    if (tljson_copy_events(path, f, ",\n  ", err, sizeof err) < 0) {
        if (ferror(f)) rc = -1;
        else fprintf(stderr, "run: %s: %s (its timeline in results.json stops there)\n", path, err);
    }
    free(path);
    return rc < 0 || fputs("\n}", f) < 0 ? -1 : 0;
}

static int fill_results(FILE *f, const void *ctx)
{
    const results_doc *d = ctx;
    json_t *doc = doc_json(d->ri, d->p, d->ts, d->n);
    char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    int rc = s ? put_open(f, s, "[]\n}") : -1;   /* "tests" is the last member */
    free(s);
    if (rc == 0 && fputs("[\n", f) < 0) rc = -1;
    for (size_t i = 0; rc == 0 && i < d->n; i++) {
        if (i && fputs(",\n", f) < 0) rc = -1;
        else rc = put_test(f, d, &d->ts[i]);
    }
    return rc == 0 && fputs("\n ]\n}\n", f) >= 0 ? 0 : -1;
}

int results_json_write(const char *path, const run_info *ri, const profile *p, const report_test *ts, size_t n)
{
    results_doc d = { ri, p, ts, n };
    return tljson_write_atomic(path, fill_results, &d);
}
