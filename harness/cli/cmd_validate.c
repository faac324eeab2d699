#include "cli.h"
#include "../run/plan.h"
#include "../run/runner.h"
#include <string.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void validate_usage(FILE *f)
{
    fputs("usage: m2m-harness validate [--profile FILE] PATH...\n"
          "\n"
          "Checks every test case below PATH against testcases/schema/testcase.xsd and the\n"
          "harness's own rules (unique ids, durations, selectors, known variables), and the\n"
          "profile against fixtures/schema/profile.xsd. Each problem is printed as\n"
          "file:line: error: what was expected. Exit 0 when all are valid, 2 otherwise.\n"
          "A profile without a start command attaches to a running IUT: the tests of its role\n"
          "that need a restart or a trigger it lacks are listed, each with what it needs.\n", f);
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, 0, 'p' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *profile_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        if (c == 'p') profile_path = optarg;
        else if (c == 'h') { validate_usage(stdout); return 0; }
        else { validate_usage(stderr); return EXIT_BAD_INPUT; }
    }
    if (optind >= argc && !profile_path) { validate_usage(stderr); return EXIT_BAD_INPUT; }
    diag d;
    diag_init(&d);
    tc_set set = { 0 };
    profile *p = cli_load_inputs(profile_path, argv + optind, optind < argc ? (size_t)(argc - optind) : 0, &set, &d);
    int rc = 0;
    if (diag_count(&d)) {
        diag_print(&d, stderr);
        fprintf(stderr, "validate: %zu problem(s)\n", diag_count(&d));
        rc = EXIT_BAD_INPUT;
    } else {
        printf("validate: %zu test case(s)%s valid\n", set.n, p ? " and the profile" : "");
        /* Attach mode: what a running IUT cannot give, named before any run */
        if (p && profile_attached(p)) {
            size_t n = 0, role = 0;
            for (size_t i = 0; i < set.n; i++) {
                char why[300];
                if (strcmp(set.items[i]->role, p->role)) continue;
                role++;
                /* a test its PICS already rule out is not listed: it would skip for that */
                if (!runner_not_applicable(set.items[i], p, why, sizeof why) ||
                    (strncmp(why, "needs a restart", 15) && strncmp(why, "needs trigger", 13))) continue;
                if (!n++) printf("validate: attach mode (no start command): tests that will be skipped:\n");
                printf("  %s: %s\n", set.items[i]->id, why);
            }
            printf("validate: attach mode: %zu of the %zu test(s) of role %s need a restart or a trigger the "
                   "profile lacks\n", n, role, p->role);
        }
    }
    diag_free(&d);
    tc_set_free(&set);
    profile_free(p);
    return rc;
}
