/* Hosted <accessControlPolicy>, <container> and <contentInstance> resources; see hosted.h. */
#include "hosted.h"
#include "acp_json.h"
#include "strict.h"
#include "../onem2m/mandatory.h"
#include "../onem2m/release.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct rnode {
    char *ri, *rn, *creator;
    int ty;
    char **acpi; size_t nacpi;
    json_t *rep;                 /* {"m2m:xxx":{...}} returned on RETRIEVE */
    struct rnode *parent;
} rnode;

struct hosted {
    char *cse_id, *base;
    rnode *root;                 /* the CSEBase */
    rnode **v; size_t n, cap;
    unsigned next_ri;
    acp_store acps;
    int release;                 /* onem2m/release.h code: which attributes are M on Create */
};

#define MAX_DEPTH 16

static void set_acpi(rnode *x, const char *const *acpi, size_t n)
{
    for (size_t i = 0; i < x->nacpi; i++) free(x->acpi[i]);
    free(x->acpi);
    x->acpi = n ? xcalloc(n, sizeof *x->acpi) : NULL;
    x->nacpi = n;
    for (size_t i = 0; i < n; i++) x->acpi[i] = xstrdup(acpi[i]);
}

static void node_free(rnode *x)
{
    free(x->ri);
    free(x->rn);
    free(x->creator);
    set_acpi(x, NULL, 0);
    json_decref(x->rep);
}

hosted *hosted_new(const char *cse_id, const char *base_name)
{
    hosted *h = xcalloc(1, sizeof *h);
    h->cse_id = xstrdup(cse_id ? cse_id : "/in-cse");
    h->base = xstrdup(base_name ? base_name : "in-name");
    h->root = xcalloc(1, sizeof *h->root);
    h->root->ri = xstrdup("cb0");
    h->root->rn = xstrdup(h->base);
    h->root->creator = xstrdup(h->cse_id);
    h->root->ty = 5;
    h->next_ri = 1;
    h->release = M2M_REL_DEFAULT;
    acp_store_init(&h->acps);
    return h;
}

void hosted_set_release(hosted *h, int release) { h->release = release; }

void hosted_free(hosted *h)
{
    if (!h) return;
    for (size_t i = 0; i < h->n; i++) { node_free(h->v[i]); free(h->v[i]); }
    free(h->v);
    node_free(h->root);
    free(h->root);
    acp_store_clear(&h->acps);
    free(h->cse_id);
    free(h->base);
    free(h);
}

acp_store *hosted_policies(hosted *h) { return &h->acps; }

void hosted_set_base_acpi(hosted *h, const char *const *acpi, size_t n) { set_acpi(h->root, acpi, n); }

static rnode *child(const hosted *h, const rnode *parent, const char *rn, size_t len)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i]->parent == parent && strlen(h->v[i]->rn) == len && strncmp(h->v[i]->rn, rn, len) == 0)
            return h->v[i];
    return NULL;
}

/* "in-name/a/b", "/in-cse/in-name/a", "//sp/in-cse/in-name/a", "cnt3", "/in-cse/cnt3". */
static rnode *find(const hosted *h, const char *to)
{
    if (!to) return NULL;
    const char *s = to;
    if (s[0] == '/' && s[1] == '/') {            /* absolute: drop "//sp" */
        s = strchr(s + 2, '/');
        if (!s) return NULL;
    }
    size_t cl = strlen(h->cse_id);
    if (strncmp(s, h->cse_id, cl) == 0 && s[cl] == '/') s += cl + 1;
    else if (s[0] == '/') return NULL;
    size_t bl = strlen(h->base);
    if (strncmp(s, h->base, bl) == 0 && (s[bl] == '\0' || s[bl] == '/')) {
        rnode *x = h->root;
        for (s += bl; x && *s == '/'; ) {
            s++;
            size_t len = strcspn(s, "/");
            x = child(h, x, s, len);
            s += len;
        }
        return *s ? NULL : x;
    }
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->v[i]->ri, s) == 0) return h->v[i];
    return NULL;
}

static char *path_of(const rnode *x)
{
    if (!x->parent) return xstrdup(x->rn);
    char *p = path_of(x->parent);
    char *out = xasprintf("%s/%s", p, x->rn);
    free(p);
    return out;
}

int hosted_type(const hosted *h, const char *to)
{
    rnode *x = find(h, to);
    return x ? x->ty : 0;
}

static void stamp(char buf[20])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 20, "%Y%m%dT%H%M%S", &tm);
}

static rnode *add_node(hosted *h, rnode *parent, int ty, const char *rn, const char *ri,
                       const char *creator)
{
    rnode *x = xcalloc(1, sizeof *x);
    x->ty = ty;
    x->ri = ri ? xstrdup(ri) : xasprintf("%s%u", m2m_type_wrapper(ty) ? m2m_type_wrapper(ty) + 4 : "r", h->next_ri++);
    x->rn = xstrdup(rn ? rn : x->ri);
    x->creator = xstrdup(creator);
    x->parent = parent;
    xgrow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v);
    h->v[h->n++] = x;
    return x;
}

const char *hosted_add(hosted *h, const char *parent_path, int ty, const char *rn, const char *ri,
                       const char *creator, const char *const *acpi, size_t nacpi, const char *json)
{
    rnode *p = find(h, parent_path);
    if (!p || (rn && child(h, p, rn, strlen(rn)))) return NULL;
    rnode *x = add_node(h, p, ty, rn, ri, creator);
    set_acpi(x, acpi, nacpi);
    x->rep = json ? json_loads(json, 0, NULL) : NULL;
    return x->ri;
}

static int is_under(const rnode *x, const rnode *top)
{
    for (; x; x = x->parent)
        if (x == top) return 1;
    return 0;
}

int hosted_remove(hosted *h, const char *path_or_ri)
{
    rnode *top = find(h, path_or_ri);
    if (!top || top == h->root) return -1;
    /* children first, so is_under still sees intact parents */
    for (size_t i = h->n; i-- > 0; ) {
        rnode *x = h->v[i];
        if (x == top || !is_under(x, top)) continue;
        if (x->ty == 1) acp_store_remove(&h->acps, x->ri);
        node_free(x);
        free(x);
        memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof *h->v);
        h->n--;
    }
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i] != top) continue;
        if (top->ty == 1) acp_store_remove(&h->acps, top->ri);
        node_free(top);
        free(top);
        memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof *h->v);
        h->n--;
        break;
    }
    return 0;
}

void hosted_reply(m2m_prim *rsp, const m2m_prim *req, int rsc, const char *dbg)
{
    rsp->is_response = 1;
    rsp->rsc = rsc;
    free(rsp->rqi);
    rsp->rqi = xstrdup(req->rqi);
    free(rsp->rvi);
    rsp->rvi = xstrdup(req->rvi);   /* none toward a Release-1 entity */
    if (dbg) {
        json_t *o = json_pack("{s:s}", "m2m:dbg", dbg);
        free(rsp->pc);
        rsp->pc = json_dumps(o, JSON_COMPACT);
        rsp->pclen = strlen(rsp->pc);
        rsp->cf = M2M_CF_RES_JSON;
        json_decref(o);
    }
}

static void reply_rep(m2m_prim *rsp, const m2m_prim *req, int rsc, const rnode *x)
{
    hosted_reply(rsp, req, rsc, NULL);
    if (!x->rep) return;
    rsp->pc = json_dumps(x->rep, JSON_COMPACT);
    rsp->pclen = strlen(rsp->pc);
    rsp->cf = M2M_CF_RES_JSON;
}

static void fail(m2m_prim *rsp, const m2m_prim *req, int rsc, const char *why, timeline *tl,
                 const hosted_origin *o)
{
    char code[16];
    snprintf(code, sizeof code, "%d", rsc);
    if (tl) timeline_add(tl, "rcv.reject", o->peer, "rsc", code, "fr", req->fr, "reason", why, (char *)NULL);
    hosted_reply(rsp, req, rsc, why);
}

/* "127.0.0.1:5683" -> "127.0.0.1", "[::1]:5683" -> "::1" */
static void peer_ip(const char *peer, char *ip, size_t n)
{
    ip[0] = '\0';
    if (!peer) return;
    if (peer[0] == '[') {
        size_t len = strcspn(peer + 1, "]");
        snprintf(ip, n, "%.*s", (int)len, peer + 1);
    } else {
        size_t len = strcspn(peer, ":");
        snprintf(ip, n, "%.*s", (int)len, peer);
    }
}

/* The access decision for op on x, recorded as acp.permit / acp.deny; a denial is
 * answered 4103 here. acpi_update: the request changes x's acpi, which the selfPrivileges
 * of the policies x links decide (TS-0001 §9.6.1.3.2; without acpi: its creator). */
static int decide(hosted *h, const rnode *x, unsigned op, int child_ty, int acpi_update,
                  const m2m_prim *req, const hosted_origin *o, m2m_prim *rsp, timeline *tl)
{
    acp_resource chain[MAX_DEPTH];
    size_t n = 0;
    for (const rnode *y = x; y && n < MAX_DEPTH; y = y->parent, n++) {
        chain[n] = (acp_resource){ y->ty, y->ri, y->creator, (const char *const *)y->acpi, y->nacpi, NULL };
        if (n) chain[n - 1].parent = &chain[n];
    }
    char ip[64];
    peer_ip(o->peer, ip, sizeof ip);
    acp_request q = { o->originator, op, o->authenticated, ip[0] ? ip : NULL, 0, child_ty };
    acp_decision d;
    if (h->acps.faults & ACP_FAULT_ACPI_UNCHECKED) acpi_update = 0;   /* judged by pv below */
    if (acpi_update && x->nacpi) {
        /* permit-overrides across the linked policies' pvs */
        for (size_t k = 0; k < x->nacpi; k++) {
            acp_resource pol = { 1, x->acpi[k], NULL, NULL, 0, NULL };
            d = acp_decide(&h->acps, &pol, &q);
            if (d.permit) break;
        }
    } else {
        d = acp_decide(&h->acps, &chain[0], &q);
    }
    char rule[160], ty[12];
    char *path = path_of(x);
    acp_decision_describe(&d, rule, sizeof rule);
    snprintf(ty, sizeof ty, "%d", child_ty);
    if (tl)
        timeline_add(tl, d.permit ? "acp.permit" : "acp.deny", o->peer, "op", acp_op_name(op),
                     "target", path, "fr", o->originator, "rule", rule,
                     "ty", child_ty ? ty : NULL, "attr", acpi_update ? "acpi" : NULL,
                     "unresolved", d.unresolved[0] ? d.unresolved : NULL, (char *)NULL);
    if (!d.permit) {
        /* TS-0004 §7.3.3.15: ORIGINATOR_HAS_NO_PRIVILEGE */
        char *why = xasprintf("%s on %s by %s denied: %s", acp_op_name(op), path,
                              o->originator ? o->originator : "(none)", rule);
        hosted_reply(rsp, req, h->acps.faults & ACP_FAULT_DENY_4000 ? 4000 : 4103, why);
        free(why);
    }
    free(path);
    return d.permit;
}

/* acpi entries may name a policy by path; the store keys policies by ri. */
static void link_acpi(hosted *h, rnode *x, json_t *acpi)
{
    size_t n = json_array_size(acpi), k = 0;
    const char **v = n ? xcalloc(n, sizeof *v) : NULL;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(acpi, i));
        if (!id) continue;
        rnode *p = find(h, id);
        v[k++] = p && p->ty == 1 ? p->ri : id;
    }
    set_acpi(x, v, k);
    free(v);
}

/* Every time window of the policy is a well-formed m2m:scheduleEntry (7 fields, each in its
 * range: TS-0004 §7.4.9.1, Table 7.4.9.1-4), else the CREATE or UPDATE is refused: §7.3.3.3,
 * "If the provided value is not accepted for any other reason, the Hosting CSE shall reject
 * the request with a Response Status Code indicating a "BAD_REQUEST" error." */
static int windows_valid(const acp_policy *p, int loose, char *err, size_t errlen)
{
    for (int self = 0; self < 2; self++) {
        const acp_rule *r = self ? p->pvs : p->pv;
        size_t n = self ? p->npvs : p->npv;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < r[i].nactw; k++)
                if (acp_window_valid(r[i].actw[k], loose, err, errlen) < 0) return -1;
    }
    return 0;
}

/* Writes the common attributes into the representation and links acpi / the policy. */
static int adopt(hosted *h, rnode *x, json_t *inner, int create, char *err, size_t errlen)
{
    if (x->ty == 1) {
        acp_policy *p = acp_policy_from_json(inner, x->ri, !(h->acps.faults & ACP_FAULT_PVS_OPTIONAL), err, errlen);
        if (!p) return -1;
        if (windows_valid(p, (h->acps.faults & ACP_FAULT_LOOSE_SCHEDULE) != 0, err, errlen) < 0) {
            acp_policy_free(p);
            return -1;
        }
        acp_store_put(&h->acps, p);
    }
    json_t *acpi = json_object_get(inner, "acpi");
    if (acpi && (x->ty == 1 || x->ty == 4 || !json_is_array(acpi))) {
        snprintf(err, errlen, "acpi is not a list or not an attribute of this type");
        return -1;
    }
    if (acpi) link_acpi(h, x, acpi);
    char ct[20];
    stamp(ct);
    if (create) {
        json_object_set_new(inner, "ct", json_string(ct));
        json_object_set_new(inner, "cr", json_string(x->creator));
    }
    json_object_set_new(inner, "rn", json_string(x->rn));
    json_object_set_new(inner, "ri", json_string(x->ri));
    json_object_set_new(inner, "pi", json_string(x->parent->ri));
    json_object_set_new(inner, "ty", json_integer(x->ty));
    json_object_set_new(inner, "lt", json_string(ct));
    return 0;
}

static void do_create(hosted *h, rnode *parent, const m2m_prim *req, json_t *body,
                      const hosted_origin *o, m2m_prim *rsp, timeline *tl)
{
    const char *sn = m2m_type_wrapper(req->ty);
    int ok_child = (req->ty == 4) ? parent->ty == 3 : (parent->ty != 1 && parent->ty != 4);
    if (!ok_child || (req->ty != 1 && req->ty != 3 && req->ty != 4)) {
        fail(rsp, req, 4108, "this resource type cannot be created under that parent", tl, o);
        return;
    }
    if (!decide(h, parent, ACOP_CREATE, req->ty, 0, req, o, rsp, tl)) return;
    json_t *inner = json_object_get(body, sn);
    if (!json_is_object(inner)) {
        char *why = xasprintf("content has no %s object", sn);
        fail(rsp, req, 4000, why, tl, o);
        free(why);
        return;
    }
    /* TS-0004 §7.3.3.3: an attribute M on Create that is not present -> BAD_REQUEST */
    char attr[16], why[96];
    if (strict_missing_on_create(h->release, req->ty, inner, attr, sizeof attr) &&
        !(strcmp(attr, "pvs") == 0 && (h->acps.faults & ACP_FAULT_PVS_OPTIONAL))) {
        fail(rsp, req, 4000, strict_missing_text(attr, why, sizeof why), tl, o);
        return;
    }
    const char *rn = json_string_value(json_object_get(inner, "rn"));
    if (rn && (!*rn || strchr(rn, '/'))) {
        fail(rsp, req, 4000, "rn empty or with '/'", tl, o);
        return;
    }
    if (rn && child(h, parent, rn, strlen(rn))) {
        fail(rsp, req, 4105, "a child with this rn exists", tl, o);
        return;
    }
    rnode *x = add_node(h, parent, req->ty, rn, NULL, o->originator);
    json_t *copy = json_deep_copy(inner);
    char err[160];
    if (adopt(h, x, copy, 1, err, sizeof err) < 0) {
        json_decref(copy);
        hosted_remove(h, x->ri);
        fail(rsp, req, 4000, err, tl, o);
        return;
    }
    x->rep = json_pack("{s:o}", sn, copy);
    reply_rep(rsp, req, 2001, x);
    rsp->location = path_of(x);
    char tys[12];
    snprintf(tys, sizeof tys, "%d", x->ty);
    if (tl) timeline_add(tl, "res.created", o->peer, "ty", tys, "fr", o->originator, "ri", x->ri,
                         "path", rsp->location, (char *)NULL);
}

/* UPDATE: the given attributes replace the old ones; a policy is re-read as a whole. */
static void do_update(hosted *h, rnode *x, const m2m_prim *req, json_t *body,
                      const hosted_origin *o, m2m_prim *rsp, timeline *tl)
{
    const char *sn = m2m_type_wrapper(x->ty);
    json_t *inner = json_object_get(body, sn);
    if (x->ty == 4) {
        fail(rsp, req, 4005, "a contentInstance cannot be updated", tl, o);
        return;
    }
    if (!json_is_object(inner)) {
        char *why = xasprintf("content has no %s object", sn);
        fail(rsp, req, 4000, why, tl, o);
        free(why);
        return;
    }
    json_t *merged = json_deep_copy(json_object_get(x->rep, sn));
    json_object_update(merged, inner);
    char err[160];
    if (adopt(h, x, merged, 0, err, sizeof err) < 0) {
        json_decref(merged);
        fail(rsp, req, 4000, err, tl, o);
        return;
    }
    json_object_set_new(x->rep, sn, merged);
    reply_rep(rsp, req, 2004, x);
}

void hosted_handle(hosted *h, const m2m_prim *req, const hosted_origin *o, m2m_prim *rsp,
                   timeline *tl)
{
    rnode *x = find(h, req->to);
    if (!x) {
        fail(rsp, req, 4004, "no such resource", tl, o);
        return;
    }
    json_t *body = req->pc && req->pclen ? json_loadb(req->pc, req->pclen, 0, NULL) : NULL;
    int op = req->op;
    if ((op == M2M_OP_CREATE || op == M2M_OP_UPDATE) && !body) {
        fail(rsp, req, 4000, "no JSON content", tl, o);
    } else if (op == M2M_OP_CREATE) {
        do_create(h, x, req, body, o, rsp, tl);
    } else if (x == h->root || !m2m_type_wrapper(x->ty) || (x->ty != 1 && x->ty != 3 && x->ty != 4)) {
        fail(rsp, req, 4005, "operation not supported on this resource here", tl, o);
    } else if (op == M2M_OP_RETRIEVE) {
        if (decide(h, x, ACOP_RETRIEVE, 0, 0, req, o, rsp, tl)) reply_rep(rsp, req, 2000, x);
    } else if (op == M2M_OP_UPDATE) {
        /* an acpi change must be the only attribute of its UPDATE (TS-0001 §9.6.1.3.2) */
        json_t *inner = json_object_get(body, m2m_type_wrapper(x->ty));
        int acpi_update = json_object_get(inner, "acpi") != NULL;
        if (acpi_update && json_object_size(inner) != 1 && !(h->acps.faults & ACP_FAULT_ACPI_MIXED))
            fail(rsp, req, 4000, "acpi must be the only attribute in its UPDATE", tl, o);
        else if (decide(h, x, ACOP_UPDATE, 0, acpi_update, req, o, rsp, tl))
            do_update(h, x, req, body, o, rsp, tl);
    } else if (op == M2M_OP_DELETE) {
        if (decide(h, x, ACOP_DELETE, 0, 0, req, o, rsp, tl)) {
            char *path = path_of(x);
            hosted_remove(h, path);
            hosted_reply(rsp, req, 2002, NULL);
            if (tl) timeline_add(tl, "res.deleted", o->peer, "fr", o->originator, "path", path, (char *)NULL);
            free(path);
        }
    } else {
        fail(rsp, req, 4005, "operation not supported here", tl, o);
    }
    json_decref(body);
}
