#include "executor.h"
#include "plainmode.h"
#include "../onem2m/mandatory.h"
#include "../onem2m/release.h"
#include "../iut/iutctl.h"
#include "match.h"
#include "../iut/netns.h"
#include "steps_field.h"
#include "../net/ports.h"
#include "steps_net.h"
#include "wire.h"
#include "../model/vars.h"
#include "../model/profile_redact.h"
#include "../onem2m/primitive_xml.h"
#include "../net/dtls.h"
#include "../model/optspec.h"
#include "../util/xmem.h"
#include <errno.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "exec_int.h"
#include "../util/timeutil.h"
#include "evidence.h"

void step_log(exec *x, const tc_step *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    sb_addf(&x->steps_log, "  line %d: %s\n", s->line, msg ? msg : "?");
    free(msg);
}

/* ---- <respond> overrides: a matching <message> alternative of the running <expect> ---- */

static int responder(const tl_event *ev, const m2m_prim *req, m2m_prim *rsp, void *ctx)
{
    exec *x = ctx;
    if (!x->expecting) return 0;
    for (size_t i = 0; i < x->expecting->nalts; i++) {
        const tc_alt *a = &x->expecting->alts[i];
        if (a->kind != ALT_MSG || !a->respond.present) continue;
        char err[256];
        if (match_alt(a, ev, &x->v, err, sizeof err) != 1) continue;
        xgrow((void **)&x->answered, &x->capanswered, x->nanswered + 1, sizeof *x->answered);
        x->answered[x->nanswered++] = (size_t)(ev - x->tl.ev);
        int how = a->respond.separate_twice ? WIRE_RSP_SEPARATE_TWICE : 0;
        if (!a->respond.rsc) return how;   /* the registrar's answer, carried as the test says */
        rsp->is_response = 1;
        rsp->rsc = a->respond.rsc;
        rsp->rqi = xstrdup(req->rqi);
        rsp->rvi = xstrdup(req->rvi);   /* the request's release; none toward Release 1 */
        if (a->respond.content) {
            rsp->pc = vars_expand(&x->v, a->respond.content, err, sizeof err);
            rsp->pclen = rsp->pc ? strlen(rsp->pc) : 0;
            rsp->cf = M2M_CF_RES_JSON;
            m2m_prim_serialize(rsp, x->p->content_format);
        }
        return WIRE_RSP_OWN | how;
    }
    return 0;
}

/* ---- steps ---- */

typedef struct scan { exec *x; const tc_step *s; long hit_event; size_t hit_alt; char err[256]; int bad; long leftover;
                      size_t from; } scan;

/* The IUT's process has ended (100 ms ago, so what it sent last has been read): nothing
 * more will come from it, so a step waiting for it ends now instead of at its window. */
static int iut_ended(exec *x)
{
    return x->iut.pid && x->iut.exited && !x->iut_launched && mono_now_ns() - x->iut_exit_ns > 100 * NS_PER_MS;
}

static int wait_over(void *ctx) { return iut_ended(ctx); }

/* A trigger after step s (this phase or a later one): the IUT may be started again, and time
 * passing may be the point of the wait (a key lifetime). */
static int trigger_after(const exec *x, const tc_step *s)
{
    const tc_steps *all[] = { &x->tc->preamble, &x->tc->body, &x->tc->postamble };
    int seen = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t i = 0; i < all[a]->n; i++) {
            if (&all[a]->items[i] == s) seen = 1;
            else if (seen && all[a]->items[i].kind == STEP_TRIGGER) return 1;
        }
    return 0;
}

/* ... and it never sent a datagram: the test is inconclusive, it proved nothing. */
static int iut_gone_silent(exec *x)
{
    return iut_ended(x) && !wire_peer_seen(x->w);
}

static int answered_here(const exec *x, size_t i)
{
    for (size_t k = 0; k < x->nanswered; k++)
        if (x->answered[k] == i) return 1;
    return 0;
}

static int scan_expect(void *ctx)
{
    scan *sc = ctx;
    exec *x = sc->x;
    for (size_t i = x->cursor; i < x->tl.n; i++) {
        /* attach mode: a CREATE the step wants created refused as existing, before any
         * alternative judges the refusal (exec/attach.c) */
        if (x->attached && !x->leftover_tried && attach_is_leftover(x, sc->s, i)) {
            sc->leftover = (long)i;
            return 1;
        }
        for (size_t j = 0; j < sc->s->nalts; j++) {
            /* an alternative with <respond> is met by a request it answered itself: not one
             * from before its step (the registrar answered it), nor one the harness could not
             * read as a primitive (refused on the wire: 4.02, 4.00) */
            if (sc->s->alts[j].respond.present && (i < sc->from || !answered_here(x, i))) continue;
            int r = match_alt(&sc->s->alts[j], &x->tl.ev[i], &x->v, sc->err, sizeof sc->err);
            if (r < 0) { sc->bad = 1; return 1; }
            if (r == 1) { sc->hit_event = (long)i; sc->hit_alt = j; return 1; }
        }
    }
    return iut_ended(x);
}

static void recent_events(exec *x, char *buf, size_t len)
{
    strbuf b;
    sb_init(&b);
    size_t from = x->tl.n > 4 ? x->tl.n - 4 : 0;
    if (from < x->cursor) from = x->cursor;
    for (size_t i = from; i < x->tl.n; i++) {
        char d[400];
        evidence_describe(&x->tl.ev[i], d, sizeof d);   /* with what it carried: code, rsc, reason, ... */
        sb_addf(&b, "%s%s", i > from ? ", " : "", d);
    }
    snprintf(buf, len, "%s", b.s ? b.s : "nothing");
    sb_free(&b);
}

static void run_send(exec *x, phase ph, const tc_step *s);

static void run_expect(exec *x, phase ph, const tc_step *s)
{
    size_t step_from = x->tl.n;
    scan sc = { x, s, -1, 0, "", 0, -1, step_from };
    x->expecting = s;
    x->nanswered = 0;
    x->leftover_tried = 0;
    tc_window sw = tc_step_window(s);
    int64_t window = tc_window_or(&sw, x->p, x->p->step_timeout_ns);
    loop_run_until(x->loop, mono_now_ns() + window, scan_expect, &sc);
    if (sc.leftover >= 0) {
        /* deleted: the CREATE again, judged from its new answer on; else the refusal stands */
        if (attach_leftover(x, s, (size_t)sc.leftover) && x->last_create) {
            x->cursor = (size_t)sc.leftover + 1;
            run_send(x, ph, x->last_create);
        }
        sc.leftover = -1;
        loop_run_until(x->loop, mono_now_ns() + window, scan_expect, &sc);
    }
    x->expecting = NULL;
    char want[512] = "";
    for (size_t j = 0; j < s->nalts; j++) {
        char d[200];
        alt_describe(&s->alts[j], d, sizeof d);
        size_t l = strlen(want);
        snprintf(want + l, sizeof want - l, "%s%s", j ? " or " : "", d);
    }
    if (sc.bad) {
        verdict_set(&x->vs, VERDICT_ERROR, "step at line %d: %s", s->line, sc.err);
        return;
    }
    const tc_alt *hit = NULL;
    if (sc.hit_event >= 0) {
        hit = &s->alts[sc.hit_alt];
        const tl_event *e = &x->tl.ev[sc.hit_event];
        x->cursor = (size_t)sc.hit_event + 1;
        char err[256];
        if (capture_apply(hit, e, &x->v, err, sizeof err) < 0) {
            step_failed(x, ph, s, err);
            return;
        }
        char d[160];
        tl_event_describe(e, d, sizeof d);
        step_log(x, s, "expect %s: matched %s", want, d);
    } else if (iut_gone_silent(x)) {
        step_failed(x, ph, s, "the IUT's process ended before it sent anything");
        return;
    } else {
        for (size_t j = 0; j < s->nalts; j++)
            if (s->alts[j].kind == ALT_SILENCE) hit = &s->alts[j];
        int ended = iut_ended(x);
        if (!hit) {
            char got[1600], what[3400], bad[800];
            recent_events(x, got, sizeof got);
            rx_unusable(&x->tl, x->cursor, bad, sizeof bad);
            if (ended) snprintf(what, sizeof what, "expected %s; the IUT's process ended first; got: %s%s", want, got, bad);
            else snprintf(what, sizeof what, "expected %s within %.3g s; got: %s%s", want, ns_to_sec(window), got, bad);
            step_failed(x, ph, s, what);
            return;
        }
        if (ended) step_log(x, s, "expect %s: silence (the IUT's process ended)", want);
        else step_log(x, s, "expect %s: silence for %.3g s", want, ns_to_sec(window));
        note_silence_to_request(x, s, step_from);
    }
    if (s->control && tc_alt_negative(hit) && ph != PHASE_POSTAMBLE) {
        char d[200], how[260];
        alt_describe(hit, d, sizeof d);
        snprintf(how, sizeof how, "it passed on %s", d);
        if (check_controls(x, s, step_from, 0, window, how) < 0) return;
    }
    if (hit->on_match != VERDICT_PASS && hit->on_match != VERDICT_NONE) {
        /* what was observed first (the event with its attributes, or the silence), then what
         * it means */
        char d[200], seen[1200];
        alt_describe(hit, d, sizeof d);
        if (sc.hit_event >= 0 && !strcmp(x->tl.ev[sc.hit_event].name, "iut.exit") && exit_after_request(x, seen, sizeof seen)) {
            /* the request it died on, the time between, its status and error lines */
        } else if (sc.hit_event >= 0) evidence_describe(&x->tl.ev[sc.hit_event], seen, sizeof seen);
        else snprintf(seen, sizeof seen, "silence for %.3g s", (double)window / 1e9);
        verdict_set(&x->vs, ph == PHASE_PREAMBLE && hit->on_match == VERDICT_FAIL ? VERDICT_INCONC : hit->on_match,
                    "step at line %d: observed %s, matching %s%s%s", s->line, seen, d, hit->reason ? ": " : "",
                    hit->reason ? hit->reason : "");
    }
}

typedef struct await_scan { exec *x; ev_sel sel; long hit; } await_scan;

static int scan_await(void *ctx)
{
    await_scan *a = ctx;
    long i = timeline_find(&a->x->tl, &a->sel, a->x->cursor);
    if (i >= 0) { a->hit = i; return 1; }
    return iut_ended(a->x);
}

static void run_await(exec *x, phase ph, const tc_step *s)
{
    char err[256];
    char *text = vars_expand(&x->v, s->event, err, sizeof err);
    await_scan a = { x, { 0 }, -1 };
    if (!text || ev_sel_parse(text, &a.sel, err, sizeof err) < 0) {
        verdict_set(&x->vs, VERDICT_ERROR, "step at line %d: %s", s->line, err);
        free(text);
        return;
    }
    tc_window sw = tc_step_window(s);
    int64_t window = tc_window_or(&sw, x->p, x->p->step_timeout_ns);
    loop_run_until(x->loop, mono_now_ns() + window, scan_await, &a);
    if (a.hit >= 0) {
        x->cursor = (size_t)a.hit + 1;
        char d[160];
        tl_event_describe(&x->tl.ev[a.hit], d, sizeof d);
        step_log(x, s, "await %s: %s", text, d);
    } else {
        char got[1600], what[2000];
        recent_events(x, got, sizeof got);
        if (iut_ended(x)) snprintf(what, sizeof what, "expected event %s; the IUT's process ended first; got: %s", text, got);
        else snprintf(what, sizeof what, "expected event %s within %.3g s; got: %s", text, ns_to_sec(window), got);
        step_failed(x, ph, s, what);
    }
    ev_sel_free(&a.sel);
    free(text);
}

/* A <send>'s content is JSON (10001) unless it is an XML document, written out in the test as
 * the IUT is to read it (white space, comments, literals as XML allows them): that is sent as
 * it stands, labelled vnd.onem2m-res+xml (10014), neither completed nor converted. */
static int content_format_of(const char *text)
{
    return text[strspn(text, " \t\r\n")] == '<' ? M2M_CF_RES_XML : M2M_CF_RES_JSON;
}

static void run_send(exec *x, phase ph, const tc_step *s)
{
    char err[256];
    m2m_prim req;
    m2m_prim_init(&req);
    int secure = 1, repeat = 1, type = CM_CON;
    wire_send_opts so = { .repeat = 1 };   /* extra raw options: option="NUM:HEX NUM:HEX" */
    uint8_t *oval[WIRE_MAX_OPTS];
    for (size_t i = 0; i < s->send.n; i++) {
        const kv *f = &s->send.items[i];
        char *val = vars_expand(&x->v, f->value, err, sizeof err);
        if (!val) {
            verdict_set(&x->vs, VERDICT_ERROR, "step at line %d: %s", s->line, err);
            m2m_prim_free(&req);
            for (size_t k = 0; k < so.nopt; k++) free(oval[k]);
            return;
        }
        if (!strcmp(f->key, "op")) req.op = m2m_op_parse(val);
        else if (!strcmp(f->key, "to")) { req.to = val; val = NULL; }
        else if (!strcmp(f->key, "fr")) { req.fr = val; val = NULL; }
        else if (!strcmp(f->key, "rqi")) { req.rqi = val; val = NULL; }
        else if (!strcmp(f->key, "rvi")) { req.rvi = val; val = NULL; }
        else if (!strcmp(f->key, "ty")) req.ty = atoi(val);
        else if (!strcmp(f->key, "secure")) secure = !strcmp(val, "old") ? 2 : strcmp(val, "false") != 0;
        else if (!strcmp(f->key, "repeat")) repeat = atoi(val);
        else if (!strcmp(f->key, "format-error")) so.format_error = 1;   /* validated: empty-payload */
        else if (!strcmp(f->key, "type")) type = cm_type_parse(val) < 0 ? CM_CON : cm_type_parse(val);   /* validated */
        else if (!strcmp(f->key, "content")) { req.pc = val; req.pclen = strlen(val); req.cf = content_format_of(val); val = NULL; }
        else if (!strcmp(f->key, "option") &&
                 cm_optspec_parse_list(val, WIRE_MAX_OPTS, so.onum, oval, so.olen, &so.nopt, err, sizeof err) == 0)
            for (size_t k = 0; k < so.nopt; k++) so.oval[k] = oval[k];
        free(val);
    }
    /* rqi="" sends a request without rqi (to see the IUT refuse it, R-BIND-06). */
    if (secure == 1 && plainmode_on(&x->v)) secure = 0;   /* the plain-CoAP run mode: no association */
    if (req.rqi && !*req.rqi) { free(req.rqi); req.rqi = NULL; }
    else if (!req.rqi) req.rqi = xasprintf("harness-%zu", x->tl.n);
    /* rvi="" likewise sends none: a Release-1 request (R-BIND-06); by default the profile's
     * release, none for Release 1 (onem2m/release.h) */
    if (req.rvi && !*req.rvi) { free(req.rvi); req.rvi = NULL; }
    else if (!req.rvi) req.rvi = xstrdup(m2m_release_rvi(x->p->release));
    /* a CREATE carries the attributes mandatory on Create that the test does not vary
     * (srv from the profile's release, rr): onem2m/mandatory.h. So does a resource
     * representation a test sends in a NOTIFY (a POST without oneM2M-TY): complete as a
     * CREATE of its type would be, so an IUT that took it for one would find nothing missing. */
    if (req.op == M2M_OP_CREATE) x->last_create = s;
    /* attach mode: what the harness creates is named per run (exec/attach.c) */
    if (req.op == M2M_OP_CREATE && x->attached) attach_name(x, &req);
    int fill_ty = req.op == M2M_OP_CREATE ? req.ty
                  : req.op == M2M_OP_NOTIFY && req.pc ? m2m_body_type(req.pc, req.pclen) : 0;
    if (fill_ty && req.pc && req.cf == M2M_CF_RES_JSON) {
        char *filled = m2m_mandatory_fill(req.pc, req.pclen, fill_ty, x->p->release);
        if (filled) { free(req.pc); req.pc = filled; req.pclen = strlen(filled); }
    }
    m2m_prim_serialize(&req, x->p->content_format);   /* <coap content-format>: 10001, 50, 10014, 41 */
    /* ... and asks for XML back, unless the test sets its own Accept (option="17:...") */
    int own_accept = 0;
    for (size_t k = 0; k < so.nopt; k++) own_accept |= so.onum[k] == CM_OPT_ACCEPT;
    if (m2m_cf_is_xml(x->p->content_format) && !own_accept) req.accept = x->p->content_format;
    so.secure = secure;
    so.repeat = repeat;
    so.type = type;
    if (wire_send_request(x->w, &req, &so, err, sizeof err) < 0) step_failed(x, ph, s, err);
    else step_log(x, s, "send %s %s to %s (%s)%s", cm_type_name((uint8_t)type), m2m_op_name(req.op), req.to ? req.to : "?",
                  secure == 2 ? "old epoch" : secure ? "secure" : "plain",
                  so.format_error ? ", ending in a payload marker with no payload (a format error)"
                  : repeat > 1 ? ", the identical message repeated" : "");
    m2m_prim_free(&req);
    for (size_t k = 0; k < so.nopt; k++) free(oval[k]);
}

typedef struct reverse_wait { exec *x; size_t from; long hit; } reverse_wait;

/* The reverse association's outcome: the first sae.done or sae.fail of a client side. */
static int reverse_settled(void *ctx)
{
    reverse_wait *r = ctx;
    for (size_t i = r->from; i < r->x->tl.n; i++) {
        const tl_event *e = &r->x->tl.ev[i];
        const char *side = tl_event_get(e, "side");
        /* prov.fail side=client: an enrolment with the IUT's MEF that did not finish (field_enrol.h) */
        if (side && !strcmp(side, "client") && (!strcmp(e->name, "sae.done") || !strcmp(e->name, "sae.fail") ||
                                               (!strcmp(e->name, "prov.fail") && !tl_event_get(e, "keid")))) {
            r->hit = (long)i;
            return 1;
        }
    }
    return 0;
}

/* The number of the client association whose handshake began at or after tl[from]. */
static unsigned assoc_sa(const exec *x, size_t from)
{
    for (size_t i = from; i < x->tl.n; i++) {
        const tl_event *e = &x->tl.ev[i];
        const char *side = tl_event_get(e, "side"), *sa = tl_event_get(e, "sa");
        if (!strcmp(e->name, "sae.start") && side && !strcmp(side, "client") && sa) return (unsigned)atoi(sa);
    }
    return 0;
}

static void run_reverse(exec *x, phase ph, const tc_step *s)
{
    char err[256], what[1600];
    /* STEP_ASSOC (role field): the harness's own association toward the IUT's coaps port */
    char *poa = s->kind == STEP_ASSOC ? xasprintf("coaps://%s:%d", env_iut_address(&x->env, x->p),
                                                  env_iut_coaps_port(&x->env, x->p))
                                      : vars_expand(&x->v, s->poa, err, sizeof err);
    const char *what_kind = s->kind == STEP_REVERSE ? "reverse association"
                          : s->second_registree ? "second registree's association" : "association";
    reverse_wait r = { x, x->tl.n, -1 };
    if (s->enrol_again) wire_discard_enrolment(x->w);
    if (!poa || (s->kind == STEP_ASSOC ? wire_open_association(x->w, s->cred_profile ? WIRE_CRED_PROFILE : s->second_registree ? WIRE_CRED_SECOND : WIRE_CRED_OWN, err, sizeof err)
                                       : wire_open_reverse(x->w, poa, err, sizeof err)) < 0) {
        snprintf(what, sizeof what, "cannot open the %s association: %s", s->kind == STEP_ASSOC ? "harness's" : "reverse", err);
        step_failed(x, ph, s, what);
        free(poa);
        return;
    }
    tc_window sw = tc_step_window(s);
    int64_t window = tc_window_or(&sw, x->p, x->p->step_timeout_ns);
    loop_run_until(x->loop, mono_now_ns() + window, reverse_settled, &r);
    int up = r.hit >= 0 && !strcmp(x->tl.ev[r.hit].name, "sae.done");
    if (s->expect_refused) {
        const char *why = r.hit >= 0 && !up ? tl_event_get(&x->tl.ev[r.hit], "reason") : NULL;
        const char *alert = r.hit >= 0 && !up ? tl_event_get(&x->tl.ev[r.hit], "alert") : NULL;
        if (up) {
            char d[600];
            evidence_describe(&x->tl.ev[r.hit], d, sizeof d);
            snprintf(what, sizeof what, "the %s to %s was established: %s; expected the IUT to refuse it", what_kind, poa, d);
            step_failed(x, ph, s, what);
        } else {
            step_log(x, s, "%s to %s refused: %s%s%s", what_kind, poa, why ? why : "no answer within the window",
                     alert ? ", alert " : "", alert ? alert : "");
            char how[600];
            snprintf(how, sizeof how, "the %s was not established (%s%s%s)", what_kind, why ? why : "no answer within the window",
                     alert ? ", alert " : "", alert ? alert : "");
            if (s->control && ph != PHASE_POSTAMBLE) check_controls(x, s, r.from, assoc_sa(x, r.from), window, how);
        }
        free(poa);
        return;
    }
    if (up) {
        if (s->kind == STEP_ASSOC && tc_step_control_assoc(x->tc, s)) x->control_assoc_ok = 1;
        x->cursor = (size_t)r.hit + 1;
        step_log(x, s, "%s to %s established", what_kind, poa);
    } else {
        const char *why = r.hit >= 0 ? tl_event_get(&x->tl.ev[r.hit], "reason") : NULL;
        char bad[800];
        rx_unusable(&x->tl, r.from, bad, sizeof bad);
        if (why) {   /* it ended on a signal (an alert, an ICMP error), not the window */
            int64_t t0 = r.from < x->tl.n ? x->tl.ev[r.from].t_ns : x->tl.ev[r.hit].t_ns;
            snprintf(what, sizeof what, "the IUT did not accept the %s to %s: it failed %.3g s after it began: %s%s",
                     what_kind, poa, ns_to_sec(x->tl.ev[r.hit].t_ns - t0), why, bad);
        } else
            snprintf(what, sizeof what, "the IUT did not accept the %s to %s within %.3g s%s", what_kind, poa,
                     ns_to_sec(window), bad);
        step_failed(x, ph, s, what);
    }
    free(poa);
}

static void run_steps(exec *x, phase ph, const tc_steps *steps)
{
    for (size_t i = 0; i < steps->n; i++) {
        /* After a preamble failure or an error, the body does not run; the postamble does. */
        if (ph != PHASE_POSTAMBLE && verdict_rank(x->vs.v) >= verdict_rank(VERDICT_INCONC)) return;
        const tc_step *s = &steps->items[i];
        char why[160];
        if (plainmode_step_left_out(x->p, s, why, sizeof why)) {
            if (why[0]) step_log(x, s, "%s", why);
            continue;
        }
        switch (s->kind) {
        case STEP_EXPECT: run_expect(x, ph, s); break;
        case STEP_AWAIT: run_await(x, ph, s); break;
        case STEP_TRIGGER: run_trigger(x, ph, s); break;
        case STEP_SEND: run_send(x, ph, s); break;
        case STEP_REVERSE:
        case STEP_ASSOC: run_reverse(x, ph, s); break;
        case STEP_CLOSE: {
            /* What the IUT does after an action on its association or link is what later
             * steps judge: nothing from before it, which an earlier silence left unread. */
            x->cursor = x->tl.n;
            int n = wire_close_associations(x->w);
            if (n == 0) step_failed(x, ph, s, "no established security association to close");
            else step_log(x, s, "closed %d association(s)", n);
            break;
        }
        case STEP_LINK:
        case STEP_DROP_STATE: {
            char m[256];
            x->cursor = x->tl.n;   /* as for STEP_CLOSE */
            const char *state = s->kind == STEP_LINK ? kvlist_get(&s->net, "state") : NULL;
            if (steps_net_run(s, x->w, m, sizeof m) < 0 || link_veth(x, s, m, sizeof m) < 0) {
                step_failed(x, ph, s, m);
            } else {
                step_log(x, s, "%s", m);
                /* The link changed: the IUT hears of it as from its operating system. */
                if (state && x->link_notice[1] >= 0 &&
                    write(x->link_notice[1], strcmp(state, "up") ? "down\n" : "up\n", strcmp(state, "up") ? 5 : 3) < 0)
                    step_log(x, s, "the link notice to the IUT was not written: %s", strerror(errno));
            }
            break;
        }
        case STEP_WAIT: {
            tc_window sw = tc_step_window(s);
            int64_t dur = tc_window_ns(&sw, x->p);
            /* A wait is a silence window like an <expect>'s: it ends when the IUT's process
             * has ended (what it sent last read), since nothing more can come from it —
             * unless a trigger follows, which may start it again after the time waited. */
            if (loop_run_until(x->loop, mono_now_ns() + dur, trigger_after(x, s) ? NULL : wait_over, x))
                step_log(x, s, "the IUT's process ended: nothing more can come, the wait ends");
            step_log(x, s, "waited %.3g s", ns_to_sec(dur));
            break;
        }
        }
    }
}

/* A selector with ${VAR} was parsed at load time with the reference in it: parse it again
 * with the values of this run. Returns 0, or -1 with the reason in err. */
static int expand_sel(exec *x, const ev_sel *in, ev_sel *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!in->text) return 0;
    char *text = vars_expand(&x->v, in->text, err, errlen);
    if (!text) return -1;
    int r = ev_sel_parse(text, out, err, errlen);
    free(text);
    return r;
}

static void check_order(exec *x)
{
    for (size_t i = 0; i < x->tc->norder; i++) {
        order_rule expanded = x->tc->order[i];
        const order_rule *r = &expanded;
        char err[256];
        if (expand_sel(x, &x->tc->order[i].a, &expanded.a, err, sizeof err) < 0 ||
            expand_sel(x, &x->tc->order[i].b, &expanded.b, err, sizeof err) < 0) {
            /* A variable the steps never captured because a check already failed or was
             * inconclusive before it: the rule cannot be judged, and that is no error of the
             * test case. */
            if (x->vs.v != VERDICT_FAIL && x->vs.v != VERDICT_INCONC)
                verdict_set(&x->vs, VERDICT_ERROR, "order rule at line %d: %s", expanded.line, err);
            ev_sel_free(&expanded.a);
            ev_sel_free(&expanded.b);
            continue;
        }
        /* a limit that follows the profile's timers, resolved for this run's profile */
        if (expanded.limit_timer) {
            tc_window w = { (tc_timer)expanded.limit_timer, expanded.limit_ns, (tc_timer)expanded.limit_timer2 };
            expanded.limit_ns = tc_window_ns(&w, x->p);
            expanded.limit_timer = expanded.limit_timer2 = 0;
        }
        char msg[1024], desc[300];
        order_rule_describe(r, desc, sizeof desc);
        if (plainmode_order_unjudged(x->p, r)) {
            sb_addf(&x->steps_log, "  line %d: order %s: not judged in the plain-CoAP run mode\n", r->line, desc);
            ev_sel_free(&expanded.a);
            ev_sel_free(&expanded.b);
            continue;
        }
        order_status st = order_check(r, &x->tl, msg, sizeof msg);
        if (st == ORDER_VIOLATED) {
            verdict_set(&x->vs, VERDICT_FAIL, "order rule at line %d (%s) violated: %s", r->line, desc, msg);
            sb_addf(&x->steps_log, "  line %d: order %s: VIOLATED: %s\n", r->line, desc, msg);
        } else if (st == ORDER_NOT_EXERCISED) {
            sb_addf(&x->steps_log, "  line %d: order %s: not exercised: %s\n", r->line, desc, msg);
        } else {
            sb_addf(&x->steps_log, "  line %d: order %s: held\n", r->line, desc);
        }
        ev_sel_free(&expanded.a);
        ev_sel_free(&expanded.b);
    }
}

/* The ports the harness bound go into the test's environment; the variables are the
 * profile's with this test's values over them. */
static void setup_vars(exec *x)
{
    x->env.harness_coap_port = wire_coap_port(x->w);
    x->env.harness_coaps_port = wire_coaps_port(x->w);
    x->env.mef_port = wire_mef_port(x->w);
    vars_init(&x->v);
    vars_from_env(&x->v, x->p, &x->env);
    vars_set(&x->v, "TEST_ID", x->tc->id);
    plainmode_vars(&x->v, x->p);
    if (x->o->run_id) vars_set(&x->v, "RUN_ID", x->o->run_id);
}

static char *report_path(const exec_opts *o, const char *sub, const char *id, const char *ext)
{
    if (!o->report_dir) return NULL;
    char *dir = xasprintf("%s/%s", o->report_dir, sub);
    mkdir(dir, 0755);
    char *path = xasprintf("%s/%s%s", dir, id, ext);
    free(dir);
    return path;
}

static char *build_output(exec *x)
{
    strbuf b;
    sb_init(&b);
    sb_addf(&b, "%s: %s\n", x->tc->id, x->tc->title ? x->tc->title : "");
    if (x->tc->requirement) sb_addf(&b, "requirement: %s\n", x->tc->requirement);
    for (size_t i = 0; i < x->tc->nreferences; i++) sb_addf(&b, "reference: %s\n", x->tc->references[i]);
    sb_add(&b, "steps:\n");
    if (x->steps_log.s) sb_add(&b, x->steps_log.s);
    sb_add(&b, "timeline:\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        timeline_write_text_head(&x->tl, f, RESULT_OUTPUT_EVENTS);
        fclose(f);
        sb_addn(&b, buf, len);
        free(buf);
    }
    if (x->tl.n > RESULT_OUTPUT_EVENTS)
        sb_addf(&b, "... %zu more events: the full timeline is in timelines/%s.txt\n",
                x->tl.n - RESULT_OUTPUT_EVENTS, x->tc->id);
    return sb_take(&b);
}

void executor_run(const testcase *tc, const profile *p, const exec_opts *o, test_result *out)
{
    exec x;
    memset(&x, 0, sizeof x);
    x.tc = tc;
    x.p = p;
    x.attached = profile_attached(p);
    test_env_init(&x.env);
    x.repick = field_pick_ports(p, &x.env);   /* role field: the IUT's ports for this test */
    x.o = o;
    verdict_init(&x.vs);
    netns ns;
    char err[256];
    if (p->netns) {   /* <control netns="true">: the two ends of the test's veth pair */
        if (netns_create(&ns, err, sizeof err) < 0) {
            verdict_set(&x.vs, VERDICT_SKIP, "cannot create the IUT's network namespace: %s", err);
        } else {
            x.env.harness_address = ns.host_addr;
            x.env.iut_address = ns.ns_addr;
            x.repick = 0;   /* the namespace's addresses are what the IUT sees: no re-pick */
            x.ns = &ns;
        }
    }
    x.link_notice[0] = x.link_notice[1] = -1;
    if (pipe2(x.link_notice, O_CLOEXEC) == 0) {
        fcntl(x.link_notice[1], F_SETFL, O_NONBLOCK);
        iut_set_link_fd(x.link_notice[0]);
    }
    sb_init(&x.steps_log);
    timeline_init(&x.tl);
    timeline_strict(&x.tl, 1);   /* every module records only registered events (flow/events.h) */
    dtls_global_init();
    x.loop = loop_new();
    if (o->observer && o->observer->begin) o->observer->begin(o->observer->ctx, tc);
    x.iut_log = report_path(o, "logs", tc->id, ".iut.log");
    x.w = p->netns && !x.ns ? NULL : wire_open(x.loop, p, &x.env, &tc->harness, &x.tl, err, sizeof err);
    if (!x.w && x.vs.v != VERDICT_SKIP) {
        verdict_set(&x.vs, VERDICT_ERROR, "cannot open the harness endpoints: %s", err);
        out->error_type = xstrdup("setup");
    } else if (x.w) {
        if (x.ns) wire_set_net_controlled(x.w);
        wire_set_responder(x.w, responder, &x);
        setup_vars(&x);
        /* Pre-provisioned credentials are installed now: by construction before any SAE. A
         * profile with <mef> provisions remotely: the MEF records prov.* (exec/mef.h). */
        if (!p->mef) {
            timeline_add(&x.tl, "prov.start", NULL, "method", "pre-provisioned", (char *)NULL);
            timeline_add(&x.tl, "prov.done", NULL, "method", "pre-provisioned", "identity", p->psk_identity, (char *)NULL);
        }
        run_steps(&x, PHASE_PREAMBLE, &tc->preamble);
        run_steps(&x, PHASE_BODY, &tc->body);
        check_pending_controls(&x);
        run_steps(&x, PHASE_POSTAMBLE, &tc->postamble);
        if (x.iut.pid) {
            int was_running = !iut_poll(&x.iut);
            iut_stop(&x.iut, NS_PER_SEC);   /* also what the IUT's shell left behind */
            char st[96];
            iut_describe(&x.iut, st, sizeof st);
            if (was_running) timeline_add(&x.tl, "iut.stop", NULL, "status", st, (char *)NULL);
        }
        /* Order rules judge what happened, also after an inconclusive body (evidence stays). */
        if (x.vs.v != VERDICT_INCONC && x.vs.v != VERDICT_ERROR) check_order(&x);
        if (x.vs.v == VERDICT_NONE) verdict_set(&x.vs, VERDICT_PASS, "%s", "");
        attach_cleanup(&x);   /* attach mode: after the verdict, which it never changes */
        wire_close(x.w);
        vars_free(&x.v);
    }
    if (x.ns) netns_destroy(x.ns);
    iut_set_link_fd(-1);
    for (int i = 0; i < 2; i++)
        if (x.link_notice[i] >= 0) close(x.link_notice[i]);
    ports_release();   /* the IUT is gone: its ports are free for other tests */
    /* The IUT's start command may have been given its key (${PSK_KEY}): whatever it wrote,
     * and whatever of it a reason quotes, goes into reports without it. */
    secret_forms sf;
    secret_forms_of(p->psk_key, p->psk_key_len, &sf);
    secret_redact_file(&sf, x.iut_log);
    out->v = x.vs.v;
    if (x.vs.v != VERDICT_PASS) out->reason = secret_redact(&sf, x.vs.reason);
    if (x.vs.v == VERDICT_INCONC && !out->error_type) out->error_type = xstrdup("inconclusive");
    char *output = build_output(&x);
    out->output = secret_redact(&sf, output);
    free(output);
    secret_forms_free(&sf);
    char *tlpath = report_path(o, "timelines", tc->id, ".txt");
    if (tlpath) {
        FILE *f = fopen(tlpath, "w");
        if (f) {
            timeline_write_text(&x.tl, f);
            fclose(f);
            out->timeline_file = xasprintf("timelines/%s.txt", tc->id);
        }
        free(tlpath);
    }
    if (o->observer && o->observer->end) o->observer->end(o->observer->ctx, tc, &x.tl, out);
    free(x.iut_log);
    sb_free(&x.steps_log);
    free(x.answered);
    timeline_free(&x.tl);
    loop_free(x.loop);
}
