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

static int has_silence(const tc_step *s)
{
    for (size_t i = 0; i < s->nalts; i++)
        if (s->alts[i].kind == ALT_SILENCE) return 1;
    return 0;
}

int64_t plan_expected_ns(const testcase *tc, const profile *p)
{
    const tc_steps *all[] = { &tc->preamble, &tc->body, &tc->postamble };
    int64_t sum = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t i = 0; i < all[a]->n; i++) {
            const tc_step *s = &all[a]->items[i];
            tc_window w = tc_step_window(s);
            int64_t win = tc_window_ns(&w, p);
            if (s->kind == STEP_WAIT || (s->kind == STEP_EXPECT && has_silence(s)))
                sum += win;
            else if ((s->kind == STEP_ASSOC || s->kind == STEP_REVERSE) && s->expect_refused)
                sum += win && win < p->dtls_total_ns ? win : p->dtls_total_ns;
        }
    return sum;
}

static char *base_key(const profile *p)
{
    const profile_trigger *st = profile_trigger_find(p, "start");
    int field = p->role && !strcmp(p->role, "field");
    if (!st || !st->command) {
        int port = field ? (p->iut_coaps_port > 0 ? p->iut_coaps_port : p->iut_coap_port)
                         : (p->listen_coaps > 0 ? p->listen_coaps : p->listen_coap);
        return xasprintf("iut %s:%d", p->iut_address ? p->iut_address : "?", port);
    }
    if (p->listen_coap > 0 || p->listen_coaps > 0)
        return xasprintf("harness %s:%d", p->harness_address ? p->harness_address : "?",
                         p->listen_coaps > 0 ? p->listen_coaps : p->listen_coap);
    return NULL;
}

/* The originator identities of a profile's tests: the credential's identity and the harness's
 * CSE-ID and AE-ID; in role in-cse also the IUT's (a device is the originator there). In role
 * field the IN-CSE's own CSE-ID is the same for every profile naming it and originates none
 * of the requests whose resources the tests share. */
static int identities_meet(const profile *a, const profile *b)
{
    int fa = a->role && !strcmp(a->role, "field"), fb = b->role && !strcmp(b->role, "field");
    const char *ia[] = { a->psk_identity, a->harness_cse_id, a->harness_ae_id, fa ? NULL : a->iut_cse_id, fa ? NULL : a->iut_ae_id };
    const char *ib[] = { b->psk_identity, b->harness_cse_id, b->harness_ae_id, fb ? NULL : b->iut_cse_id, fb ? NULL : b->iut_ae_id };
    for (size_t i = 0; i < sizeof ia / sizeof *ia; i++)
        for (size_t j = 0; j < sizeof ib / sizeof *ib; j++)
            if (ia[i] && ib[j] && *ia[i] && !strcmp(ia[i], ib[j])) return 1;
    return 0;
}

void plan_iut_locks(const profile *const *ps, size_t n, char **keys)
{
    char **base = xcalloc(n ? n : 1, sizeof *base);
    size_t *group = xcalloc(n ? n : 1, sizeof *group);
    for (size_t i = 0; i < n; i++) {
        base[i] = base_key(ps[i]);
        group[i] = i;
    }
    /* union of profiles on the same key whose identities meet; a group is named after its
     * first member */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (!base[i] || !base[j] || strcmp(base[i], base[j]) || !identities_meet(ps[i], ps[j])) continue;
            size_t gi = group[i], gj = group[j], lo = gi < gj ? gi : gj, hi = gi < gj ? gj : gi;
            for (size_t k = 0; k < n; k++)
                if (group[k] == hi) group[k] = lo;
        }
    for (size_t i = 0; i < n; i++) {
        keys[i] = base[i] ? xasprintf("%s #%zu", base[i], group[i]) : NULL;
        free(base[i]);
    }
    free(base);
    free(group);
}

int plan_attach_needs(const testcase *tc, const profile *p, char *reason, size_t len)
{
    if (!profile_attached(p)) return 0;
    const tc_steps *all[] = { &tc->preamble, &tc->body, &tc->postamble };
    int starts = 0, before = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t i = 0; i < all[a]->n; i++) {
            const tc_step *s = &all[a]->items[i];
            if (s->kind != STEP_TRIGGER || !s->trigger) {
                before++;
                continue;
            }
            if (!strcmp(s->trigger, "start")) {
                if (starts++ || before) {
                    snprintf(reason, len, "needs a restart of the IUT (trigger start at line %d%s); the profile "
                             "attaches to a running IUT (no start command)", s->line,
                             starts > 1 ? ", a second start" : ", after other steps");
                    return 1;
                }
                continue;
            }
            const profile_trigger *t = profile_trigger_find(p, s->trigger);
            if (!t || (!t->command && !t->prompt)) {
                snprintf(reason, len, "needs trigger '%s' (line %d), which the profile does not give: no command "
                         "or prompt for it", s->trigger, s->line);
                return 1;
            }
            before++;
        }
    return 0;
}

unsigned plan_default_jobs(unsigned base, unsigned cpu_jobs, size_t waiting)
{
    size_t want = waiting + cpu_jobs, cap = (size_t)base * 4;
    if (want < base) return base;
    return (unsigned)(want > cap ? cap : want);
}
