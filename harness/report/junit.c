/* JUnit XML built as one string and written with write(2): the format is small, and
 * building it ourselves keeps escaping, caps and number formatting under our control
 * (libxml2's writer would still need all three done by hand). */
#include "junit.h"
#include "../flow/timeline.h"
#include "../util/xmem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef M2M_VERSION
#define M2M_VERSION "unknown"
#endif

/* Jenkins shows only the message attribute: keep it readable, the text holds the rest. */
#define MESSAGE_ATTR_CAP 1024

enum esc_mode { ESC_TEXT, ESC_ATTR };

/* Length of a UTF-8 sequence at p that XML 1.0 accepts as one character and that is
 * not a control (C0, DEL, C1); 0 when the byte must be written as \xHH instead. */
static size_t xml_char_len(const unsigned char *p, size_t n)
{
    uint32_t cp = 0;
    size_t len = utf8_decode(p, n, &cp);
    if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return len;
}

/* Appends the escaped form of s[0..len) to b, stopping before the output would exceed
 * budget bytes, never inside an entity or a character. Returns the input bytes consumed.
 * Attributes keep \t \n \r as character references: parsers turn raw ones into spaces. */
static size_t escape_into(strbuf *b, const char *s, size_t len, size_t budget, enum esc_mode mode)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = b->len, i = 0;
    while (i < len) {
        /* a run of printable ASCII that needs no escaping, in one piece */
        size_t run = 0;
        while (i + run < len && p[i + run] >= 0x20 && p[i + run] < 0x7f && p[i + run] != '&' && p[i + run] != '<' &&
               p[i + run] != '>' && p[i + run] != '"' && p[i + run] != '\'')
            run++;
        if (run) {
            if (b->len - start + run > budget) run = budget - (b->len - start);
            sb_addn(b, s + i, run);
            i += run;
            if (b->len - start >= budget) break;
            continue;
        }
        char tmp[8];
        const char *piece = NULL;
        size_t in = 1;
        switch (p[i]) {
        case '&': piece = "&amp;"; break;
        case '<': piece = "&lt;"; break;
        case '>': piece = "&gt;"; break; /* also keeps "]]>" out of the text */
        case '"': piece = "&quot;"; break;
        case '\'': piece = "&apos;"; break;
        case '\t': piece = mode == ESC_ATTR ? "&#9;" : "\t"; break;
        case '\n': piece = mode == ESC_ATTR ? "&#10;" : "\n"; break;
        case '\r': piece = "&#13;"; break;
        default: break;
        }
        size_t plen;
        if (piece) {
            plen = strlen(piece);
        } else if ((in = xml_char_len(p + i, len - i)) > 0) {
            piece = (const char *)p + i;
            plen = in;
        } else {
            snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
            piece = tmp;
            plen = 4;
            in = 1;
        }
        if (b->len - start + plen > budget) break;
        sb_addn(b, piece, plen);
        i += in;
    }
    return i;
}

char *xml_escape_text(const char *s, size_t len)
{
    strbuf b;
    sb_init(&b);
    if (s) escape_into(&b, s, len, (size_t)-1, ESC_TEXT);
    return sb_take(&b);
}

static void add_text(strbuf *b, const char *s, size_t budget, enum esc_mode mode, const char *cut_mark)
{
    if (!s) return;
    size_t len = strlen(s), mark = b->len;
    if (escape_into(b, s, len, budget, mode) == len) return;
    /* Did not fit: redo with room for the marker so the whole stays within budget. */
    size_t mlen = strlen(cut_mark);
    b->len = mark;
    b->s[mark] = '\0';
    escape_into(b, s, len, budget > mlen ? budget - mlen : 0, mode);
    sb_add(b, cut_mark);
}

static void add_attr(strbuf *b, const char *name, const char *value)
{
    sb_addf(b, " %s=\"", name);
    add_text(b, value ? value : "", (size_t)-1, ESC_ATTR, "");
    sb_add(b, "\"");
}

static void add_attr_capped(strbuf *b, const char *name, const char *value, size_t cap)
{
    sb_addf(b, " %s=\"", name);
    add_text(b, value ? value : "", cap, ESC_ATTR, " [...]");
    sb_add(b, "\"");
}

static void add_count(strbuf *b, const char *name, size_t v)
{
    sb_addf(b, " %s=\"%zu\"", name, v);
}

/* Whole milliseconds: integer formatting never depends on the locale (no "0,840"). */
static unsigned long long secs_to_ms(double secs)
{
    if (!(secs > 0)) return 0; /* also NaN */
    if (secs > 1e9) secs = 1e9;
    return (unsigned long long)(secs * 1000.0 + 0.5);
}

static void add_time(strbuf *b, unsigned long long ms)
{
    sb_addf(b, " time=\"%llu.%03llu\"", ms / 1000, ms % 1000);
}

typedef struct counts { size_t tests, failures, errors, skipped; unsigned long long ms; } counts;

static void count_one(counts *c, const test_result *r)
{
    c->tests++;
    c->ms += secs_to_ms(r->seconds);
    switch (r->v) {
    case VERDICT_FAIL: case VERDICT_XPASS: c->failures++; break;
    case VERDICT_ERROR: case VERDICT_INCONC: case VERDICT_NONE: c->errors++; break;
    case VERDICT_SKIP: c->skipped++; break;
    case VERDICT_PASS: case VERDICT_WARN: case VERDICT_XFAIL:   /* passed */
    default: break;
    }
}

static const char *role_of(const test_result *r)
{
    return r->role && *r->role ? r->role : "unknown";
}

static void add_property(strbuf *b, const char *indent, const char *name, const char *value)
{
    sb_addf(b, "%s<property", indent);
    add_attr(b, "name", name);
    add_attr_capped(b, "value", value, MESSAGE_ATTR_CAP);
    sb_add(b, "/>\n");
}

/* failure | error | skipped, with the reason as message and as text. */
static void add_outcome(strbuf *b, const test_result *r)
{
    const char *elem = NULL, *type = NULL, *fallback = NULL;
    switch (r->v) {
    case VERDICT_FAIL: elem = "failure"; type = "fail"; fallback = "failed"; break;
    case VERDICT_XPASS:
        elem = "failure"; type = "xpass";
        fallback = "passed, but it is listed as a known failure";
        break;
    case VERDICT_ERROR:
        elem = "error"; type = r->error_type ? r->error_type : "error";
        fallback = "the test could not run properly";
        break;
    case VERDICT_INCONC:
        elem = "error"; type = r->error_type ? r->error_type : "inconclusive";
        fallback = "inconclusive";
        break;
    case VERDICT_NONE:
        elem = "error"; type = r->error_type ? r->error_type : "inconclusive";
        fallback = "the test ended without a verdict";
        break;
    case VERDICT_SKIP:
        sb_add(b, "      <skipped");
        add_attr_capped(b, "message", r->reason ? r->reason : "not applicable", MESSAGE_ATTR_CAP);
        sb_add(b, "/>\n");
        return;
    case VERDICT_PASS: case VERDICT_WARN: case VERDICT_XFAIL:
    default: return;
    }
    const char *why = r->reason && *r->reason ? r->reason : fallback;
    sb_addf(b, "      <%s", elem);
    add_attr_capped(b, "message", why, MESSAGE_ATTR_CAP);
    add_attr(b, "type", type);
    sb_add(b, ">");
    add_text(b, why, JUNIT_SYSTEM_OUT_CAP, ESC_TEXT, "\n... [truncated]");
    sb_addf(b, "</%s>\n", elem);
}

static void add_system_out(strbuf *b, const test_result *r)
{
    if (!r->output) return;
    char *where = r->timeline_file ? xml_escape_text(r->timeline_file, strlen(r->timeline_file)) : NULL;
    char *mark = where && strlen(where) < 512
                     ? xasprintf("\n... [truncated, full timeline in %s]", where)
                     : xstrdup("\n... [truncated]");
    sb_add(b, "      <system-out>");
    /* The marker is already escaped: pass it as the cut mark, appended verbatim. */
    add_text(b, r->output, JUNIT_SYSTEM_OUT_CAP, ESC_TEXT, mark);
    sb_add(b, "</system-out>\n");
    free(mark);
    free(where);
}

/* suffix: "@<profile>" in a report of several profiles, so every name is unique; else NULL */
static void add_testcase(strbuf *b, const test_result *r, const char *suffix)
{
    sb_add(b, "    <testcase");
    if (suffix) {
        char *name = xasprintf("%s%s", r->id && *r->id ? r->id : "(no id)", suffix);
        add_attr(b, "name", name);
        free(name);
    } else {
        add_attr(b, "name", r->id && *r->id ? r->id : "(no id)");
    }
    char *classname = r->area && *r->area ? xasprintf("%s.%s", role_of(r), r->area) : xstrdup(role_of(r));
    add_attr(b, "classname", classname);
    free(classname);
    add_time(b, secs_to_ms(r->seconds));
    if (r->file) add_attr(b, "file", r->file);
    sb_add(b, ">\n");
    if (r->v == VERDICT_WARN || r->v == VERDICT_XFAIL || r->v == VERDICT_XPASS || r->flaky || r->attempts) {
        sb_add(b, "      <properties>\n");
        add_property(b, "        ", "verdict", verdict_name(r->v));
        add_property(b, "        ", "reason", r->reason ? r->reason : "");
        /* Known failures keep what the test itself said; reruns say how each went. */
        if (r->known_reason) add_property(b, "        ", "known_failure", r->known_reason);
        if (r->v == VERDICT_XFAIL || r->v == VERDICT_XPASS)
            add_property(b, "        ", "original_verdict", verdict_name(r->original));
        if (r->flaky) add_property(b, "        ", "flaky", "true");
        if (r->attempts) add_property(b, "        ", "attempts", r->attempts);
        sb_add(b, "      </properties>\n");
    }
    add_outcome(b, r);
    add_system_out(b, r);
    sb_add(b, "    </testcase>\n");
}

/* role: the suite holds that role's tests, named after it; NULL: all of results, the suite
 * named after the profile (a report of several profiles) with "@<profile>" after each name. */
static void add_suite(strbuf *b, const junit_run *run, const char *role, const char *timestamp,
                      const char *hostname, const test_result *results, size_t n)
{
    counts c = { 0 };
    for (size_t i = 0; i < n; i++)
        if (!role || strcmp(role_of(&results[i]), role) == 0) count_one(&c, &results[i]);
    const char *pname = run && run->profile_name ? run->profile_name : "profile";
    char *suffix = role ? NULL : xasprintf("@%s", pname);
    sb_add(b, "  <testsuite");
    add_attr(b, "name", role ? role : pname);
    add_count(b, "tests", c.tests);
    add_count(b, "failures", c.failures);
    add_count(b, "errors", c.errors);
    add_count(b, "skipped", c.skipped);
    add_time(b, c.ms);
    add_attr(b, "timestamp", timestamp);
    add_attr(b, "hostname", hostname);
    sb_add(b, ">\n    <properties>\n");
    if (run && run->profile) add_property(b, "      ", "profile", run->profile);
    if (run && run->profile_name) add_property(b, "      ", "profile_name", run->profile_name);
    add_property(b, "      ", "harness_version", M2M_VERSION);
    for (size_t i = 0; run && run->properties && run->properties[i] && run->properties[i + 1]; i += 2)
        add_property(b, "      ", run->properties[i], run->properties[i + 1]);
    sb_add(b, "    </properties>\n");
    for (size_t i = 0; i < n; i++)
        if (!role || strcmp(role_of(&results[i]), role) == 0) add_testcase(b, &results[i], suffix);
    sb_add(b, "  </testsuite>\n");
    free(suffix);
}

static char *build_document(const junit_run *run, const test_result *results, size_t n,
                            const junit_part *parts, size_t nparts)
{
    char timestamp[32], hostname[256];
    if (run && run->timestamp) {
        snprintf(timestamp, sizeof timestamp, "%s", run->timestamp);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(timestamp, sizeof timestamp, "%Y-%m-%dT%H:%M:%S", &tm);
    }
    if (run && run->hostname) snprintf(hostname, sizeof hostname, "%s", run->hostname);
    else if (gethostname(hostname, sizeof hostname) != 0) snprintf(hostname, sizeof hostname, "localhost");
    hostname[sizeof hostname - 1] = '\0';

    counts all = { 0 };
    for (size_t i = 0; i < n; i++) count_one(&all, &results[i]);
    for (size_t k = 0; k < nparts; k++)
        for (size_t i = 0; i < parts[k].n; i++) count_one(&all, &parts[k].results[i]);

    strbuf b;
    sb_init(&b);
    sb_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    add_attr(&b, "name", run && run->name ? run->name : "m2m-harness");
    add_count(&b, "tests", all.tests);
    add_count(&b, "failures", all.failures);
    add_count(&b, "errors", all.errors);
    add_count(&b, "skipped", all.skipped);
    add_time(&b, all.ms);
    sb_add(&b, ">\n");
    /* Several profiles: one suite per profile, in run order. */
    for (size_t k = 0; k < nparts; k++) add_suite(&b, parts[k].run, NULL, timestamp, hostname, parts[k].results, parts[k].n);
    /* One profile: one suite per role, in the order roles first appear. */
    for (size_t i = 0; i < n; i++) {
        const char *role = role_of(&results[i]);
        size_t j = 0;
        while (j < i && strcmp(role_of(&results[j]), role) != 0) j++;
        if (j == i) add_suite(&b, run, role, timestamp, hostname, results, n);
    }
    sb_add(&b, "</testsuites>\n");
    return sb_take(&b);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_doc(const char *path, char *doc);

int junit_write(const char *path, const junit_run *run, const test_result *results, size_t n)
{
    if (!path || (n && !results)) {
        errno = EINVAL;
        return -1;
    }
    return write_doc(path, build_document(run, results, n, NULL, 0));
}

int junit_write_profiles(const char *path, const junit_run *run, const junit_part *parts, size_t nparts)
{
    if (!path || (nparts && !parts)) {
        errno = EINVAL;
        return -1;
    }
    return write_doc(path, build_document(run, NULL, 0, parts, nparts));
}

/* Writes doc (consumed) to path atomically. */
static int write_doc(const char *path, char *doc)
{
    char *tmp = xasprintf("%s.tmp", path);
    int rc = -1, saved = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        saved = errno;
    } else {
        /* fsync before rename: readers see the old file or the whole new one, even after a crash. */
        if (write_all(fd, doc, strlen(doc)) < 0 || fsync(fd) < 0) saved = errno;
        if (close(fd) < 0 && !saved) saved = errno;
        if (!saved && rename(tmp, path) < 0) saved = errno;
        if (saved) unlink(tmp);
        else rc = 0;
    }
    free(tmp);
    free(doc);
    if (rc < 0) errno = saved;
    return rc;
}
