#include "steps_net.h"
#include "../net/link.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One link per test process: the executor runs one test at a time per process (pool.h). */
static net_link the_link;

static int run_link(const tc_step *s, wire *w, timeline *tl, char *msg, size_t len)
{
    const char *state = kvlist_get(&s->net, "state"), *loss = kvlist_get(&s->net, "loss");
    const char *seed = kvlist_get(&s->net, "seed"), *drop = kvlist_get(&s->net, "drop");
    const char *dup = kvlist_get(&s->net, "duplicate");
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
    if (link_current() != &the_link) {
        /* Attached up (the uncontrolled state): a first <link state="down"/> before the IUT
         * starts then records net.down, and net.up becomes a step of the test. */
        link_attach(&the_link, wire_socket(w, 1), tl, 1);
        link_add_sock(&the_link, wire_socket(w, 0));
    }
    if (loss || seed) link_set_loss(&the_link, sd, (uint32_t)share, (uint32_t)share);
    if (drop && link_set_list(&the_link, 'd', drop, msg, len) < 0) return -1;
    if (dup && link_set_list(&the_link, 'u', dup, msg, len) < 0) return -1;
    if (state) link_set_up(&the_link, !strcmp(state, "up"));
    snprintf(msg, len, "link %s, loss %ld ppm (seed %" PRIu64 "), dropped %" PRIu64 "/%" PRIu64 " so far",
             the_link.up ? "up" : "down", share, sd, the_link.dropped[0], the_link.dropped[1]);
    return 0;
}

int steps_net_run(const tc_step *s, wire *w, timeline *tl, char *msg, size_t len)
{
    if (s->kind == STEP_LINK) return run_link(s, w, tl, msg, len);
    int n = wire_drop_associations(w);
    if (n == 0) {
        snprintf(msg, len, "no established security association to drop");
        return -1;
    }
    snprintf(msg, len, "dropped the state of %d association(s), telling no one", n);
    return 0;
}

void steps_net_end(void)
{
    if (link_current() == &the_link) link_attach(NULL, NULL, NULL, 1);
}

int steps_net_heard_iut(void)
{
    return link_current() == &the_link &&
           the_link.dropped[LINK_FROM_IUT] + the_link.passed[LINK_FROM_IUT] > 0;
}
