/* TS-0003 §7.1.4-7.1.5 access decision; see acp.h. */
#include "acp.h"
#include "../util/xmem.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

acp_policy *acp_policy_new(const char *id)
{
    acp_policy *p = xcalloc(1, sizeof *p);
    p->id = xstrdup(id ? id : "");
    return p;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void rules_free(acp_rule *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        strv_free(r[i].acor, r[i].nacor);
        strv_free(r[i].actw, r[i].nactw);
        strv_free(r[i].acip, r[i].nacip);
        free(r[i].acod_ty);
    }
    free(r);
}

void acp_policy_free(acp_policy *p)
{
    if (!p) return;
    free(p->id);
    rules_free(p->pv, p->npv);
    rules_free(p->pvs, p->npvs);
    free(p);
}

acp_rule *acp_policy_add_rule(acp_policy *p, int self, unsigned acop, int acaf)
{
    acp_rule **v = self ? &p->pvs : &p->pv;
    size_t *n = self ? &p->npvs : &p->npv;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    acp_rule *r = &(*v)[(*n)++];
    memset(r, 0, sizeof *r);
    r->acop = acop;
    r->acaf = acaf;
    return r;
}

static void strv_add(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = xstrdup(s);
}

void acp_rule_add_originator(acp_rule *r, const char *id) { strv_add(&r->acor, &r->nacor, id); }
void acp_rule_add_window(acp_rule *r, const char *crontab) { strv_add(&r->actw, &r->nactw, crontab); }
void acp_rule_add_ip(acp_rule *r, const char *cidr) { strv_add(&r->acip, &r->nacip, cidr); }

void acp_rule_add_type(acp_rule *r, int ty)
{
    r->acod_ty = xrealloc(r->acod_ty, (r->nacod + 1) * sizeof *r->acod_ty);
    r->acod_ty[r->nacod++] = ty;
}

void acp_store_init(acp_store *s) { memset(s, 0, sizeof *s); }

void acp_store_clear(acp_store *s)
{
    for (size_t i = 0; i < s->n; i++) acp_policy_free(s->p[i]);
    free(s->p);
    memset(s, 0, sizeof *s);
}

static acp_policy **store_slot(const acp_store *s, const char *id)
{
    for (size_t i = 0; id && i < s->n; i++)
        if (strcmp(s->p[i]->id, id) == 0) return &s->p[i];
    return NULL;
}

void acp_store_put(acp_store *s, acp_policy *p)
{
    acp_policy **slot = store_slot(s, p->id);
    if (slot) {
        acp_policy_free(*slot);
        *slot = p;
        return;
    }
    xgrow((void **)&s->p, &s->cap, s->n + 1, sizeof *s->p);
    s->p[s->n++] = p;
}

const acp_policy *acp_store_find(const acp_store *s, const char *id)
{
    acp_policy **slot = store_slot(s, id);
    return slot ? *slot : NULL;
}

int acp_store_remove(acp_store *s, const char *id)
{
    acp_policy **slot = store_slot(s, id);
    if (!slot) return -1;
    acp_policy_free(*slot);
    size_t i = (size_t)(slot - s->p);
    memmove(&s->p[i], &s->p[i + 1], (s->n - i - 1) * sizeof *s->p);
    s->n--;
    return 0;
}

/* '*' matches any run of characters within one '/'-separated segment (TS-0004 §6.3.5.27);
 * with span (ACP_FAULT_WILDCARD_SPAN only) also across '/'. */
static int glob(const char *p, const char *s, int span)
{
    for (; *p; p++, s++) {
        if (*p == '*') {
            for (const char *t = s;; t++) {
                if (glob(p + 1, t, span)) return 1;
                if (!*t || (*t == '/' && !span)) return 0;
            }
        }
        if (*p != *s) return 0;
    }
    return *s == '\0';
}

int acp_originator_matches(const char *pattern, const char *originator)
{
    if (!pattern || !originator) return 0;
    if (strcmp(pattern, "all") == 0) return 1;
    return glob(pattern, originator, 0);
}

/* One crontab field: '*', N, N-M, each optionally "/step", comma-separated. */
static int cron_field(const char *f, size_t len, int v, int lo, int hi)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, f, len);
    buf[len] = '\0';
    int hit = 0;
    char *save = NULL;
    for (char *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        int a = lo, b = hi, step = 1;
        char *end, *slash = strchr(it, '/');
        if (slash) {
            *slash = '\0';
            step = (int)strtol(slash + 1, &end, 10);
            if (*end || end == slash + 1 || step < 1) return -1;
        }
        if (strcmp(it, "*") != 0) {
            a = (int)strtol(it, &end, 10);
            if (end == it) return -1;
            b = a;
            if (*end == '-') {
                char *s2 = end + 1;
                b = (int)strtol(s2, &end, 10);
                if (end == s2) return -1;
            }
            if (*end || a < lo || b > hi || a > b) return -1;
        }
        if (v >= a && v <= b && (v - a) % step == 0) hit = 1;
    }
    return hit;
}

/* m2m:scheduleEntry, TS-0004 §7.4.9.1: "Each entry of the scheduleElement attribute shall
 * consist of a line with 7 field values (see Table 7.4.9.1-4). The time to be matched with the
 * schedule pattern shall be interpreted in UTC timezone." The fields of Table 7.4.9.1-4:
 * second 0-59, minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6
 * (0 = Sunday), year 2000-9999. "Each field value can be either an asterisk ('*': matching all
 * valid values), an element, or a list of elements separated by commas(','). An element shall
 * be either a number, a range (two numbers separated by a hyphen '-') or a range followed by a
 * step value." */
static const int sched_lo[7] = { 0, 0, 0, 1, 1, 0, 2000 }, sched_hi[7] = { 59, 59, 23, 31, 12, 6, 9999 };
static const char *const sched_names[7] = { "second", "minute", "hour", "day of month", "month",
                                            "day of week", "year" };

/* Matches the entry against vals (NULL: only checks it). 1 match, 0 no match, -1 malformed
 * (why in err). loose: 5 or 6 fields taken as well, the year optional (a fault only). */
static int schedule(const char *entry, const int *vals, int loose, char *err, size_t errlen)
{
    const char *p = entry;
    int nf = 0, result = 1;
    while (p && *p) {
        while (*p == ' ') p++;
        if (!*p) break;
        size_t len = strcspn(p, " ");
        if (nf == 7) {
            snprintf(err, errlen, "schedule entry '%s' has more than 7 fields", entry);
            return -1;
        }
        int m = cron_field(p, len, vals ? vals[nf] : sched_lo[nf], sched_lo[nf], sched_hi[nf]);
        if (m < 0) {
            snprintf(err, errlen, "schedule entry '%s': %s field '%.*s' is not *, a number, a range or a list "
                     "within %d-%d", entry, sched_names[nf], (int)len, p, sched_lo[nf], sched_hi[nf]);
            return -1;
        }
        if (!m) result = 0;
        nf++;
        p += len;
    }
    if (nf != 7 && !(loose && nf >= 6)) {
        snprintf(err, errlen, "schedule entry '%s' has %d fields, not the 7 of m2m:scheduleEntry "
                 "(second minute hour day-of-month month day-of-week year)", entry ? entry : "", nf);
        return -1;
    }
    return result;
}

int acp_window_valid(const char *entry, int loose, char *err, size_t errlen)
{
    return schedule(entry, NULL, loose, err, errlen) < 0 ? -1 : 0;
}

int acp_window_matches(const char *crontab, time_t when)
{
    struct tm tm;
    char err[200];
    if (!crontab || !gmtime_r(&when, &tm)) return -1;
    int vals[7] = { tm.tm_sec, tm.tm_min, tm.tm_hour, tm.tm_mday, tm.tm_mon + 1, tm.tm_wday,
                    tm.tm_year + 1900 };
    return schedule(crontab, vals, 0, err, sizeof err);
}

int acp_ip_matches(const char *cidr, const char *ip)
{
    unsigned char net[16], addr[16];
    char buf[64];
    if (!cidr || !ip || strlen(cidr) >= sizeof buf) return -1;
    strcpy(buf, cidr);
    char *slash = strchr(buf, '/');
    if (slash) *slash = '\0';
    int fam = strchr(buf, ':') ? AF_INET6 : AF_INET;
    int alen = fam == AF_INET6 ? 16 : 4, bits = alen * 8;
    if (inet_pton(fam, buf, net) != 1) return -1;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || b < 0 || b > bits) return -1;
        bits = (int)b;
    }
    int ifam = strchr(ip, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(ifam, ip, addr) != 1) return -1;
    if (ifam != fam) return 0;
    for (int i = 0; i < bits; i++) {
        int byte = i / 8, mask = 0x80 >> (i % 8);
        if ((net[byte] & mask) != (addr[byte] & mask)) return 0;
    }
    return 1;
}

unsigned acp_op_bit(int op, int discovery)
{
    switch (op) {
    case 1: return ACOP_CREATE;
    case 2: return discovery ? ACOP_DISCOVERY : ACOP_RETRIEVE;
    case 3: return ACOP_UPDATE;
    case 4: return ACOP_DELETE;
    case 5: return ACOP_NOTIFY;
    default: return 0;
    }
}

const char *acp_op_name(unsigned bit)
{
    switch (bit) {
    case ACOP_CREATE: return "CREATE";
    case ACOP_RETRIEVE: return "RETRIEVE";
    case ACOP_UPDATE: return "UPDATE";
    case ACOP_DELETE: return "DELETE";
    case ACOP_NOTIFY: return "NOTIFY";
    case ACOP_DISCOVERY: return "DISCOVERY";
    default: return "UNKNOWN";
    }
}

/* A context list matches when it is empty or one entry matches; an undecidable entry
 * (malformed, or no address known) does not match (TS-0003 §7.1.5). */
static int any_window(const acp_rule *r, time_t when)
{
    if (r->nactw == 0) return 1;
    for (size_t i = 0; i < r->nactw; i++)
        if (acp_window_matches(r->actw[i], when) == 1) return 1;
    return 0;
}

static int any_ip(const acp_rule *r, const char *ip)
{
    if (r->nacip == 0) return 1;
    for (size_t i = 0; ip && i < r->nacip; i++)
        if (acp_ip_matches(r->acip[i], ip) == 1) return 1;
    return 0;
}

/* The operation bit a rule's acop must hold (ACP_FAULT_SWAP_UD: UPDATE and DELETE swapped). */
static unsigned op_wanted(unsigned op, unsigned f)
{
    if (!(f & ACP_FAULT_SWAP_UD)) return op;
    return op == ACOP_UPDATE ? ACOP_DELETE : op == ACOP_DELETE ? ACOP_UPDATE : op;
}

/* Per rule: res_authn AND originator AND operation AND context AND object details. */
static int rule_matches(const acp_rule *r, const acp_request *q, time_t when, unsigned f)
{
    if (r->acaf && !q->authenticated && !(f & ACP_FAULT_NO_ACAF)) return 0;
    if (!(r->acop & op_wanted(q->op, f))) return 0;
    int who = 0;
    for (size_t i = 0; i < r->nacor && !who; i++)
        who = (f & ACP_FAULT_NO_WILDCARDS) ? strcmp(r->acor[i], q->originator) == 0
              : (f & ACP_FAULT_WILDCARD_SPAN) ? glob(r->acor[i], q->originator, 1) || !strcmp(r->acor[i], "all")
              : acp_originator_matches(r->acor[i], q->originator);
    if (!who || (!(f & ACP_FAULT_NO_ACTW) && !any_window(r, when)) ||
        (!(f & ACP_FAULT_NO_ACIP) && !any_ip(r, q->ip)))
        return 0;
    if (r->nacod && q->op == ACOP_CREATE) {
        for (size_t i = 0; i < r->nacod; i++)
            if (r->acod_ty[i] == q->child_ty) return 1;
        return 0;
    }
    return 1;
}

static int first_match(const acp_rule *v, size_t n, const acp_request *q, time_t when, unsigned f)
{
    for (size_t i = 0; i < n; i++)
        if (rule_matches(&v[i], q, when, f)) return (int)i;
    return -1;
}

static void copy_id(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static int type_has_acpi(int ty) { return ty != 4 && ty != 30; }   /* contentInstance, timeSeriesInstance */

acp_decision acp_decide(const acp_store *s, const acp_resource *res, const acp_request *q)
{
    acp_decision d;
    memset(&d, 0, sizeof d);
    d.by = ACP_BY_NO_RULE;
    d.rule = -1;
    unsigned f = s->faults;
    if (f & ACP_FAULT_SKIP) {
        d.permit = true;
        d.by = ACP_BY_FAULT;
        return d;
    }
    if (!(f & ACP_FAULT_CIN_OWN))
        while (res && !type_has_acpi(res->ty)) res = res->parent;
    if (!res || !q || !q->originator || !q->op) return d;
    time_t when = q->when ? q->when : time(NULL);
    if (res->ty == 1) {
        /* a request aimed at a policy is judged by that policy's selfPrivileges */
        const acp_policy *p = acp_store_find(s, res->id);
        if (!p) { copy_id(d.unresolved, sizeof d.unresolved, res->id); return d; }
        int self = !(f & ACP_FAULT_IGNORE_PVS);
        int i = self ? first_match(p->pvs, p->npvs, q, when, f) : first_match(p->pv, p->npv, q, when, f);
        if (i >= 0) {
            d.permit = true; d.by = ACP_BY_RULE; d.self = self; d.rule = i;
            copy_id(d.policy, sizeof d.policy, p->id);
        }
        return d;
    }
    if (res->nacpi == 0 || !type_has_acpi(res->ty)) {
        d.by = ACP_BY_CREATOR;
        d.permit = (f & ACP_FAULT_OPEN_DEFAULT) || (res->creator && strcmp(res->creator, q->originator) == 0);
        return d;
    }
    /* permit-overrides: the first matching rule in any linked policy permits
     * (ACP_FAULT_DENY_OVERRIDES: each linked policy must have one) */
    for (size_t k = 0; k < res->nacpi; k++) {
        const acp_policy *p = acp_store_find(s, res->acpi[k]);
        if (!p) {
            if (!d.unresolved[0]) copy_id(d.unresolved, sizeof d.unresolved, res->acpi[k]);
            if (f & ACP_FAULT_DENY_OVERRIDES) { d.permit = false; d.by = ACP_BY_NO_RULE; return d; }
            continue;
        }
        int i = first_match(p->pv, p->npv, q, when, f);
        if (i >= 0 && !d.permit) {
            d.permit = true; d.by = ACP_BY_RULE; d.self = 0; d.rule = i;
            copy_id(d.policy, sizeof d.policy, p->id);
        }
        if (i < 0 && (f & ACP_FAULT_DENY_OVERRIDES)) {
            d.permit = false; d.by = ACP_BY_NO_RULE; d.rule = -1;
            return d;
        }
        if (d.permit && !(f & ACP_FAULT_DENY_OVERRIDES)) return d;
    }
    return d;
}

const char *acp_decision_describe(const acp_decision *d, char *buf, size_t n)
{
    switch (d->by) {
    case ACP_BY_RULE:
        snprintf(buf, n, "%s %s[%d]", d->policy, d->self ? "pvs" : "pv", d->rule);
        break;
    case ACP_BY_CREATOR:
        snprintf(buf, n, "creator-only default");
        break;
    case ACP_BY_FAULT:
        snprintf(buf, n, "no decision (fault)");
        break;
    case ACP_BY_NO_RULE:
    default:
        snprintf(buf, n, "no matching rule");
        break;
    }
    return buf;
}
