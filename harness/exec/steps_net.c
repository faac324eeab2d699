#include "steps_net.h"
#include "../net/link.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_link(const tc_step *s, wire *w, char *msg, size_t len)
{
    const char *state = kvlist_get(&s->net, "state"), *loss = kvlist_get(&s->net, "loss");
    const char *seed = kvlist_get(&s->net, "seed"), *drop = kvlist_get(&s->net, "drop");
    const char *dup = kvlist_get(&s->net, "duplicate");
    const char *delay = kvlist_get(&s->net, "delay"), *reorder = kvlist_get(&s->net, "reorder");
    const char *hold = kvlist_get(&s->net, "reorder-hold"), *rebind = kvlist_get(&s->net, "rebind");
    if (state && strcmp(state, "up") && strcmp(state, "down")) {
        snprintf(msg, len, "<link state=\"%s\">: expected up or down", state);
        return -1;
    }
    long share = loss ? link_parse_share(loss) : 0;
    if (share < 0) {
        snprintf(msg, len, "<link loss=\"%s\">: expected a share such as 10%% or 2500ppm", loss);
        return -1;
    }
    char *end = NULL;
    uint64_t sd = seed ? strtoull(seed, &end, 10) : 1;
    if (seed && (!*seed || *end)) {
        snprintf(msg, len, "<link seed=\"%s\">: expected a decimal number", seed);
        return -1;
    }
    long dms = delay ? link_parse_ms(delay) : 0, hms = hold ? link_parse_ms(hold) : 0;
    long rshare = reorder ? link_parse_share(reorder) : 0;
    if (dms < 0 || hms < 0 || rshare < 0) {
        snprintf(msg, len, "<link delay/reorder-hold>: expected a duration such as 200ms or 1s, reorder a share such as 20%%");
        return -1;
    }
    /* Attached up (the uncontrolled state) on the first <link>: a first <link state="down"/>
     * before the IUT starts then records net.down, and net.up becomes a step of the test. */
    net_link *l = wire_link(w, 1);
    if (loss || seed) link_set_loss(l, sd, (uint32_t)share, (uint32_t)share);
    if ((delay || reorder || hold) &&
        link_set_shape(l, (uint32_t)dms, (uint32_t)rshare, (uint32_t)hms, msg, len) < 0) return -1;
    if (rebind && link_set_rebind(l, rebind, msg, len) < 0) return -1;
    if (drop && link_set_list(l, 'd', drop, msg, len) < 0) return -1;
    if (dup && link_set_list(l, 'u', dup, msg, len) < 0) return -1;
    if (state) link_set_up(l, !strcmp(state, "up"));
    snprintf(msg, len, "link %s, loss %" PRIu32 " ppm (seed %" PRIu64 "), delay %" PRIu32 " ms, reorder %" PRIu32
             " ppm%s, dropped %" PRIu64 "/%" PRIu64 " so far",
             l->up ? "up" : "down", l->share_ppm[0], l->seed, l->delay_ms,
             l->reorder_ppm, l->nat_on ? ", rebound" : "", l->dropped[0], l->dropped[1]);
    return 0;
}

int steps_net_run(const tc_step *s, wire *w, char *msg, size_t len)
{
    if (s->kind == STEP_LINK) return run_link(s, w, msg, len);
    const char *of = kvlist_get(&s->net, "of");
    const char *answer = kvlist_get(&s->net, "answer");
    int refuse = answer && !strcmp(answer, "error");
    if (of && !strcmp(of, "mef")) {   /* R-ENR-08: the MEF drops (or refuses) the next enrolment mid-way */
        if (wire_mef_interrupt(w, refuse) < 0) {
            snprintf(msg, len, "<drop-associations of=\"mef\"%s>: the profile has no <mef>%s",
                     refuse ? " answer=\"error\"" : "", refuse ? " played by the harness" : "");
            return -1;
        }
        snprintf(msg, len, refuse ? "the MEF will answer the next enrolment exchange with an error, no end of exchange"
                                  : "the MEF will drop the next enrolment session at its enrolment exchange");
        return 0;
    }
    if (of && strcmp(of, "registrar") != 0) {
        snprintf(msg, len, "<drop-associations of=\"%s\">: expected registrar or mef", of);
        return -1;
    }
    int n = wire_drop_associations(w);
    if (n == 0) {
        snprintf(msg, len, "no established security association to drop");
        return -1;
    }
    const char *regs = kvlist_get(&s->net, "registrations");
    int forget = regs && !strcmp(regs, "true");
    if (forget) wire_forget_registrations(w);   /* R-REG-08: a restart without persistent state */
    snprintf(msg, len, "dropped the state of %d association(s)%s, telling no one", n,
             forget ? " and every registration" : "");
    return 0;
}

int steps_net_heard_iut(wire *w)
{
    const net_link *l = wire_link(w, 0);
    return l && l->dropped[LINK_FROM_IUT] + l->passed[LINK_FROM_IUT] > 0;
}
