#include "timeline.h"
#include "events.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Selectors come from test case files: cap them so a hostile file cannot make us do
 * unbounded work per match, and so error messages stay readable. */
#define SEL_MAX_LEN 4096

/* ---- the string pool: an open-addressing set of strings stored in an arena ---------- */

#define POOL_CHUNK 65536

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t used, size;
    char data[];
} pool_chunk;

/* A vocabulary check that passed, by the interned strings' addresses (strict timelines). */
typedef struct checked {
    const char *name, *key, *value;   /* key NULL: the event name; value NULL: any value of the key */
    int is_int;                       /* ... when the key's values are integers */
} checked;

typedef struct tl_pool {
    char **slots;          /* the strings, by hash (linear probing); NULL = free */
    size_t nslots, n;
    pool_chunk *chunks;    /* the newest first; the strings live here */
    size_t bytes;          /* chunk bytes allocated */
    checked *chk;          /* open addressing; name NULL = free */
    size_t nchk, chkslots;
} tl_pool;

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static char *pool_store(tl_pool *p, const char *s, size_t len)
{
    pool_chunk *c = p->chunks;
    if (!c || c->size - c->used < len + 1) {
        /* a string longer than a quarter chunk gets a chunk of its own, behind the current one */
        size_t size = len + 1 > POOL_CHUNK / 4 ? len + 1 : POOL_CHUNK;
        pool_chunk *nc = xmalloc(sizeof *nc + size);
        nc->used = 0;
        nc->size = size;
        p->bytes += sizeof *nc + size;
        if (c && size != POOL_CHUNK) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            p->chunks = nc;
        }
        c = nc;
    }
    char *d = c->data + c->used;
    memcpy(d, s, len + 1);
    c->used += len + 1;
    return d;
}

static void pool_grow(tl_pool *p)
{
    size_t ns = p->nslots ? p->nslots * 2 : 256;
    char **slots = xcalloc(ns, sizeof *slots);
    for (size_t i = 0; i < p->nslots; i++) {
        if (!p->slots[i]) continue;
        size_t j = str_hash(p->slots[i]) & (ns - 1);
        while (slots[j]) j = (j + 1) & (ns - 1);
        slots[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = ns;
}

/* The pool's copy of s (NULL for NULL): stored the first time, found after. */
static char *intern(tl_pool *p, const char *s)
{
    if (!s) return NULL;
    if ((p->n + 1) * 2 > p->nslots) pool_grow(p);
    size_t j = str_hash(s) & (p->nslots - 1);
    while (p->slots[j]) {
        if (strcmp(p->slots[j], s) == 0) return p->slots[j];
        j = (j + 1) & (p->nslots - 1);
    }
    p->n++;
    return p->slots[j] = pool_store(p, s, strlen(s));
}

static void pool_free(tl_pool *p)
{
    if (!p) return;
    for (pool_chunk *c = p->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(p->slots);
    free(p->chk);
    free(p);
}

void timeline_init(timeline *tl)
{
    tl->ev = NULL;
    tl->n = tl->cap = 0;
    tl->t0_ns = mono_now_ns();
    tl->strict = 0;
    tl->pool = NULL;
}

void timeline_strict(timeline *tl, int on) { tl->strict = on; }

/* A module recorded something the vocabulary does not know (timeline_strict). */
static void unregistered(const char *name, const char *key, const char *value)
{
#ifndef NDEBUG
    char err[512];
    if (events_check_emit(name, key, value, err, sizeof err) < 0) {
        fprintf(stderr, "m2m-harness: internal error: recorded outside the event vocabulary "
                        "(add it to harness/flow/events.c): %s\n", err);
        abort();
    }
#else
    (void)name; (void)key; (void)value;
#endif
}

#ifndef NDEBUG
static size_t chk_slot(const tl_pool *p, const char *name, const char *key, const char *value)
{
    uintptr_t h = (uintptr_t)name * 0x9e3779b1u ^ (uintptr_t)key * 0x85ebca6bu ^ (uintptr_t)value * 0xc2b2ae35u;
    size_t j = (size_t)(h ^ h >> 15) & (p->chkslots - 1);
    while (p->chk[j].name && !(p->chk[j].name == name && p->chk[j].key == key && p->chk[j].value == value))
        j = (j + 1) & (p->chkslots - 1);
    return j;
}

static const checked *chk_find(const tl_pool *p, const char *name, const char *key, const char *value)
{
    if (!p->chkslots) return NULL;
    const checked *c = &p->chk[chk_slot(p, name, key, value)];
    return c->name ? c : NULL;
}

static void chk_add(tl_pool *p, const char *name, const char *key, const char *value, int is_int)
{
    if ((p->nchk + 1) * 2 > p->chkslots) {
        checked *old = p->chk;
        size_t on = p->chkslots;
        p->chkslots = on ? on * 2 : 256;
        p->chk = xcalloc(p->chkslots, sizeof *p->chk);
        for (size_t i = 0; i < on; i++)
            if (old[i].name) p->chk[chk_slot(p, old[i].name, old[i].key, old[i].value)] = old[i];
        free(old);
    }
    p->chk[chk_slot(p, name, key, value)] = (checked){ name, key, value, is_int };
    p->nchk++;
}
#endif

/* The vocabulary check of a strict timeline, on interned strings: each event name, each
 * (event, key) of a string or integer attribute and each value of a closed set is looked up in
 * the registry once per timeline, not once per event. */
static void check_emit(tl_pool *p, const char *name, const char *key, const char *value)
{
#ifndef NDEBUG
    const checked *c = chk_find(p, name, key, NULL);
    if (c && !c->is_int) return;
    if (c) {   /* an integer attribute: its value checked here, as events_value_ok does */
        const char *d = value + (*value == '-');
        if (*d && strspn(d, "0123456789") == strlen(d)) return;
    } else if (key && chk_find(p, name, key, value)) {
        return;
    }
    unregistered(name, key, value);   /* aborts when it is outside the vocabulary */
    ev_attr a;
    const ev_def *d = events_find(name);
    if (!key) chk_add(p, name, NULL, NULL, 0);
    else if (d && events_attr(d, key, &a) && (a.type == EVA_STRING || a.type == EVA_INT))
        chk_add(p, name, key, NULL, a.type == EVA_INT);
    else chk_add(p, name, key, value, 0);
#else
    (void)p;
    unregistered(name, key, value);   /* nothing under NDEBUG */
#endif
}

void timeline_free(timeline *tl)
{
    for (size_t i = 0; i < tl->n; i++) free(tl->ev[i].attrs);   /* the strings are the pool's */
    free(tl->ev);
    pool_free(tl->pool);
    tl->pool = NULL;
    tl->ev = NULL;
    tl->n = tl->cap = 0;
}

size_t timeline_bytes(const timeline *tl)
{
    size_t b = tl->cap * sizeof *tl->ev;
    for (size_t i = 0; i < tl->n; i++) b += tl->ev[i].acap * sizeof *tl->ev[i].attrs;
    if (tl->pool) b += tl->pool->bytes + tl->pool->nslots * sizeof *tl->pool->slots + sizeof *tl->pool;
    return b;
}

static tl_event *new_event(timeline *tl, int64_t t_ns, const char *name, const char *peer)
{
    xgrow((void **)&tl->ev, &tl->cap, tl->n + 1, sizeof *tl->ev);
    tl_event *e = &tl->ev[tl->n];
    memset(e, 0, sizeof *e);
    e->seq = (uint64_t)tl->n + 1;
    e->t_ns = t_ns;
    if (!tl->pool) tl->pool = xcalloc(1, sizeof *tl->pool);
    e->pool = tl->pool;
    e->name = intern(tl->pool, name ? name : "");
    e->peer = intern(tl->pool, peer);
    e->strict = tl->strict;
    if (e->strict) check_emit(tl->pool, e->name, NULL, NULL);
    tl->n++;
    return e;
}

tl_event *timeline_add(timeline *tl, const char *name, const char *peer, ...)
{
    tl_event *e = new_event(tl, mono_now_ns() - tl->t0_ns, name, peer);
    va_list ap;
    va_start(ap, peer);
    size_t pairs = 0;   /* the attribute array in one allocation, of the pairs given */
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key) break;
        if (va_arg(ap, const char *)) pairs++;
    }
    va_end(ap);
    if (pairs) {
        e->acap = (uint16_t)(pairs < 60000 ? pairs : 60000);
        e->attrs = xmalloc(e->acap * sizeof *e->attrs);
    }
    va_start(ap, peer);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key) break;
        const char *value = va_arg(ap, const char *);
        if (value) tl_event_set(e, key, value);
    }
    va_end(ap);
    return e;
}

tl_event *timeline_add_at(timeline *tl, int64_t t_ns, const char *name, const char *peer,
                          const char *const *kv)
{
    tl_event *e = new_event(tl, t_ns, name, peer);
    size_t pairs = 0;
    for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) pairs++;
    if (pairs) {
        e->acap = (uint16_t)(pairs < 60000 ? pairs : 60000);
        e->attrs = xmalloc(e->acap * sizeof *e->attrs);
    }
    /* Pairs up to the first NULL key; a NULL value ends the array too, since a
     * NULL-terminated array cannot tell "skip" from "end" there. */
    for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2)
        tl_event_set(e, kv[i], kv[i + 1]);
    return e;
}

void tl_event_set(tl_event *e, const char *key, const char *value)
{
    if (!key || !value) return;
    char *k = intern(e->pool, key), *v = intern(e->pool, value);
    if (e->strict) check_emit(e->pool, e->name, k, v);
    for (size_t i = 0; i < e->nattrs; i++) {
        if (e->attrs[i].key == k) {   /* interned: the same key is the same address */
            e->attrs[i].value = v;    /* the old value stays in the pool */
            return;
        }
    }
    if (e->nattrs == e->acap) {   /* timeline_add sizes it for its pairs; later sets grow it by 4 */
        if (e->acap > UINT16_MAX - 4) return;   /* 65,531 attributes on one event: no more */
        e->acap = (uint16_t)(e->acap + 4);
        e->attrs = xrealloc(e->attrs, e->acap * sizeof *e->attrs);
    }
    e->attrs[e->nattrs].key = k;
    e->attrs[e->nattrs].value = v;
    e->nattrs++;
}

const char *tl_event_get(const tl_event *e, const char *key)
{
    for (size_t i = 0; i < e->nattrs; i++)
        if (strcmp(e->attrs[i].key, key) == 0) return e->attrs[i].value;
    return NULL;
}

size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    unsigned c = p[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) { len = 1; v = c; }
    else if (c >= 0xc2 && c <= 0xdf) { len = 2; v = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; v = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; v = c & 0x07; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (p[i] & 0x3f);
    }
    /* overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8 */
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff))) return 0;
    if (v >= 0xd800 && v <= 0xdfff) return 0;
    if (cp) *cp = v;
    return len;
}

/* Writes s so that one event stays on one line and the line can be split on spaces:
 * control bytes and invalid UTF-8 as \xHH, and values with spaces, quotes or nothing
 * at all in double quotes. */
static void write_escaped(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int quote = n == 0 || strpbrk(s, " \"\\") != NULL;
    if (quote) fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == '\n') { fputs("\\n", f); i++; continue; }
        if (c == '\t') { fputs("\\t", f); i++; continue; }
        if (c == '\r') { fputs("\\r", f); i++; continue; }
        if (quote && (c == '"' || c == '\\')) { fputc('\\', f); fputc((int)c, f); i++; continue; }
        uint32_t cp = 0;
        size_t len = utf8_decode(p + i, n - i, &cp);
        /* C1 controls (U+0080..U+009F) can drive terminals too. */
        if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
            fprintf(f, "\\x%02x", c);
            i++;
            continue;
        }
        fwrite(p + i, 1, len, f);
        i += len;
    }
    if (quote) fputc('"', f);
}

/* Seconds with a '.' whatever the locale: the text goes into evidence files. */
static void format_seconds(char *buf, size_t len, int64_t t_ns, int decimals)
{
    int64_t scale = decimals == 6 ? NS_PER_US : NS_PER_MS;
    int64_t units = t_ns / scale;
    int neg = units < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    uint64_t per_s = NS_PER_SEC / (uint64_t)scale;
    snprintf(buf, len, "%s%llu.%0*llu", neg ? "-" : "", (unsigned long long)(u / per_s),
             decimals, (unsigned long long)(u % per_s));
}

void timeline_write_text(const timeline *tl, FILE *f)
{
    timeline_write_text_head(tl, f, tl->n);
}

void timeline_write_text_head(const timeline *tl, FILE *f, size_t max)
{
    for (size_t i = 0; i < tl->n && i < max; i++) {
        const tl_event *e = &tl->ev[i];
        char t[40];
        format_seconds(t, sizeof t, e->t_ns, 6);
        fprintf(f, "%10s #%llu ", t, (unsigned long long)e->seq);
        write_escaped(f, e->name);
        if (e->peer) {
            fputs(" peer=", f);
            write_escaped(f, e->peer);
        }
        for (size_t k = 0; k < e->nattrs; k++) {
            fputc(' ', f);
            write_escaped(f, e->attrs[k].key);
            fputc('=', f);
            write_escaped(f, e->attrs[k].value);
        }
        fputc('\n', f);
    }
}

void tl_event_describe(const tl_event *e, char *buf, size_t len)
{
    char t[40];
    format_seconds(t, sizeof t, e->t_ns, 3);
    snprintf(buf, len, "%s #%llu at %s s", e->name, (unsigned long long)e->seq, t);
}

/* ---- selectors ---------------------------------------------------------------------- */

typedef struct sel_parser {
    const char *s;
    size_t pos;
    char *err;
    size_t errlen;
} sel_parser;

static int is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* Unquoted values stop at the selector's own punctuation and at anything invisible. */
static int is_value_char(unsigned char c)
{
    return c > 0x20 && c != 0x7f && c != ',' && c != ']' && c != '[' && c != '"';
}

static void skip_ws(sel_parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t') p->pos++;
}

/* "'x'" for a printable byte, "end of text", or "byte 0xHH". */
static void describe_char(const sel_parser *p, char *buf, size_t len)
{
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c == 0) snprintf(buf, len, "end of text");
    else if (c > 0x20 && c < 0x7f) snprintf(buf, len, "'%c'", c);
    else if (c == ' ') snprintf(buf, len, "a space");
    else snprintf(buf, len, "byte 0x%02x", c);
}

static int fail_expected(sel_parser *p, const char *what)
{
    char got[32];
    describe_char(p, got, sizeof got);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "expected %s at column %zu, found %s", what, p->pos + 1, got);
    return -1;
}

static char *parse_word(sel_parser *p)
{
    size_t start = p->pos;
    while (is_name_char((unsigned char)p->s[p->pos])) p->pos++;
    return p->pos > start ? xstrndup(p->s + start, p->pos - start) : NULL;
}

static int parse_value(sel_parser *p, char **out)
{
    if (p->s[p->pos] != '"') {
        size_t start = p->pos;
        while (is_value_char((unsigned char)p->s[p->pos])) p->pos++;
        if (p->pos == start) return fail_expected(p, "a value (use \"\" for an empty one)");
        *out = xstrndup(p->s + start, p->pos - start);
        return 0;
    }
    size_t open = p->pos++;
    strbuf b;
    sb_init(&b);
    for (;;) {
        char c = p->s[p->pos];
        if (c == '\0') {
            sb_free(&b);
            if (p->err && p->errlen)
                snprintf(p->err, p->errlen, "unterminated quoted value starting at column %zu",
                         open + 1);
            return -1;
        }
        p->pos++;
        if (c == '"') break;
        if (c == '\\') {
            char n = p->s[p->pos];
            if (n != '"' && n != '\\') {
                sb_free(&b);
                return fail_expected(p, "'\"' or '\\' after '\\'");
            }
            c = n;
            p->pos++;
        }
        sb_addn(&b, &c, 1);
    }
    *out = b.s ? sb_take(&b) : xstrdup("");
    return 0;
}

static int parse_filter(sel_parser *p, ev_sel *out)
{
    size_t key_col = p->pos;
    char *key = parse_word(p);
    if (!key) return fail_expected(p, "an attribute name");
    skip_ws(p);
    int negate = 0;
    if (p->s[p->pos] == '!' && p->s[p->pos + 1] == '=') { negate = 1; p->pos += 2; }
    else if (p->s[p->pos] == '=') p->pos++;
    else {
        char what[128];
        snprintf(what, sizeof what, "'=' or '!=' after '%.40s' (column %zu)", key, key_col + 1);
        free(key);
        return fail_expected(p, what);
    }
    skip_ws(p);
    char *value = NULL;
    if (parse_value(p, &value) < 0) { free(key); return -1; }
    out->filters = xrealloc(out->filters, (out->nfilters + 1) * sizeof *out->filters);
    out->filters[out->nfilters++] = (ev_filter){ .key = key, .value = value, .negate = negate };
    return 0;
}

static int parse_selector(sel_parser *p, ev_sel *out)
{
    skip_ws(p);
    size_t start = p->pos;
    while (is_name_char((unsigned char)p->s[p->pos])) p->pos++;
    if (p->s[p->pos] == '*') p->pos++;        /* prefix match: "sae.*", or "*" for all */
    if (p->pos == start) return fail_expected(p, "an event name");
    if (p->s[p->pos] == '*' || (p->s[p->pos - 1] == '*' && is_name_char((unsigned char)p->s[p->pos]))) {
        if (p->err && p->errlen)
            snprintf(p->err, p->errlen, "'*' is allowed only at the end of the name (column %zu)",
                     p->pos);
        return -1;
    }
    out->name = xstrndup(p->s + start, p->pos - start);
    skip_ws(p);
    if (p->s[p->pos] == '[') {
        p->pos++;
        for (;;) {
            skip_ws(p);
            if (parse_filter(p, out) < 0) return -1;
            skip_ws(p);
            if (p->s[p->pos] == ',') { p->pos++; continue; }
            if (p->s[p->pos] == ']') { p->pos++; break; }
            return fail_expected(p, "',' or ']'");
        }
        skip_ws(p);
    }
    if (p->s[p->pos] != '\0')
        return fail_expected(p, out->nfilters ? "end of selector after ']'" : "'[' or end of selector");
    return 0;
}

int ev_sel_parse(const char *text, ev_sel *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen) err[0] = '\0';
    if (!text) {
        if (err && errlen) snprintf(err, errlen, "no selector given");
        return -1;
    }
    if (strlen(text) > SEL_MAX_LEN) {
        if (err && errlen)
            snprintf(err, errlen, "selector longer than %d characters", SEL_MAX_LEN);
        return -1;
    }
    sel_parser p = { .s = text, .pos = 0, .err = err, .errlen = errlen };
    if (parse_selector(&p, out) < 0) {
        ev_sel_free(out);
        return -1;
    }
    out->text = xstrdup(text);
    return 0;
}

void ev_sel_free(ev_sel *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nfilters; i++) {
        free(s->filters[i].key);
        free(s->filters[i].value);
    }
    free(s->filters);
    free(s->text);
    free(s->name);
    memset(s, 0, sizeof *s);
}

/* Attributes first; "peer" falls back to the event's peer so selectors can name it. */
static const char *event_value(const tl_event *e, const char *key)
{
    const char *v = tl_event_get(e, key);
    if (!v && strcmp(key, "peer") == 0) v = e->peer;
    return v;
}

int ev_sel_match(const ev_sel *s, const tl_event *e)
{
    if (!s->name || !e->name) return 0;
    size_t len = strlen(s->name);
    if (len && s->name[len - 1] == '*') {
        if (strncmp(e->name, s->name, len - 1) != 0) return 0;
    } else if (strcmp(e->name, s->name) != 0) {
        return 0;
    }
    for (size_t i = 0; i < s->nfilters; i++) {
        const char *v = event_value(e, s->filters[i].key);
        int equal = v && strcmp(v, s->filters[i].value) == 0;
        if (equal == s->filters[i].negate) return 0;
    }
    return 1;
}

long timeline_find(const timeline *tl, const ev_sel *s, size_t from)
{
    for (size_t i = from; i < tl->n; i++)
        if (ev_sel_match(s, &tl->ev[i])) return (long)i;
    return -1;
}
