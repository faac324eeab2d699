#include "cli.h"
#include "fleet.h"
#include "keyfiles.h"
#include "../run/runner.h"
#include "../report/console.h"
#include "../report/junit.h"
#include "../report/run_report.h"
#include "../model/profile_redact.h"
#include "../util/xmem.h"
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void run_usage(FILE *f)
{
    fputs("usage: m2m-harness run --profile FILE [options] PATH...\n"
          "\n"
          "Runs the test cases in PATH (files, or folders searched for *.xml) against the IUT\n"
          "the profile describes. Each test runs in its own process with a hard deadline; a\n"
          "crash or hang is reported as an error and the run goes on.\n"
          "\n"
          "options:\n"
          "  -p, --profile FILE     IUT profile (fixtures/profiles/*.xml); required\n"
          "  -o, --report-dir DIR   base folder for reports (default: reports); the run writes\n"
          "                         DIR/<run-id>/junit.xml, results.json, report.html,\n"
          "                         timelines/, logs/, bundles/ (failing tests), profile.xml and\n"
          "                         points DIR/latest at it\n"
          "  -f, --filter PATTERN   only tests whose id matches the shell pattern\n"
          "                         (e.g. 'TC_SEC_SAE_*'); may be repeated\n"
          "      --allow-empty      exit 0 even when no test was executed\n"
          "      --pcap             write captures/<ID>.pcapng per test, with the DTLS keys\n"
          "                         embedded so Wireshark/tshark show the plaintext (secrets!)\n"
          "      --seed N           the run's seed (recorded in the reports and bundles; network\n"
          "                         conditions use it); default: chosen and recorded\n"
          "      --certify          certification run: refuses an incomplete or contradictory\n"
          "                         profile (each problem named, exit 2), --filter, --shard and\n"
          "                         --retry; runs every applicable test; ignores the known-failures\n"
          "                         list; marks the report (property run_mode=certification) and\n"
          "                         writes skipped.txt (each skipped test with its reason)\n"
          "      --shard K/N        run only shard K of N: test ids sorted bytewise, the i-th (from\n"
          "                         0) is in shard i mod N + 1; 'm2m-harness merge' joins the reports\n"
          "  -j, --jobs N           run N tests at once (bundled peers only: refused when the\n"
          "                         profile has fixed listen ports or no start command); console\n"
          "                         and reports keep plan order\n"
          "      --repeat N         run each test N times; any failing attempt fails the test\n"
          "      --retry N          re-run tests that did not pass, at the end, up to N times; one\n"
          "                         that then passes is FLAKY (JUnit property flaky=true): it does\n"
          "                         not fail the run but is listed after the summary\n"
          "  -q, --quiet            print only tests that did not pass, and the summary\n"
          "  -v, --verbose          print each test's steps and timeline\n"
          "  -h, --help             this text\n"
          "\n"
          "verdicts: pass, warn (a 'should' not met), skip (not applicable: role or PICS),\n"
          "inconc (IUT unreachable or preamble failed), fail, error (harness or test problem),\n"
          "xfail/xpass (known failures: a listed test that fails is xfail, with the profile's\n"
          "reason and its own verdict; one that passes is xpass, which fails the run).\n"
          "exit status: 0 all passed (skips and warns allowed); 1 any fail, error, inconc or\n"
          "xpass, or no test executed without --allow-empty; 2 bad invocation or bad input.\n", f);
}

static char *make_run_dir(const char *base, char *run_id, size_t idlen)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(run_id, idlen, "%s-%d", stamp, (int)getpid());
    if (mkdir(base, 0755) < 0 && errno != EEXIST) return NULL;
    char *dir = xasprintf("%s/%s", base, run_id);
    if (mkdir(dir, 0755) < 0) { free(dir); return NULL; }
    /* reports/latest -> <run-id>, replaced atomically */
    char *tmp = xasprintf("%s/.latest.%d", base, (int)getpid());
    char *latest = xasprintf("%s/latest", base);
    unlink(tmp);
    if (symlink(run_id, tmp) == 0 && rename(tmp, latest) != 0) unlink(tmp);
    free(tmp);
    free(latest);
    return dir;
}

static void progress_tick(void *con) { console_tick(con); }

static int matches(const char *id, char **filters, size_t nf)
{
    if (!nf) return 1;
    for (size_t i = 0; i < nf; i++)
        if (fnmatch(filters[i], id, 0) == 0) return 1;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, 0, 'p' }, { "report-dir", required_argument, 0, 'o' },
        { "filter", required_argument, 0, 'f' }, { "allow-empty", no_argument, 0, 'E' },
        { "verbose", no_argument, 0, 'v' }, { "help", no_argument, 0, 'h' },
        { "pcap", no_argument, 0, 'P' }, { "seed", required_argument, 0, 'S' },
        { "quiet", no_argument, 0, 'q' }, { "certify", no_argument, 0, 'C' },
        { "shard", required_argument, 0, 'K' }, { "jobs", required_argument, 0, 'j' },
        { "repeat", required_argument, 0, 'R' }, { "retry", required_argument, 0, 'T' }, { 0, 0, 0, 0 } };
    const char *profile_path = NULL, *report_base = "reports";
    char *filters[64];
    size_t nfilters = 0;
    int allow_empty = 0, verbose = 0, c;
    int pcap = 0, quiet = 0, seed_given = 0;
    unsigned long long seed = 0;
    fleet_opts fo;
    fleet_opts_init(&fo);
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:f:j:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': profile_path = optarg; break;
        case 'o': report_base = optarg; break;
        case 'f':
            if (nfilters == 64) { fputs("run: at most 64 --filter patterns\n", stderr); return EXIT_BAD_INPUT; }
            filters[nfilters++] = optarg;
            break;
        case 'E': allow_empty = 1; break;
        case 'v': verbose = 1; break;
        case 'q': quiet = 1; break;
        case 'P': pcap = 1; break;
        case 'C': fo.certify = 1; break;
        case 'K': fo.shard = optarg; break;
        case 'j': if (fleet_parse_number("-j", optarg, 1, &fo.jobs) < 0) return EXIT_BAD_INPUT; break;
        case 'R': if (fleet_parse_number("--repeat", optarg, 1, &fo.repeat) < 0) return EXIT_BAD_INPUT; break;
        case 'T': if (fleet_parse_number("--retry", optarg, 0, &fo.retry) < 0) return EXIT_BAD_INPUT; break;
        case 'S': {
            char *end = NULL;
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (errno || !end || *end || !*optarg || *optarg == '-') {
                fprintf(stderr, "run: --seed needs a non-negative integer, not '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            seed_given = 1;
            break;
        }
        case 'h': run_usage(stdout); return 0;
        default: run_usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    if (!profile_path) { fputs("run: --profile FILE is required\n\n", stderr); run_usage(stderr); return EXIT_BAD_INPUT; }
    if (optind >= argc) { fputs("run: give at least one test case file or folder\n\n", stderr); run_usage(stderr); return EXIT_BAD_INPUT; }

    diag d;
    diag_init(&d);
    profile *p = NULL;
    char *pschema = cli_profile_schema();
    int prc = profile_load(profile_path, pschema, &p, &d);
    free(pschema);
    tc_set set = { 0 };
    if (prc == 0) cli_check_listen_ports(p, &d);
    if (prc == 0) cli_check_key_files(p, &d, stderr);
    if (prc == 0) cli_load_testcases(argv + optind, (size_t)(argc - optind), p, &set, &d);
    if (prc == 0 && !diag_count(&d)) fleet_check(&fo, p, set.items, set.n, nfilters, &d);
    if (diag_count(&d)) {
        diag_print(&d, stderr);
        fprintf(stderr, "run: %zu problem(s) in the input; nothing was run\n", diag_count(&d));
        diag_free(&d);
        tc_set_free(&set);
        profile_free(p);
        return EXIT_BAD_INPUT;
    }
    diag_free(&d);

    /* The plan: the selected tests in path order. */
    testcase **plan = xcalloc(set.n ? set.n : 1, sizeof *plan);
    size_t nplan = 0;
    for (size_t i = 0; i < set.n; i++)
        if (matches(set.items[i]->id, filters, nfilters)) plan[nplan++] = set.items[i];
    nplan = fleet_plan(&fo, plan, nplan);

    char run_id[64];
    char *dir = make_run_dir(report_base, run_id, sizeof run_id);
    if (!dir) {
        fprintf(stderr, "run: cannot create a report folder under %s: %s\n", report_base, strerror(errno));
        free(plan);
        tc_set_free(&set);
        profile_free(p);
        return EXIT_BAD_INPUT;
    }
    char *junit_path = xasprintf("%s/junit.xml", dir);
    char *profile_copy = xasprintf("%s/profile.xml", dir);
    profile_write_redacted(profile_path, profile_copy);   /* the profile applied, without its PSK */

    char stamp[32], host[256] = "localhost";
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    gethostname(host, sizeof host - 1);
    /* Without --seed the run picks one and records it, so a replay can give it back. */
    if (!seed_given) seed = ((unsigned long long)time(NULL) << 16 ^ (unsigned long long)getpid()) % 1000000000ULL;
    run_info ri;
    run_info_init(&ri, run_id, dir, argc, argv, profile_path, plan, nplan, seed, pcap);
    char seedstr[24];
    snprintf(seedstr, sizeof seedstr, "%llu", seed);
    const char *audit[] = { "harness_git", ri.harness_git, "build_type", ri.build_type,
                            "profile_sha256", ri.profile_sha256, "suite_sha256", ri.suite_sha256,
                            "seed", seedstr, "started", ri.started, "ended", ri.ended,
                            "run_mode", fo.certify ? "certification" : "regular",
                            "shard", fo.shard ? fo.shard : "1/1", NULL, NULL };
    junit_run jr = { "m2m-harness", stamp, host, profile_path, p->name, audit };

    runner_install_signal_handlers();
    console con;
    console_init(&con, stdout, nplan, verbose);
    console_set_quiet(&con, quiet);
    run_observer_ctx octx = { &ri, progress_tick, &con };
    exec_observer obs;
    run_report_observer(&obs, &octx);
    test_result *results = xcalloc(nplan ? nplan : 1, sizeof *results);
    run_summary sum;
    memset(&sum, 0, sizeof sum);
    exec_opts eo = { dir, verbose, -1, &obs };
    junit_write(junit_path, &jr, results, 0);
    size_t executed = fleet_execute(&fo, plan, nplan, p, &eo, &con, junit_path, &jr, results);
    for (size_t i = 0; i < nplan; i++) run_summary_add(&sum, results[i].v);
    run_info_finish(&ri);
    if (junit_write(junit_path, &jr, results, nplan) < 0)
        fprintf(stderr, "run: cannot write %s: %s\n", junit_path, strerror(errno));
    run_report_write(&ri, p, plan, results, nplan);
    console_summary(&con, &sum, dir);
    console_reports(&con, dir, pcap && executed, sum.fail + sum.error + sum.inconc + sum.xpass);
    fleet_report(&fo, p, dir, results, nplan, stdout);
    int rc = run_summary_exit_code(&sum);
    if (executed == 0 && !allow_empty) {
        fprintf(stderr, "run: no test was executed (%zu selected, all skipped or none matched); "
                        "this certifies nothing. Use --allow-empty to accept that.\n", nplan);
        rc = EXIT_FAILED;
    }
    if (runner_interrupted) rc = EXIT_FAILED;
    for (size_t i = 0; i < nplan; i++) test_result_free(&results[i]);
    free(results);
    free(plan);
    free(junit_path);
    free(profile_copy);
    free(dir);
    run_info_free(&ri);
    tc_set_free(&set);
    profile_free(p);
    return rc;
}
