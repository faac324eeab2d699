#include "cli.h"
#include "coverage.h"
#include "../run/runner.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void list_usage(FILE *f)
{
    fputs("usage: m2m-harness list [--profile FILE [--plain-coap]] [--markdown] PATH...\n"
          "       m2m-harness list --coverage [--requirements FILE] PATH...\n"
          "\n"
          "Lists the test cases in PATH: id, role.area, the requirement ids they cover and\n"
          "their title. With --profile, also whether each applies to that IUT (and why not).\n"
          "\n"
          "      --plain-coap         with --profile: what the plain-CoAP run mode (run --plain-coap)\n"
          "                           would run and skip\n"
          "  -m, --markdown           the same as a Markdown table (id, role, covers, title): the\n"
          "                           test table of docs/testcases.md is this output\n"
          "                           (tools/docs/sync-readme.sh)\n"
          "  -c, --coverage           per requirement id and role (D: the harness plays in-cse,\n"
          "                           the IUT is a field node; C: the harness plays field, the IUT\n"
          "                           is an IN-CSE) the test cases that cover it, the reason an id\n"
          "                           is still planned, and the ids covered by none. Exit 1 when an\n"
          "                           id is uncovered in one of its roles and not marked planned,\n"
          "                           or a test names an id the list lacks (the coverage gate)\n"
          "  -r, --requirements FILE  the requirement list (default: the tree's\n"
          "                           testcases/schema/requirements.xml)\n", f);
}

/* A table cell: '|' would end the cell, a line break the row. */
static void md_cell(const char *text)
{
    for (const char *c = text ? text : ""; *c; c++) {
        if (*c == '|') fputs("\\|", stdout);
        else if (*c == '\n' || *c == '\r') putchar(' ');
        else putchar(*c);
    }
}

static void list_markdown(const tc_set *set)
{
    puts("| id | role | covers | checks |\n|---|---|---|---|");
    for (size_t i = 0; i < set->n; i++) {
        const testcase *tc = set->items[i];
        printf("| %s | %s | ", tc->id, tc->role);
        for (size_t j = 0; j < tc->ncovers; j++) printf("%s%s", j ? " " : "", tc->covers[j]);
        fputs(" | ", stdout);
        md_cell(tc->title);
        puts(" |");
    }
}

int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, 0, 'p' }, { "help", no_argument, 0, 'h' },
        { "coverage", no_argument, 0, 'c' }, { "requirements", required_argument, 0, 'r' },
        { "markdown", no_argument, 0, 'm' }, { "plain-coap", no_argument, 0, 'L' }, { 0, 0, 0, 0 } };
    const char *profile_path = NULL, *req_path = NULL;
    int c, want_coverage = 0, markdown = 0, plain = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:hcr:m", opts, NULL)) != -1) {
        if (c == 'p') profile_path = optarg;
        else if (c == 'c') want_coverage = 1;
        else if (c == 'r') req_path = optarg;
        else if (c == 'm') markdown = 1;
        else if (c == 'L') plain = 1;
        else if (c == 'h') { list_usage(stdout); return 0; }
        else { list_usage(stderr); return EXIT_BAD_INPUT; }
    }
    if (optind >= argc) { list_usage(stderr); return EXIT_BAD_INPUT; }
    diag d;
    diag_init(&d);
    tc_set set = { 0 };
    profile *p = cli_load_inputs(profile_path, argv + optind, (size_t)(argc - optind), &set, &d);
    if (plain && p && strcmp(p->role, "field") != 0)
        diag_error(&d, profile_path, 0, "--plain-coap runs an IN-CSE's tests over plain CoAP: profile role %s is not field",
                   p->role);
    else if (plain && p) p->plain_coap_run = 1;
    if (diag_count(&d)) {
        diag_print(&d, stderr);
        diag_free(&d);
        tc_set_free(&set);
        profile_free(p);
        return EXIT_BAD_INPUT;
    }
    if (want_coverage) {
        int rc = cli_list_coverage(&set, req_path, stdout);
        diag_free(&d);
        tc_set_free(&set);
        profile_free(p);
        return rc;
    }
    if (markdown) {
        list_markdown(&set);
        diag_free(&d);
        tc_set_free(&set);
        profile_free(p);
        return 0;
    }
    for (size_t i = 0; i < set.n; i++) {
        const testcase *tc = set.items[i];
        printf("%-24s %s.%-12s", tc->id, tc->role, tc->area);
        for (size_t j = 0; j < tc->ncovers; j++) printf("%s%s", j ? "," : " ", tc->covers[j]);
        printf("  %s\n", tc->title ? tc->title : "");
        char reason[512];
        if (p && runner_not_applicable(tc, p, reason, sizeof reason)) printf("%24s skip: %s\n", "", reason);
    }
    printf("%zu test case(s)\n", set.n);
    diag_free(&d);
    tc_set_free(&set);
    profile_free(p);
    return 0;
}
