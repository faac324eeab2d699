#include "plan.h"
#include "../util/xmem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plan_parse_shard(const char *s, unsigned *k, unsigned *n, char *err, size_t errlen)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    char *end1 = NULL, *end2 = NULL;
    errno = 0;
    unsigned long a = slash && s[0] >= '0' && s[0] <= '9' ? strtoul(s, &end1, 10) : 0;
    unsigned long b = slash && slash[1] >= '0' && slash[1] <= '9' ? strtoul(slash + 1, &end2, 10) : 0;
    if (!slash || errno || end1 != slash || !end2 || *end2) {
        snprintf(err, errlen, "--shard needs K/N (this runner's shard K of N, e.g. 2/4), not '%s'", s ? s : "");
        return -1;
    }
    if (b < 1 || b > PLAN_MAX_SHARDS || a < 1 || a > b) {
        snprintf(err, errlen, "--shard %s: need 1 <= K <= N <= %d", s, PLAN_MAX_SHARDS);
        return -1;
    }
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

static const char *const *sort_ids;
static int by_id(const void *a, const void *b)
{
    return strcmp(sort_ids[*(const size_t *)a], sort_ids[*(const size_t *)b]);
}

void plan_shard_assign(const char *const *ids, size_t n, unsigned nshards, unsigned *shard_out)
{
    if (!n) return;
    if (nshards < 1) nshards = 1;
    size_t *order = xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) order[i] = i;
    sort_ids = ids;
    qsort(order, n, sizeof *order, by_id);
    sort_ids = NULL;
    for (size_t i = 0; i < n; i++) shard_out[order[i]] = (unsigned)(i % nshards) + 1;
    free(order);
}

size_t plan_shard(testcase **plan, size_t n, unsigned k, unsigned nshards)
{
    if (!n) return 0;
    const char **ids = xcalloc(n, sizeof *ids);
    unsigned *shard = xcalloc(n, sizeof *shard);
    for (size_t i = 0; i < n; i++) ids[i] = plan[i]->id;
    plan_shard_assign(ids, n, nshards, shard);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (shard[i] == k) plan[kept++] = plan[i];
    free(ids);
    free(shard);
    return kept;
}

static int passing(verdict v) { return v == VERDICT_PASS || v == VERDICT_WARN; }
static int failing(verdict v) { return v == VERDICT_FAIL || v == VERDICT_ERROR || v == VERDICT_INCONC || v == VERDICT_NONE; }

int plan_apply_known(test_result *r, const kvlist *known)
{
    const char *why = known && r->id ? kvlist_get(known, r->id) : NULL;
    if (!why || !(passing(r->v) || failing(r->v))) return 0;
    r->original = r->v;
    free(r->known_reason);
    r->known_reason = xstrdup(why);
    char *reason;
    if (failing(r->v)) {
        r->v = VERDICT_XFAIL;
        reason = xasprintf("known failure: %s (the test gave %s: %s)", why, verdict_name(r->original),
                           r->reason && *r->reason ? r->reason : "no reason recorded");
    } else {
        r->v = VERDICT_XPASS;
        reason = xasprintf("the test gave %s, but the profile lists it as a known failure (%s): "
                           "the list is stale, remove the entry", verdict_name(r->original), why);
    }
    free(r->reason);
    r->reason = reason;
    return 1;
}

int plan_retry_wanted(const test_result *r)
{
    return failing(r->v);
}

/* What the attempts list says: whether a passing and a failing attempt were both seen. */
static int list_is_flaky(const char *list)
{
    int pass = 0, fail = 0;
    char buf[16];
    for (const char *s = list; s && *s;) {
        size_t len = strcspn(s, " ");
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), s);
        verdict v;
        if (verdict_from_name(buf, &v) == 0) {
            if (passing(v)) pass = 1;
            if (failing(v)) fail = 1;
        }
        s += len;
        s += strspn(s, " ");
    }
    return pass && fail;
}

static void take(test_result *acc, test_result *att)
{
    char *attempts = acc->attempts;
    acc->attempts = NULL;
    test_result_free(acc);
    *acc = *att;
    free(acc->attempts);
    acc->attempts = attempts;
    memset(att, 0, sizeof *att);
}

void plan_add_attempt(test_result *acc, test_result *att, int retry)
{
    int first = !acc->id && !acc->attempts && acc->v == VERDICT_NONE;
    /* One attempt keeps attempts NULL: the list only appears with a second one. */
    char *list = acc->attempts ? xasprintf("%s %s", acc->attempts, verdict_name(att->v))
                 : first       ? NULL
                               : xasprintf("%s %s", verdict_name(acc->v), verdict_name(att->v));
    double secs = acc->seconds + att->seconds;
    char *fail_reason = NULL;   /* what the failing attempt said, for a flaky pass */
    if (first) {
        take(acc, att);
    } else if (retry ? passing(att->v) && !passing(acc->v)
                     : verdict_rank(att->v) > verdict_rank(acc->v)) {
        if (failing(acc->v)) fail_reason = acc->reason ? xstrdup(acc->reason) : NULL;
        take(acc, att);
    } else {
        if (failing(att->v) && passing(acc->v)) fail_reason = att->reason ? xstrdup(att->reason) : NULL;
        test_result_free(att);
    }
    free(acc->attempts);
    acc->attempts = list;
    acc->seconds = secs;
    int was_flaky = acc->flaky;
    acc->flaky = list_is_flaky(list);
    if (acc->flaky && !was_flaky) {
        char *r;
        if (passing(acc->v))
            r = xasprintf("flaky: attempts %s; a failing attempt said: %s", list,
                          fail_reason ? fail_reason : "no reason recorded");
        else
            r = xasprintf("%s (flaky: attempts %s)", acc->reason ? acc->reason : "failed", list);
        free(acc->reason);
        acc->reason = r;
    } else if (acc->flaky && !first) {
        /* Already flaky: keep the reason, bring the attempts list in it up to date. */
        char *at = acc->reason ? strstr(acc->reason, "attempts ") : NULL;
        if (at) {
            const char *rest = at + 9 + strcspn(at + 9, ";)");
            char *r = xasprintf("%.*sattempts %s%s", (int)(at - acc->reason), acc->reason, list, rest);
            free(acc->reason);
            acc->reason = r;
        }
    }
    free(fail_reason);
}
