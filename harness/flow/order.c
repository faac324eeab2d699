#include "order.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The timeline is in recording order, but replayed or merged timelines may carry
 * timestamps out of order: the checker always works on a view sorted by (t_ns, seq). */
static int cmp_time_seq(const void *a, const void *b)
{
    const tl_event *x = *(const tl_event *const *)a, *y = *(const tl_event *const *)b;
    if (x->t_ns != y->t_ns) return x->t_ns < y->t_ns ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return 0;
}

static const tl_event **sorted_view(const timeline *tl)
{
    const tl_event **v = xmalloc((tl->n ? tl->n : 1) * sizeof *v);
    for (size_t i = 0; i < tl->n; i++) v[i] = &tl->ev[i];
    qsort(v, tl->n, sizeof *v, cmp_time_seq);
    return v;
}

static long find_sorted(const tl_event **v, size_t n, const ev_sel *s, size_t from)
{
    for (size_t i = from; i < n; i++)
        if (ev_sel_match(s, v[i])) return (long)i;
    return -1;
}

static size_t count_sorted(const tl_event **v, size_t n, const ev_sel *s, size_t from, size_t to)
{
    size_t c = 0;
    for (size_t i = from; i < to && i < n; i++) c += (size_t)ev_sel_match(s, v[i]);
    return c;
}

/* Seconds with three decimals and a '.' regardless of locale. */
static void fmt_secs(char *buf, size_t len, int64_t ns)
{
    int neg = ns < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    u /= NS_PER_MS; /* ms */
    snprintf(buf, len, "%s%llu.%03llu", neg ? "-" : "", (unsigned long long)(u / 1000),
             (unsigned long long)(u % 1000));
}

/* "#4 at 0.120 s" */
static void fmt_at(char *buf, size_t len, const tl_event *e)
{
    char t[32];
    fmt_secs(t, sizeof t, e->t_ns);
    snprintf(buf, len, "#%llu at %s s", (unsigned long long)e->seq, t);
}

static const char *sel_text(const ev_sel *s)
{
    return s->text ? s->text : s->name ? s->name : "(none)";
}

static void say(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t len, const char *fmt, ...)
{
    if (!msg || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

/* Absence of the events a rule speaks of: vacuous unless the rule is required. */
static order_status absent(const order_rule *r, char *msg, size_t len, const char *what)
{
    char desc[512];
    order_rule_describe(r, desc, sizeof desc);
    if (r->required) {
        say(msg, len, "%s, so the required rule '%s' was never exercised", what, desc);
        return ORDER_VIOLATED;
    }
    say(msg, len, "not exercised: %s, so '%s' proves nothing", what, desc);
    return ORDER_NOT_EXERCISED;
}

/* Every B must have an A strictly before it; only the first A matters, so every B
 * earlier than it (and every B at all when there is no A) is a violation. */
static order_status check_before(const order_rule *r, const tl_event **v, size_t n,
                                 char *msg, size_t len)
{
    long ia = find_sorted(v, n, &r->a, 0);
    long ib = find_sorted(v, n, &r->b, 0);
    const char *ta = sel_text(&r->a), *tb = sel_text(&r->b);
    if (ib < 0) {
        char what[600];
        if (ia < 0) snprintf(what, sizeof what, "neither %s nor %s occurred", ta, tb);
        else snprintf(what, sizeof what, "no %s occurred", tb);
        return absent(r, msg, len, what);
    }
    if (ia >= 0 && ib > ia) return ORDER_OK;

    char at_b[64];
    fmt_at(at_b, sizeof at_b, v[ib]);
    size_t limit = ia < 0 ? n : (size_t)ia;
    size_t more = count_sorted(v, n, &r->b, (size_t)ib + 1, limit);
    char extra[96] = "";
    if (more)
        snprintf(extra, sizeof extra, "; %zu more %s came before it", more, more == 1 ? "event" : "events");
    if (ia < 0) {
        say(msg, len, "%s %s came before any %s (no %s was recorded%s)", tb, at_b, ta, ta, extra);
    } else {
        char at_a[64];
        fmt_at(at_a, sizeof at_a, v[ia]);
        say(msg, len, "%s %s came before any %s (first %s: %s%s)", tb, at_b, ta, ta, at_a, extra);
    }
    return ORDER_VIOLATED;
}

/* No X at all; with `before`, no X before the first Y (and any X when Y never came). */
static order_status check_never(const order_rule *r, const tl_event **v, size_t n,
                                char *msg, size_t len)
{
    const char *tx = sel_text(&r->a);
    long ix = find_sorted(v, n, &r->a, 0);
    char at_x[64] = "";
    if (ix >= 0) fmt_at(at_x, sizeof at_x, v[ix]);

    if (!r->b.name) {
        if (ix < 0) return ORDER_OK;
        size_t total = count_sorted(v, n, &r->a, 0, n);
        say(msg, len, "%s %s occurred, but it must never occur (%zu in all)", tx, at_x, total);
        return ORDER_VIOLATED;
    }

    const char *ty = sel_text(&r->b);
    long iy = find_sorted(v, n, &r->b, 0);
    if (ix >= 0 && (iy < 0 || ix < iy)) {
        size_t earlier = count_sorted(v, n, &r->a, 0, iy < 0 ? n : (size_t)iy);
        if (iy < 0) {
            say(msg, len, "%s %s occurred and no %s was ever recorded (%zu %s in all)", tx, at_x,
                ty, earlier, tx);
        } else {
            char at_y[64];
            fmt_at(at_y, sizeof at_y, v[iy]);
            say(msg, len, "%s %s came before the first %s (%s; %zu %s before it)", tx, at_x, ty,
                at_y, earlier, tx);
        }
        return ORDER_VIOLATED;
    }
    if (iy < 0) {
        char what[600];
        snprintf(what, sizeof what, "neither %s nor %s occurred", tx, ty);
        return absent(r, msg, len, what);
    }
    return ORDER_OK;
}

/* After the first A, the first B after it in (t_ns, seq) order (so the same timestamp
 * with a later seq counts) must come no later than limit; exactly at the limit holds. */
static order_status check_within(const order_rule *r, const tl_event **v, size_t n,
                                 char *msg, size_t len)
{
    const char *ta = sel_text(&r->a), *tb = sel_text(&r->b);
    long ia = find_sorted(v, n, &r->a, 0);
    if (ia < 0) {
        char what[600];
        snprintf(what, sizeof what, "no %s occurred", ta);
        return absent(r, msg, len, what);
    }
    int64_t limit = r->limit_ns < 0 ? 0 : r->limit_ns;
    char at_a[64], lim[32];
    fmt_at(at_a, sizeof at_a, v[ia]);
    fmt_secs(lim, sizeof lim, limit);
    long ib = find_sorted(v, n, &r->b, (size_t)ia + 1);
    if (ib < 0) {
        char end[32];
        fmt_secs(end, sizeof end, v[n - 1]->t_ns);
        say(msg, len, "no %s followed %s %s (limit %s s; the timeline ends at %s s)", tb, ta, at_a,
            lim, end);
        return ORDER_VIOLATED;
    }
    /* Unsigned difference: both are int64 and b >= a, so this cannot overflow. */
    uint64_t gap = (uint64_t)v[ib]->t_ns - (uint64_t)v[ia]->t_ns;
    if (gap <= (uint64_t)limit) return ORDER_OK;
    char at_b[64], g[32];
    fmt_at(at_b, sizeof at_b, v[ib]);
    fmt_secs(g, sizeof g, gap > INT64_MAX ? INT64_MAX : (int64_t)gap);
    say(msg, len, "%s %s came %s s after %s %s, more than the limit of %s s", tb, at_b, g, ta,
        at_a, lim);
    return ORDER_VIOLATED;
}

order_status order_check(const order_rule *r, const timeline *tl, char *msg, size_t msglen)
{
    if (msg && msglen) msg[0] = '\0';
    if (!r->a.name || ((r->kind == ORDER_BEFORE || r->kind == ORDER_WITHIN) && !r->b.name)) {
        say(msg, msglen, "invalid order rule (line %d): an event selector is missing", r->line);
        return ORDER_VIOLATED;
    }
    const tl_event **v = sorted_view(tl);
    order_status st;
    switch (r->kind) {
    case ORDER_BEFORE: st = check_before(r, v, tl->n, msg, msglen); break;
    case ORDER_NEVER: st = check_never(r, v, tl->n, msg, msglen); break;
    case ORDER_WITHIN: st = check_within(r, v, tl->n, msg, msglen); break;
    default:
        say(msg, msglen, "invalid order rule (line %d): unknown kind %d", r->line, (int)r->kind);
        st = ORDER_VIOLATED;
    }
    free(v);
    return st;
}

void order_rule_free(order_rule *r)
{
    ev_sel_free(&r->a);
    ev_sel_free(&r->b);
}

/* "5 s", "250 ms", "1.5 s": short and exact enough for a rule's description. */
static void fmt_limit(char *buf, size_t len, int64_t ns)
{
    if (ns < 0) ns = 0;
    if (ns % NS_PER_SEC == 0) snprintf(buf, len, "%lld s", (long long)(ns / NS_PER_SEC));
    else if (ns % NS_PER_MS == 0 && ns < NS_PER_SEC) snprintf(buf, len, "%lld ms", (long long)(ns / NS_PER_MS));
    else {
        char s[32];
        fmt_secs(s, sizeof s, ns);
        snprintf(buf, len, "%s s", s);
    }
}

void order_rule_describe(const order_rule *r, char *buf, size_t len)
{
    if (!buf || !len) return;
    const char *ta = sel_text(&r->a), *tb = sel_text(&r->b);
    switch (r->kind) {
    case ORDER_BEFORE: snprintf(buf, len, "%s before %s", ta, tb); break;
    case ORDER_NEVER:
        if (r->b.name) snprintf(buf, len, "never %s before %s", ta, tb);
        else snprintf(buf, len, "never %s", ta);
        break;
    case ORDER_WITHIN: {
        char lim[48];
        fmt_limit(lim, sizeof lim, r->limit_ns);
        if (r->limit_text[0] && r->limit_timer) snprintf(buf, len, "%s within %s of %s", tb, r->limit_text, ta);
        else if (r->limit_text[0]) snprintf(buf, len, "%s within %s (%s) of %s", tb, lim, r->limit_text, ta);
        else snprintf(buf, len, "%s within %s of %s", tb, lim, ta);
        break;
    }
    default: snprintf(buf, len, "unknown rule"); break;
    }
}
