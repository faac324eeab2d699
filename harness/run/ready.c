#include "ready.h"
#include "runner.h"
#include "../util/timeutil.h"
#include "../util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *ready_testcase_xml(const profile *p)
{
    /* an enrolee associates with what it enrolled; an IUT without DTLS (<transport dtls="no">),
     * or a plain-CoAP run, is asked over plain CoAP */
    int secure = (profile_has_pics(p, "SAE") || p->mef) && p->transport_dtls && !p->plain_coap_run;
    int as_ae = !p->harness_cse_id && p->harness_ae_id;
    return xasprintf(
        "<testcase id=\"TC_ATTACH_READY\" role=\"field\" area=\"attach\" covers=\"\">\n"
        "  <title>The attached IN-CSE serves a RETRIEVE of its CSEBase</title>\n"
        "  <requirement>Readiness of an IUT the harness does not start: it answers 2000.</requirement>\n"
        "  <reference>TS-0004 §7.4.3.2.2</reference>\n"
        "  <steps>\n"
        "%s"
        "    <send op=\"retrieve\" to=\"${IUT_CSE_ID}/${IUT_CSE_BASE}\" fr=\"${%s}\" rqi=\"attach-ready\" secure=\"%s\"/>\n"
        "    <expect within=\"step-timeout\">\n"
        "      <message rqi=\"attach-ready\" rsc=\"2000\"/>\n"
        /* a refusal by the CSE's own rules for this originator shows it serves as well */
        "      <message rqi=\"attach-ready\" rsc=\"4103\" verdict=\"warn\" reason=\"serving: it refused the RETRIEVE with 4103 (access control)\"/>\n"
        "      <message rqi=\"attach-ready\" rsc=\"4106\" verdict=\"warn\" reason=\"serving: it refused the RETRIEVE with 4106 (originator not authenticated)\"/>\n"
        "      <message rqi=\"attach-ready\" rsc=\"4107\" verdict=\"warn\" reason=\"serving: it refused the RETRIEVE with 4107 (security association required)\"/>\n"
        "      <message rqi=\"attach-ready\" verdict=\"inconc\" reason=\"not ready yet\"/>\n"
        "    </expect>\n"
        "  </steps>\n"
        "</testcase>\n",
        secure ? "    <open-association within=\"dtls-total+2s\"/>\n" : "", as_ae ? "HARNESS_AE_ID" : "HARNESS_CSE_ID",
        secure ? "true" : "false");
}

int ready_attached(const profile *p, const exec_opts *eo, unsigned *attempts, double *secs, char *why, size_t len)
{
    *attempts = 0;
    *secs = 0;
    if (!profile_attached(p) || strcmp(p->role, "field") || p->ready_command) return -1;
    char *xml = ready_testcase_xml(p);
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    int lr = testcase_load_mem("attach readiness check", xml, strlen(xml), NULL, &tc, &d);
    free(xml);
    if (lr != 0) {
        snprintf(why, len, "the built-in readiness check does not load for this profile (%zu problem(s))", diag_count(&d));
        diag_free(&d);
        return 0;
    }
    diag_free(&d);
    exec_opts o = { NULL, 0, -1, NULL, eo ? eo->run_id : NULL, 0 };
    int64_t t0 = mono_now_ns(), end = t0 + p->ready_timeout_ns;
    int ready = 0;
    why[0] = '\0';
    while (!ready && !runner_interrupted) {
        test_result r;
        memset(&r, 0, sizeof r);
        runner_run_one(tc, p, &o, &r);
        (*attempts)++;
        ready = r.v == VERDICT_PASS || r.v == VERDICT_WARN;
        const char *serving = r.reason ? strstr(r.reason, "serving: ") : NULL;
        if (r.v == VERDICT_PASS) why[0] = '\0';
        else if (r.v == VERDICT_WARN && serving) snprintf(why, len, "%s", serving + 9);
        else if (r.v != VERDICT_PASS) snprintf(why, len, "%s", r.reason ? r.reason : verdict_name(r.v));
        test_result_free(&r);
        if (ready || mono_now_ns() >= end) break;
        struct timespec ts = { 0, 250 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    *secs = ns_to_sec(mono_now_ns() - t0);
    testcase_free(tc);
    return ready;
}
