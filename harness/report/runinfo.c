#include "runinfo.h"
#include "buildinfo.h"
#include "gitinfo.h"
#include "../model/vars.h"
#include "../model/xmlload.h"
#include "../util/xmem.h"
#include <ctype.h>
#include <gnutls/crypto.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef M2M_VERSION
#define M2M_VERSION "unknown"
#endif

static char *read_all(const char *path, size_t *len)
{
    strbuf b;
    sb_init(&b);
    if (sb_read_file(&b, path) < 0) return NULL;
    *len = b.len;
    return b.s ? b.s : xstrdup("");
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[32];
    out[0] = '\0';
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, d) < 0) return;
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

void sha256_file(const char *path, char out[65])
{
    size_t n = 0;
    char *buf = read_all(path, &n);
    out[0] = '\0';
    if (buf) sha256_hex(buf, n, out);
    free(buf);
}

char *shell_quote(const char *s)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "'");
    for (; *s; s++) {
        if (*s == '\'') sb_add(&b, "'\\''");
        else sb_addn(&b, s, 1);
    }
    sb_add(&b, "'");
    return sb_take(&b);
}

void rfc3339_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The names a profile's commands take from the environment ($NAME or ${NAME} that the
 * harness does not set itself), with their values now: a replay needs them (SIM_DEVICE,
 * SIM_DEVICE_ARGS for the bundled simulator). */
static void record_env(run_info *ri, const char *text)
{
    for (const char *p = text; (p = strchr(p, '$'));) {
        p++;
        int brace = *p == '{';
        const char *s = p + brace;
        size_t n = 0;
        while (isalnum((unsigned char)s[n]) || s[n] == '_') n++;
        if (n == 0 || n > 64 || isdigit((unsigned char)s[0])) continue;
        char name[65];
        memcpy(name, s, n);
        name[n] = '\0';
        p = s + n;
        int seen = vars_is_reserved(name);
        for (size_t i = 0; i < ri->env.n && !seen; i++) seen = !strcmp(ri->env.items[i].key, name);
        if (seen) continue;
        kvlist_add(&ri->env, name, getenv(name));
        if (!getenv(name)) {   /* unset: a replay unsets it too (kvlist_add stored "") */
            free(ri->env.items[ri->env.n - 1].value);
            ri->env.items[ri->env.n - 1].value = NULL;
        }
    }
}

void run_info_init(run_info *ri, const char *run_id, const char *report_dir, int argc, char **argv,
                   const char *profile_path, testcase *const *plan, size_t nplan,
                   unsigned long long seed, int pcap)
{
    memset(ri, 0, sizeof *ri);
    rfc3339_now(ri->started);
    ri->run_id = xstrdup(run_id);
    ri->report_dir = xstrdup(report_dir);
    ri->harness_version = xstrdup(M2M_VERSION);
    ri->harness_git = xstrdup(M2M_GIT_DESCRIBE);
    ri->build_type = xstrdup(M2M_BUILD_TYPE);
    ri->build_sanitize = xstrdup(M2M_BUILD_SANITIZE);
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    ri->harness_exe = xstrdup(n > 0 ? (buf[n] = '\0', buf) : "m2m-harness");
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    ri->host = xstrdup(host);
    ri->cwd = xstrdup(getcwd(buf, sizeof buf) ? buf : ".");
    strbuf cmd;   /* argv is the command's ("run", options...), as main hands it over */
    sb_init(&cmd);
    sb_add(&cmd, "m2m-harness");
    for (int i = 0; i < argc; i++) {
        char *q = shell_quote(argv[i]);
        sb_addf(&cmd, " %s", q);
        free(q);
    }
    ri->command = sb_take(&cmd);
    char *abs = realpath(profile_path, NULL);
    ri->profile_path = abs ? abs : xstrdup(profile_path);
    sha256_file(ri->profile_path, ri->profile_sha256);
    size_t plen = 0;
    char *ptext = read_all(ri->profile_path, &plen);
    if (ptext) record_env(ri, ptext);
    free(ptext);
    /* The suite's version is what was run: a digest over "<sha256 of file> <id>" lines of
     * the plan's files, in plan order, so the same files give the same version anywhere
     * (a git describe says only what the harness was built from). */
    strbuf lines;
    sb_init(&lines);
    for (size_t i = 0; i < nplan; i++) {
        char h[65];
        sha256_file(plan[i]->file, h);
        sb_addf(&lines, "%s %s\n", h, plan[i]->id);
        /* and the fragments it includes: they are part of what ran */
        for (const xml_origin *o = plan[i]->origins; o; o = o->next) {
            sha256_file(o->file, h);
            sb_addf(&lines, "%s %s < %s\n", h, plan[i]->id, o->file);
        }
    }
    sha256_hex(lines.s ? lines.s : "", lines.len, ri->suite_sha256);
    sb_free(&lines);
    ri->suite_files = nplan;
    ri->seed = seed;
    ri->pcap = pcap;
}

void run_info_finish(run_info *ri) { rfc3339_now(ri->ended); }

void run_info_free(run_info *ri)
{
    free(ri->run_id);
    free(ri->report_dir);
    free(ri->harness_version);
    free(ri->harness_git);
    free(ri->build_type);
    free(ri->build_sanitize);
    free(ri->harness_exe);
    free(ri->host);
    free(ri->command);
    free(ri->cwd);
    free(ri->profile_path);
    kvlist_free(&ri->env);
    memset(ri, 0, sizeof *ri);
}
