#include "falsify.h"
#include "match.h"
#include "../flow/events.h"
#include "../flow/order.h"
#include "../model/vars.h"
#include "../model/xmlload.h"
#include "../util/timeutil.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS NS_PER_MS

/* ---- ${VAR}: each name stands for a value of its own, "x-NAME" ---- */

static void add_refs(vars *v, const char *text)
{
    for (const char *p = text ? strstr(text, "${") : NULL; p; p = strstr(p + 2, "${")) {
        if (p > text && p[-1] == '$') continue;   /* $${: a literal */
        const char *e = strchr(p + 2, '}');
        if (!e) return;
        char *name = xstrndup(p + 2, (size_t)(e - p - 2));
        if (!vars_get(v, name)) {
            char *val = xasprintf("x-%s", name);
            vars_set(v, name, val);
            free(val);
        }
        free(name);
    }
}

/* ---- one event that a selector matches, and one of the same kind that it does not ---- */

typedef struct built {
    char *name;
    char *peer;
    kvlist attrs;
} built;

static void built_free(built *b)
{
    free(b->name);
    free(b->peer);
    kvlist_free(&b->attrs);
    memset(b, 0, sizeof *b);
}

static void built_set(built *b, const char *key, const char *value)
{
    for (size_t i = 0; i < b->attrs.n; i++)
        if (!strcmp(b->attrs.items[i].key, key)) {
            free(b->attrs.items[i].value);
            b->attrs.items[i].value = xstrdup(value);
            return;
        }
    kvlist_add(&b->attrs, key, value);
}

static void built_copy(built *dst, const built *src)
{
    memset(dst, 0, sizeof *dst);
    dst->name = xstrdup(src->name);
    dst->peer = xstrdup(src->peer);
    for (size_t i = 0; i < src->attrs.n; i++) kvlist_add(&dst->attrs, src->attrs.items[i].key, src->attrs.items[i].value);
}

static void built_add(timeline *tl, int64_t t, const built *b)
{
    const char **kvs = xmalloc((2 * b->attrs.n + 1) * sizeof *kvs);
    size_t n = 0;
    for (size_t i = 0; i < b->attrs.n; i++) {
        kvs[n++] = b->attrs.items[i].key;
        kvs[n++] = b->attrs.items[i].value;
    }
    kvs[n] = NULL;
    timeline_add_at(tl, t, b->name, b->peer, kvs);
    free(kvs);
}

static tl_event *built_event(timeline *tl, const built *b)
{
    built_add(tl, 0, b);
    return &tl->ev[tl->n - 1];
}

/* Another value the attribute can take, or NULL. */
static char *other_value(const ev_attr *a, const char *v)
{
    if (a->type == EVA_BOOL || a->type == EVA_ENUM) {
        char vals[sizeof a->values], *save = NULL;
        snprintf(vals, sizeof vals, "%s", a->values);
        for (char *t = strtok_r(vals, "|", &save); t; t = strtok_r(NULL, "|", &save))
            if (strcmp(t, v) != 0) return xstrdup(t);
        return NULL;
    }
    if (a->type == EVA_INT) {
        long n = strtol(v, NULL, 10);
        return xasprintf("%ld", n + 1);
    }
    return xasprintf("%s-other", v);
}

/* Builds into *out an event of definition d that sel (with ${VAR} values from v) matches,
 * using only attributes d records and values its sets allow. -1 with the reason. */
static int build_for(const ev_def *d, const ev_sel *sel, const vars *v, built *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup(d->name);
    for (int pass = 0; pass < 2; pass++)   /* the positive filters first, then the negated ones */
        for (size_t i = 0; i < sel->nfilters; i++) {
            const ev_filter *f = &sel->filters[i];
            if (f->negate != pass) continue;
            char err[256];
            char *val = vars_expand(v, f->value, err, sizeof err);
            if (!val) {
                snprintf(why, len, "%s: %s", sel->text, err);
                built_free(out);
                return -1;
            }
            int var = strstr(f->value, "${") != NULL;
            ev_attr a;
            int is_peer = !strcmp(f->key, "peer");
            if (!is_peer && !events_attr(d, f->key, &a)) {
                snprintf(why, len, "the harness never records %s with an attribute '%s'", d->name, f->key);
                free(val);
                built_free(out);
                return -1;
            }
            const char *have = is_peer ? out->peer : kvlist_get(&out->attrs, f->key);
            if (!f->negate) {
                if (!var && !is_peer && !events_value_ok(&a, val)) {
                    snprintf(why, len, "the harness never records %s with %s=%s (it takes %s)", d->name, f->key, val,
                             events_type_text(&a));
                    free(val);
                    built_free(out);
                    return -1;
                }
                if (have && strcmp(have, val) != 0) {
                    snprintf(why, len, "%s asks %s to be both '%s' and '%s'", sel->text, f->key, have, val);
                    free(val);
                    built_free(out);
                    return -1;
                }
                if (is_peer) { free(out->peer); out->peer = xstrdup(val); }
                else built_set(out, f->key, val);
            } else if (have && !strcmp(have, val)) {
                snprintf(why, len, "%s asks %s to be '%s' and not '%s'", sel->text, f->key, val, val);
                free(val);
                built_free(out);
                return -1;
            }
            free(val);   /* a negated filter holds with the attribute absent */
        }
    return 0;
}

/* The selector expanded with v, parsed (as the executor does before checking). */
static int expanded(const ev_sel *in, const vars *v, ev_sel *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    if (!in->text) return 0;
    char err[256];
    char *text = vars_expand(v, in->text, err, sizeof err);
    int r = text ? ev_sel_parse(text, out, err, sizeof err) : -1;
    if (r < 0) snprintf(why, len, "%s: %s", in->text, err);
    free(text);
    return r;
}

/* An event sel matches (checked with the real matcher): the first event definition the
 * name (or prefix) allows for which one can be built. */
static int build_match(const ev_sel *sel, const vars *v, built *out, char *why, size_t len)
{
    ev_sel ex;
    if (expanded(sel, v, &ex, why, len) < 0) return -1;
    size_t nl = strlen(sel->name);
    int prefix = nl && sel->name[nl - 1] == '*';
    int tried = 0, rc = -1;
    char first[512] = "";
    for (size_t i = 0; i < events_count() && rc < 0; i++) {
        const ev_def *d = events_at(i);
        if (prefix ? strncmp(d->name, sel->name, nl - 1) != 0 : strcmp(d->name, sel->name) != 0) continue;
        tried++;
        char w[512];
        if (build_for(d, sel, v, out, w, sizeof w) < 0) {
            if (!first[0]) snprintf(first, sizeof first, "%s", w);
            continue;
        }
        timeline tl;
        timeline_init(&tl);
        if (ev_sel_match(&ex, built_event(&tl, out))) rc = 0;
        else {
            snprintf(first, sizeof first, "an event built for %s does not match it", sel->text);
            built_free(out);
        }
        timeline_free(&tl);
    }
    if (rc < 0) {
        if (!tried) snprintf(why, len, "the harness records no event %s", sel->name);
        else snprintf(why, len, "no event the harness records can match %s: %s", sel->text, first);
    }
    ev_sel_free(&ex);
    return rc;
}

/* A near miss: the matching event with one filter's condition broken (or, with no filter,
 * another event), which sel does not match. */
static int build_miss(const ev_sel *sel, const vars *v, const built *match, built *out, char *why, size_t len)
{
    ev_sel ex;
    if (expanded(sel, v, &ex, why, len) < 0) return -1;
    int rc = -1;
    const ev_def *d = events_find(match->name);
    for (size_t i = 0; i < ex.nfilters && rc < 0; i++) {
        const ev_filter *f = &ex.filters[i];
        built_copy(out, match);
        if (!strcmp(f->key, "peer")) {
            free(out->peer);
            out->peer = f->negate ? xstrdup(f->value) : xasprintf("%s-other", f->value);
        } else if (f->negate) {
            built_set(out, f->key, f->value);
        } else {
            ev_attr a;
            char *o = d && events_attr(d, f->key, &a) ? other_value(&a, f->value) : NULL;
            if (o) built_set(out, f->key, o);
            free(o);
        }
        timeline tl;
        timeline_init(&tl);
        if (!ev_sel_match(&ex, built_event(&tl, out))) rc = 0;
        else built_free(out);
        timeline_free(&tl);
    }
    for (size_t i = 0; i < events_count() && rc < 0; i++) {   /* another event altogether */
        memset(out, 0, sizeof *out);
        out->name = xstrdup(events_at(i)->name);
        timeline tl;
        timeline_init(&tl);
        if (!ev_sel_match(&ex, built_event(&tl, out))) rc = 0;
        else built_free(out);
        timeline_free(&tl);
    }
    if (rc < 0) snprintf(why, len, "every event the harness records matches %s", sel->text);
    ev_sel_free(&ex);
    return rc;
}

/* ---- order rules ---- */

static void rule_vars(const order_rule *r, vars *v)
{
    vars_init(v);
    add_refs(v, r->a.text);
    add_refs(v, r->b.text);
}

/* The rule's verdict on a timeline of the given events, at the given times (ms). */
static order_status verdict_on(const order_rule *r, const vars *v, const built *const *evs, const int64_t *ms,
                               size_t n, char *msg, size_t len)
{
    order_rule x = *r;
    char err[256];
    if (expanded(&r->a, v, &x.a, err, sizeof err) < 0 || expanded(&r->b, v, &x.b, err, sizeof err) < 0) {
        snprintf(msg, len, "%s", err);
        ev_sel_free(&x.a);
        ev_sel_free(&x.b);
        return ORDER_NOT_EXERCISED;
    }
    timeline tl;
    timeline_init(&tl);
    for (size_t i = 0; i < n; i++) built_add(&tl, ms[i] * MS, evs[i]);
    order_status st = order_check(&x, &tl, msg, len);
    timeline_free(&tl);
    ev_sel_free(&x.a);
    ev_sel_free(&x.b);
    return st;
}

int falsify_rule(const order_rule *r, char *why, size_t len)
{
    vars v;
    rule_vars(r, &v);
    built a = { 0 }, b = { 0 }, miss = { 0 };
    char w[512], msg[1024], desc[512];
    order_rule_describe(r, desc, sizeof desc);
    int rc = -1;
    if (build_match(&r->a, &v, &a, w, sizeof w) < 0 || (r->b.name && build_match(&r->b, &v, &b, w, sizeof w) < 0)) {
        snprintf(why, len, "'%s' cannot fail: %s", desc, w);
        goto out;
    }
    const built *bad[2], *good[2];
    int64_t bad_t[2], good_t[2];
    size_t nbad, ngood;
    switch (r->kind) {
    case ORDER_NEVER:
        if (!r->b.name) {
            if (build_miss(&r->a, &v, &a, &miss, w, sizeof w) < 0) {
                snprintf(why, len, "'%s' can never hold: %s", desc, w);
                goto out;
            }
            bad[0] = &a; bad_t[0] = 10; nbad = 1;
            good[0] = &miss; good_t[0] = 10; ngood = 1;
        } else {
            bad[0] = &a; bad_t[0] = 10; bad[1] = &b; bad_t[1] = 20; nbad = 2;
            good[0] = &b; good_t[0] = 10; good[1] = &a; good_t[1] = 20; ngood = 2;
        }
        break;
    case ORDER_BEFORE:
        bad[0] = &b; bad_t[0] = 10; nbad = 1;
        good[0] = &a; good_t[0] = 10; good[1] = &b; good_t[1] = 20; ngood = 2;
        break;
    case ORDER_WITHIN: {
        int64_t lim = r->limit_ns / MS;
        bad[0] = &a; bad_t[0] = 10; bad[1] = &b; bad_t[1] = 10 + lim + 1; nbad = 2;
        good[0] = &a; good_t[0] = 10; good[1] = &b; good_t[1] = 10 + lim / 2; ngood = 2;
        break;
    }
    default:
        snprintf(why, len, "'%s': unknown kind of rule", desc);
        goto out;
    }
    order_status st = verdict_on(r, &v, bad, bad_t, nbad, msg, sizeof msg);
    if (st != ORDER_VIOLATED) {
        snprintf(why, len, "'%s' cannot fail: a timeline built to violate it is judged %s%s%s", desc,
                 st == ORDER_OK ? "held" : "not exercised", msg[0] ? ": " : "", msg);
        goto out;
    }
    st = verdict_on(r, &v, good, good_t, ngood, msg, sizeof msg);
    if (st != ORDER_OK) {
        snprintf(why, len, "'%s' can never hold: a timeline built to satisfy it is judged %s: %s", desc,
                 st == ORDER_VIOLATED ? "violated" : "not exercised", msg);
        goto out;
    }
    rc = 0;
out:
    built_free(&a);
    built_free(&b);
    built_free(&miss);
    vars_free(&v);
    return rc;
}

/* ---- alternatives of an <expect> ---- */

/* pc:a/b/c = v  ->  {"a":{"b":{"c":"v"}}} merged into root */
static void pc_set(json_t *root, const char *path, const char *value)
{
    char *p = xstrdup(path), *save = NULL;
    json_t *o = root;
    char *seg = strtok_r(p, "/", &save);
    while (seg) {
        char *next = strtok_r(NULL, "/", &save);
        if (!next) {
            json_object_set_new(o, seg, json_string(value));
            break;
        }
        json_t *ch = json_object_get(o, seg);
        if (!json_is_object(ch)) {
            ch = json_object();
            json_object_set_new(o, seg, ch);
        }
        o = ch;
        seg = next;
    }
    free(p);
}

/* A message alternative as the msg.rx (or msg.tx) event that matches it. */
static int build_msg(const tc_alt *a, const vars *v, built *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    const char *dir = kvlist_get(&a->match, "dir");
    out->name = xstrdup(dir && !strcmp(dir, "tx") ? "msg.tx" : "msg.rx");
    const ev_def *d = events_find(out->name);
    json_t *pc = NULL;
    for (size_t i = 0; i < a->match.n; i++) {
        const kv *m = &a->match.items[i];
        if (!strcmp(m->key, "dir")) continue;
        char err[256];
        char *val = vars_expand(v, m->value, err, sizeof err);
        if (!val) {
            snprintf(why, len, "%s", err);
            built_free(out);
            json_decref(pc);
            return -1;
        }
        if (!strncmp(m->key, "pc:", 3)) {
            if (!pc) pc = json_object();
            pc_set(pc, m->key + 3, val);
        } else {
            ev_attr at;
            const char *set = val;
            if (!strcmp(m->key, "response") && !strcmp(val, "any")) set = "piggybacked";
            if (!d || !events_attr(d, m->key, &at) || (!strstr(m->value, "${") && !events_value_ok(&at, set))) {
                snprintf(why, len, "the harness never records %s with %s=%s", out->name, m->key, val);
                free(val);
                built_free(out);
                json_decref(pc);
                return -1;
            }
            built_set(out, m->key, set);
        }
        free(val);
    }
    if (pc) {
        char *text = json_dumps(pc, JSON_COMPACT);
        built_set(out, "pc", text);
        free(text);
        json_decref(pc);
    }
    return 0;
}

static int alt_match(const tc_alt *a, const built *b, const vars *v)
{
    timeline tl;
    timeline_init(&tl);
    char err[256];
    int r = match_alt(a, built_event(&tl, b), v, err, sizeof err);
    timeline_free(&tl);
    return r;
}

int falsify_alt(const tc_step *st, size_t i, char *why, size_t len)
{
    const tc_alt *a = &st->alts[i];
    if (a->kind == ALT_SILENCE) return 0;   /* fires whenever the window ends with nothing else */
    vars v;
    vars_init(&v);
    for (size_t j = 0; j <= i; j++) {
        add_refs(&v, st->alts[j].event);
        for (size_t k = 0; k < st->alts[j].match.n; k++) add_refs(&v, st->alts[j].match.items[k].value);
    }
    char desc[512], w[512];
    alt_describe(a, desc, sizeof desc);
    built hit = { 0 }, miss = { 0 };
    int rc = -1;
    ev_sel sel = { 0 };
    if (a->kind == ALT_EVENT) {
        if (ev_sel_parse(a->event, &sel, w, sizeof w) < 0 || build_match(&sel, &v, &hit, w, sizeof w) < 0) {
            snprintf(why, len, "the alternative %s can never be taken: %s", desc, w);
            goto out;
        }
    } else if (build_msg(a, &v, &hit, w, sizeof w) < 0) {
        snprintf(why, len, "the alternative %s can never be taken: %s", desc, w);
        goto out;
    }
    if (alt_match(a, &hit, &v) != 1) {
        snprintf(why, len, "the alternative %s can never be taken: the event built for it does not match it", desc);
        goto out;
    }
    for (size_t j = 0; j < i; j++) {
        if (alt_match(&st->alts[j], &hit, &v) == 1) {
            char other[512];
            alt_describe(&st->alts[j], other, sizeof other);
            snprintf(why, len, "the alternative %s can never be taken: the alternative %s at line %d matches the "
                               "same events and comes first", desc, other, st->alts[j].line);
            goto out;
        }
    }
    /* and an event it does not match: the alternative is not taken for everything */
    if (a->kind == ALT_EVENT) {
        if (build_miss(&sel, &v, &hit, &miss, w, sizeof w) < 0) {
            snprintf(why, len, "the alternative %s is taken by anything: %s", desc, w);
            goto out;
        }
    } else {
        built_copy(&miss, &hit);
        free(miss.name);
        miss.name = xstrdup(strcmp(hit.name, "msg.rx") ? "msg.rx" : "msg.tx");
    }
    if (alt_match(a, &miss, &v) != 0) {
        snprintf(why, len, "the alternative %s is taken by anything", desc);
        goto out;
    }
    rc = 0;
out:
    ev_sel_free(&sel);
    built_free(&hit);
    built_free(&miss);
    vars_free(&v);
    return rc;
}

static void check_steps(const testcase *tc, const tc_steps *s, diag *d, falsify_count *n, int *problems)
{
    for (size_t i = 0; i < s->n; i++) {
        const tc_step *st = &s->items[i];
        if (st->kind != STEP_EXPECT) continue;
        for (size_t j = 0; j < st->nalts; j++) {
            if (st->alts[j].on_match == VERDICT_PASS || st->alts[j].kind == ALT_SILENCE) continue;
            char why[1024];
            n->alts++;
            if (falsify_alt(st, j, why, sizeof why) < 0) {
                const tc_alt *a = &st->alts[j];
                if (a->line) xml_diag(d, tc->file, a->line, a->src, a->src_line, "%s", why);
                else xml_diag(d, tc->file, st->line, st->src, st->src_line, "%s", why);
                (*problems)++;
            }
        }
    }
}

int falsify_testcase(const testcase *tc, diag *d, falsify_count *count)
{
    falsify_count local = { 0, 0 };
    falsify_count *n = count ? count : &local;
    int problems = 0;
    check_steps(tc, &tc->preamble, d, n, &problems);
    check_steps(tc, &tc->body, d, n, &problems);
    check_steps(tc, &tc->postamble, d, n, &problems);
    for (size_t i = 0; i < tc->norder; i++) {
        char why[1024];
        n->rules++;
        if (falsify_rule(&tc->order[i], why, sizeof why) < 0) {
            diag_error(d, tc->file, tc->order[i].line, "%s", why);
            problems++;
        }
    }
    return problems;
}
