/* How a step that did not go as expected, and a negative step that passed, turn into the
 * test's verdict (exec_int.h): the one fail/inconc rule, the positive controls a negative
 * step needs, and what silence, an ICMP refusal or the IUT's death say (exec/evidence.h). */
#include "exec_int.h"
#include "evidence.h"
#include "plainmode.h"
#include "../iut/iutctl.h"
#include "steps_net.h"
#include "wire.h"
#include <stdio.h>
#include <string.h>

static const char *const phase_names[] = { "preamble", "body", "postamble" };

/* What the IUT did instead of DTLS (evidence.h); an IUT with <transport dtls="no"> has no
 * coaps port: the harness offered its handshake on the CoAP port, and the words say so. */
static void no_dtls_words(const exec *x, size_t from, int64_t window_ns, char *buf, size_t len)
{
    evidence_no_dtls(&x->tl, from, x->tl.n, window_ns, buf, len);
    const char *c = strstr(buf, "the coaps port");
    if (x->p->transport_dtls || !c) return;
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%.*sits CoAP port (it has no coaps port: <transport dtls=\"no\">)%s", (int)(c - buf), buf,
             c + strlen("the coaps port"));
    size_t n = strlen(tmp);
    if (n >= len) n = len - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
}

/* The readiness probe said the IUT is up: its silence on the coaps port is its own. */
static int iut_confirmed_ready(const exec *x)
{
    for (size_t i = 0; i < x->tl.n; i++)
        if (!strcmp(x->tl.ev[i].name, "iut.ready")) {
            const char *r = tl_event_get(&x->tl.ev[i], "ready");
            if (r && !strcmp(r, "true")) return 1;
        }
    return 0;
}

/* A test of robustness: a request, however bad, never crashes the peer (R-BIND-06, and the
 * robustness area). */
static int tests_robustness(const exec *x)
{
    if (x->tc->area && !strcmp(x->tc->area, "robustness")) return 1;
    for (size_t i = 0; i < x->tc->ncovers; i++)
        if (!strcmp(x->tc->covers[i], "R-BIND-06")) return 1;
    return 0;
}

/* The IUT's process ended while a request of the harness was unanswered: the request, the time
 * between, the exit status and the error lines of its output. 1 when so. */
int exit_after_request(exec *x, char *buf, size_t len)
{
    long ex = -1;
    for (size_t i = 0; i < x->tl.n; i++)
        if (!strcmp(x->tl.ev[i].name, "iut.exit")) ex = (long)i;
    long rq = ex >= 0 ? evidence_last_request(&x->tl, (size_t)ex) : -1;
    if (rq < 0 || evidence_answered(&x->tl, (size_t)rq, (size_t)ex)) return 0;
    char req[400], errl[600];
    const char *st = tl_event_get(&x->tl.ev[ex], "status");
    evidence_request_describe(&x->tl.ev[rq], req, sizeof req);
    evidence_error_lines(x->iut_log, 3, errl, sizeof errl);
    snprintf(buf, len, "the IUT's process %s %.0f ms after the harness's request %s, unanswered%s%s", st ? st : "ended",
             (double)(x->tl.ev[ex].t_ns - x->tl.ev[rq].t_ns) / 1e6, req, errl[0] ? "; its error lines: " : "", errl);
    return 1;
}

/* The step waited for a message and the harness's last request went unanswered, while the IUT
 * answered no request of that shape (its Content-Format) in this test: its silence may be a
 * refusal or a format it does not take. 1 with the words in buf when so. */
static int ignored_unproven(exec *x, const tc_step *s, char *buf, size_t len)
{
    int wants_msg = 0;
    for (size_t i = 0; s->kind == STEP_EXPECT && i < s->nalts; i++) wants_msg |= s->alts[i].kind == ALT_MSG;
    long rq = evidence_last_request(&x->tl, x->tl.n);
    if (!wants_msg || rq < 0 || evidence_answered(&x->tl, (size_t)rq, x->tl.n) ||
        evidence_shape_answered(&x->tl, (size_t)rq, x->tl.n))
        return 0;
    char req[400];
    const char *cf = tl_event_get(&x->tl.ev[rq], "cf");
    evidence_request_describe(&x->tl.ev[rq], req, sizeof req);
    if (cf)
        snprintf(buf, len, "the IUT ignored this request: %s; it answered no request with Content-Format %s in this "
                 "test: cannot tell a refusal from a format it does not take (the profile's <coap content-format>)", req, cf);
    else
        snprintf(buf, len, "the IUT ignored this request: %s; it answered no request in this test: cannot tell a "
                 "refusal from an IUT that does not serve this port", req);
    return 1;
}

/* No datagram from the IUT in this test: unreachable, or (when its readiness probe answered)
 * what it did instead. */
static void verdict_unheard(exec *x, phase ph, const tc_step *s, const char *what, const char *ev)
{
    char iutst[96], tail[300], ign[800];
    iut_describe(&x->iut, iutst, sizeof iutst);
    evidence_error_lines(x->iut_log, 1, tail, sizeof tail);
    if (!iut_confirmed_ready(x))
        verdict_set(&x->vs, VERDICT_INCONC, "IUT unreachable: no datagram from it (IUT process %s%s%s); %s step at line %d: %s%s%s",
                    iutst, tail[0] ? "; its last output: " : "", tail, phase_names[ph], s->line, what,
                    ev[0] ? "; " : "", ev);
    else if (ev[0])
        verdict_set(&x->vs, VERDICT_INCONC, "%s step at line %d: the IUT answered its readiness probe, then %s; %s",
                    phase_names[ph], s->line, ev, what);
    else if (ignored_unproven(x, s, ign, sizeof ign))
        verdict_set(&x->vs, VERDICT_INCONC, "%s step at line %d: %s", phase_names[ph], s->line, ign);
    else
        verdict_set(&x->vs, VERDICT_INCONC, "%s step at line %d: no datagram from the IUT in this test, though it answered "
                    "its readiness probe (IUT process %s); %s", phase_names[ph], s->line, iutst, what);
}

/* A step that did not go as expected. One rule decides fail against inconc: only a check step
 * (inside <check>) fails the test; every other step only sets the stage, and the test is
 * inconc with the reason, wherever the step is written (preamble or steps). A check that needs
 * DTLS while the IUT showed none cannot be judged (inconc), unless the check is that the IUT
 * does SAE at all (<check without-dtls="fail">). Silence is evidence of nothing by itself: a
 * request the IUT ignored, while it answered none of that shape in the test, leaves the check
 * inconc; an IUT that never sent a datagram was unreachable (or, after its readiness probe
 * answered, did what the evidence says). An IUT whose process ended on an unanswered request
 * fails a robustness test and leaves any other inconc. In the postamble a problem is only
 * noted. */
void step_failed(exec *x, phase ph, const tc_step *s, const char *what)
{
    char ev[300] = "", fate[1200];
    iut_poll(&x->iut);
    int dtls_seen = evidence_dtls(&x->tl, 0, x->tl.n, 0);
    int not_dtls = evidence_not_dtls(&x->tl, x->tl.n);
    /* no DTLS from the IUT: unless the test's own link control withheld its datagrams (then
     * the check is judged as it stands) */
    int no_dtls = !plainmode_on(&x->v) && evidence_step_needs_dtls(s) && !dtls_seen && (not_dtls || !evidence_link_withheld(&x->tl, x->tl.n));
    /* what the coaps port did instead of DTLS is said also where the step did not need it
     * (a registration that never came from a device that speaks no DTLS) */
    if (no_dtls || (!dtls_seen && not_dtls))
        no_dtls_words(x, 0, tc_window_or(&(tc_window){ s->timer, s->timeout_ns, s->timer2 }, x->p, x->p->step_timeout_ns), ev, sizeof ev);
    int sae_required = ph == PHASE_BODY && s->in_check && s->check_without_dtls_fail && no_dtls;
    int heard = wire_peer_seen(x->w) || steps_net_heard_iut(x->w);
    if (ph == PHASE_POSTAMBLE) {
        /* noted below */
    } else if (exit_after_request(x, fate, sizeof fate)) {
        int rob = tests_robustness(x);
        verdict_set(&x->vs, rob ? VERDICT_FAIL : VERDICT_INCONC, "%s step at line %d: %s%s", phase_names[ph], s->line, fate,
                    rob ? ": a request, however bad, must never crash the peer" : "");
    } else if (!heard && !(sae_required && iut_confirmed_ready(x))) {
        verdict_unheard(x, ph, s, what, ev);
    } else if (ph == PHASE_PREAMBLE) {
        verdict_set(&x->vs, VERDICT_INCONC, "preamble step at line %d (sets the stage): %s%s%s", s->line, what,
                    ev[0] ? "; " : "", ev);
    } else if (ph == PHASE_BODY && !s->in_check) {
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d (sets the stage, not a check): %s%s%s", s->line, what,
                    ev[0] ? "; " : "", ev);
    } else if (ph == PHASE_BODY && no_dtls && !sae_required) {
        verdict_set(&x->vs, VERDICT_INCONC, "check at line %d cannot be judged: %s; %s", s->line, ev, what);
    } else if (sae_required) {
        verdict_set(&x->vs, VERDICT_FAIL, "step at line %d: %s; %s; %s", s->line, ev, what, s->check_reason);
    } else if (ph == PHASE_BODY && ignored_unproven(x, s, fate, sizeof fate)) {
        verdict_set(&x->vs, VERDICT_INCONC, "check at line %d cannot be judged: %s; %s", s->line, fate, what);
    } else if (ph == PHASE_BODY) {
        verdict_set(&x->vs, VERDICT_FAIL, "step at line %d: %s", s->line, what);
    }
    step_log(x, s, "%s: %s%s%s", ph == PHASE_POSTAMBLE ? "postamble problem (noted)" : "FAILED", what, ev[0] ? "; " : "", ev);
}

static const char *const control_names[] = { "dtls", "handshake", "message" };

/* A negative step passed (the IUT refused, or stayed silent) in tl[from, x->tl.n): the pass
 * counts only with its positive control (testcase.h TC_CONTROL_*). sa: the association the
 * step opened (0 = none). Returns 0 when the controls hold (or wait for the end of the
 * steps: handshake), -1 after setting inconc with what was seen instead. */
int check_controls(exec *x, const tc_step *s, size_t from, unsigned sa, int64_t window_ns, const char *how)
{
    char ev[300], missing[64] = "";
    int ok = 1;
    if ((s->control & TC_CONTROL_DTLS) && !evidence_dtls(&x->tl, s->kind == STEP_ASSOC ? from : 0, x->tl.n,
                                                          s->kind == STEP_ASSOC ? sa : 0)) {
        ok = 0;
        snprintf(missing, sizeof missing, "%s", control_names[0]);
    }
    if ((s->control & TC_CONTROL_MESSAGE) && !evidence_secure_message(&x->tl, x->tl.n)) {
        ok = 0;
        snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s", missing[0] ? " " : "", control_names[2]);
    }
    if (!ok) {
        no_dtls_words(x, s->kind == STEP_ASSOC ? from : 0, window_ns, ev, sizeof ev);
        if (s->control & TC_CONTROL_MESSAGE && !(s->control & TC_CONTROL_DTLS) && evidence_dtls(&x->tl, 0, x->tl.n, 0))
            snprintf(ev, sizeof ev, "no CoAP message from the IUT inside a security association in this test");
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: %s, but its control (%s) is missing: %s", s->line, how, missing, ev);
        step_log(x, s, "control %s missing: %s", missing, ev);
        return -1;
    }
    if ((s->control & TC_CONTROL_HANDSHAKE) && !x->control_assoc_ok && !x->control_pending) x->control_pending = s;
    step_log(x, s, "control held so far");
    return 0;
}

/* Silence accepted as the answer to a request sent just before the step (tl[from - ..]): the
 * pass counts only once the IUT has answered, somewhere in the test, a request of the same
 * shape (its Content-Format): until then it may be a format it does not take. */
void note_silence_to_request(exec *x, const tc_step *s, size_t from)
{
    long rq = evidence_last_request(&x->tl, from);
    if (x->shape_pending || rq < 0 || evidence_answered(&x->tl, (size_t)rq, x->tl.n)) return;
    /* the request is this step's: nothing but the harness's own sending came between */
    for (size_t i = (size_t)rq + 1; i < from; i++)
        if (!strncmp(x->tl.ev[i].name, "msg.", 4) && strcmp(x->tl.ev[i].name, "msg.tx") != 0) return;
    x->shape_pending = s;
    x->shape_req = rq;
}

static void check_pending_shape(exec *x)
{
    const tc_step *s = x->shape_pending;
    if (!s || verdict_rank(x->vs.v) >= verdict_rank(VERDICT_INCONC) ||
        evidence_shape_answered(&x->tl, (size_t)x->shape_req, x->tl.n))
        return;
    char req[400];
    const char *cf = tl_event_get(&x->tl.ev[x->shape_req], "cf");
    evidence_request_describe(&x->tl.ev[x->shape_req], req, sizeof req);
    verdict_set(&x->vs, VERDICT_INCONC,
                "step at line %d: the IUT stayed silent to the request %s, which the step takes as a refusal, but it "
                "answered no request %s%s in this test: cannot tell a refusal from %s",
                s->line, req, cf ? "with Content-Format " : "", cf ? cf : "",
                cf ? "a format it does not take (the profile's <coap content-format>)" : "an IUT that serves no request");
}

/* control="handshake" waits for the end of the steps: the association may come after. */
void check_pending_controls(exec *x)
{
    check_pending_shape(x);
    const tc_step *s = x->control_pending;
    if (!s || x->control_assoc_ok || verdict_rank(x->vs.v) >= verdict_rank(VERDICT_INCONC)) return;
    char ev[300];
    no_dtls_words(x, 0, x->p->dtls_total_ns, ev, sizeof ev);
    verdict_set(&x->vs, VERDICT_INCONC,
                "step at line %d: the association was not established, but its control (handshake) is missing: no association with the profile's credential completed in this test%s%s",
                s->line, evidence_dtls(&x->tl, 0, x->tl.n, 0) ? "" : ": ", evidence_dtls(&x->tl, 0, x->tl.n, 0) ? "" : ev);
}
