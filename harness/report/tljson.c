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

int tljson_put_events(FILE *out, const timeline *tl, const char *sep)
{
    int ok = fputc('[', out) != EOF;
    for (size_t i = 0; ok && i < tl->n; i++) {
        json_t *e = event_json(&tl->ev[i]);
        ok = fputs(i ? sep : "", out) >= 0 && json_dumpf(e, out, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0;
        json_decref(e);
    }
    return ok && fputc(']', out) != EOF ? 0 : -1;
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
int tljson_write_atomic(const char *path, int (*fill)(FILE *f, const void *ctx), const void *ctx)
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
    return tljson_write_atomic(path, fill_timeline, &d);
}

static int fill_json(FILE *f, const void *ctx)
{
    return json_dumpf(ctx, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
}

int json_write_file(const char *path, json_t *doc)
{
    if (!doc) return -1;
    int rc = tljson_write_atomic(path, fill_json, doc);
    json_decref(doc);
    return rc;
}

static int bad(char *err, size_t errlen, const char *fmt, size_t i)
{
    snprintf(err, errlen, fmt, i);
    return -1;
}

/* One event object as tljson_events writes it, or -1 with the reason in err; its time in
 * *secs. */
static int check_event(json_t *e, size_t i, double *secs, char *err, size_t errlen)
{
    json_t *name = json_object_get(e, "name"), *peer = json_object_get(e, "peer");
    json_t *t = json_object_get(e, "t"), *attrs = json_object_get(e, "attrs");
    if (!json_is_object(e)) return bad(err, errlen, "event %zu is not an object", i);
    if (!json_is_string(name) || !*json_string_value(name)) return bad(err, errlen, "event %zu has no name", i);
    if (!json_is_number(t)) return bad(err, errlen, "event %zu has no time t", i);
    if (peer && !json_is_string(peer) && !json_is_null(peer)) return bad(err, errlen, "event %zu: peer is not a string", i);
    if (attrs && !json_is_object(attrs)) return bad(err, errlen, "event %zu: attrs is not an object", i);
    *secs = json_number_value(t);
    if (!(*secs >= -1e6 && *secs <= 1e6)) return bad(err, errlen, "event %zu: time out of range", i);
    const char *key;
    json_t *val;
    if (attrs) json_object_foreach(attrs, key, val)
        if (!json_is_string(val)) return bad(err, errlen, "event %zu: an attribute is not a string", i);
    /* Strings with NUL inside are legal JSON; the timeline cannot hold them. */
    if (strlen(json_string_value(name)) != json_string_length(name))
        return bad(err, errlen, "event %zu: name holds a NUL byte", i);
    return 0;
}

/* A checked event into tl. */
static void add_event(timeline *tl, json_t *e, double secs)
{
    json_t *peer = json_object_get(e, "peer"), *attrs = json_object_get(e, "attrs");
    size_t na = attrs ? json_object_size(attrs) : 0;
    const char **kv = xcalloc(2 * na + 1, sizeof *kv);
    size_t k = 0;
    const char *key;
    json_t *val;
    if (attrs) json_object_foreach(attrs, key, val) {
        kv[k++] = key;
        kv[k++] = json_string_value(val);
    }
    timeline_add_at(tl, (int64_t)(secs * (double)NS_PER_SEC), json_string_value(json_object_get(e, "name")),
                    json_is_string(peer) ? json_string_value(peer) : NULL, kv);
    free(kv);
}

/* ---- reading a document event by event ----
 * A small scanner cuts the top-level object into its members and the "events" array into its
 * elements; jansson parses each piece. Memory is bounded by the largest single event, not by
 * the number of events: the parent reads the timeline of a fleet of thousands of associations
 * without holding it. */

#define TLJSON_MAX_PIECE (16u << 20)   /* one member or event: far above any real event */

typedef struct src {
    FILE *f;                 /* or */
    const char *buf;
    size_t len, pos;
    int back;                /* a character pushed back, or -2 */
    int line;                /* 1-based: where the scanner is, for messages */
} src;

static int src_get(src *s)
{
    int c;
    if (s->back != -2) { c = s->back; s->back = -2; }
    else if (s->f) c = getc_unlocked(s->f);
    else c = s->pos < s->len ? (unsigned char)s->buf[s->pos++] : EOF;
    if (c == '\n') s->line++;
    return c;
}

static void src_unget(src *s, int c)
{
    if (c == '\n') s->line--;
    s->back = c;
}

static int skip_ws(src *s)
{
    int c;
    do c = src_get(s); while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    return c;
}

static int syntax(src *s, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "line %d: %s", s->line, what);
    return -1;
}

/* The next value's text into b (leading blanks skipped), without judging it: jansson does. */
static int cut_value(src *s, strbuf *b, char *err, size_t errlen)
{
    b->len = 0;
    int c = skip_ws(s), depth = 0, in_str = 0, esc = 0;
    if (c == EOF) return syntax(s, err, errlen, "unexpected end of file");
    if (c == ',' || c == ']' || c == '}' || c == ':') return syntax(s, err, errlen, "a value expected");
    for (;; c = src_get(s)) {
        if (c == EOF) {
            if (depth || in_str) return syntax(s, err, errlen, "unexpected end of file");
            break;
        }
        if (!in_str && !depth && b->len && (c == ',' || c == ']' || c == '}' || c == ':' || c == ' ' ||
                                            c == '\t' || c == '\n' || c == '\r')) {
            src_unget(s, c);
            break;
        }
        if (b->len + 2 > b->cap) {
            char ch = (char)c;
            sb_addn(b, &ch, 1);
        } else {
            b->s[b->len++] = (char)c;
            b->s[b->len] = '\0';
        }
        if (b->len > TLJSON_MAX_PIECE) return syntax(s, err, errlen, "a value larger than 16 MiB");
        if (in_str) {
            if (esc) esc = 0;
            else if (c == '\\') esc = 1;
            else if (c == '"') { in_str = 0; if (!depth) break; }
        } else if (c == '"') in_str = 1;
        else if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') { if (--depth <= 0) break; }
    }
    return 0;
}

/* The value cut into b, parsed; NULL with the reason in err. */
static json_t *load_piece(src *s, const strbuf *b, char *err, size_t errlen)
{
    json_error_t je;
    json_t *j = json_loadb(b->s ? b->s : "", b->len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j) {
        int nl = 0;   /* the piece ends on the scanner's line */
        for (size_t i = 0; i < b->len; i++) nl += b->s[i] == '\n';
        snprintf(err, errlen, "line %d: %s", s->line - nl + (je.line > 0 ? je.line - 1 : 0), je.text);
    }
    return j;
}

typedef int (*event_fn)(void *ctx, json_t *event, size_t i, double secs, char *err, size_t errlen);

/* The elements of the events array (its '[' read), each checked and handed to each. */
static long scan_events(src *s, strbuf *b, event_fn each, void *ctx, char *err, size_t errlen)
{
    size_t i = 0;
    int c = skip_ws(s);
    if (c == ']') return 0;
    src_unget(s, c);
    for (;; i++) {
        if (i >= TLJSON_MAX_EVENTS) {
            snprintf(err, errlen, "more than %d events", TLJSON_MAX_EVENTS);
            return -1;
        }
        if (cut_value(s, b, err, errlen) < 0) return -1;
        json_t *e = load_piece(s, b, err, errlen);
        double secs = 0;
        int rc = !e || check_event(e, i, &secs, err, errlen) < 0 || each(ctx, e, i, secs, err, errlen) < 0;
        json_decref(e);
        if (rc) return -1;
        c = skip_ws(s);
        if (c == ']') return (long)i + 1;
        if (c != ',') return syntax(s, err, errlen, "',' or ']' expected in the events array");
    }
}

static void set_id(char **test_id, json_t *v)
{
    if (test_id && json_is_string(v) && !*test_id) *test_id = xstrdup(json_string_value(v));
}

/* The whole document: { "test": ..., "events": [ ... ] } with members in any order, nothing
 * after it. Returns the number of events or -1. */
static long scan_doc(src *s, event_fn each, void *ctx, char **test_id, char *err, size_t errlen)
{
    strbuf b;
    sb_init(&b);
    json_t *seen = json_object();
    long n = -1, rc = -1;
    int c = skip_ws(s);
    if (c != '{') {
        /* not an object: jansson says what is wrong with it, or it is the wrong kind */
        if (c != EOF) src_unget(s, c);
        if (c == EOF) syntax(s, err, errlen, "'[' or '{' expected near end of file");
        else if (cut_value(s, &b, err, errlen) == 0) {
            json_t *j = load_piece(s, &b, err, errlen);
            if (j) snprintf(err, errlen, "not a timeline: no \"events\" array");
            json_decref(j);
        }
        goto out;
    }
    c = skip_ws(s);
    if (c != '}') src_unget(s, c);
    while (c != '}') {
        if (cut_value(s, &b, err, errlen) < 0) goto out;
        json_t *key = load_piece(s, &b, err, errlen);
        if (!key) goto out;
        if (!json_is_string(key)) { json_decref(key); syntax(s, err, errlen, "string or '}' expected"); goto out; }
        const char *k = json_string_value(key);
        if (json_object_get(seen, k)) {
            snprintf(err, errlen, "line %d: duplicate object key", s->line);
            json_decref(key);
            goto out;
        }
        json_object_set_new(seen, k, json_true());
        int events = !strcmp(k, "events"), is_test = !strcmp(k, "test");
        json_decref(key);
        if (skip_ws(s) != ':') { syntax(s, err, errlen, "':' expected"); goto out; }
        c = skip_ws(s);
        if (events && c == '[') {
            if ((n = scan_events(s, &b, each, ctx, err, errlen)) < 0) goto out;
        } else {
            src_unget(s, c);
            if (cut_value(s, &b, err, errlen) < 0) goto out;
            json_t *v = load_piece(s, &b, err, errlen);
            if (!v) goto out;
            if (events) { json_decref(v); snprintf(err, errlen, "not a timeline: no \"events\" array"); goto out; }
            if (is_test) set_id(test_id, v);
            json_decref(v);
        }
        c = skip_ws(s);
        if (c != ',' && c != '}') { syntax(s, err, errlen, "',' or '}' expected"); goto out; }
    }
    if (skip_ws(s) != EOF) { syntax(s, err, errlen, "end of file expected"); goto out; }
    if (n < 0) { snprintf(err, errlen, "not a timeline: no \"events\" array"); goto out; }
    rc = n;
out:
    if (rc < 0 && test_id) { free(*test_id); *test_id = NULL; }
    json_decref(seen);
    sb_free(&b);
    return rc;
}

typedef struct keep_ctx { timeline *tl; size_t keep; } keep_ctx;

static int keep_event(void *ctx, json_t *e, size_t i, double secs, char *err, size_t errlen)
{
    (void)err; (void)errlen;
    keep_ctx *k = ctx;
    if (i < k->keep) add_event(k->tl, e, secs);
    return 0;
}

int tljson_parse(const char *buf, size_t len, timeline *tl, char **test_id, char *err, size_t errlen)
{
    if (test_id) *test_id = NULL;
    src s = { .buf = buf, .len = len, .back = -2, .line = 1 };
    keep_ctx k = { tl, (size_t)-1 };
    return scan_doc(&s, keep_event, &k, test_id, err, errlen) < 0 ? -1 : 0;
}

long tljson_read_head(const char *path, timeline *tl, size_t keep, char **test_id, char *err, size_t errlen)
{
    if (test_id) *test_id = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    src s = { .f = f, .back = -2, .line = 1 };
    keep_ctx k = { tl, keep };
    long n = scan_doc(&s, keep_event, &k, test_id, err, errlen);
    if (n >= 0 && ferror(f)) { snprintf(err, errlen, "%s: read error", path); n = -1; }
    fclose(f);
    return n;
}

int tljson_read(const char *path, timeline *tl, char **test_id, char *err, size_t errlen)
{
    return tljson_read_head(path, tl, (size_t)-1, test_id, err, errlen) < 0 ? -1 : 0;
}

/* An event as tljson_events writes it from what was read: what the timeline would hold once
 * read back (times in whole nanoseconds, strings through tljson_str), numbered from 1. */
static json_t *norm_event(json_t *e, size_t i, double secs)
{
    json_t *attrs = json_object_get(e, "attrs"), *peer = json_object_get(e, "peer"), *out = json_object();
    const char *key;
    json_t *val;
    if (attrs) json_object_foreach(attrs, key, val) {
        json_t *k = tljson_str(key);
        json_object_set_new(out, json_string_value(k), tljson_str(json_string_value(val)));
        json_decref(k);
    }
    int64_t t_ns = (int64_t)(secs * (double)NS_PER_SEC);
    return json_pack("{s:I, s:f, s:o, s:o, s:o}", "seq", (json_int_t)i + 1, "t", ns_to_sec(t_ns),
                     "name", tljson_str(json_string_value(json_object_get(e, "name"))),
                     "peer", tljson_str(json_is_string(peer) ? json_string_value(peer) : NULL), "attrs", out);
}

typedef struct copy_ctx { FILE *out; const char *sep; int ok; } copy_ctx;

static int copy_event(void *ctx, json_t *e, size_t i, double secs, char *err, size_t errlen)
{
    copy_ctx *c = ctx;
    json_t *j = norm_event(e, i, secs);
    c->ok = c->ok && fputs(i ? c->sep : "", c->out) >= 0 &&
            json_dumpf(j, c->out, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0;
    json_decref(j);
    if (!c->ok) snprintf(err, errlen, "write error");
    return c->ok ? 0 : -1;
}

long tljson_copy_events(const char *path, FILE *out, const char *sep, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    src s = { .f = f, .back = -2, .line = 1 };
    copy_ctx c = { out, sep, fputc('[', out) != EOF };
    long n = c.ok ? scan_doc(&s, copy_event, &c, NULL, err, errlen) : -1;
    if (n >= 0 && ferror(f)) { snprintf(err, errlen, "%s: read error", path); n = -1; }
    fclose(f);
    /* the array is closed whatever happened: the document around it stays JSON */
    if (fputc(']', out) == EOF) n = -1;
    return n;
}
