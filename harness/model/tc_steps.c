/* Steps, expect alternatives and order rules of a test case (the format is documented in
 * testcases/schema/testcase.xsd). The schema has already checked the shape; this adds what
 * it cannot: duration ranges, selector syntax, reasons, duplicates. The code still copes
 * with any shape, since a caller may load without a schema. */
#include "tc_parse.h"
#include "xmlload.h"
#include "optspec.h"
#include "../net/coap.h"
#include "../flow/events.h"
#include "../util/xmem.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tc_err(tc_ctx *c, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    va_end(ap);
    xml_diag_node(c->d, c->file, n, "%s", msg);
    free(msg);
    c->errors++;
}

static const char *ename(const xmlNode *n) { return (const char *)n->name; }

/* A duration attribute into *out; absent leaves *out alone. */
static void duration(tc_ctx *c, const xmlNode *n, const char *attr, int64_t *out)
{
    if (xml_attr_duration(n, attr, 1, c->file, c->d, out) < 0) c->errors++;
}

/* A window attribute (a duration, or a profile timer plus one: window.h) into the step;
 * absent leaves it alone. Returns 1 if set, 0 if absent. */
static int window(tc_ctx *c, const xmlNode *n, const char *attr, tc_step *st)
{
    char *v = xml_attr(n, attr);
    if (!v) return 0;
    tc_window w;
    char err[256];
    if (tc_window_parse(v, &w, err, sizeof err) < 0) {
        tc_err(c, n, "<%s %s=\"%s\">: %s", ename(n), attr, v, err);
    } else {
        st->timer = w.timer;
        st->timer2 = w.timer2;
        st->timeout_ns = w.ns;
    }
    free(v);
    return 1;
}

/* A parsed selector against the event vocabulary (flow/events.h): a rule on an event the
 * harness never records, or on an attribute or value it never has, would hold forever. */
static int selector_known(tc_ctx *c, const xmlNode *n, const char *attr, const char *text, const ev_sel *s)
{
    char err[1024];
    if (events_check_selector(s, err, sizeof err) < 0) {
        tc_err(c, n, "<%s %s=\"%s\">: %s", ename(n), attr, text, err);
        return 0;
    }
    return 1;
}

/* Checks the syntax and the vocabulary of a selector now, so a typo is an input error, not
 * a failed test or a rule that cannot fail. ${VAR} references are legal selector values,
 * so this works before substitution. */
static int selector_ok(tc_ctx *c, const xmlNode *n, const char *attr, const char *text)
{
    ev_sel s;
    char err[256];
    if (ev_sel_parse(text, &s, err, sizeof err) < 0) {
        tc_err(c, n, "<%s %s=\"%s\">: bad event selector: %s", ename(n), attr, text, err);
        return 0;
    }
    int ok = selector_known(c, n, attr, text, &s);
    ev_sel_free(&s);
    return ok;
}

/* A capture's field must be something the event can carry: an attribute of it (of one of
 * the events a prefix names), or for a message a content path "pc:...". */
static void capture_known(tc_ctx *c, const xmlNode *n, const char *event, const char *field)
{
    if (!event || !field || !strncmp(field, "pc:", 3)) return;
    size_t len = strlen(event);
    char err[1024] = "";
    if (len && event[len - 1] == '*') {
        for (size_t i = 0; i < events_count(); i++) {
            const ev_def *d = events_at(i);
            if (!strncmp(d->name, event, len - 1) && events_attr(d, field, NULL)) return;
        }
        snprintf(err, sizeof err, "no event matching %s has an attribute '%s'", event, field);
    } else if (!strcmp(field, "peer")) {
        snprintf(err, sizeof err, "a selector can match the peer, but only attributes are captured");
    } else if (events_check_attr(event, field, NULL, err, sizeof err) == 0) {
        return;
    }
    tc_err(c, n, "<capture field=\"%s\">: %s", field, err);
}

/* Attributes copied into a kvlist when present, in this order. */
static void copy_attrs(const xmlNode *n, const char *const *names, kvlist *out)
{
    for (size_t i = 0; names[i]; i++) {
        char *v = xml_attr(n, names[i]);
        if (v) kvlist_add(out, names[i], v);
        free(v);
    }
}

static const char *const send_attrs[] = { "op", "to", "fr", "ty", "rqi", "rvi", "secure", "type", "option", "repeat",
                                          "format-error", NULL };
static const char *const match_attrs[] = {
    "dir", "op", "ty", "fr", "to", "rqi", "rsc", "rvi", "secure", "sa", "type", "code", "mid", "cf", "dup", "response", "bound_id",
    "location", "ty_option", NULL,
};

static void parse_outcome(tc_ctx *c, const xmlNode *n, tc_alt *a)
{
    a->on_match = VERDICT_PASS;
    char *v = xml_attr(n, "verdict");
    if (v) {
        verdict vd;
        if (verdict_from_name(v, &vd) < 0 ||
            (vd != VERDICT_PASS && vd != VERDICT_WARN && vd != VERDICT_INCONC && vd != VERDICT_FAIL))
            tc_err(c, n, "<%s verdict=\"%s\">: expected pass, warn, inconc or fail", ename(n), v);
        else
            a->on_match = vd;
        free(v);
    }
    a->reason = xml_attr(n, "reason");
    if (a->on_match != VERDICT_PASS && (!a->reason || !*a->reason))
        tc_err(c, n, "<%s verdict=\"%s\"> needs a reason=\"...\" saying why", ename(n),
               verdict_name(a->on_match));
}

static void add_capture(tc_ctx *c, const xmlNode *n, tc_alt *a)
{
    char *var = xml_attr(n, "var"), *field = xml_attr(n, "field");
    if (!var || !field || !*var || !*field)
        tc_err(c, n, "<capture> needs var=\"NAME\" and field=\"...\"");
    else if (kvlist_get(&a->capture, var))
        tc_err(c, n, "<capture var=\"%s\">: the variable is already captured by this alternative", var);
    else {
        kvlist_add(&a->capture, var, field);
        /* segment="last": the part after the last '/' (a CSEBase's name from its SP-relative
         * ID); case="swapped": the same identifier with every letter's case changed, which
         * names another resource (identifiers are case-sensitive, TS-0004 §6.2.3, §6.2.4) */
        char *seg = xml_attr(n, "segment"), *cs = xml_attr(n, "case");
        if (seg && strcmp(seg, "last") != 0)
            tc_err(c, n, "<capture segment=\"%s\">: the only value is \"last\"", seg);
        if (cs && strcmp(cs, "swapped") != 0)
            tc_err(c, n, "<capture case=\"%s\">: the only value is \"swapped\"", cs);
        if (seg || cs)
            kvlist_add(&a->shape, var, seg && cs ? "last swapped" : seg ? "last" : "swapped");
        free(seg);
        free(cs);
    }
    free(var);
    free(field);
}

static void parse_message(tc_ctx *c, const xmlNode *n, tc_alt *a)
{
    a->kind = ALT_MSG;
    copy_attrs(n, match_attrs, &a->match);
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        if (xml_is(ch, "field")) {
            char *name = xml_attr(ch, "name"), *value = xml_attr(ch, "value");
            if (!name || !value || strncmp(name, "pc:", 3) != 0)
                tc_err(c, ch, "<field> needs name=\"pc:...\" and value=\"...\"");
            else if (kvlist_get(&a->match, name))
                tc_err(c, ch, "<field name=\"%s\">: given twice in one message", name);
            else
                kvlist_add(&a->match, name, value);
            free(name);
            free(value);
        } else if (xml_is(ch, "capture")) {
            size_t before = a->capture.n;
            add_capture(c, ch, a);
            const char *d = kvlist_get(&a->match, "dir");
            if (a->capture.n > before)
                capture_known(c, ch, d && !strcmp(d, "tx") ? "msg.tx" : "msg.rx", a->capture.items[before].value);
        } else if (xml_is(ch, "respond")) {
            if (a->respond.present) {
                tc_err(c, ch, "only one <respond> per message");
                continue;
            }
            char *rsc = xml_attr(ch, "rsc"), *carry = xml_attr(ch, "carry");
            char *end = NULL;
            long v = rsc ? strtol(rsc, &end, 10) : -1;
            if (carry && strcmp(carry, "separate-twice") != 0)
                tc_err(c, ch, "<respond carry=\"%s\">: expected separate-twice", carry);
            /* without rsc (only with carry) the registrar's own answer is carried so */
            if ((rsc || !carry) && (!rsc || end == rsc || *end || v < 1000 || v > 9999))
                tc_err(c, ch, "<respond rsc=\"%s\">: expected a four-digit oneM2M status code",
                       rsc ? rsc : "");
            a->respond.present = 1;
            a->respond.rsc = (int)(v > 0 && v <= 9999 ? v : 0);
            a->respond.separate_twice = carry != NULL;
            a->respond.content = rsc ? xml_text(ch) : NULL;
            free(rsc);
            free(carry);
        } else {
            tc_err(c, ch, "unexpected <%s> in <message>", ename(ch));
        }
    }
    const char *dir = kvlist_get(&a->match, "dir");
    if (a->respond.present && dir && strcmp(dir, "tx") == 0)
        tc_err(c, n, "<respond> answers a request from the IUT: it needs dir=\"rx\"");
    if (dir && strcmp(dir, "rx") != 0 && strcmp(dir, "tx") != 0) {
        tc_err(c, n, "<message dir=\"%s\">: expected rx or tx", dir);
        return;
    }
    /* A message alternative matches msg.rx (or msg.tx): its fields are that event's attributes. */
    const char *event = dir && !strcmp(dir, "tx") ? "msg.tx" : "msg.rx";
    for (size_t i = 0; i < a->match.n; i++) {
        const kv *m = &a->match.items[i];
        if (!strcmp(m->key, "dir") || !strncmp(m->key, "pc:", 3)) continue;
        if (!strcmp(m->key, "response") && !strcmp(m->value, "any")) continue;
        char err[1024];
        if (events_check_attr(event, m->key, m->value, err, sizeof err) < 0)
            tc_err(c, n, "<message %s=\"%s\">: %s", m->key, m->value, err);
    }
}

static void parse_event_alt(tc_ctx *c, const xmlNode *n, tc_alt *a)
{
    a->kind = ALT_EVENT;
    a->event = xml_attr(n, "name");
    ev_sel sel = { 0 };
    int parsed = 0;
    if (!a->event || !*a->event) tc_err(c, n, "<event> needs name=\"selector\"");
    else if (selector_ok(c, n, "name", a->event)) parsed = ev_sel_parse(a->event, &sel, NULL, 0) == 0;
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        if (xml_is(ch, "capture")) {
            size_t before = a->capture.n;
            add_capture(c, ch, a);
            if (parsed && a->capture.n > before) capture_known(c, ch, sel.name, a->capture.items[before].value);
        } else {
            tc_err(c, ch, "unexpected <%s> in <event>", ename(ch));
        }
    }
    if (parsed) ev_sel_free(&sel);
}

static void parse_expect(tc_ctx *c, const xmlNode *n, tc_step *st)
{
    window(c, n, "within", st);
    size_t cap = 0;
    int silences = 0;
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        xgrow((void **)&st->alts, &cap, st->nalts + 1, sizeof *st->alts);
        tc_alt *a = &st->alts[st->nalts];
        memset(a, 0, sizeof *a);
        a->line = xml_top_line(ch);
        a->src = xml_origin_of(ch);
        a->src_line = xml_line(ch);
        if (xml_is(ch, "message")) {
            parse_message(c, ch, a);
        } else if (xml_is(ch, "event")) {
            parse_event_alt(c, ch, a);
        } else if (xml_is(ch, "silence")) {
            a->kind = ALT_SILENCE;
            if (++silences == 2) tc_err(c, ch, "only one <silence> per <expect>");
        } else {
            tc_err(c, ch, "unexpected <%s> in <expect>", ename(ch));
            continue;
        }
        parse_outcome(c, ch, a);
        st->nalts++;
    }
    if (st->nalts == 0) tc_err(c, n, "<expect> needs at least one alternative");
}

static void parse_send(tc_ctx *c, const xmlNode *n, tc_step *st)
{
    copy_attrs(n, send_attrs, &st->send);
    if (!kvlist_get(&st->send, "op")) tc_err(c, n, "<send> needs op=\"...\"");
    const char *opt = kvlist_get(&st->send, "option");
    uint16_t onum[CM_OPTSPEC_MAX];
    uint8_t *oval[CM_OPTSPEC_MAX];
    size_t olen[CM_OPTSPEC_MAX], nopt;
    char oerr[160];
    if (opt && cm_optspec_parse_list(opt, CM_OPTSPEC_MAX, onum, oval, olen, &nopt, oerr, sizeof oerr) < 0)
        tc_err(c, n, "<send option=\"%s\">: %s", opt, oerr);
    else if (opt)
        for (size_t i = 0; i < nopt; i++) free(oval[i]);
    const char *type = kvlist_get(&st->send, "type");
    if (type && cm_type_parse(type) < 0)
        tc_err(c, n, "<send type=\"%s\">: expected CON, NON, ACK or RST", type);
    const char *rep = kvlist_get(&st->send, "repeat");
    if (rep && (atoi(rep) < 1 || atoi(rep) > 5 || strspn(rep, "0123456789") != strlen(rep)))
        tc_err(c, n, "<send repeat=\"%s\">: expected 1 to 5", rep);
    const char *fe = kvlist_get(&st->send, "format-error");
    if (fe && strcmp(fe, "empty-payload") != 0)
        tc_err(c, n, "<send format-error=\"%s\">: expected empty-payload", fe);
    char *content = xml_text(n);
    if (fe && content && content[strspn(content, " \t\r\n")])
        tc_err(c, n, "<send format-error=\"empty-payload\">: a request with content has a payload already");
    if (content) kvlist_add(&st->send, "content", content);
    free(content);
}

/* control="dtls handshake message" (testcase.h TC_CONTROL_*): no default, no "any". */
static void parse_control(tc_ctx *c, const xmlNode *n, tc_step *st)
{
    char *v = xml_attr(n, "control");
    if (!v) return;
    char *save = NULL;
    int named = 0;
    for (char *w = strtok_r(v, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        named++;
        if (!strcmp(w, "dtls")) st->control |= TC_CONTROL_DTLS;
        else if (!strcmp(w, "handshake")) st->control |= TC_CONTROL_HANDSHAKE;
        else if (!strcmp(w, "message")) st->control |= TC_CONTROL_MESSAGE;
        else tc_err(c, n, "<%s control=\"%s\">: expected dtls, handshake or message (several separated by spaces)", ename(n), w);
    }
    if (!named) tc_err(c, n, "<%s control=\"\">: name at least one control", ename(n));
    free(v);
}

static const char *const refusal_events[] = { "sae.fail", "sae.closed", "sae.cert_rejected", "iut.exit", "prov.fail",
                                              "net.unreachable", NULL };

int tc_alt_negative(const tc_alt *a)
{
    if (a->on_match != VERDICT_PASS && a->on_match != VERDICT_WARN) return 0;
    if (a->kind == ALT_SILENCE) return 1;
    if (a->kind != ALT_EVENT || !a->event) return 0;
    size_t len = strcspn(a->event, "[");
    for (size_t i = 0; refusal_events[i]; i++)
        if (strlen(refusal_events[i]) == len && !strncmp(a->event, refusal_events[i], len)) return 1;
    return 0;
}

int tc_step_negative(const tc_step *s)
{
    if ((s->kind == STEP_ASSOC || s->kind == STEP_REVERSE) && s->expect_refused) return 1;
    if (s->kind != STEP_EXPECT) return 0;
    for (size_t i = 0; i < s->nalts; i++)
        if (tc_alt_negative(&s->alts[i])) return 1;
    return 0;
}

static int parse_step(tc_ctx *c, const xmlNode *n, tc_step *st)
{
    memset(st, 0, sizeof *st);
    st->line = xml_top_line(n);
    st->src = xml_origin_of(n);
    st->src_line = xml_line(n);
    parse_control(c, n, st);
    if (xml_is(n, "trigger")) {
        st->kind = STEP_TRIGGER;
        st->trigger = xml_attr(n, "name");
        if (!st->trigger || !*st->trigger) tc_err(c, n, "<trigger> needs name=\"...\"");
        duration(c, n, "timeout", &st->timeout_ns);
    } else if (xml_is(n, "await")) {
        st->kind = STEP_AWAIT;
        st->event = xml_attr(n, "event");
        if (!st->event || !*st->event) tc_err(c, n, "<await> needs event=\"selector\"");
        else selector_ok(c, n, "event", st->event);
        window(c, n, "within", st);
    } else if (xml_is(n, "wait")) {
        st->kind = STEP_WAIT;
        if (!window(c, n, "for", st)) tc_err(c, n, "<wait> needs for=\"duration\"");
    } else if (xml_is(n, "close-association")) {
        st->kind = STEP_CLOSE;
    } else if (xml_is(n, "open-reverse-association") || xml_is(n, "open-association")) {
        st->kind = xml_is(n, "open-association") ? STEP_ASSOC : STEP_REVERSE;
        st->poa = xml_attr(n, "poa");
        if (st->kind == STEP_REVERSE && (!st->poa || !*st->poa))
            tc_err(c, n, "<open-reverse-association> needs poa=\"coaps://address:port\"");
        window(c, n, "within", st);
        char *ex = xml_attr(n, "expect");
        if (ex && !strcmp(ex, "refused")) st->expect_refused = 1;
        else if (ex && strcmp(ex, "established") != 0)
            tc_err(c, n, "<%s expect=\"%s\">: expected established or refused", ename(n), ex);
        free(ex);
        char *cred = xml_attr(n, "credential");
        if (cred && st->kind == STEP_ASSOC && !strcmp(cred, "second")) st->second_registree = 1;
        else if (cred && st->kind == STEP_ASSOC && !strcmp(cred, "profile")) st->cred_profile = 1;
        else if (cred && (st->kind != STEP_ASSOC || strcmp(cred, "own") != 0))
            tc_err(c, n, "<%s credential=\"%s\">: %s", ename(n), cred,
                   st->kind == STEP_ASSOC ? "expected own, second or profile"
                                          : "a reverse association uses SA1's credential, not another");
        if (st->cred_profile && st->expect_refused)
            tc_err(c, n, "<open-association credential=\"profile\"> is the positive control: it expects established");
        free(cred);
        char *enrol = xml_attr(n, "enrol");
        int known = enrol && st->kind == STEP_ASSOC && (!strcmp(enrol, "again") || !strcmp(enrol, "reuse"));
        st->enrol_again = known && !strcmp(enrol, "again");
        if (enrol && !known)
            tc_err(c, n, "<%s enrol=\"%s\">: only <open-association> has enrol, reuse or again", ename(n), enrol);
        free(enrol);
    } else if (xml_is(n, "link")) {
        static const char *const link_attrs[] = { "state", "loss", "seed", "drop", "duplicate",
                                                  "delay", "reorder", "reorder-hold", "rebind", NULL };
        st->kind = STEP_LINK;
        copy_attrs(n, link_attrs, &st->net);
        if (!st->net.n) tc_err(c, n, "<link> needs one of state, loss, drop, duplicate, delay, reorder, rebind");
    } else if (xml_is(n, "drop-associations")) {
        static const char *const drop_attrs[] = { "of", "registrations", "answer", NULL };   /* of: registrar (default) or mef */
        st->kind = STEP_DROP_STATE;
        copy_attrs(n, drop_attrs, &st->net);
        const char *of = kvlist_get(&st->net, "of"), *ans = kvlist_get(&st->net, "answer");
        if (ans && (strcmp(ans, "none") != 0 && strcmp(ans, "error") != 0))
            tc_err(c, n, "<drop-associations answer=\"%s\">: expected none or error", ans);
        else if (ans && (!of || strcmp(of, "mef") != 0))
            tc_err(c, n, "<drop-associations answer>: only with of=\"mef\"");
    } else if (xml_is(n, "send") || xml_is(n, "expect")) {
        st->kind = xml_is(n, "send") ? STEP_SEND : STEP_EXPECT;
        if (st->kind == STEP_SEND) parse_send(c, n, st);
        else parse_expect(c, n, st);
        char *mode = xml_attr(n, "mode");
        if (mode && !strcmp(mode, "secure")) st->run_mode = TC_MODE_SECURE;
        else if (mode && !strcmp(mode, "plain-coap")) st->run_mode = TC_MODE_PLAIN_COAP;
        else if (mode) tc_err(c, n, "<%s mode=\"%s\">: expected secure or plain-coap", ename(n), mode);
        free(mode);
    } else {
        tc_err(c, n, "unexpected <%s>: a step is trigger, await, expect, send, wait, close-association, open-association, open-reverse-association, link or drop-associations", ename(n));
        return -1;
    }
    return 0;
}

void tc_parse_steps(tc_ctx *c, const xmlNode *parent, tc_steps *out)
{
    size_t cap = 0;
    int in_steps = xml_is(parent, "steps");
    for (const xmlNode *n = xml_first_elem(parent); n; n = xml_next_elem(n)) {
        if (xml_is(n, "check")) {
            /* <check>: its steps are what the test checks (testcase.h in_check) */
            if (!in_steps) tc_err(c, n, "<check> belongs in <steps>: the %s only sets the stage", ename(parent));
            char *wd = xml_attr(n, "without-dtls"), *reason = xml_attr(n, "reason");
            int wfail = wd && !strcmp(wd, "fail");
            if (wd && !wfail && strcmp(wd, "inconc") != 0)
                tc_err(c, n, "<check without-dtls=\"%s\">: expected fail or inconc", wd);
            if (wfail && (!reason || !*reason))
                tc_err(c, n, "<check without-dtls=\"fail\"> needs a reason=\"...\" naming the requirement that the IUT does SAE");
            size_t before = out->n;
            for (const xmlNode *m = xml_first_elem(n); m; m = xml_next_elem(m)) {
                if (xml_is(m, "check")) {
                    tc_err(c, m, "<check> inside <check>");
                    continue;
                }
                xgrow((void **)&out->items, &cap, out->n + 1, sizeof *out->items);
                tc_step *st = &out->items[out->n];
                if (parse_step(c, m, st) != 0) continue;
                st->in_check = 1;
                st->check_without_dtls_fail = wfail;
                st->check_reason = reason ? xstrdup(reason) : NULL;
                out->n++;
            }
            if (out->n == before) tc_err(c, n, "<check> holds no step");
            free(wd);
            free(reason);
            continue;
        }
        xgrow((void **)&out->items, &cap, out->n + 1, sizeof *out->items);
        if (parse_step(c, n, &out->items[out->n]) == 0) out->n++;
    }
    if (out->n == 0) tc_err(c, parent, "<%s> holds no step", ename(parent));
}

static void alt_free(tc_alt *a)
{
    kvlist_free(&a->match);
    kvlist_free(&a->capture);
    kvlist_free(&a->shape);
    free(a->respond.content);
    free(a->event);
    free(a->reason);
}

void tc_steps_free(tc_steps *s)
{
    for (size_t i = 0; i < s->n; i++) {
        tc_step *st = &s->items[i];
        kvlist_free(&st->send);
        kvlist_free(&st->net);
        for (size_t j = 0; j < st->nalts; j++) alt_free(&st->alts[j]);
        free(st->alts);
        free(st->event);
        free(st->trigger);
        free(st->poa);
        free(st->check_reason);
    }
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* Parses attribute attr of n into *sel. An absent optional attribute leaves *sel zeroed
 * (name NULL), as order.h expects for a missing "before". Returns -1 on a problem. */
static int rule_selector(tc_ctx *c, const xmlNode *n, const char *attr, int needed, ev_sel *sel)
{
    memset(sel, 0, sizeof *sel);
    char *text = xml_attr(n, attr);
    if (!text) {
        if (!needed) return 0;
        tc_err(c, n, "<%s> needs %s=\"selector\"", ename(n), attr);
        return -1;
    }
    char err[256];
    int rc = 0;
    if (ev_sel_parse(text, sel, err, sizeof err) < 0) {
        tc_err(c, n, "<%s %s=\"%s\">: bad event selector: %s", ename(n), attr, text, err);
        rc = -1;
    } else if (!selector_known(c, n, attr, text, sel)) {
        rc = -1;
    }
    free(text);
    return rc;
}

void tc_parse_order(tc_ctx *c, const xmlNode *parent, testcase *tc)
{
    size_t cap = 0;
    for (const xmlNode *n = xml_first_elem(parent); n; n = xml_next_elem(n)) {
        order_rule r;
        memset(&r, 0, sizeof r);
        r.line = xml_top_line(n);
        int bad = 0;
        if (xml_is(n, "before") || xml_is(n, "within")) {
            r.kind = xml_is(n, "before") ? ORDER_BEFORE : ORDER_WITHIN;
            bad |= rule_selector(c, n, "first", 1, &r.a) < 0;
            bad |= rule_selector(c, n, "then", 1, &r.b) < 0;
            if (r.kind == ORDER_WITHIN) {
                /* a duration, or the profile's timers plus one (window.h), resolved per run */
                char *v = xml_attr(n, "limit");
                tc_window w;
                char err[256];
                if (!v) {
                    tc_err(c, n, "<within> needs limit=\"duration\" (or a window: dtls-total+4s)");
                    bad = 1;
                } else if (tc_window_parse(v, &w, err, sizeof err) < 0) {
                    tc_err(c, n, "<within limit=\"%s\">: %s", v, err);
                    bad = 1;
                } else {
                    r.limit_ns = w.ns;
                    r.limit_timer = (int)w.timer;
                    r.limit_timer2 = (int)w.timer2;
                    if (w.timer != TC_TIMER_NONE) tc_window_text(&w, r.limit_text, sizeof r.limit_text);
                }
                free(v);
            }
        } else if (xml_is(n, "never")) {
            r.kind = ORDER_NEVER;
            bad |= rule_selector(c, n, "event", 1, &r.a) < 0;
            bad |= rule_selector(c, n, "before", 0, &r.b) < 0;
        } else {
            tc_err(c, n, "unexpected <%s> in <order>: a rule is before, never or within", ename(n));
            continue;
        }
        char *req = xml_attr(n, "required");
        if (req) {
            if (strcmp(req, "true") == 0) r.required = 1;
            else if (strcmp(req, "false") != 0) {
                tc_err(c, n, "<%s required=\"%s\">: expected true or false", ename(n), req);
                bad = 1;
            }
            free(req);
        }
        if (bad) {
            order_rule_free(&r);
            continue;
        }
        xgrow((void **)&tc->order, &cap, tc->norder + 1, sizeof *tc->order);
        tc->order[tc->norder++] = r;
    }
}
