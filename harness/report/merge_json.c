#include "merge_json.h"
#include "../flow/verdict.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The summary of results.json, recounted from the merged tests' verdicts. */
static json_t *recount(json_t *tests)
{
    static const char *const keys[] = { "pass", "warn", "fail", "error", "inconc", "skip", "xfail", "xpass" };
    size_t counts[8] = { 0 };
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        const char *v = json_string_value(json_object_get(t, "verdict"));
        for (size_t k = 0; v && k < 8; k++)
            if (!strcmp(v, keys[k])) counts[k]++;
    }
    json_t *s = json_object();
    json_object_set_new(s, "total", json_integer((json_int_t)json_array_size(tests)));
    for (size_t k = 0; k < 8; k++) json_object_set_new(s, keys[k], json_integer((json_int_t)counts[k]));
    int failed = counts[2] || counts[3] || counts[4] || counts[7];
    json_object_set_new(s, "exit_code", json_integer(failed ? 1 : 0));
    return s;
}

/* Merges documents already parsed (NULL entries were unreadable and are reported by the
 * caller); returns the merged document, NULL if anything was wrong. */
static json_t *merge_docs(json_t *const *docs, const char *const *names, size_t n, diag *d)
{
    size_t before = diag_count(d);
    json_t *out = NULL, *tests = json_array(), *skipped = json_array(), *runs = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *doc = docs[i];
        if (!doc) continue;
        if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "tests"))) {
            diag_error(d, names[i], 0, "not a results.json: no \"tests\" array");
            continue;
        }
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(doc, "tests"), k, t) {
            const char *id = json_string_value(json_object_get(t, "id"));
            size_t j;
            json_t *seen;
            json_array_foreach(tests, j, seen) {
                const char *other = json_string_value(json_object_get(seen, "id"));
                if (id && other && !strcmp(id, other))
                    diag_error(d, names[i], 0, "test %s is in more than one input: shards must not overlap", id);
            }
            json_array_append(tests, t);
        }
        json_t *sk = json_object_get(doc, "skipped");
        if (json_is_array(sk)) json_array_extend(skipped, sk);
        json_t *run = json_object_get(doc, "run");
        if (json_is_object(run)) json_array_append(runs, json_object_get(run, "id") ?: json_null());
        if (!out) out = json_deep_copy(doc);
    }
    if (out && diag_count(d) == before) {
        json_object_set(out, "tests", tests);
        json_object_set(out, "skipped", skipped);
        json_object_set_new(out, "summary", recount(tests));
        json_t *run = json_object_get(out, "run");
        if (json_is_object(run)) json_object_set(run, "merged_from", runs);
    } else {
        json_decref(out);
        out = NULL;
    }
    json_decref(tests);
    json_decref(skipped);
    json_decref(runs);
    return out;
}

static void free_docs(json_t **docs, size_t n)
{
    for (size_t i = 0; i < n; i++) json_decref(docs[i]);
    free(docs);
}

int results_merge(char *const *inputs, size_t n, const char *out_path, diag *d)
{
    json_t **docs = xcalloc(n ? n : 1, sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        json_error_t e;
        docs[i] = json_load_file(inputs[i], 0, &e);
        if (!docs[i]) diag_error(d, inputs[i], e.line, "%s", e.text);
    }
    json_t *out = merge_docs(docs, (const char *const *)inputs, n, d);
    free_docs(docs, n);
    if (!out) return -1;
    int rc = json_dump_file(out, out_path, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 ? 0 : -1;
    if (rc < 0) diag_error(d, out_path, 0, "cannot write the merged results");
    json_decref(out);
    return rc;
}

char *results_merge_mem(const char *const *bufs, const size_t *lens, const char *const *names, size_t n, diag *d)
{
    json_t **docs = xcalloc(n ? n : 1, sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        json_error_t e;
        docs[i] = json_loadb(bufs[i], lens[i], 0, &e);
        if (!docs[i]) diag_error(d, names[i], e.line, "%s", e.text);
    }
    json_t *out = merge_docs(docs, names, n, d);
    free_docs(docs, n);
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    return text;
}
