/* Windows derived from the profile's timers (window.h). */
#include "window.h"
#include "profile.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <string.h>

static const char *const timer_names[] = {
    [TC_TIMER_NONE] = "", [TC_TIMER_ACK_TIMEOUT] = "ack-timeout",
    [TC_TIMER_MAX_TRANSMIT_WAIT] = "max-transmit-wait", [TC_TIMER_DTLS_RETRANSMIT] = "dtls-retransmit",
    [TC_TIMER_DTLS_TOTAL] = "dtls-total", [TC_TIMER_STEP_TIMEOUT] = "step-timeout",
};
#define NTIMERS (sizeof timer_names / sizeof timer_names[0])

const char *tc_timer_name(tc_timer t) { return (size_t)t < NTIMERS ? timer_names[t] : "?"; }

static int is_letter(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }

/* The timer named by the n characters at text, or TC_TIMER_NONE. */
static tc_timer timer_named(const char *text, size_t n)
{
    for (size_t i = 1; i < NTIMERS; i++)
        if (strlen(timer_names[i]) == n && strncmp(text, timer_names[i], n) == 0) return (tc_timer)i;
    return TC_TIMER_NONE;
}

int tc_window_parse(const char *text, tc_window *out, char *err, size_t errlen)
{
    tc_window w = { TC_TIMER_NONE, 0, TC_TIMER_NONE };
    const char *rest = text;
    /* up to two timers, each followed by '+' or the end */
    for (int k = 0; k < 2 && is_letter(*rest); k++) {
        size_t n = strcspn(rest, "+");
        tc_timer t = timer_named(rest, n);
        if (t == TC_TIMER_NONE) {
            snprintf(err, errlen, "'%.*s' is not a duration (250ms, 5s) nor a profile timer "
                     "(ack-timeout, max-transmit-wait, dtls-retransmit, dtls-total, step-timeout; "
                     "optionally +timer and +duration)", (int)n, rest);
            return -1;
        }
        if (k == 0) w.timer = t;
        else w.timer2 = t;
        rest += n;
        if (*rest == '\0') { *out = w; return 0; }
        rest++; /* '+' */
    }
    int64_t ns = parse_duration_ns(rest);
    if (ns == 0 && w.timer == TC_TIMER_NONE) {
        snprintf(err, errlen, "the duration must be greater than 0");
        return -1;
    }
    if (ns < 0) {
        snprintf(err, errlen, "not a duration (a number and a unit: 250ms, 5s, 1.5s, 2m), a profile "
                 "timer (dtls-total), or one or two timers plus a duration (dtls-total+2s, "
                 "max-transmit-wait+dtls-total+1s)");
        return -1;
    }
    w.ns = ns;
    *out = w;
    return 0;
}

static int64_t timer_ns(tc_timer t, const profile *p)
{
    switch (t) {
    case TC_TIMER_NONE: return 0;
    case TC_TIMER_ACK_TIMEOUT: return p->ack_timeout_ns;
    case TC_TIMER_MAX_TRANSMIT_WAIT:
        /* ACK_TIMEOUT * ((2 ** (MAX_RETRANSMIT + 1)) - 1) * ACK_RANDOM_FACTOR (1.5) */
        return p->ack_timeout_ns * ((INT64_C(1) << (p->max_retransmit + 1)) - 1) * 3 / 2;
    case TC_TIMER_DTLS_RETRANSMIT: return p->dtls_retrans_ns;
    case TC_TIMER_DTLS_TOTAL: return p->dtls_total_ns;
    case TC_TIMER_STEP_TIMEOUT: return p->step_timeout_ns;
    }
    return 0;
}

int64_t tc_window_ns(const tc_window *w, const profile *p)
{
    return timer_ns(w->timer, p) + timer_ns(w->timer2, p) + w->ns;
}

int64_t tc_window_or(const tc_window *w, const profile *p, int64_t dflt)
{
    return w->timer == TC_TIMER_NONE && w->ns == 0 ? dflt : tc_window_ns(w, p);
}

static void put_ns(char *buf, size_t len, int64_t ns)
{
    if (ns % NS_PER_SEC == 0) snprintf(buf, len, "%llds", (long long)(ns / NS_PER_SEC));
    else if (ns % NS_PER_MS == 0) snprintf(buf, len, "%lldms", (long long)(ns / NS_PER_MS));
    else snprintf(buf, len, "%lldus", (long long)(ns / 1000));
}

const char *tc_window_text(const tc_window *w, char *buf, size_t len)
{
    char d[32];
    put_ns(d, sizeof d, w->ns);
    char t[64] = "";
    if (w->timer != TC_TIMER_NONE)
        snprintf(t, sizeof t, "%s%s%s", tc_timer_name(w->timer), w->timer2 != TC_TIMER_NONE ? "+" : "",
                 w->timer2 != TC_TIMER_NONE ? tc_timer_name(w->timer2) : "");
    if (w->timer == TC_TIMER_NONE) snprintf(buf, len, "%s", d);
    else if (w->ns == 0) snprintf(buf, len, "%s", t);
    else snprintf(buf, len, "%s+%s", t, d);
    return buf;
}
