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

int tc_window_parse(const char *text, tc_window *out, char *err, size_t errlen)
{
    tc_window w = { TC_TIMER_NONE, 0 };
    const char *rest = text;
    if ((*text >= 'a' && *text <= 'z') || (*text >= 'A' && *text <= 'Z')) {
        size_t n = strcspn(text, "+");
        for (size_t i = 1; i < NTIMERS; i++)
            if (strlen(timer_names[i]) == n && strncmp(text, timer_names[i], n) == 0) w.timer = (tc_timer)i;
        if (w.timer == TC_TIMER_NONE) {
            snprintf(err, errlen, "'%.*s' is not a duration (250ms, 5s) nor a profile timer "
                     "(ack-timeout, max-transmit-wait, dtls-retransmit, dtls-total, step-timeout; "
                     "optionally +duration)", (int)n, text);
            return -1;
        }
        rest = text + n;
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
                 "timer (dtls-total), or a timer plus a duration (dtls-total+2s)");
        return -1;
    }
    w.ns = ns;
    *out = w;
    return 0;
}

int64_t tc_window_ns(const tc_window *w, const profile *p)
{
    int64_t base = 0;
    switch (w->timer) {
    case TC_TIMER_NONE: break;
    case TC_TIMER_ACK_TIMEOUT: base = p->ack_timeout_ns; break;
    case TC_TIMER_MAX_TRANSMIT_WAIT:
        /* ACK_TIMEOUT * ((2 ** (MAX_RETRANSMIT + 1)) - 1) * ACK_RANDOM_FACTOR (1.5) */
        base = p->ack_timeout_ns * ((INT64_C(1) << (p->max_retransmit + 1)) - 1) * 3 / 2;
        break;
    case TC_TIMER_DTLS_RETRANSMIT: base = p->dtls_retrans_ns; break;
    case TC_TIMER_DTLS_TOTAL: base = p->dtls_total_ns; break;
    case TC_TIMER_STEP_TIMEOUT: base = p->step_timeout_ns; break;
    }
    return base + w->ns;
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
    if (w->timer == TC_TIMER_NONE) snprintf(buf, len, "%s", d);
    else if (w->ns == 0) snprintf(buf, len, "%s", tc_timer_name(w->timer));
    else snprintf(buf, len, "%s+%s", tc_timer_name(w->timer), d);
    return buf;
}
