/* libFuzzer target for event selectors, which come from test case files (untrusted):
 * the bytes become a NUL-terminated string for ev_sel_parse; a selector that parses is
 * matched against a small fixed timeline and used in each kind of order rule, so the
 * matcher and the checker's messages run on every accepted shape too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flow/order.h"
#include "flow/timeline.h"
#include "fuzz_target.h"
#include "util/timeutil.h"


static timeline fixed;
static int ready;

static void build_fixed_timeline(void)
{
    timeline_init(&fixed);
    const char *up[] = { "iface", "lo", NULL };
    const char *sae[] = { "suite", "AES-128-CCM-8", "identity", "dev1", NULL };
    const char *rx[] = { "op", "create", "ty", "16", "secure", "true", "fr", "/id-asn", NULL };
    const char *plain[] = { "op", "retrieve", "secure", "false", NULL };
    timeline_add_at(&fixed, 0, "net.up", NULL, up);
    timeline_add_at(&fixed, 5 * NS_PER_MS, "sae.start", "127.0.0.1:5684", NULL);
    timeline_add_at(&fixed, 5 * NS_PER_MS, "sae.done", "127.0.0.1:5684", sae);
    timeline_add_at(&fixed, 120 * NS_PER_MS, "msg.rx", "127.0.0.1:5684", rx);
    timeline_add_at(&fixed, 90 * NS_PER_MS, "msg.rx", "127.0.0.1:5683", plain);
    timeline_add_at(&fixed, 480 * NS_PER_MS, "reg.done", NULL, NULL);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) build_fixed_timeline();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    char err[256];
    ev_sel sel;
    if (ev_sel_parse(text, &sel, err, sizeof err) == 0) {
        for (size_t i = 0; i < fixed.n; i++) (void)ev_sel_match(&sel, &fixed.ev[i]);
        (void)timeline_find(&fixed, &sel, 0);

        ev_sel other;
        if (ev_sel_parse("sae.*[suite!=x]", &other, err, sizeof err) != 0) abort();
        char msg[512];
        order_rule r;
        memset(&r, 0, sizeof r);
        r.a = sel;
        r.b = other;
        r.limit_ns = 100 * NS_PER_MS;
        for (int kind = ORDER_BEFORE; kind <= ORDER_WITHIN; kind++) {
            r.kind = (order_kind)kind;
            for (r.required = 0; r.required <= 1; r.required++) {
                (void)order_check(&r, &fixed, msg, sizeof msg);
                order_rule_describe(&r, msg, sizeof msg);
                /* and the selector in the other position */
                ev_sel t = r.a; r.a = r.b; r.b = t;
                (void)order_check(&r, &fixed, msg, sizeof msg);
                t = r.a; r.a = r.b; r.b = t;
            }
        }
        ev_sel_free(&other);
        ev_sel_free(&sel);
    } else if (err[0] == '\0') {
        abort(); /* every refusal must say why */
    }
    free(text);
    return 0;
}
