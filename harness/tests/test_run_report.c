/* The parent's reports of a test with a fleet of associations: results.json holds every event
 * of its timeline, report.html the head of it with a link to the rest, and writing them costs
 * the parent memory that does not grow with the number of events (the timeline is copied
 * from the test's file event by event, never held whole as JSON trees). */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "report/run_report.h"
#include "report/tljson.h"
#include "util/xmem.h"
#include "m2m_test.h"

/* Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) and every
 * byte has shadow: the peak measures the sanitizer, not the writer. The bound is asserted in
 * the plain build (the build + unit stage); the sanitizer stage checks the rest. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* This process's peak resident memory so far (VmHWM), in KiB. */
static long peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kib) == 1) break;
    if (f) fclose(f);
    return kib;
}

/* Occurrences of needle in the file, read in pieces (needle shorter than 64 bytes). */
static long count_in(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t nl = strlen(needle), keep = 0;
    char buf[65536 + 64];
    long n = 0;
    for (size_t got; (got = fread(buf + keep, 1, sizeof buf - 64 - 1, f)) > 0;) {
        size_t len = keep + got;
        buf[len] = '\0';
        for (char *p = buf; (p = memmem(p, (size_t)(buf + len - p), needle, nl)); p += nl) n++;
        keep = len >= nl - 1 ? nl - 1 : len;   /* a needle across two pieces */
        memmove(buf, buf + len - keep, keep);
    }
    fclose(f);
    return n;
}

static void test_fleet_reports(void)
{
    enum { N = 150000 };
    char dir[] = "/tmp/m2m-run-report-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char *tld = xasprintf("%s/timelines", dir), *tlp = xasprintf("%s/TC_FLEET.json", tld);
    mkdir(tld, 0755);
    /* written by a child process, as by a test's: this process's peak stays its own */
    pid_t pid = fork();
    if (pid == 0) {
        timeline a;
        timeline_init(&a);
        for (int i = 0; i < N; i++) {
            char peer[32];
            snprintf(peer, sizeof peer, "127.0.0.1:%d", 20000 + i / 10);
            timeline_add(&a, i % 10 == 9 ? "sae.done" : "msg.rx", peer, "side", "server", "secure", "true",
                         "suite", "TLS_PSK_WITH_AES_128_CCM_8", (char *)NULL);
        }
        _exit(tljson_write(tlp, "TC_FLEET", &a) == 0 ? 0 : 1);
    }
    int status = -1;
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    testcase tc = { 0 };
    tc.id = m2m_test_str("TC_FLEET");
    test_result r = { 0 };
    r.id = m2m_test_str("TC_FLEET"); r.role = m2m_test_str("in-cse"); r.area = m2m_test_str("bench");
    r.v = VERDICT_PASS; r.timeline_file = m2m_test_str("timelines/TC_FLEET.txt");
    run_info ri = { 0 };
    ri.run_id = m2m_test_str("run-1"); ri.report_dir = m2m_test_str(dir);
    ri.harness_version = m2m_test_str("0.1.0"); ri.harness_git = m2m_test_str("abc");
    ri.build_type = m2m_test_str("debug"); ri.build_sanitize = m2m_test_str("none");
    ri.profile_path = m2m_test_str("/p.xml"); ri.host = m2m_test_str("h"); ri.command = m2m_test_str("run");
    profile p = { 0 };
    p.name = m2m_test_str("load"); p.role = m2m_test_str("in-cse");
    testcase *tcs[] = { &tc };
    long before = peak_kib();
    CU_ASSERT_EQUAL(run_report_write(&ri, &p, tcs, &r, 1), 0);
    long grew = peak_kib() - before;
    /* Holding the file (~30 MB) as JSON trees grew the peak by about 230 MB; copied event by
     * event it grows by under 1 MB (the head the page shows). Memory, not time: it does not
     * depend on how loaded the machine is. */
    if (grew >= 32 * 1024) fprintf(stderr, "\n  the reports of %d events grew the peak by %ld KiB\n", N, grew);
    if (!UNDER_ASAN) CU_ASSERT(grew < 32 * 1024);
    char *rj = xasprintf("%s/results.json", dir), *rh = xasprintf("%s/report.html", dir);
    /* every event, in results.json */
    CU_ASSERT_EQUAL(count_in(rj, "\"name\":\"sae.done\""), N / 10);
    CU_ASSERT_EQUAL(count_in(rj, "{\"seq\":"), N);
    CU_ASSERT_EQUAL(count_in(rj, "\"peer\":\"127.0.0.1:34999\""), 10);
    json_error_t je;
    json_t *doc = json_load_file(rj, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    json_t *t0 = json_array_get(json_object_get(doc, "tests"), 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(t0, "timeline")), N);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "id")), "TC_FLEET");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(doc, "summary"), "pass")), 1);
    json_decref(doc);
    /* the page: the head, and where the rest is */
    char *want = xasprintf("The first %d of %d events", REPORT_TIMELINE_HEAD, N);
    CU_ASSERT_EQUAL(count_in(rh, want), 1);
    CU_ASSERT_EQUAL(count_in(rh, "href=\"timelines/TC_FLEET.txt\""), 2);
    CU_ASSERT_EQUAL(count_in(rh, "127.0.0.1:34999"), 0);
    struct stat st;
    CU_ASSERT_EQUAL(stat(rh, &st), 0);
    CU_ASSERT(st.st_size < 2 * 1024 * 1024);
    free(want);
    unlink(rj);
    unlink(rh);
    unlink(tlp);
    rmdir(tld);
    rmdir(dir);
    free(rj); free(rh); free(tlp); free(tld);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("run_report", NULL, NULL);
    CU_add_test(s, "a fleet's timeline in bounded memory", test_fleet_reports);
}
