#include "cli.h"
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: m2m-harness <command> [options]\n"
          "\n"
          "Conformance test harness for the oneM2M security flow over CoAP/DTLS\n"
          "(TS-0003: network, provisioning, security association, access control).\n"
          "\n"
          "commands:\n"
          "  run       run test cases against an IUT described by a profile; writes JUnit\n"
          "  list      list test cases with their requirement ids and applicability\n"
          "  validate  check test case and profile files against their schemas\n"
          "  explain   print one test case in words: requirement, PICS, steps, order rules\n"
          "  merge     join the JUnit reports of CI shards (run --shard K/N) into one\n"
          "  doc       print the events, PICS items or variables the harness knows (Markdown)\n"
          "\n"
          "'m2m-harness <command> --help' explains each command.\n"
          "exit status: 0 all passed, 1 a test failed (or errored, was inconclusive, xpass),\n"
          "             2 bad invocation or bad input files (nothing ran)\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return EXIT_BAD_INPUT; }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) { usage(stdout); return 0; }
    if (!strcmp(cmd, "--version")) { printf("m2m-harness %s\n", M2M_VERSION); return 0; }
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "list")) return cmd_list(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate")) return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge")) return cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "explain")) return cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "doc")) return cmd_doc(argc - 1, argv + 1);
    fprintf(stderr, "m2m-harness: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return EXIT_BAD_INPUT;
}
