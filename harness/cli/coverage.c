/* list --coverage: the requirement list against the test cases (model/requirements.h). */
#include "coverage.h"
#include "../util/xmem.h"
#include <stdlib.h>
#include <string.h>

static const char *const role_label[REQ_NROLES] = { "D", "C", "A" };

char *cli_requirements_path(void) { return xasprintf("%s/testcases/schema/requirements.xml", cli_data_dir()); }
char *cli_requirements_schema(void) { return xasprintf("%s/testcases/schema/requirements.xsd", cli_data_dir()); }

static void print_cell(FILE *f, const req_item *it, const cov_cell *cell, int r)
{
    switch (cell->state) {
    case COV_COVERED:
        fprintf(f, "%s ", role_label[r]);
        for (size_t j = 0; j < cell->n; j++) fprintf(f, " %s", cell->tests[j]);
        if (cell->stale_plan) fprintf(f, "  (note: still marked planned, the mark can go)");
        break;
    case COV_PLANNED: fprintf(f, "%s  planned: %s", role_label[r], it->planned[r]); break;
    case COV_UNCOVERED: fprintf(f, "%s  UNCOVERED: no test case and not marked planned", role_label[r]); break;
    case COV_NOT_APPLICABLE: return;
    }
    fputc('\n', f);
}

static void print_none(FILE *f, const req_list *l, const coverage *c, int r)
{
    size_t k = 0;
    fprintf(f, "  %s:", role_label[r]);
    for (size_t i = 0; i < l->n; i++) {
        const cov_cell *cell = &c->cells[i][r];
        if (cell->state != COV_PLANNED && cell->state != COV_UNCOVERED) continue;
        fprintf(f, "%s%s%s", k++ % 6 ? " " : "\n    ", l->items[i].id, cell->state == COV_UNCOVERED ? "(!)" : "");
    }
    fprintf(f, "%s\n", k ? "" : " none");
}

int cli_list_coverage(const tc_set *set, const char *req_path, FILE *f)
{
    diag d;
    diag_init(&d);
    char *schema = cli_requirements_schema();
    char *dflt = req_path ? NULL : cli_requirements_path();
    req_list l;
    int rc = requirements_load(req_path ? req_path : dflt, schema, &l, &d);
    free(schema);
    if (rc < 0) {
        diag_print(&d, stderr);
        diag_free(&d);
        free(dflt);
        return EXIT_BAD_INPUT;
    }
    diag_free(&d);
    coverage c;
    coverage_compute(&l, set->items, set->n, &c);
    fprintf(f, "requirement coverage: %s\n"
               "D = the IUT is a field node (harness plays in-cse); C = the IUT is an IN-CSE (harness plays field);\n"
               "A = the IUT is an AE held to a D rule (in-cse tests whose PICS admit IUT_AE)\n",
            l.file);
    const char *group = NULL;
    for (size_t i = 0; i < l.n; i++) {
        const req_item *it = &l.items[i];
        if (!group || strcmp(group, it->group)) fprintf(f, "\n%s\n", group = it->group);
        int first = 1;
        for (int r = 0; r < REQ_NROLES; r++) {
            if (c.cells[i][r].state == COV_NOT_APPLICABLE) continue;
            fprintf(f, first ? "  %-10s " : "  %-10s ", first ? it->id : "");
            print_cell(f, it, &c.cells[i][r], r);
            first = 0;
        }
    }
    fputs("\ncovered by no test case ((!) = not marked planned either):\n", f);
    for (int r = 0; r < REQ_NROLES; r++) print_none(f, &l, &c, r);
    for (size_t i = 0; i < c.nunknown; i++) fprintf(f, "test names a requirement wrongly: %s\n", c.unknown[i]);
    fprintf(f, "\n%zu requirement ids, %zu (id, role) pairs: %zu covered, %zu planned, %zu uncovered; %zu wrong id(s) in tests\n",
            l.n, c.covered + c.planned + c.uncovered, c.covered, c.planned, c.uncovered, c.nunknown);
    int gate = coverage_gate(&c);
    fprintf(f, "coverage gate: %s\n", gate ? "FAILED (an id is uncovered and not planned, or a test names a wrong id)" : "passed");
    coverage_free(&c);
    requirements_free(&l);
    free(dflt);
    return gate ? EXIT_FAILED : EXIT_OK;
}
