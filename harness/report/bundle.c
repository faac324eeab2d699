#include "bundle.h"
#include "results_json.h"
#include "tljson.h"
#include "../model/profile_redact.h"
#include "../model/testcase.h"
#include "../util/xmem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in) return -1;
    FILE *out = fopen(to, "wb");
    if (!out) { fclose(in); return -1; }
    char buf[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) rc = -1;
    fclose(in);
    if (fclose(out) != 0) rc = -1;
    return rc;
}

static void add_q(strbuf *b, const char *s)
{
    char *q = shell_quote(s ? s : "");
    sb_add(b, q);
    free(q);
}

char *bundle_replay_script(const run_info *ri, const profile *p, const report_test *t)
{
    const test_result *r = t->r;
    strbuf b;
    sb_init(&b);
    sb_add(&b, "#!/bin/sh\n");
    sb_addf(&b, "# Replays %s from run %s (verdict %s).\n", r->id, ri->run_id, verdict_name(r->v));
    sb_add(&b, "# Usage: sh replay.sh [more m2m-harness run options]; the reports go to\n"
               "# $REPLAY_REPORTS (default: replay-reports/ beside this script), the exit status is the run's.\n"
               "# M2M_HARNESS picks the harness binary (default: the one that made this bundle, then PATH).\n"
               "# The environment the profile's commands used is set below as it was; set\n"
               "# REPLAY_KEEP_ENV=1 to keep your own values (e.g. SIM_DEVICE on another machine).\n"
               "# On another machine: REPLAY_PROFILE=<the profile, with its PSK> sh replay.sh\n");
    sb_add(&b, "set -u\nhere=$(cd \"$(dirname \"$0\")\" && pwd)\n");
    sb_add(&b, "harness=${M2M_HARNESS:-");
    add_q(&b, ri->harness_exe);
    sb_add(&b, "}\n[ -x \"$harness\" ] || harness=m2m-harness\n");
    for (size_t i = 0; i < ri->env.n; i++) {
        const char *k = ri->env.items[i].key, *v = ri->env.items[i].value;
        if (v) {
            sb_addf(&b, "if [ -z \"${REPLAY_KEEP_ENV:-}\" ] || [ -z \"${%s+set}\" ]; then %s=", k, k);
            add_q(&b, v);
            sb_addf(&b, "; export %s; fi\n", k);
        } else {
            sb_addf(&b, "[ -n \"${REPLAY_KEEP_ENV:-}\" ] || unset %s\n", k);
        }
    }
    sb_add(&b, "profile=$here/profile.xml\n");
    (void)p;
    {
        /* The copy beside this script has its PSK redacted (secrets stay out of reports), and
         * a profile may name files relative to its folder: replay with the original while it
         * is unchanged; the copy documents what was applied. */
        sb_add(&b, "# Use the original profile while unchanged (the copy here has its PSK redacted).\norig=");
        add_q(&b, ri->profile_path);
        sb_addf(&b, "\nif [ -f \"$orig\" ] && [ \"$(sha256sum < \"$orig\" | cut -d' ' -f1)\" = %s ]; then profile=$orig; fi\n",
                ri->profile_sha256);
        /* Elsewhere (a clean clone), the caller names the profile with its secrets. */
        sb_add(&b, "if [ -n \"${REPLAY_PROFILE:-}\" ]; then profile=$REPLAY_PROFILE; fi\n");
    }
    sb_addf(&b, "exec \"$harness\" run --profile \"$profile\" --seed %llu%s --report-dir \"${REPLAY_REPORTS:-$here/replay-reports}\" "
                "\"$@\" \"$here/%s.xml\"\n", ri->seed, ri->pcap ? " --pcap" : "", r->id);
    return sb_take(&b);
}

static int write_text(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    size_t n = strlen(text);
    int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0) chmod(path, mode);
    return rc;
}

/* Copies report-relative file rel into the bundle as name, when it exists. */
static void copy_rel(const run_info *ri, const char *dir, const char *rel, const char *name)
{
    if (!rel) return;
    char *from = xasprintf("%s/%s", ri->report_dir, rel), *to = xasprintf("%s/%s", dir, name);
    if (access(from, R_OK) == 0) copy(from, to);
    free(from);
    free(to);
}

char *bundle_write(const run_info *ri, const profile *p, const report_test *t)
{
    const test_result *r = t->r;
    char *base = xasprintf("%s/bundles", ri->report_dir), *dir = xasprintf("%s/%s", base, r->id);
    mkdir(base, 0755);
    mkdir(dir, 0755);
    char *tcf = xasprintf("%s/%s.xml", dir, r->id), *pf = xasprintf("%s/profile.xml", dir);
    char *script = bundle_replay_script(ri, p, t), *sp = xasprintf("%s/replay.sh", dir);
    /* A test that includes fragments is copied with them expanded: the bundle replays alone. */
    int wr = testcase_write_expanded(r->file, tcf);
    int rc = (wr == 1 ? copy(r->file, tcf) : wr) | profile_write_redacted(ri->profile_path, pf) | write_text(sp, script, 0755);
    char *tl = xasprintf("timelines/%s.json", r->id), *tlj = xasprintf("%s.timeline.json", r->id);
    char *tlt = xasprintf("%s.timeline.txt", r->id), *log = xasprintf("logs/%s.iut.log", r->id);
    char *logn = xasprintf("%s.iut.log", r->id), *capn = xasprintf("%s.pcapng", r->id);
    copy_rel(ri, dir, r->timeline_file, tlt);
    if (t->has_tl) copy_rel(ri, dir, tl, tlj);
    copy_rel(ri, dir, log, logn);
    copy_rel(ri, dir, t->capture, capn);
    json_t *meta = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "test", tljson_str(r->id),
                             "verdict", json_string(verdict_name(r->v)), "reason", tljson_str(r->reason),
                             "replay", json_string("sh replay.sh"), "test_file_original", tljson_str(r->file),
                             "run", results_json_run(ri));
    char *mp = xasprintf("%s/bundle.json", dir);
    if (json_dump_file(meta, mp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) rc = -1;
    json_decref(meta);
    char *rel = NULL;
    if (rc == 0) rel = xasprintf("bundles/%s", r->id);
    else fprintf(stderr, "run: cannot write the bundle %s: %s\n", dir, strerror(errno));
    free(base); free(dir); free(tcf); free(pf); free(script); free(sp); free(tl); free(tlj);
    free(tlt); free(log); free(logn); free(capn); free(mp);
    return rel;
}
