/* m2m-harness merge: one report from the shards of a CI fleet (report/merge.h). */
#include "cli.h"
#include "../report/merge.h"
#include "../report/merge_json.h"
#include "../util/xmem.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void merge_usage(FILE *f)
{
    fputs("usage: m2m-harness merge -o OUT INPUT...\n"
          "\n"
          "Joins the JUnit reports of the shards of one suite (run --shard K/N on several CI\n"
          "runners) into OUT/junit.xml: one testsuite per role, every test case of every input,\n"
          "suite counts recomputed from the test cases so they add up, property shard = the\n"
          "shards merged. Test cases are ordered by file, then id: the order of one unsharded\n"
          "run over one folder. A test found in two inputs is an error (shards never overlap).\n"
          "\n"
          "INPUT: a junit.xml, a run's report folder (reports/<run-id>) or a reports base\n"
          "folder (its latest/ run is taken).\n"
          "\n"
          "options:\n"
          "  -o, --output DIR   where to write junit.xml (created if missing); required\n"
          "  -h, --help         this text\n"
          "\n"
          "exit status: 0 merged, no failure or error in it; 1 merged, with failures or errors\n"
          "(xpass counts as a failure), or no test at all; 2 bad invocation or bad input\n"
          "(file:line).\n", f);
}

static char *input_file(const char *in)
{
    struct stat st;
    if (stat(in, &st) != 0 || !S_ISDIR(st.st_mode)) return xstrdup(in);
    char *p = xasprintf("%s/junit.xml", in);
    if (stat(p, &st) == 0) return p;
    free(p);
    return xasprintf("%s/latest/junit.xml", in);
}

static void free_json_inputs(char **in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) free(in[i]);
    free(in);
    free(out);
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *outdir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') outdir = optarg;
        else if (c == 'h') { merge_usage(stdout); return 0; }
        else { merge_usage(stderr); return EXIT_BAD_INPUT; }
    }
    if (!outdir) { fputs("merge: -o DIR is required\n\n", stderr); merge_usage(stderr); return EXIT_BAD_INPUT; }
    if (optind >= argc) { fputs("merge: give at least one report\n\n", stderr); merge_usage(stderr); return EXIT_BAD_INPUT; }
    diag d;
    diag_init(&d);
    junit_merge *m = junit_merge_new();
    /* results.json beside each junit.xml is merged too, when every input has one */
    char **json_in = xcalloc((size_t)(argc - optind), sizeof *json_in);
    size_t njson = 0;
    for (int i = optind; i < argc; i++) {
        char *f = input_file(argv[i]);
        junit_merge_add_file(m, f, &d);
        char *slash = strrchr(f, '/');
        char *j = slash ? xasprintf("%.*s/results.json", (int)(slash - f), f) : xstrdup("results.json");
        if (access(j, R_OK) == 0) json_in[njson++] = j;
        else free(j);
        free(f);
    }
    char *json_out = xasprintf("%s/results.json", outdir);
    int merge_json = njson == (size_t)(argc - optind);
    if (diag_count(&d)) {
        diag_print(&d, stderr);
        fprintf(stderr, "merge: %zu problem(s) in the input; nothing was written\n", diag_count(&d));
        diag_free(&d);
        junit_merge_free(m);
        free_json_inputs(json_in, njson, json_out);
        return EXIT_BAD_INPUT;
    }
    diag_free(&d);
    junit_counts t;
    char *doc = junit_merge_render(m, &t);
    junit_merge_free(m);
    if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "merge: cannot create %s: %s\n", outdir, strerror(errno));
        free(doc);
        free_json_inputs(json_in, njson, json_out);
        return EXIT_BAD_INPUT;
    }
    char *path = xasprintf("%s/junit.xml", outdir);
    FILE *f = fopen(path, "w");
    int ok = f && fputs(doc, f) >= 0;
    if (f && fclose(f) != 0) ok = 0;
    free(doc);
    if (!ok) {
        fprintf(stderr, "merge: cannot write %s: %s\n", path, strerror(errno));
        free(path);
        free_json_inputs(json_in, njson, json_out);
        return EXIT_BAD_INPUT;
    }
    printf("merged %d report(s) into %s: %zu tests, %zu failures, %zu errors, %zu skipped\n",
           argc - optind, path, t.tests, t.failures, t.errors, t.skipped);
    if (merge_json) {
        diag jd;
        diag_init(&jd);
        if (results_merge(json_in, njson, json_out, &jd) == 0) printf("merged results.json into %s\n", json_out);
        else { diag_print(&jd, stderr); ok = 0; }
        diag_free(&jd);
    } else if (njson) {
        fprintf(stderr, "merge: results.json not merged: only %zu of %d input(s) have one\n", njson, argc - optind);
    }
    free_json_inputs(json_in, njson, json_out);
    if (!ok) { free(path); return EXIT_BAD_INPUT; }
    free(path);
    return t.failures || t.errors || !t.tests ? EXIT_FAILED : EXIT_OK;
}
