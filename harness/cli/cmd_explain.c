/* m2m-harness explain ID: a test case in words, for the people who read a verdict. */
#include "cli.h"
#include "coverage.h"
#include "../run/runner.h"
#include "../model/xmlload.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void explain_usage(FILE *f)
{
    fputs("usage: m2m-harness explain ID [--profile FILE] PATH...\n"
          "\n"
          "Prints test case ID (found below PATH) in words: its title, the requirement it\n"
          "checks, the clauses, the requirement ids it covers with their text (from the tree's\n"
          "requirement list), the PICS it requires, how the harness sets up its side, every\n"
          "step and every order rule. With --profile, whether each PICS item is claimed and\n"
          "whether the test applies to that IUT.\n"
          "\n"
          "options:\n"
          "  -p, --profile FILE       IUT profile to check applicability against\n"
          "  -r, --requirements FILE  requirement list (default: testcases/schema/requirements.xml)\n"
          "  -h, --help               this text\n"
          "\n"
          "exit status: 0 printed; 2 bad invocation, bad input or no test with that id.\n", f);
}

static void put_ns(FILE *f, int64_t ns)
{
    if (ns % NS_PER_SEC == 0) fprintf(f, "%lld s", (long long)(ns / NS_PER_SEC));
    else fprintf(f, "%lld ms", (long long)(ns / NS_PER_MS));
}

/* A step's window; one that follows a profile timer also with its value for the profile. */
static void put_window(FILE *f, const tc_step *s, const profile *p)
{
    tc_window w = tc_step_window(s);
    char text[64];
    if (w.timer == TC_TIMER_NONE && w.ns <= 0) fputs("the profile's step timeout", f);
    else if (w.timer == TC_TIMER_NONE) put_ns(f, w.ns);
    else {
        fprintf(f, "%s", tc_window_text(&w, text, sizeof text));
        if (p) { fprintf(f, " (= "); put_ns(f, tc_window_ns(&w, p)); fprintf(f, " with profile %s)", p->name); }
        else fputs(" (the profile's timer)", f);
    }
}

static void put_fields(FILE *f, const kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) fprintf(f, "%s%s=%s", i ? ", " : "", l->items[i].key, l->items[i].value);
}

static void put_alt(FILE *f, const tc_alt *a)
{
    switch (a->kind) {
    case ALT_MSG:
        fputs("a message with ", f);
        put_fields(f, &a->match);
        break;
    case ALT_EVENT: fprintf(f, "the event %s", a->event ? a->event : "?"); break;
    case ALT_SILENCE: fputs("silence (nothing else arrives in the window)", f); break;
    }
    if (a->capture.n) {
        fputs("; remember ", f);
        for (size_t i = 0; i < a->capture.n; i++)
            fprintf(f, "%s${%s} from %s", i ? ", " : "", a->capture.items[i].key, a->capture.items[i].value);
    }
    if (a->respond.present && a->respond.rsc) fprintf(f, "; answer it with rsc %d", a->respond.rsc);
    else if (a->respond.present) fprintf(f, "; answer it as the registrar does");
    if (a->respond.separate_twice)
        fprintf(f, ", carried separately: an empty ACK, then the response in a CON sent twice (its ACK lost)");
    if (a->on_match != VERDICT_PASS)
        fprintf(f, " -> %s: %s", verdict_name(a->on_match), a->reason ? a->reason : "(no reason given)");
    else fputs(" -> the step passes", f);
}

/* What makes the step count: a check (its failure fails the test) or a stage (inconc), and
 * the positive control a refusal or silence needs. */
static void put_role(FILE *f, const tc_step *s)
{
    if (s->in_check) fputs(s->check_without_dtls_fail ? "  [check; without DTLS it fails]" : "  [check]", f);
    if (s->control) {
        fputs("  [control:", f);
        if (s->control & TC_CONTROL_DTLS) fputs(" a DTLS record from the IUT", f);
        if (s->control & TC_CONTROL_HANDSHAKE) fputs(" the right-credential handshake in this test", f);
        if (s->control & TC_CONTROL_MESSAGE) fputs(" a CoAP message from the IUT in an association", f);
        fputs("]", f);
    }
}

static void put_step(FILE *f, size_t n, const tc_step *s, const profile *p)
{
    if (s->src) fprintf(f, "  %zu. (line %d: %s:%d) ", n, s->line, s->src->file, s->src_line);
    else fprintf(f, "  %zu. (line %d) ", n, s->line);
    switch (s->kind) {
    case STEP_SEND: fputs("the harness sends a request: ", f); put_fields(f, &s->send); break;
    case STEP_EXPECT:
        fputs("within ", f);
        put_window(f, s, p);
        fprintf(f, " the harness expects%s:", s->nalts > 1 ? " one of" : "");
        put_role(f, s);
        fputc('\n', f);
        for (size_t i = 0; i < s->nalts; i++) {
            fputs("       - ", f);
            put_alt(f, &s->alts[i]);
            fputc('\n', f);
        }
        return;
    case STEP_AWAIT:
        fprintf(f, "the event %s must be recorded within ", s->event ? s->event : "?");
        put_window(f, s, p);
        break;
    case STEP_TRIGGER: fprintf(f, "the profile's trigger '%s' drives the IUT", s->trigger ? s->trigger : "?"); break;
    case STEP_WAIT: fputs("wait ", f); put_window(f, s, p); break;
    case STEP_CLOSE: fputs("the harness ends the IUT's security associations (close_notify)", f); break;
    case STEP_LINK:
        fputs("link control:", f);
        for (size_t i = 0; i < s->net.n; i++) fprintf(f, " %s=%s", s->net.items[i].key, s->net.items[i].value);
        break;
    case STEP_DROP_STATE: fputs("the harness forgets its security associations without telling the IUT", f); break;
    case STEP_ASSOC:
        if (s->enrol_again) fputs("the harness discards its enrolment and enrols with the IUT's MEF anew; ", f);
        fputs(s->second_registree ? "the harness, as DTLS client, opens an association with the second registree's "
                                    "credential toward the IUT's coaps port; within "
              : s->cred_profile ? "the harness, as DTLS client, opens an association with the profile's own credential, "
                                  "suites and versions (the positive control) toward the IUT's coaps port; within "
                                : "the harness, as DTLS client, opens its association toward the IUT's coaps port; within ", f);
        put_window(f, s, p);
        fputs(s->expect_refused ? " the IUT must refuse it (alert or silence)" : " the IUT must accept it", f);
        break;
    case STEP_REVERSE:
        fprintf(f, "the harness opens the reverse association SA2 toward %s with SA1's credentials; "
                "within ", s->poa ? s->poa : "?");
        put_window(f, s, p);
        fputs(s->expect_refused ? " the IUT must refuse it (alert or silence)" : " the IUT must accept it", f);
        break;
    }
    put_role(f, s);
    fputc('\n', f);
}

static void put_part(FILE *f, const char *title, const char *note, const tc_steps *st, const profile *p)
{
    if (!st->n) return;
    fprintf(f, "\n%s%s:\n", title, note);
    for (size_t i = 0; i < st->n; i++) put_step(f, i + 1, &st->items[i], p);
}

static void explain(const testcase *tc, const profile *p, const req_list *rl, FILE *f)
{
    fprintf(f, "%s  (%s.%s, %s)\n%s\n", tc->id, tc->role, tc->area, tc->file, tc->title ? tc->title : "");
    fprintf(f, "\nrequirement: %s\n", tc->requirement ? tc->requirement : "(none given)");
    fputs("clauses:", f);
    for (size_t i = 0; i < tc->nreferences; i++) fprintf(f, "%s%s", i ? "; " : " ", tc->references[i]);
    fputs(tc->nreferences ? "\n" : " none\n", f);
    fputs("covers:\n", f);
    for (size_t i = 0; i < tc->ncovers; i++) {
        const req_item *it = rl ? requirements_find(rl, tc->covers[i]) : NULL;
        fprintf(f, "  %s  %s\n", tc->covers[i], it ? it->text : "(not in the requirement list)");
    }
    if (!tc->ncovers) fputs("  none\n", f);
    fputs("requires PICS:", f);
    for (size_t i = 0; i < tc->nrequires; i++) {
        fprintf(f, " %s", tc->requires[i]);
        if (p) fputs(profile_has_pics(p, tc->requires[i]) ? " (claimed)" : " (NOT claimed)", f);
    }
    fputs(tc->nrequires ? "\n" : " none\n", f);
    if (p) {
        char why[512];
        if (runner_not_applicable(tc, p, why, sizeof why)) fprintf(f, "with profile %s: skipped: %s\n", p->name, why);
        else fprintf(f, "with profile %s: applies, it runs\n", p->name);
    }
    const tc_harness *h = &tc->harness;
    if (h->nsuites || h->nversions || h->psk != TC_PSK_PROFILE || h->certificate) {
        fputs("\nthe harness's side:", f);
        for (size_t i = 0; i < h->nsuites; i++) fprintf(f, "%s%s", i ? ", " : " accepts only ", h->suites[i]);
        for (size_t i = 0; i < h->nversions; i++) fprintf(f, "%s%s", i ? ", " : "; versions ", h->versions[i]);
        if (h->psk == TC_PSK_WRONG_KEY) fputs("; uses a wrong PSK key", f);
        if (h->psk == TC_PSK_UNKNOWN_IDENTITY) fputs("; knows no such PSK identity", f);
        if (h->psk == TC_PSK_OTHER_ISSUER) fputs("; presents the PSK identity under another Issuer-FQDN", f);
        if (h->certificate) fprintf(f, "; presents its '%s' certificate", h->certificate);
        fputc('\n', f);
    }
    put_part(f, "preamble", " (a failure here makes the test inconclusive)", &tc->preamble, p);
    put_part(f, "steps", "", &tc->body, p);
    put_part(f, "postamble", "", &tc->postamble, p);
    if (tc->norder) fputs("\norder rules, checked on the timeline when the steps are done:\n", f);
    for (size_t i = 0; i < tc->norder; i++) {
        char buf[512];
        order_rule_describe(&tc->order[i], buf, sizeof buf);
        fprintf(f, "  - (line %d) %s%s\n", tc->order[i].line, buf,
                tc->order[i].required ? " (the events must occur: not exercised is a failure)" : "");
    }
}

int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, 0, 'p' }, { "requirements", required_argument, 0, 'r' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *profile_path = NULL, *req_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:r:h", opts, NULL)) != -1) {
        if (c == 'p') profile_path = optarg;
        else if (c == 'r') req_path = optarg;
        else if (c == 'h') { explain_usage(stdout); return 0; }
        else { explain_usage(stderr); return EXIT_BAD_INPUT; }
    }
    if (argc - optind < 2) { explain_usage(stderr); return EXIT_BAD_INPUT; }
    const char *id = argv[optind];
    diag d;
    diag_init(&d);
    tc_set set = { 0 };
    profile *p = cli_load_inputs(profile_path, argv + optind + 1, (size_t)(argc - optind - 1), &set, &d);
    req_list rl;
    char *rs = cli_requirements_schema(), *rp = req_path ? xstrdup(req_path) : cli_requirements_path();
    int have_rl = requirements_load(rp, rs, &rl, &d) == 0;
    free(rs);
    free(rp);
    const testcase *tc = NULL;
    for (size_t i = 0; i < set.n && !tc; i++)
        if (!strcmp(set.items[i]->id, id)) tc = set.items[i];
    if (!diag_count(&d) && !tc) diag_error(&d, NULL, 0, "no test case with id %s below the given paths", id);
    int rc = EXIT_OK;
    if (diag_count(&d)) {
        diag_print(&d, stderr);
        rc = EXIT_BAD_INPUT;
    } else {
        explain(tc, p, have_rl ? &rl : NULL, stdout);
    }
    if (have_rl) requirements_free(&rl);
    diag_free(&d);
    tc_set_free(&set);
    profile_free(p);
    return rc;
}
