#include "cli.h"
#include "fleet.h"
#include "keyfiles.h"
#include "../run/runner.h"
#include "../report/console.h"
#include "../report/junit.h"
#include "../report/run_report.h"
#include "../report/html.h"
#include "../model/profile_redact.h"
#include "../run/plan.h"
#include "../report/durations.h"
#include "../util/xmem.h"
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void run_usage(FILE *f)
{
    fputs("usage: m2m-harness run --profile FILE [--profile FILE...] [options] PATH...\n"
          "\n"
          "Runs the test cases in PATH (files, or folders searched for *.xml) against the IUT\n"
          "each profile describes. Each test runs in its own process with a hard deadline; a\n"
          "crash or hang is reported as an error and the run goes on. Several profiles share\n"
          "one job pool: the run takes about as long as its longest tests, not their sum.\n"
          "\n"
          "options:\n"
          "  -p, --profile FILE     IUT profile (fixtures/profiles/*.xml); required; may be\n"
          "                         repeated: every test against every profile, one pool\n"
          "  -o, --report-dir DIR   base folder for reports (default: reports); the run writes\n"
          "                         DIR/<run-id>/junit.xml, results.json, report.html,\n"
          "                         timelines/, logs/, bundles/ (failing tests), profile.xml and\n"
          "                         points DIR/latest at it. With several profiles each gets\n"
          "                         that set in DIR/<run-id>/<profile name>/, and DIR/<run-id>/\n"
          "                         holds junit.xml (one testsuite per profile, each test named\n"
          "                         <ID>@<profile>) and index.html (links every profile's page)\n"
          "  -f, --filter PATTERN   only tests whose id matches the shell pattern\n"
          "                         (e.g. 'TC_SEC_SAE_*'); may be repeated\n"
          "      --allow-empty      exit 0 even when a profile executed no test\n"
          "      --pcap             write captures/<ID>.pcapng per test, with the DTLS keys\n"
          "                         embedded so Wireshark/tshark show the plaintext (secrets!)\n"
          "      --seed N           the run's seed (recorded in the reports and bundles; network\n"
          "                         conditions use it); default: chosen and recorded\n"
          "      --certify          certification run: refuses an incomplete or contradictory\n"
          "                         profile (each problem named, exit 2), --filter, --shard and\n"
          "                         --retry; runs every applicable test; ignores the known-failures\n"
          "                         list; marks the report (property run_mode=certification) and\n"
          "                         writes skipped.txt (each skipped test with its reason)\n"
          "      --plain-coap       the plain-CoAP run mode, NOT CERTIFYING (role field, an IN-CSE\n"
          "                         without DTLS): the access-control tests over plain CoAP with\n"
          "                         AE originators registered on Mca, and the remoteCSE\n"
          "                         registration tests where the profile says <transport\n"
          "                         plain-mcc=\"accepts\">; the rest skip. Reports say so\n"
          "                         (property run_mode=plain-coap); --certify refuses it\n"
          "      --shard K/N        run only shard K of N: test ids sorted bytewise, the i-th (from\n"
          "                         0) is in shard i mod N + 1; 'm2m-harness merge' joins the reports\n"
          "  -j, --jobs N           run N tests at once (default: every test that waits at once,\n"
          "                         at least 32 per core, see below); the\n"
          "                         console and reports keep plan order, verdicts do not depend\n"
          "                         on N\n"
          "      --durations PATH   start the tests that took longest in an earlier run first: PATH\n"
          "                         is its report folder (e.g. reports/latest) or a results.json;\n"
          "                         only the order changes, never a verdict\n"
          "      --repeat N         run each test N times; any failing attempt fails the test\n"
          "      --retry N          re-run tests that did not pass, at the end, up to N times; one\n"
          "                         that then passes is FLAKY (JUnit property flaky=true): it does\n"
          "                         not fail the run but is listed after the summary\n"
          "      --keep-resources   attach mode (a profile without a start command): leave what the\n"
          "                         tests created on the running IUT instead of deleting it at the\n"
          "                         end of each test (to inspect it; the next run deletes such\n"
          "                         leftovers when they are in its way, and logs it)\n"
          "  -q, --quiet            print only tests that did not pass, and the summary\n"
          "  -v, --verbose          print each test's steps and timeline\n"
          "  -h, --help             this text\n"
          "\n"
          "the plan: the tests of the profile's role; those of the other role are counted in the\n"
          "summary (JUnit property other_role_tests), not listed. A test that does not apply for\n"
          "a PICS item is listed as skipped with the reason.\n"
          "\n"
          "scheduling (-j N, N > 1): tests start longest expected first (--durations, else what\n"
          "their steps must wait out: <wait>, silence windows, refused handshakes, with the\n"
          "profile's timers), so long waits overlap. A test that waits costs almost no CPU: the\n"
          "default -j gives every test expected to wait (1 s or more) a slot of its own beside\n"
          "the CPU-bound ones, at least 32 and at most 128 per core. A test expected to take\n"
          "under 1 s keeps a core busy: at most 4 per core of those run at a time (one still\n"
          "running after 1 s is waiting and no longer counts); they start profile by profile,\n"
          "so a profile's reports are written while the next one's tests run. Tests against a\n"
          "single real IUT (no start command, or fixed\n"
          "listen ports) run one at a time, also across profiles naming the same IUT address\n"
          "and port, unless their identities are disjoint.\n"
          "\n"
          "verdicts: pass, warn (a 'should' not met), skip (not applicable: PICS),\n"
          "inconc (IUT unreachable or preamble failed), fail, error (harness or test problem),\n"
          "xfail/xpass (known failures: a listed test that fails is xfail, with the profile's\n"
          "reason and its own verdict; one that passes is xpass, which fails the run).\n"
          "exit status: 0 all passed (skips and warns allowed); 1 any fail, error, inconc or\n"
          "xpass, or a profile that executed no test without --allow-empty; 2 bad invocation or\n"
          "bad input.\n", f);
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

#define MAX_PROFILES 64

static void free_units(fleet_unit *units, size_t n)
{
    if (n && units[0].results) {
        size_t total = 0;
        for (size_t k = 0; k < n; k++) total += units[k].nplan;
        for (size_t i = 0; i < total; i++) test_result_free(&units[0].results[i]);
        free(units[0].results);
    }
    for (size_t k = 0; k < n; k++) {
        fleet_unit *u = &units[k];
        if (u->dir) run_info_free(&u->ri);
        free(u->name);
        free(u->dir);
        free(u->junit_path);
        free(u->selected);
        free(u->plan);
        free(u->lock);
        profile_free(u->p);
    }
    free(units);
}

/* A profile's name as a folder name: [A-Za-z0-9._-], others become '_'; unique in the run. */
static char *unit_name(const fleet_unit *units, size_t k)
{
    const char *src = units[k].p->name && *units[k].p->name ? units[k].p->name : "profile";
    char *n = xstrdup(src);
    for (char *c = n; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
              *c == '_' || *c == '-')) *c = '_';
    if (n[0] == '.') n[0] = '_';
    for (unsigned suffix = 2;; suffix++) {
        int taken = 0;
        for (size_t j = 0; j < k && !taken; j++) taken = !strcmp(units[j].name, n);
        if (!taken) return n;
        char *m = xasprintf("%s-%u", src, suffix);
        free(n);
        n = m;
        for (char *c = n; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
                  *c == '_' || *c == '-')) *c = '_';
    }
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
        { "repeat", required_argument, 0, 'R' }, { "retry", required_argument, 0, 'T' },
        { "durations", required_argument, 0, 'D' }, { "plain-coap", no_argument, 0, 'L' },
        { "keep-resources", no_argument, 0, 'k' }, { 0, 0, 0, 0 } };
    const char *profile_paths[MAX_PROFILES];
    const char *durations_path = NULL;
    size_t nprofiles = 0;
    const char *report_base = "reports";
    char *filters[64];
    size_t nfilters = 0;
    int allow_empty = 0, verbose = 0, c;
    int pcap = 0, quiet = 0, seed_given = 0, keep_resources = 0;
    unsigned long long seed = 0;
    fleet_opts fo;
    fleet_opts_init(&fo);
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:f:j:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (nprofiles == MAX_PROFILES) { fprintf(stderr, "run: at most %d --profile files\n", MAX_PROFILES); return EXIT_BAD_INPUT; }
            profile_paths[nprofiles++] = optarg;
            break;
        case 'o': report_base = optarg; break;
        case 'D': durations_path = optarg; break;
        case 'f':
            if (nfilters == 64) { fputs("run: at most 64 --filter patterns\n", stderr); return EXIT_BAD_INPUT; }
            filters[nfilters++] = optarg;
            break;
        case 'E': allow_empty = 1; break;
        case 'v': verbose = 1; break;
        case 'q': quiet = 1; break;
        case 'P': pcap = 1; break;
        case 'k': keep_resources = 1; break;
        case 'C': fo.certify = 1; break;
        case 'L': fo.plain_coap = 1; break;
        case 'K': fo.shard = optarg; break;
        case 'j':
            if (fleet_parse_number("-j", optarg, 1, &fo.jobs) < 0) return EXIT_BAD_INPUT;
            fo.jobs_given = 1;
            break;
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
    if (!nprofiles) { fputs("run: --profile FILE is required\n\n", stderr); run_usage(stderr); return EXIT_BAD_INPUT; }
    if (optind >= argc) { fputs("run: give at least one test case file or folder\n\n", stderr); run_usage(stderr); return EXIT_BAD_INPUT; }

    diag d;
    diag_init(&d);
    fleet_unit *units = xcalloc(nprofiles, sizeof *units);
    size_t nunits = nprofiles;
    char *pschema = cli_profile_schema();
    int loaded = 1;
    for (size_t k = 0; k < nunits; k++) {
        units[k].profile_path = profile_paths[k];
        if (profile_load(profile_paths[k], pschema, &units[k].p, &d) != 0) { loaded = 0; continue; }
        if (fo.plain_coap && strcmp(units[k].p->role, "field") != 0)
            diag_error(&d, profile_paths[k], 0, "--plain-coap runs an IN-CSE's tests over plain CoAP: profile role %s is "
                       "not field", units[k].p->role);
        else if (fo.plain_coap) units[k].p->plain_coap_run = 1;
        cli_check_listen_ports(units[k].p, &d);
        cli_check_key_files(units[k].p, &d, stderr);
    }
    free(pschema);
    tc_set set = { 0 };
    if (loaded) cli_load_testcases(argv + optind, (size_t)(argc - optind), units[0].p, &set, &d);
    for (size_t k = 1; loaded && k < nunits; k++) cli_check_testcases_for(units[k].p, &set, &d);
    for (size_t k = 0; loaded && !diag_count(&d) && k < nunits; k++)
        fleet_check(&fo, units[k].p, set.items, set.n, nfilters, &d);
    if (diag_count(&d)) {
        diag_print(&d, stderr);
        fprintf(stderr, "run: %zu problem(s) in the input; nothing was run\n", diag_count(&d));
        diag_free(&d);
        tc_set_free(&set);
        free_units(units, nunits);
        return EXIT_BAD_INPUT;
    }
    diag_free(&d);

    /* Per profile: the selected tests in path order (--filter), of those the tests of its
     * role, and of those its shard (balanced over what the profile runs): the plan. The other
     * role's are counted, not planned. */
    const profile **ps = xcalloc(nunits, sizeof *ps);
    char **locks = xcalloc(nunits, sizeof *locks);
    for (size_t k = 0; k < nunits; k++) ps[k] = units[k].p;
    plan_iut_locks(ps, nunits, locks);
    size_t nplan_all = 0;
    for (size_t k = 0; k < nunits; k++) {
        fleet_unit *u = &units[k];
        u->selected = xcalloc(set.n ? set.n : 1, sizeof *u->selected);
        for (size_t i = 0; i < set.n; i++)
            if (matches(set.items[i]->id, filters, nfilters)) u->selected[u->nselected++] = set.items[i];
        u->plan = xcalloc(u->nselected ? u->nselected : 1, sizeof *u->plan);
        for (size_t i = 0; i < u->nselected; i++) {
            if (strcmp(u->selected[i]->role, u->p->role) == 0) u->plan[u->nplan++] = u->selected[i];
            else u->other_role++;
        }
        u->nplan = fleet_plan(&fo, u->plan, u->nplan);
        u->lock = locks[k];
        u->name = unit_name(units, k);
        nplan_all += u->nplan;
    }
    free(ps);
    free(locks);

    /* Before the run's folder exists: --durations reports/latest names the run before this
     * one, and making this run's folder points latest at it. */
    durations *du = durations_path ? durations_load(durations_path) : NULL;
    if (du && durations_count(du))
        printf("start order: %zu recorded durations from %s\n", durations_count(du), durations_path);
    else if (du)
        printf("start order: no recorded durations in %s; tests start by what their steps must wait out\n",
               durations_path);
    char run_id[64];
    char *top = make_run_dir(report_base, run_id, sizeof run_id);
    if (!top) {
        fprintf(stderr, "run: cannot create a report folder under %s: %s\n", report_base, strerror(errno));
        durations_free(du);
        tc_set_free(&set);
        free_units(units, nunits);
        return EXIT_BAD_INPUT;
    }
    int multi = nunits > 1;
    /* ${RUN_ID}: 8 hex digits of the run's folder name (FNV-1a), short enough for resource names */
    char run_short[16];
    uint32_t hash = 2166136261u;
    for (const char *ch = run_id; *ch; ch++) hash = (hash ^ (unsigned char)*ch) * 16777619u;
    snprintf(run_short, sizeof run_short, "%08x", hash);
    char stamp[32], host[256] = "localhost";
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    gethostname(host, sizeof host - 1);
    /* Without --seed the run picks one and records it, so a replay can give it back. */
    if (!seed_given) seed = ((unsigned long long)time(NULL) << 16 ^ (unsigned long long)getpid()) % 1000000000ULL;
    runner_install_signal_handlers();
    console con;
    console_init(&con, stdout, nplan_all, verbose);
    console_set_quiet(&con, quiet);
    for (size_t k = 0; k < nunits; k++) {
        fleet_unit *u = &units[k];
        u->dir = multi ? xasprintf("%s/%s", top, u->name) : xstrdup(top);
        if (multi && mkdir(u->dir, 0755) < 0 && errno != EEXIST)
            fprintf(stderr, "run: cannot create %s: %s\n", u->dir, strerror(errno));
        u->junit_path = xasprintf("%s/junit.xml", u->dir);
        char *profile_copy = xasprintf("%s/profile.xml", u->dir);
        profile_write_redacted(u->profile_path, profile_copy);   /* the profile applied, without its PSK */
        free(profile_copy);
        run_info_init(&u->ri, run_id, u->dir, argc, argv, u->profile_path, u->selected, u->nselected, seed, pcap);
        u->ri.other_role = u->other_role;
        u->ri.other_role_name = strcmp(u->p->role, "field") ? "field" : "in-cse";
        snprintf(u->seedstr, sizeof u->seedstr, "%llu", seed);
        snprintf(u->other, sizeof u->other, "%zu", u->other_role);
        const char *audit[] = { "harness_git", u->ri.harness_git, "build_type", u->ri.build_type,
                                "profile_sha256", u->ri.profile_sha256, "suite_sha256", u->ri.suite_sha256,
                                "seed", u->seedstr, "started", u->ri.started, "ended", u->ri.ended,
                                "run_mode", u->p->plain_coap_run ? "plain-coap (not certifying)" : fo.certify ? "certification" : "regular",
                                "shard", fo.shard ? fo.shard : "1/1", "other_role_tests", u->other, NULL, NULL };
        memcpy(u->audit, audit, sizeof audit);
        u->jr = (junit_run){ "m2m-harness", stamp, host, u->profile_path, u->p->name, u->audit };
        u->octx = (run_observer_ctx){ &u->ri, progress_tick, &con };
        run_report_observer(&u->obs, &u->octx);
        u->eo = (exec_opts){ u->dir, verbose, -1, &u->obs, run_short, keep_resources };
        junit_write(u->junit_path, &u->jr, NULL, 0);
    }
    char *combined_path = multi ? xasprintf("%s/junit.xml", top) : NULL;
    int plain_any = 0;
    for (size_t k = 0; k < nunits; k++) plain_any |= units[k].p->plain_coap_run;
    if (plain_any)
        fputs("plain-CoAP run mode: NOT CERTIFYING - no security association; the access-control tests run over plain "
              "CoAP with AE originators registered on Mca\n", con.out);
    const char *caudit[] = { "seed", units[0].seedstr, "started", units[0].ri.started,
                             "run_mode", plain_any ? "plain-coap (not certifying)" : fo.certify ? "certification" : "regular",
                             "shard", fo.shard ? fo.shard : "1/1", NULL, NULL };
    junit_run cjr = { "m2m-harness", stamp, host, NULL, NULL, caudit };
    if (multi) junit_write_profiles(combined_path, &cjr, NULL, 0);

    fo.durations = du;
    fleet_execute(&fo, units, nunits, &con, combined_path, &cjr);
    durations_free(du);

    run_summary all;
    memset(&all, 0, sizeof all);
    size_t bundles = 0;
    int rc = 0;
    for (size_t k = 0; k < nunits; k++) {
        fleet_unit *u = &units[k];
        memset(&u->sum, 0, sizeof u->sum);
        for (size_t i = 0; i < u->nplan; i++) run_summary_add(&u->sum, u->results[i].v);
        u->sum.other_role = u->other_role;
        fleet_unit_reports(u);
        all.total += u->sum.total; all.pass += u->sum.pass; all.warn += u->sum.warn; all.fail += u->sum.fail;
        all.error += u->sum.error; all.inconc += u->sum.inconc; all.skip += u->sum.skip;
        all.xfail += u->sum.xfail; all.xpass += u->sum.xpass; all.other_role += u->sum.other_role;
        bundles += u->sum.fail + u->sum.error + u->sum.inconc + u->sum.xpass;
        if (run_summary_exit_code(&u->sum)) rc = run_summary_exit_code(&u->sum);
    }
    if (multi) {
        junit_part *parts = xcalloc(nunits, sizeof *parts);
        for (size_t k = 0; k < nunits; k++) parts[k] = (junit_part){ &units[k].jr, units[k].results, units[k].nplan };
        if (junit_write_profiles(combined_path, &cjr, parts, nunits) < 0)
            fprintf(stderr, "run: cannot write %s: %s\n", combined_path, strerror(errno));
        free(parts);
        char *index = xasprintf("%s/index.html", top);
        html_index_row *rows = xcalloc(nunits, sizeof *rows);
        for (size_t k = 0; k < nunits; k++)
            rows[k] = (html_index_row){ units[k].p->name ? units[k].p->name : units[k].name, units[k].name,
                                        units[k].p->role, units[k].sum };
        int wrc = html_index_write(index, run_id, rows, nunits);
        free(rows);
        if (wrc < 0)
            fprintf(stderr, "run: cannot write %s: %s\n", index, strerror(errno));
        free(index);
        fputs("\nprofiles:\n", con.out);
        for (size_t k = 0; k < nunits; k++) {
            char *rep = xasprintf("%s/report.html", units[k].dir);
            console_profile_line(&con, units[k].p->name, &units[k].sum, rep);
            free(rep);
        }
        console_summary_role(&con, &all, NULL, top);
        fputs("  junit.xml    ", con.out);
        fprintf(con.out, "%s/junit.xml  (one testsuite per profile)\n", top);
        fprintf(con.out, "  index.html   %s/index.html  (links each profile's report.html, junit.xml, results.json)\n", top);
    } else {
        console_summary_role(&con, &all, all.other_role ? units[0].ri.other_role_name : NULL, top);
        console_reports(&con, top, pcap && units[0].executed, bundles);
    }
    for (size_t k = 0; k < nunits; k++)
        if (fleet_report(&fo, units[k].p, units[k].plan, units[k].dir, units[k].results, units[k].nplan, stdout) && !rc)
            rc = EXIT_FAILED;
    if (plain_any) fputs("plain-CoAP run mode: this run is NOT CERTIFYING\n", con.out);
    for (size_t k = 0; k < nunits; k++)
        if (units[k].executed == 0 && !allow_empty) {
            fprintf(stderr, "run: no test was executed against profile %s (%zu selected, all skipped or none "
                            "matched); this certifies nothing. Use --allow-empty to accept that.\n",
                    units[k].p->name ? units[k].p->name : units[k].profile_path, units[k].nplan);
            rc = EXIT_FAILED;
        }
    if (runner_interrupted) rc = EXIT_FAILED;
    free(combined_path);
    free(top);
    tc_set_free(&set);
    free_units(units, nunits);
    return rc;
}
