#include "match.h"
#include "plainmode.h"
#include "../onem2m/primitive.h"
#include "../util/xmem.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *event_field(const tl_event *e, const char *field)
{
    if (strncmp(field, "pc:", 3) == 0) {
        const char *pc = tl_event_get(e, "pc");
        if (!pc) return NULL;
        m2m_prim p;
        m2m_prim_init(&p);
        p.pc = xstrdup(pc);
        p.pclen = strlen(pc);
        char *v = m2m_prim_field(&p, field);
        m2m_prim_free(&p);
        return v;
    }
    return xstrdup(tl_event_get(e, field));
}

static const char *wanted_name(const tc_alt *a)
{
    const char *dir = kvlist_get(&a->match, "dir");
    return dir && strcmp(dir, "tx") == 0 ? "msg.tx" : "msg.rx";
}

int match_alt(const tc_alt *a, const tl_event *e, const vars *v, char *err, size_t errlen)
{
    if (a->kind == ALT_SILENCE) return 0;
    if (a->kind == ALT_EVENT) {
        char *text = vars_expand(v, a->event, err, errlen);
        if (!text) return -1;
        ev_sel s;
        int r = ev_sel_parse(text, &s, err, errlen);
        free(text);
        if (r < 0) return -1;
        r = ev_sel_match(&s, e);
        ev_sel_free(&s);
        return r;
    }
    if (strcmp(e->name, wanted_name(a)) != 0) return 0;
    /* a response the CoAP layer rejected (wire.c note_rejected) answers nothing */
    if (tl_event_get(e, "rejected") && !kvlist_get(&a->match, "rejected")) return 0;
    for (size_t i = 0; i < a->match.n; i++) {
        const kv *m = &a->match.items[i];
        if (strcmp(m->key, "dir") == 0) continue;
        /* the plain-CoAP run mode (exec/plainmode.h): no association, a message matches either way */
        if (strcmp(m->key, "secure") == 0 && plainmode_on(v)) continue;
        char *want = vars_expand(v, m->value, err, errlen);
        if (!want) return -1;
        char *have = event_field(e, m->key);
        /* response="any": a response however it was carried (piggybacked or separate) */
        int any = !strcmp(m->key, "response") && !strcmp(want, "any");
        int ok = have && (any || strcmp(have, want) == 0);
        free(want);
        free(have);
        if (!ok) return 0;
    }
    return 1;
}

int capture_apply(const tc_alt *a, const tl_event *e, vars *v, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->capture.n; i++) {
        char *val = event_field(e, a->capture.items[i].value);
        if (!val) {
            snprintf(err, errlen, "line %d: cannot capture ${%s}: field '%s' is absent from %s #%llu",
                     a->line, a->capture.items[i].key, a->capture.items[i].value, e->name,
                     (unsigned long long)e->seq);
            return -1;
        }
        const char *shape = kvlist_get(&a->shape, a->capture.items[i].key);
        const char *out = val;
        if (shape && strstr(shape, "last") && strrchr(val, '/')) out = strrchr(val, '/') + 1;
        if (shape && strstr(shape, "swapped"))
            for (char *p = val + (out - val); *p; p++)
                *p = isupper((unsigned char)*p) ? (char)tolower((unsigned char)*p)
                   : (char)toupper((unsigned char)*p);
        vars_set(v, a->capture.items[i].key, out);
        free(val);
    }
    return 0;
}

void alt_describe(const tc_alt *a, char *buf, size_t len)
{
    if (a->kind == ALT_SILENCE) { snprintf(buf, len, "silence"); return; }
    if (a->kind == ALT_EVENT) { snprintf(buf, len, "%s", a->event); return; }
    strbuf b;
    sb_init(&b);
    sb_add(&b, wanted_name(a));
    int first = 1;
    for (size_t i = 0; i < a->match.n; i++) {
        if (strcmp(a->match.items[i].key, "dir") == 0) continue;
        sb_addf(&b, "%s%s=%s", first ? "[" : ",", a->match.items[i].key, a->match.items[i].value);
        first = 0;
    }
    if (!first) sb_add(&b, "]");
    snprintf(buf, len, "%s", b.s);
    sb_free(&b);
}

void rx_unusable(const timeline *tl, size_t from, char *buf, size_t len)
{
    strbuf b;
    sb_init(&b);
    size_t n = 0;
    for (size_t i = from; i < tl->n; i++) {
        const tl_event *e = &tl->ev[i];
        const char *kind = NULL, *why = NULL;
        if (!strcmp(e->name, "msg.rx.malformed")) kind = "malformed", why = tl_event_get(e, "reason");
        else if (!strcmp(e->name, "msg.rx") && (why = tl_event_get(e, "rejected"))) kind = "rejected";
        else if (!strcmp(e->name, "msg.rx") && (why = tl_event_get(e, "problems"))) kind = "defective";
        else if (!strcmp(e->name, "net.rx.ignored") || !strcmp(e->name, "sae.bad_record"))
            kind = "ignored", why = tl_event_get(e, "reason");
        if (!kind) continue;
        if (n++ < 3) {
            char d[160];
            tl_event_describe(e, d, sizeof d);
            if (!why) why = "?";
            int wl = (int)strlen(why);
            while (wl > 0 && (why[wl - 1] == '\n' || why[wl - 1] == ' ')) wl--;
            sb_addf(&b, "%s%s %s: %.*s", n > 1 ? "; " : "; received but unusable: ", kind, d, wl, why);
        }
    }
    if (n > 3) sb_addf(&b, "; and %zu more", n - 3);
    snprintf(buf, len, "%s", b.s ? b.s : "");
    sb_free(&b);
}
