/* See evidence.h. */
#include "evidence.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int attr_is(const tl_event *e, const char *k, const char *v)
{
    const char *a = tl_event_get(e, k);
    return a && !strcmp(a, v);
}

int evidence_dtls(const timeline *tl, size_t from, size_t to, unsigned sa)
{
    char san[16];
    snprintf(san, sizeof san, "%u", sa);
    for (size_t i = from; i < to && i < tl->n; i++) {
        const tl_event *e = &tl->ev[i];
        if (strcmp(e->name, "dtls.rx") != 0) continue;
        if (sa && !(attr_is(e, "side", "client") && attr_is(e, "sa", san))) continue;
        return 1;
    }
    return 0;
}

int evidence_not_dtls(const timeline *tl, size_t to)
{
    for (size_t i = 0; i < to && i < tl->n; i++)
        if (!strcmp(tl->ev[i].name, "net.notdtls") || !strcmp(tl->ev[i].name, "net.unreachable")) return 1;
    return 0;
}

int evidence_link_withheld(const timeline *tl, size_t to)
{
    for (size_t i = 0; i < to && i < tl->n; i++)
        if (!strcmp(tl->ev[i].name, "net.drop") && attr_is(&tl->ev[i], "dir", "from-iut")) return 1;
    return 0;
}

int evidence_secure_message(const timeline *tl, size_t to)
{
    for (size_t i = 0; i < to && i < tl->n; i++)
        if (!strcmp(tl->ev[i].name, "msg.rx") && attr_is(&tl->ev[i], "secure", "true")) return 1;
    return 0;
}

void evidence_no_dtls(const timeline *tl, size_t from, size_t to, int64_t window_ns, char *buf, size_t len)
{
    const tl_event *nd = NULL, *icmp = NULL;
    for (size_t i = from; i < to && i < tl->n; i++) {
        const tl_event *e = &tl->ev[i];
        if (!nd && !strcmp(e->name, "net.notdtls")) nd = e;
        if (!icmp && !strcmp(e->name, "net.unreachable")) icmp = e;
    }
    if (nd) {
        const char *what = tl_event_get(nd, "what"), *type = tl_event_get(nd, "type"), *code = tl_event_get(nd, "code");
        const char *len_s = tl_event_get(nd, "length");
        int server = attr_is(nd, "side", "server");   /* the harness's side: the IUT sent first */
        char seen[120];
        if (what && !strcmp(what, "coap-rst")) snprintf(seen, sizeof seen, "a CoAP RST");
        else if (what && !strcmp(what, "coap"))
            snprintf(seen, sizeof seen, "a CoAP %s %s", type ? type : "message", code ? code : "");
        else snprintf(seen, sizeof seen, "%s bytes that are neither DTLS nor CoAP", len_s ? len_s : "some");
        if (server) snprintf(buf, len, "the IUT sent %s to the harness's coaps port: it does not speak DTLS", seen);
        else snprintf(buf, len, "the coaps port answered with %s: it does not speak DTLS", seen);
        return;
    }
    if (icmp) {
        const char *after = tl_event_get(icmp, "after_ms");
        snprintf(buf, len, "nothing listens on the coaps port: ICMP port unreachable %s ms after the harness's datagram",
                 after ? after : "?");
        return;
    }
    snprintf(buf, len, "no datagram from the IUT within %.3g s: cannot tell a refusal from an IUT that does not speak DTLS",
             (double)window_ns / 1e9);
}

static int names_dtls(const char *sel)
{
    return sel && (!strncmp(sel, "sae.", 4) || !strncmp(sel, "dtls.", 5));
}

int evidence_step_needs_dtls(const tc_step *s)
{
    switch (s->kind) {
    case STEP_ASSOC:
    case STEP_REVERSE: return 1;
    case STEP_AWAIT: return names_dtls(s->event);
    case STEP_EXPECT:
        for (size_t i = 0; i < s->nalts; i++) {
            const tc_alt *a = &s->alts[i];
            if (a->kind == ALT_EVENT && names_dtls(a->event)) return 1;
            const char *sec = a->kind == ALT_MSG ? kvlist_get(&a->match, "secure") : NULL;
            if (sec && !strcmp(sec, "true")) return 1;
        }
        return 0;
    case STEP_SEND:
    case STEP_TRIGGER:
    case STEP_WAIT:
    case STEP_CLOSE:
    case STEP_LINK:
    case STEP_DROP_STATE:
    default: return 0;
    }
}

void evidence_describe(const tl_event *e, char *buf, size_t len)
{
    static const char *const keys[] = { "type", "code", "rsc", "rqi", "op", "secure", "sa", "suite", "version", "identity",
                                        "stage", "reason", "alert", "alert_sent", "what", "hs", "after_ms", NULL };
    tl_event_describe(e, buf, len);
    size_t n = strlen(buf);
    const char *sep = " (";
    for (size_t i = 0; keys[i] && n + 1 < len; i++) {
        const char *v = tl_event_get(e, keys[i]);
        if (!v) continue;
        snprintf(buf + n, len - n, "%s%s=%s", sep, keys[i], v);
        n = strlen(buf);
        sep = ", ";
    }
    if (strcmp(sep, ", ") == 0 && n + 1 < len) snprintf(buf + n, len - n, ")");
}

static int is_request_tx(const tl_event *e)
{
    return !strcmp(e->name, "msg.tx") && tl_event_get(e, "op") && !attr_is(e, "op", "none");
}

long evidence_last_request(const timeline *tl, size_t to)
{
    for (size_t i = to < tl->n ? to : tl->n; i-- > 0;)
        if (is_request_tx(&tl->ev[i])) return (long)i;
    return -1;
}

static int same_attr(const tl_event *a, const tl_event *b, const char *k)
{
    const char *x = tl_event_get(a, k), *y = tl_event_get(b, k);
    return x && y && !strcmp(x, y);
}

int evidence_answered(const timeline *tl, size_t req, size_t to)
{
    const tl_event *q = &tl->ev[req];
    for (size_t i = req + 1; i < to && i < tl->n; i++) {
        const tl_event *e = &tl->ev[i];
        /* a datagram that could not be decoded may be the answer: it is not silence */
        if (!strcmp(e->name, "msg.rx.malformed")) return 1;
        if (strcmp(e->name, "msg.rx") != 0) continue;
        if (tl_event_get(e, "op") && !attr_is(e, "op", "none")) continue;   /* a request of its own */
        /* a response the harness rejects (unknown critical option, stray token) is an answer
         * too, a bad one: the request was not ignored */
        if (same_attr(e, q, "token") || same_attr(e, q, "rqi")) return 1;
    }
    return 0;
}

int evidence_shape_answered(const timeline *tl, size_t req, size_t to)
{
    const char *cf = tl_event_get(&tl->ev[req], "cf");
    for (size_t i = 0; i < to && i < tl->n; i++) {
        const tl_event *e = &tl->ev[i];
        if (!is_request_tx(e)) continue;
        const char *c = tl_event_get(e, "cf");
        if (cf && !(c && !strcmp(c, cf))) continue;
        if (evidence_answered(tl, i, to)) return 1;
    }
    return 0;
}

void evidence_request_describe(const tl_event *e, char *buf, size_t len)
{
    const char *op = tl_event_get(e, "op"), *ty = tl_event_get(e, "ty"), *to = tl_event_get(e, "to");
    const char *rqi = tl_event_get(e, "rqi"), *cf = tl_event_get(e, "cf");
    char opu[16] = "";
    for (size_t i = 0; op && op[i] && i + 1 < sizeof opu; i++) opu[i] = (char)(op[i] >= 'a' && op[i] <= 'z' ? op[i] - 32 : op[i]);
    snprintf(buf, len, "%s%s%s to %s rqi=%s%s%s, over %s (event #%llu at %.3f s)", opu, ty ? " ty=" : "", ty ? ty : "",
             to ? to : "?", rqi ? rqi : "(none)", cf ? ", Content-Format " : "", cf ? cf : "",
             attr_is(e, "secure", "true") ? "the security association" : "plain CoAP", (unsigned long long)e->seq,
             (double)e->t_ns / 1e9);
}

static int says_error(const char *line)
{
    static const char *const words[] = { "error", "fatal", "panic", "abort", "exception", "assert", "segmentation",
                                         "traceback", "uncaught", "core dumped", NULL };
    for (size_t i = 0; words[i]; i++)
        if (strcasestr(line, words[i])) return 1;
    return 0;
}

/* "Node.js v20.11.1", "Python 3.11.2": the version line a runtime prints after an error */
static int runtime_trailer(const char *line)
{
    return !strncmp(line, "Node.js v", 9) || !strncmp(line, "Python 3.", 9) || !strncmp(line, "    at ", 7);
}

void evidence_error_lines(const char *path, int max, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    enum { KEEP = 8 };
    char found[KEEP][256], last[256] = "", line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) continue;
        if (says_error(line) && !runtime_trailer(line)) snprintf(found[n++ % KEEP], sizeof found[0], "%.255s", line);
        else if (!runtime_trailer(line)) snprintf(last, sizeof last, "%.255s", line);
    }
    fclose(f);
    if (max > KEEP) max = KEEP;
    if (!n) { snprintf(buf, len, "%s", last); return; }
    int first = n > max ? n - max : 0;
    size_t used = 0;
    for (int i = first; i < n && used + 1 < len; i++) {
        snprintf(buf + used, len - used, "%s%s", i > first ? " | " : "", found[i % KEEP]);
        used = strlen(buf);
    }
}
