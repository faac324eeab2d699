#include "cli.h"
#include "../model/vars.h"
#include "../exec/falsify.h"
#include "../net/dtls.h"
#include "../run/runner.h"
#include "../net/udp.h"
#include "../util/xmem.h"
#include <stdlib.h>
#include <string.h>

const char *cli_data_dir(void)
{
    const char *d = getenv("M2M_HARNESS_DATA_DIR");
    return d && *d ? d : M2M_DATA_DIR;
}

char *cli_testcase_schema(void) { return xasprintf("%s/testcases/schema/testcase.xsd", cli_data_dir()); }
char *cli_profile_schema(void) { return xasprintf("%s/fixtures/schema/profile.xsd", cli_data_dir()); }

void tc_set_free(tc_set *s)
{
    for (size_t i = 0; i < s->n; i++) testcase_free(s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

size_t cli_load_testcases(char **paths, size_t npaths, const profile *p, tc_set *out, diag *d)
{
    size_t before = diag_count(d);
    char *schema = cli_testcase_schema();
    size_t cap = 0;
    for (size_t i = 0; i < npaths; i++) {
        char **files = NULL;
        size_t nfiles = 0;
        if (testcase_collect(paths[i], &files, &nfiles, d) < 0) continue;
        for (size_t j = 0; j < nfiles; j++) {
            testcase *tc = NULL;
            if (testcase_load(files[j], schema, &tc, d) == 0) {
                xgrow((void **)&out->items, &cap, out->n + 1, sizeof *out->items);
                out->items[out->n++] = tc;
            }
            free(files[j]);
        }
        free(files);
    }
    free(schema);
    for (size_t i = 0; i < out->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->items[i]->id, out->items[j]->id) == 0)
                diag_error(d, out->items[i]->file, 0, "duplicate test id %s (also in %s)",
                           out->items[i]->id, out->items[j]->file);
    for (size_t i = 0; i < out->n; i++) {
        const tc_harness *h = &out->items[i]->harness;
        char prio[512], err[256];
        if (dtls_priority_for(h->suites, h->nsuites, h->versions, h->nversions, prio, sizeof prio, err, sizeof err) < 0)
            diag_error(d, out->items[i]->file, 0, "<harness>: %s", err);
    }
    cli_check_testcases_for(p, out, d);
    /* Every order rule and failing alternative must be able to fail (exec/falsify.h). */
    for (size_t i = 0; i < out->n; i++) falsify_testcase(out->items[i], d, NULL);
    return diag_count(d) - before;
}

size_t cli_check_testcases_for(const profile *p, const tc_set *set, diag *d)
{
    size_t before = diag_count(d);
    const tc_set *out = set;
    /* Every ${VAR} of a test case is a variable of the harness (model/vars.h), one the profile
     * defines, or a capture of an earlier step. Without a profile, or for a test that will be
     * skipped for it, only names the harness knows at all count (a typo is still an error): it
     * may use variables this profile does not set, such as IUT_CSE_ID for an AE. With a
     * profile, an applicable test needs the profile element its variables come from. (The
     * profile's own commands were checked when it loaded: vars_check_profile.) */
    vars any, known;
    vars_init(&any);
    vars_placeholders(&any);
    vars_init(&known);
    if (p) {
        vars_from_profile(&known, p);
        vars_run_time(&known);
        for (size_t i = 0; i < p->extra_vars.n; i++) vars_set(&any, p->extra_vars.items[i].key, "");
    }
    for (size_t i = 0; i < out->n; i++) {
        char why[256];
        int skip = !p || runner_not_applicable(out->items[i], p, why, sizeof why);
        vars_check_testcase(skip ? &any : &known, out->items[i], d);
    }
    vars_free(&any);
    vars_free(&known);
    return diag_count(d) - before;
}

void cli_check_listen_ports(const profile *p, diag *d)
{
    const char *addr = p->harness_address;   /* set after load: the file's or the default */
    const struct { const char *what; int port; } ports[] = {
        { "coap-port", p->listen_coap }, { "coaps-port", p->listen_coaps } };
    for (size_t i = 0; i < 2; i++) {
        if (ports[i].port <= 0) continue;   /* ephemeral: every test binds its own */
        udp_sock s;
        char err[256];
        if (udp_bind(&s, addr, ports[i].port, err, sizeof err) < 0)
            diag_error(d, p->file, 0, "<harness %s=\"%d\">: cannot listen: %s", ports[i].what, ports[i].port, err);
        else udp_close(&s);
    }
}

profile *cli_load_inputs(const char *profile_path, char **paths, size_t npaths, tc_set *out, diag *d)
{
    profile *p = NULL;
    if (profile_path) {
        char *schema = cli_profile_schema();
        profile_load(profile_path, schema, &p, d);
        free(schema);
    }
    if (npaths) cli_load_testcases(paths, npaths, p, out, d);
    return p;
}
