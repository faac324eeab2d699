/* See plainmode.h. */
#include "plainmode.h"
#include <stdio.h>
#include <string.h>

static int requires(const testcase *tc, const char *item)
{
    for (size_t i = 0; i < tc->nrequires; i++)
        if (!strcmp(tc->requires[i], item)) return 1;
    return 0;
}

int plainmode_not_applicable(const testcase *tc, const profile *p, char *reason, size_t len)
{
    const char *area = tc->area ? tc->area : "";
    if (!strcmp(area, "access")) return 0;
    if (!strcmp(area, "registration")) {
        /* a registree CSE's registration is Mcc: only where the IUT takes it over plain CoAP */
        if (!requires(tc, "CFG_REGISTREE_CSE") || p->plain_mcc == PROFILE_PLAIN_MCC_ACCEPTS) return 0;
        snprintf(reason, len, "the plain-CoAP run mode runs a remoteCSE registration test only where the profile "
                 "declares that the IUT accepts plain Mcc (<transport plain-mcc=\"accepts\">; here plain-mcc is %s)",
                 profile_plain_mcc_name(p->plain_mcc));
        return 1;
    }
    snprintf(reason, len, "the plain-CoAP run mode (not certifying) runs only the access-control tests and the "
             "registration tests; this test is in area %s", *area ? area : "(none)");
    return 1;
}

static int covers_sae(const testcase *tc)
{
    for (size_t i = 0; i < tc->ncovers; i++)
        if (!strncmp(tc->covers[i], "R-SAE-", 6)) return 1;
    return 0;
}

int plainmode_no_dtls_skip(const testcase *tc, const profile *p, char *reason, size_t len)
{
    if (!p->psk_key_len) {
        snprintf(reason, len, "the IUT offers no DTLS (<transport dtls=\"no\">) and the profile gives no <psk> for "
                 "the harness to offer in its handshake: nothing shows what the IUT does with one");
        return 1;
    }
    if (covers_sae(tc)) return 0;   /* the missing DTLS is what it judges */
    /* a check of a message over plain CoAP (secure="false"): what it judges needs no DTLS */
    for (size_t i = 0; i < tc->body.n; i++) {
        const tc_step *s = &tc->body.items[i];
        for (size_t k = 0; s->in_check && s->kind == STEP_EXPECT && k < s->nalts; k++) {
            const char *sec = s->alts[k].kind == ALT_MSG ? kvlist_get(&s->alts[k].match, "secure") : NULL;
            if (sec && !strcmp(sec, "false")) return 0;
        }
    }
    snprintf(reason, len, "the IUT offers no DTLS (<transport dtls=\"no\">): this test needs a security association "
             "only to reach its checks, which all run inside one (no SAE requirement of its own: the SAE tests judge "
             "the missing DTLS)");
    return 1;
}

int plainmode_step_left_out(const profile *p, const tc_step *s, char *why, size_t len)
{
    int plain = p->plain_coap_run && !strcmp(p->role, "field");
    const char *w = NULL;
    if (s->run_mode == TC_MODE_PLAIN_COAP && !plain) w = "";
    else if (s->run_mode == TC_MODE_SECURE && plain) w = "left out: mode=\"secure\" (plain-CoAP run mode)";
    else if (plain && s->kind == STEP_ASSOC && !s->expect_refused)
        w = "left out: no association in the plain-CoAP run mode (requests go over plain CoAP)";
    else if (plain && s->kind == STEP_CLOSE) w = "left out: no association to close in the plain-CoAP run mode";
    if (!w) return 0;
    if (why) snprintf(why, len, "%s", w);
    return 1;
}

void plainmode_vars(vars *v, const profile *p)
{
    int plain = p->plain_coap_run && !strcmp(p->role, "field");
    vars_set(v, "RUN_MODE", plain ? "plain-coap" : "secure");
    const char *cse = vars_get(v, "HARNESS_CSE_ID");
    vars_set(v, "REGISTREE_ID", plain ? PLAINMODE_REGISTREE_AE : cse ? cse : "");
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s/", cse && *cse ? cse : "");
    vars_set(v, "AE_ID_PREFIX", plain || !cse || !*cse ? "" : prefix);
}

int plainmode_on(const vars *v)
{
    const char *m = vars_get(v, "RUN_MODE");
    return m && !strcmp(m, "plain-coap");
}

static int speaks_of_dtls(const ev_sel *s)
{
    return s->text && (strstr(s->text, "secure") || !strncmp(s->text, "sae.", 4) || !strncmp(s->text, "dtls.", 5));
}

int plainmode_order_unjudged(const profile *p, const order_rule *r)
{
    return p->plain_coap_run && !strcmp(p->role, "field") && (speaks_of_dtls(&r->a) || speaks_of_dtls(&r->b));
}
