#include "tljson.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

json_t *tljson_str(const char *s)
{
    if (!s) return json_null();
    strbuf b;
    sb_init(&b);
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len == 0 || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f) {
            sb_addf(&b, "\\x%02x", p[i]);
            i++;
        } else {
            sb_addn(&b, s + i, len);
            i += len;
        }
    }
    json_t *j = json_stringn(b.s ? b.s : "", b.len);
    sb_free(&b);
    return j ? j : json_string("");
}

/* One event as tljson_events writes it. */
static json_t *event_json(const tl_event *e)
{
    json_t *attrs = json_object();
    for (size_t k = 0; k < e->nattrs; k++) {
        json_t *key = tljson_str(e->attrs[k].key);
        json_object_set_new(attrs, json_string_value(key), tljson_str(e->attrs[k].value));
        json_decref(key);
    }
    return json_pack("{s:I, s:f, s:o, s:o, s:o}", "seq", (json_int_t)e->seq, "t", ns_to_sec(e->t_ns),
                     "name", tljson_str(e->name), "peer", tljson_str(e->peer), "attrs", attrs);
}

json_t *tljson_events(const timeline *tl)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < tl->n; i++) json_array_append_new(arr, event_json(&tl->ev[i]));
    return arr;
}

/* Event by event, one per line: the document is never built whole in memory, so a test with
 * a fleet of associations (hundreds of thousands of events) writes it in constant space. */
static int write_doc(FILE *f, const char *test_id, const timeline *tl)
{
    json_t *id = tljson_str(test_id);
    char *ids = json_dumps(id, JSON_ENCODE_ANY);
    json_decref(id);
    int ok = ids && fprintf(f, "{\n \"test\": %s,\n \"events\": [", ids) > 0;
    free(ids);
    for (size_t i = 0; ok && i < tl->n; i++) {
        json_t *e = event_json(&tl->ev[i]);
        ok = fputs(i ? ",\n  " : "\n  ", f) >= 0 && json_dumpf(e, f, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0;
        json_decref(e);
    }
    return ok && fputs("\n ]\n}\n", f) >= 0 ? 0 : -1;
}

/* Writes path through a temporary file renamed into place (a reader never sees half a file):
 * fill writes the content. 0 or -1. */
static int write_atomic(const char *path, int (*fill)(FILE *f, const void *ctx), const void *ctx)
{
    char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = f ? fill(f, ctx) : -1;
    if (f && fclose(f) != 0) rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc != 0) unlink(tmp);
    free(tmp);
    return rc;
}

typedef struct tl_doc { const char *test_id; const timeline *tl; } tl_doc;

static int fill_timeline(FILE *f, const void *ctx)
{
    const tl_doc *d = ctx;
    return write_doc(f, d->test_id, d->tl);
}

int tljson_write(const char *path, const char *test_id, const timeline *tl)
{
    tl_doc d = { test_id, tl };
    return write_atomic(path, fill_timeline, &d);
}

static int fill_json(FILE *f, const void *ctx)
{
    return json_dumpf(ctx, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
}

int json_write_file(const char *path, json_t *doc)
{
    if (!doc) return -1;
    int rc = write_atomic(path, fill_json, doc);
    json_decref(doc);
    return rc;
}

static int bad(char *err, size_t errlen, const char *fmt, size_t i)
{
    snprintf(err, errlen, fmt, i);
    return -1;
}

/* One event object into tl; the reason in err when it is not what tljson_events writes. */
static int parse_event(json_t *e, size_t i, timeline *tl, char *err, size_t errlen)
{
    json_t *name = json_object_get(e, "name"), *peer = json_object_get(e, "peer");
    json_t *t = json_object_get(e, "t"), *attrs = json_object_get(e, "attrs");
    if (!json_is_object(e)) return bad(err, errlen, "event %zu is not an object", i);
    if (!json_is_string(name) || !*json_string_value(name)) return bad(err, errlen, "event %zu has no name", i);
    if (!json_is_number(t)) return bad(err, errlen, "event %zu has no time t", i);
    if (peer && !json_is_string(peer) && !json_is_null(peer)) return bad(err, errlen, "event %zu: peer is not a string", i);
    if (attrs && !json_is_object(attrs)) return bad(err, errlen, "event %zu: attrs is not an object", i);
    double secs = json_number_value(t);
    if (!(secs >= -1e6 && secs <= 1e6)) return bad(err, errlen, "event %zu: time out of range", i);
    size_t na = attrs ? json_object_size(attrs) : 0;
    const char **kv = xcalloc(2 * na + 1, sizeof *kv);
    size_t k = 0;
    const char *key;
    json_t *val;
    int rc = 0;
    if (attrs) json_object_foreach(attrs, key, val) {
        if (!json_is_string(val)) { rc = bad(err, errlen, "event %zu: an attribute is not a string", i); break; }
        kv[k++] = key;
        kv[k++] = json_string_value(val);
    }
    /* Strings with NUL inside are legal JSON; the timeline cannot hold them. */
    if (rc == 0 && strlen(json_string_value(name)) != json_string_length(name))
        rc = bad(err, errlen, "event %zu: name holds a NUL byte", i);
    if (rc == 0)
        timeline_add_at(tl, (int64_t)(secs * (double)NS_PER_SEC), json_string_value(name),
                        json_is_string(peer) ? json_string_value(peer) : NULL, kv);
    free(kv);
    return rc;
}

int tljson_parse(const char *buf, size_t len, timeline *tl, char **test_id, char *err, size_t errlen)
{
    json_error_t je;
    if (test_id) *test_id = NULL;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        snprintf(err, errlen, "line %d: %s", je.line, je.text);
        return -1;
    }
    int rc = 0;
    json_t *events = json_object_get(doc, "events"), *id = json_object_get(doc, "test");
    if (!json_is_object(doc) || !json_is_array(events)) {
        snprintf(err, errlen, "not a timeline: no \"events\" array");
        rc = -1;
    } else if (json_array_size(events) > TLJSON_MAX_EVENTS) {
        snprintf(err, errlen, "more than %d events", TLJSON_MAX_EVENTS);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(events); i++)
        rc = parse_event(json_array_get(events, i), i, tl, err, errlen);
    if (rc == 0 && test_id && json_is_string(id)) *test_id = xstrdup(json_string_value(id));
    json_decref(doc);
    return rc;
}

int tljson_read(const char *path, timeline *tl, char **test_id, char *err, size_t errlen)
{
    strbuf b;
    sb_init(&b);
    if (sb_read_file(&b, path) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = tljson_parse(b.s ? b.s : "", b.len, tl, test_id, err, errlen);
    sb_free(&b);
    return rc;
}
