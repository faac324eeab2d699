#include "certify.h"
#include "../run/runner.h"
#include "../model/xmlload.h"
#include "../model/profile_extends.h"
#include "../util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBLEM(...) diag_error(d, p->file, 0, "certification: " __VA_ARGS__)

/* Attributes the loader fills with a default when absent: a certification profile says
 * them. Returns 1 if <elem attr="..."> is given in the file. */
static int explicit_attr(const xmlDoc *doc, const char *elem, const char *attr)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *n = root ? xml_child(root, elem) : NULL;
    char *v = n ? xml_attr(n, attr) : NULL;
    int ok = v && *v;
    free(v);
    return ok;
}

static void check_file(const profile *p, diag *d)
{
    diag quiet;
    diag_init(&quiet);
    /* the profile as applied: with the bases it extends merged in */
    xmlDocPtr doc = profile_doc_read(p->file, &quiet);
    diag_free(&quiet);
    if (!doc) return;   /* it loaded a moment ago; nothing more to say */
    if (!explicit_attr(doc, "iut", "release"))
        PROBLEM("<iut release=\"...\"> is not given (expected status codes depend on the release)");
    if (!explicit_attr(doc, "iut", "host")) PROBLEM("<iut host=\"...\"> (the IUT's host name) is not given");
    xmlload_free_doc(doc);
}

static const struct { const char *pics, *kind; } kinds[] = {
    { "IUT_ASN_CSE", "asn-cse" }, { "IUT_MN_CSE", "mn-cse" }, { "IUT_AE", "ae" }, { "IUT_IN_CSE", "in-cse" } };

static void check_pics(const profile *p, diag *d)
{
    if (!p->npics) {
        PROBLEM("<pics> is empty: an IUT that claims nothing certifies nothing");
        return;
    }
    int claimed = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        if (!profile_has_pics(p, kinds[i].pics)) continue;
        claimed++;
        if (!p->iut_kind || strcmp(p->iut_kind, kinds[i].kind) != 0)
            PROBLEM("PICS claim %s but <iut kind=\"%s\">", kinds[i].pics, p->iut_kind ? p->iut_kind : "");
    }
    if (claimed > 1) PROBLEM("PICS claim %d kinds of IUT; an IUT is one of them", claimed);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (p->iut_kind && !strcmp(p->iut_kind, kinds[i].kind) && !profile_has_pics(p, kinds[i].pics))
            PROBLEM("<iut kind=\"%s\"> but PICS do not claim %s", p->iut_kind, kinds[i].pics);
    if (profile_has_pics(p, "CFG_REGISTRAR_IN_CSE") && profile_has_pics(p, "CFG_REGISTRAR_MN_CSE"))
        PROBLEM("PICS give both CFG_REGISTRAR_IN_CSE and CFG_REGISTRAR_MN_CSE; the harness plays one registrar");
    if (profile_has_pics(p, "CFG_REGISTREE_CSE") && profile_has_pics(p, "CFG_REGISTREE_AE"))
        PROBLEM("PICS give both CFG_REGISTREE_CSE and CFG_REGISTREE_AE; the harness registers as one of them");
    if (profile_has_pics(p, "CFG_REGISTREE_CSE") && !p->harness_cse_id)
        PROBLEM("PICS give CFG_REGISTREE_CSE but <harness> has no <cse-id> to register with");
    if (profile_has_pics(p, "CFG_REGISTREE_AE") && (!p->harness_ae_id || !p->harness_app_id || !p->harness_denied_app_id))
        PROBLEM("PICS give CFG_REGISTREE_AE but <harness> lacks the <ae-id>, the app-id its service subscription "
                "allows or a denied-app-id it does not");
    int psk = profile_has_pics(p, "SAE_PSK"), cert = profile_has_pics(p, "SAE_CERT"), rpk = profile_has_pics(p, "SAE_RPK");
    if (profile_has_pics(p, "SAE") && !psk && !cert && !rpk)
        PROBLEM("PICS claim SAE but none of SAE_PSK, SAE_CERT, SAE_RPK: which credentials?");
    if ((psk || cert || rpk) && !profile_has_pics(p, "SAE"))
        PROBLEM("PICS claim %s but not SAE", psk ? "SAE_PSK" : cert ? "SAE_CERT" : "SAE_RPK");
    if (rpk && (!p->rpk_pub || !p->rpk_key || !p->nrpk_pins))
        PROBLEM("PICS claim SAE_RPK but <credentials><raw-public-key> lacks the harness's key or a pinned IUT key");
    if (psk && (!p->psk_identity || !p->psk_key_len))
        PROBLEM("PICS claim SAE_PSK but <credentials> has no <psk identity=... key=...>");
    if (cert && (!p->x509_cert || !p->x509_key || !p->x509_trust || !p->x509_iut_identity))
        PROBLEM("PICS claim SAE_CERT but <credentials><certificate> lacks the certificate, key, "
                "trust anchors or the IUT's expected identity");
}

static void check_role(const profile *p, diag *d)
{
    if (!strcmp(p->role, "in-cse")) {
        if (!p->harness_host)
            PROBLEM("<harness host=\"...\"> is not given: the SNI the IUT must send is unknown");
        if (!p->iut_cse_id && !p->iut_ae_id) PROBLEM("the IUT's identity (<iut><cse-id> or <ae-id>) is not given");
        const profile_trigger *st = profile_trigger_find(p, "start");
        int handed = st && st->command && strstr(st->command, "HARNESS_COAPS_PORT");
        if (p->listen_coaps <= 0 && !handed)
            PROBLEM("<harness coaps-port=\"0\"> (ephemeral) but the start command does not hand "
                    "${HARNESS_COAPS_PORT} to the IUT: give the fixed port the IUT is configured with");
    } else {
        if (!p->iut_address) PROBLEM("<iut address=\"...\"> is not given");
        if (p->iut_coaps_port <= 0 && p->transport_dtls) PROBLEM("<iut coaps-port=\"...\"> is not given");
        if (!p->iut_cse_id) PROBLEM("the IN-CSE's <cse-id> is not given");
        if (!p->harness_cse_id && !p->harness_ae_id)
            PROBLEM("the identity the harness registers with (<harness><cse-id> or <ae-id>) is not given");
    }
    if (profile_attached(p) && !strcmp(p->role, "field") && !p->ready_command && !p->iut_cse_base_name)
        PROBLEM("attach mode (no start command) without a <ready> probe needs <iut><cse-base>: the built-in "
                "readiness check RETRIEVEs the CSEBase");
    if (p->dtls_retrans_ns >= p->dtls_total_ns)
        PROBLEM("<timers dtls-retransmit> is not below dtls-total: no handshake retransmission could happen");
    if (p->step_timeout_ns >= p->test_deadline_ns)
        PROBLEM("<timers step-timeout> is not below test-deadline: every waiting step would kill its test");
}

/* Every trigger an applicable test uses needs a command or a prompt. */
static void check_triggers(const profile *p, testcase *const *tcs, size_t n, diag *d)
{
    size_t applicable = 0;
    char **missing = NULL;
    size_t nmissing = 0;
    for (size_t i = 0; i < n; i++) {
        char why[256];
        if (runner_not_applicable(tcs[i], p, why, sizeof why)) continue;
        applicable++;
        const tc_steps *parts[] = { &tcs[i]->preamble, &tcs[i]->body, &tcs[i]->postamble };
        for (size_t k = 0; k < 3; k++)
            for (size_t s = 0; s < parts[k]->n; s++) {
                const tc_step *st = &parts[k]->items[s];
                if (st->kind != STEP_TRIGGER || !st->trigger) continue;
                if (profile_attached(p) && !strcmp(st->trigger, "start")) continue;   /* it runs already */
                const profile_trigger *t = profile_trigger_find(p, st->trigger);
                if (t && (t->command || t->prompt)) continue;
                size_t m = 0;
                while (m < nmissing && strcmp(missing[m], st->trigger)) m++;
                if (m < nmissing) continue;
                missing = xrealloc(missing, (nmissing + 1) * sizeof *missing);
                missing[nmissing++] = xstrdup(st->trigger);
                PROBLEM("trigger '%s' (used by %s and maybe others) has no command or operator prompt "
                        "in <control>", st->trigger, tcs[i]->id);
            }
    }
    for (size_t m = 0; m < nmissing; m++) free(missing[m]);
    free(missing);
    if (!applicable) PROBLEM("no test case applies to this profile (role and PICS): it would certify nothing");
}

size_t certify_check(const profile *p, testcase *const *tcs, size_t n, diag *d)
{
    size_t before = diag_count(d);
    check_file(p, d);
    check_pics(p, d);
    check_role(p, d);
    check_triggers(p, tcs, n, d);
    return diag_count(d) - before;
}

int certify_sae_rule(const profile *p, char *why, size_t len)
{
    if (p->transport_dtls && profile_has_pics(p, "SAE")) return 0;
    const char *lack = !p->transport_dtls ? "the IUT offers no DTLS (<transport dtls=\"no\">)"
                                          : "the IUT claims no SAE (PICS SAE)";
    int field = !strcmp(p->role, "field");
    int ae_to_mn = !field && profile_has_pics(p, "IUT_AE") && profile_has_pics(p, "CFG_REGISTRAR_MN_CSE");
    if (ae_to_mn) {
        snprintf(why, len, "%s: between an AE and a field-domain CSE SAE is strongly recommended, not mandatory "
                 "(TS-0003 §6.1.2.2.1)", lack);
        return 1;
    }
    snprintf(why, len, "%s: SAE is mandatory on Mcc between a field-domain node and the IN-CSE (TS-0003 §6.1.2.2.1)%s",
             lack, field ? "" : " (the harness is the IUT's IN-CSE registrar)");
    return 2;
}

int certify_write_skipped(const char *dir, const test_result *rs, size_t n)
{
    char *path = xasprintf("%s/skipped.txt", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f) return -1;
    fputs("# tests not run in this certification run: id, tab, reason\n", f);
    for (size_t i = 0; i < n; i++)
        if (rs[i].v == VERDICT_SKIP) {
            fputs(rs[i].id ? rs[i].id : "?", f);
            fputc('\t', f);
            for (const char *s = rs[i].reason ? rs[i].reason : "not applicable"; *s; s++)
                fputc(*s == '\n' || *s == '\t' ? ' ' : *s, f);
            fputc('\n', f);
        }
    return fclose(f) == 0 ? 0 : -1;
}

static int attach_skip(const test_result *r)
{
    return r->v == VERDICT_SKIP && r->reason &&
           (!strncmp(r->reason, "needs a restart", 15) || !strncmp(r->reason, "needs trigger", 13));
}

size_t certify_attach_summary(const profile *p, testcase *const *plan, const char *dir, const test_result *rs,
                              size_t n, FILE *out)
{
    (void)p;
    size_t notrun = 0, unproven = 0;
    for (size_t i = 0; i < n; i++) notrun += attach_skip(&rs[i]);
    char *path = xasprintf("%s/unproven.txt", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (f) fputs("# attach mode: requirements only tests not run (a restart or a trigger) cover, not proven: id, tab, tests\n", f);
    fprintf(out, "attach mode: %zu test(s) not run: they need a restart or a trigger the profile lacks (skipped.txt)\n",
            notrun);
    for (size_t i = 0; i < n; i++) {
        if (!attach_skip(&rs[i])) continue;
        for (size_t c = 0; c < plan[i]->ncovers; c++) {
            const char *req = plan[i]->covers[c];
            int proven = 0, first = 1;
            for (size_t j = 0; j < n && !proven; j++)
                for (size_t k = 0; k < plan[j]->ncovers; k++)
                    if (!strcmp(plan[j]->covers[k], req)) {
                        if (rs[j].v == VERDICT_PASS || rs[j].v == VERDICT_WARN) proven = 1;
                        if (j < i && attach_skip(&rs[j])) first = 0;   /* listed with an earlier test */
                    }
            if (proven || !first) continue;
            unproven++;
            fprintf(out, "  unproven: %s (not run:", req);
            if (f) fprintf(f, "%s\t", req);
            for (size_t j = i; j < n; j++)
                for (size_t k = 0; k < plan[j]->ncovers; k++)
                    if (!strcmp(plan[j]->covers[k], req) && attach_skip(&rs[j])) {
                        fprintf(out, " %s", plan[j]->id);
                        if (f) fprintf(f, "%s ", plan[j]->id);
                    }
            fputs(")\n", out);
            if (f) fputc('\n', f);
        }
    }
    if (f) fclose(f);
    fprintf(out, "attach mode: %zu requirement(s) left unproven by this certification run (unproven.txt)\n", unproven);
    return unproven;
}
