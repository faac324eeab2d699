/* Attach mode (model/profile.h profile_attached): the IUT runs already and outlives the test,
 * so what one test creates on it would meet the next run. Three things keep runs apart:
 * - names: a CREATE of anything but a registration (<AE>, <remoteCSE>: the registree's
 *   identity names those, a new name would not avoid the clash) gets the run's id appended
 *   to its rn ("cnt-a" becomes "cnt-a-${RUN_ID}");
 * - a leftover: a CREATE the step wants answered 2001 that is refused 4105 (CONFLICT) or
 *   4117 (ALREADY_EXISTS, Release 3) is taken as what an earlier, interrupted run left:
 *   the resource at <target>/<rn> is deleted by the same originator and the CREATE sent once
 *   more (attach.leftover); when the DELETE is refused nothing is retried, and the refusal
 *   stands as the answer the step judges;
 * - cleanup: at the end of the test every resource the harness created (a 2001 to its
 *   CREATE) and did not create below another one it created is deleted, newest first, on the
 *   association it was created on (attach.cleanup). A DELETE that fails is logged; it never
 *   changes the verdict, which was decided before. */
#include "exec_int.h"
#include "match.h"
#include "../onem2m/mandatory.h"
#include "../onem2m/primitive_xml.h"
#include "../onem2m/release.h"
#include "../util/timeutil.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void attach_name(exec *x, m2m_prim *req)
{
    const char *run = vars_get(&x->v, "RUN_ID");
    if (!run || !*run || !req->pc || req->ty == 2 || req->ty == 16) return;
    json_t *root = json_loadb(req->pc, req->pclen, JSON_DECODE_ANY, NULL);
    const char *key;
    json_t *inner;
    int changed = 0;
    if (json_is_object(root) && json_object_size(root) == 1)
        json_object_foreach(root, key, inner) {
            const char *rn = json_string_value(json_object_get(inner, "rn"));
            if (!rn || !*rn) continue;
            char *named = xasprintf("%s-%s", rn, run);
            json_object_set_new(inner, "rn", json_string(named));
            free(named);
            changed = 1;
        }
    if (changed) {
        char *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (out) {
            free(req->pc);
            req->pc = out;
            req->pclen = strlen(out);
        }
    }
    json_decref(root);
}

/* The harness's CREATE with that rqi, the latest before tl[before]: its index or -1. */
static long create_sent(const exec *x, const char *rqi, size_t before)
{
    for (size_t i = before; rqi && i-- > 0;) {
        const tl_event *e = &x->tl.ev[i];
        const char *op = tl_event_get(e, "op"), *q = tl_event_get(e, "rqi");
        if (!strcmp(e->name, "msg.tx") && op && !strcasecmp(op, "create") && q && !strcmp(q, rqi)) return (long)i;
    }
    return -1;
}

/* Does the step want that request created (an alternative with its rqi and rsc 2001)? */
static int wants_created(const tc_step *s, const char *rqi, const vars *v)
{
    for (size_t j = 0; j < s->nalts; j++) {
        const tc_alt *a = &s->alts[j];
        if (a->kind != ALT_MSG) continue;
        const char *want_rsc = kvlist_get(&a->match, "rsc"), *want_rqi = kvlist_get(&a->match, "rqi");
        if (!want_rsc || strcmp(want_rsc, "2001") || !want_rqi) continue;
        char err[64];
        char *q = vars_expand(v, want_rqi, err, sizeof err);
        int same = q && !strcmp(q, rqi);
        free(q);
        if (same) return 1;
    }
    return 0;
}

int attach_is_leftover(const exec *x, const tc_step *s, size_t i)
{
    const tl_event *e = &x->tl.ev[i];
    const char *rsc = tl_event_get(e, "rsc"), *rqi = tl_event_get(e, "rqi");
    if (!x->attached || x->leftover_tried || strcmp(e->name, "msg.rx") || !rsc || !rqi) return 0;
    if (strcmp(rsc, "4105") && strcmp(rsc, "4117")) return 0;
    return create_sent(x, rqi, i) >= 0 && wants_created(s, rqi, &x->v);
}

/* The oneM2M short name of the resource type a CREATE event carries ("m2m:cnt"), or NULL. */
static const char *wrapper_of(const tl_event *e)
{
    const char *ty = tl_event_get(e, "ty");
    return ty ? m2m_type_wrapper(atoi(ty)) : NULL;
}

/* Is tl[i] the answer to the request with that rqi? */
static int answers(const tl_event *e, const char *rqi)
{
    const char *q = tl_event_get(e, "rqi");
    return !strcmp(e->name, "msg.rx") && tl_event_get(e, "rsc") && q && !strcmp(q, rqi);
}

typedef struct answer_wait { const exec *x; const char *rqi; size_t from; long hit; } answer_wait;

static int answered(void *ctx)
{
    answer_wait *a = ctx;
    for (size_t i = a->from; i < a->x->tl.n; i++)
        if (answers(&a->x->tl.ev[i], a->rqi)) {
            a->hit = (long)i;
            return 1;
        }
    return 0;
}

/* Sends DELETE to `to` as fr, on the association sa (secure) or plain, and waits for its
 * answer: 1 with its rsc in got, or 0 (not sent, or no answer: why in err). */
static int delete_once(exec *x, const char *to, const char *fr, int secure, unsigned sa, const char *rqi,
                       char got[8], char *err, size_t errlen)
{
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_DELETE;
    req.to = xstrdup(to);
    req.fr = fr ? xstrdup(fr) : NULL;
    req.rqi = xstrdup(rqi);
    req.rvi = xstrdup(m2m_release_rvi(x->p->release));
    m2m_prim_serialize(&req, x->p->content_format);
    wire_send_opts so = { .secure = secure, .repeat = 1, .sa = sa };
    answer_wait a = { x, rqi, x->tl.n, -1 };
    int r = wire_send_request(x->w, &req, &so, err, errlen);
    if (r < 0 && secure && sa) {   /* that association is gone: the newest one */
        so.sa = 0;
        r = wire_send_request(x->w, &req, &so, err, errlen);
    }
    m2m_prim_free(&req);
    if (r < 0) return 0;
    loop_run_until(x->loop, mono_now_ns() + x->p->step_timeout_ns, answered, &a);
    if (a.hit < 0) {
        snprintf(err, errlen, "no answer within %.3g s", ns_to_sec(x->p->step_timeout_ns));
        return 0;
    }
    snprintf(got, 8, "%s", tl_event_get(&x->tl.ev[a.hit], "rsc"));
    return 1;
}

/* DELETE as the resource's creator; an <AE> the IUT will not let go by its AE-ID (4103, 4106:
 * it was registered inside the association of the harness's CSE, or of the harness's AE
 * without a From of its own) once more as the harness's own identity there. *as: the
 * originator that was answered last. */
static int delete_as(exec *x, const char *to, const char *fr, int ty, int secure, unsigned sa, const char *rqi,
                     char got[8], const char **as, char *err, size_t errlen)
{
    *as = fr;
    if (!delete_once(x, to, fr, secure, sa, rqi, got, err, errlen)) return 0;
    const char *own = vars_get(&x->v, "HARNESS_CSE_ID");
    if (!own || !*own) own = vars_get(&x->v, "HARNESS_AE_ID");
    if (ty != 2 || (strcmp(got, "4103") && strcmp(got, "4106")) || !own || !*own || (fr && !strcmp(fr, own))) return 1;
    char *again = xasprintf("%s-by-harness", rqi);
    int r = delete_once(x, to, own, secure, sa, again, got, err, errlen);
    free(again);
    if (r) *as = own;
    return r;
}

int attach_leftover(exec *x, const tc_step *s, size_t i)
{
    x->leftover_tried = 1;
    const tl_event *rx = &x->tl.ev[i];
    char rsc[8], rqi[128];
    snprintf(rsc, sizeof rsc, "%s", tl_event_get(rx, "rsc"));
    snprintf(rqi, sizeof rqi, "%s", tl_event_get(rx, "rqi"));
    const tl_event *tx = &x->tl.ev[create_sent(x, rqi, i)];
    const char *to = tl_event_get(tx, "to"), *fr = tl_event_get(tx, "fr"), *ty = tl_event_get(tx, "ty");
    const char *sec = tl_event_get(tx, "secure"), *sa = tl_event_get(tx, "sa");
    const char *w = wrapper_of(tx);
    char *field = w ? xasprintf("pc:%s/rn", w) : NULL;
    char *rn = field ? event_field(tx, field) : NULL;
    free(field);
    if (!to || !rn || !*rn) {
        timeline_add(&x->tl, "attach.leftover", NULL, "fr", fr, "ty", ty, "rsc", rsc, "rqi", rqi, "outcome", "left",
                     (char *)NULL);
        step_log(x, s, "CREATE %s answered %s: a leftover of an earlier run? It has no resource name to delete it by",
                 rqi, rsc);
        free(rn);
        return 0;
    }
    char *path = xasprintf("%s/%s", to, rn);
    char *fr_copy = fr ? xstrdup(fr) : NULL, *ty_copy = ty ? xstrdup(ty) : NULL;
    int secure = sec && !strcmp(sec, "true");
    unsigned sa_num = sa ? (unsigned)atoi(sa) : 0;
    char drqi[160], err[256] = "", got[8] = "";
    const char *as;
    snprintf(drqi, sizeof drqi, "leftover-%s", rqi);
    int answered_ = delete_as(x, path, fr_copy, ty_copy ? atoi(ty_copy) : 0, secure, sa_num, drqi, got, &as, err, sizeof err);
    int deleted = answered_ && !strcmp(got, "2002");
    timeline_add(&x->tl, "attach.leftover", NULL, "path", path, "fr", fr_copy, "ty", ty_copy, "rsc", rsc, "rqi", rqi,
                 "outcome", deleted ? "retried" : "left", (char *)NULL);
    if (deleted)
        step_log(x, s, "CREATE %s answered %s: %s is left over from an earlier run; deleted it (2002), sending the "
                 "CREATE once more", rqi, rsc, path);
    else
        step_log(x, s, "CREATE %s answered %s: deleting %s as a leftover of an earlier run failed (%s%s): no retry",
                 rqi, rsc, path, answered_ ? "answered " : "", answered_ ? got : err);
    free(path);
    free(fr_copy);
    free(ty_copy);
    free(rn);
    return deleted;
}

/* ---- cleanup at the end of the test ---- */

typedef struct made { char *ri, *to, *fr; int ty, secure; unsigned sa; } made;

/* Is `to` one of the resources in ms[0..n) (its ri, or a path ending in /ri)? */
static int below_made(const made *ms, size_t n, const char *to)
{
    size_t tl = strlen(to);
    for (size_t k = 0; k < n; k++) {
        size_t rl = strlen(ms[k].ri);
        if (!strcmp(to, ms[k].ri) || (tl > rl && to[tl - rl - 1] == '/' && !strcmp(to + tl - rl, ms[k].ri))) return 1;
    }
    return 0;
}

static int open_own_association(exec *x)
{
    char err[256];
    size_t from = x->tl.n;
    if (wire_open_association(x->w, WIRE_CRED_OWN, err, sizeof err) < 0) return -1;
    int64_t end = mono_now_ns() + x->p->dtls_total_ns + NS_PER_SEC;
    while (mono_now_ns() < end) {
        for (size_t i = from; i < x->tl.n; i++) {
            const char *side = tl_event_get(&x->tl.ev[i], "side");
            if (!side || strcmp(side, "client")) continue;
            if (!strcmp(x->tl.ev[i].name, "sae.done")) return 0;
            if (!strcmp(x->tl.ev[i].name, "sae.fail")) return -1;
        }
        loop_run_until(x->loop, mono_now_ns() + 20 * NS_PER_MS, NULL, NULL);
    }
    return -1;
}

void attach_cleanup(exec *x)
{
    if (!x->attached || !x->w || x->o->keep_resources) return;
    made *ms = NULL;
    size_t n = 0, cap = 0;
    size_t end = x->tl.n;
    for (size_t i = 0; i < end; i++) {
        const tl_event *tx = &x->tl.ev[i];
        const char *op = tl_event_get(tx, "op"), *rqi = tl_event_get(tx, "rqi"), *to = tl_event_get(tx, "to");
        if (strcmp(tx->name, "msg.tx") || !op || strcasecmp(op, "create") || !rqi || !to) continue;
        size_t j = i + 1;
        while (j < end && !answers(&x->tl.ev[j], rqi)) j++;
        if (j == end || strcmp(tl_event_get(&x->tl.ev[j], "rsc"), "2001")) continue;
        const char *w = wrapper_of(tx);
        char *f = w ? xasprintf("pc:%s/ri", w) : NULL;
        char *ri = f ? event_field(&x->tl.ev[j], f) : NULL;
        free(f);
        if (!ri || !*ri || below_made(ms, n, to)) {
            free(ri);
            continue;
        }
        /* an AE deletes itself by its AE-ID, which the registrar may have assigned */
        const char *ty = tl_event_get(tx, "ty");
        char *aei = ty && atoi(ty) == 2 ? event_field(&x->tl.ev[j], "pc:m2m:ae/aei") : NULL;
        const char *fr = aei && *aei ? aei : tl_event_get(tx, "fr");
        const char *sec = tl_event_get(tx, "secure"), *sa = tl_event_get(tx, "sa");
        xgrow((void **)&ms, &cap, n + 1, sizeof *ms);
        ms[n++] = (made){ ri, xstrdup(to), fr ? xstrdup(fr) : NULL, ty ? atoi(ty) : 0, sec && !strcmp(sec, "true"),
                          sa ? (unsigned)atoi(sa) : 0 };
        free(aei);
    }
    const char *cse = vars_get(&x->v, "IUT_CSE_ID");
    int opened = 0;
    for (size_t k = n; k-- > 0;) {
        made *m = &ms[k];
        char *path = m->ri[0] == '/' || !cse ? xstrdup(m->ri) : xasprintf("%s/%s", cse, m->ri);
        char rqi[64], err[256] = "", tys[12], got[8] = "";
        const char *as;
        snprintf(rqi, sizeof rqi, "cleanup-%zu", k + 1);
        snprintf(tys, sizeof tys, "%d", m->ty);
        int ok = delete_as(x, path, m->fr, m->ty, m->secure, m->sa, rqi, got, &as, err, sizeof err);
        if (!ok && m->secure && !opened) {   /* the test closed its associations: a new one */
            opened = 1;
            if (open_own_association(x) == 0) ok = delete_as(x, path, m->fr, m->ty, 1, 0, rqi, got, &as, err, sizeof err);
        }
        /* 4004: the test deleted it itself */
        int gone = ok && (!strcmp(got, "2002") || !strcmp(got, "4004"));
        timeline_add(&x->tl, "attach.cleanup", NULL, "path", path, "fr", as, "ty", tys, "rsc", ok ? got : NULL,
                     "outcome", gone ? "deleted" : "left", (char *)NULL);
        sb_addf(&x->steps_log, "  cleanup: DELETE %s as %s: %s%s%s\n", path, as ? as : "?",
                ok ? "answered " : "", ok ? got : err, gone ? "" : " (left on the IUT; the verdict stands)");
        free(path);
    }
    for (size_t k = 0; k < n; k++) {
        free(ms[k].ri);
        free(ms[k].to);
        free(ms[k].fr);
    }
    free(ms);
}
