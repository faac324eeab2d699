#include "registrar.h"
#include "../onem2m/primitive_xml.h"
#include "hosted.h"
#include "strict.h"
#include "../onem2m/release.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct resource {
    char *ri;       /* resource id */
    char *rn;       /* resource name */
    int ty;
    char *owner;    /* originator that created it (CSE-ID or AE-ID) */
    char *via;      /* an AE registered inside another registree's association (a CSE that
                       carried it, an AE that registered it without From): that identity, which
                       may deregister it as well */
    char *json;     /* representation returned on RETRIEVE */
} resource;

struct registrar {
    char *cse_id;        /* "/in-cse" */
    char *base;          /* "in-name" */
    int release;         /* onem2m/release.h code */
    unsigned releases;   /* the releases served (m2m_release_bit); others get 4001 */
    resource *res;
    size_t nres, capres;
    unsigned next_ri;
    hosted *hosted;      /* containers, contentInstances, policies; access control (hosted.h) */
    unsigned faults;     /* REG_FAULT_* (ref-in-cse only) */
    struct subscription { char *credential, *app_ids, *ae_ids; } *subs;
    size_t nsubs, capsubs;
    int require_sae;     /* registrar_require_sae */
    int plain_mcc;       /* registrar_accept_plain_mcc */
    int plain_ae_authn;  /* registrar_plain_ae_authenticated */
    int format;          /* registrar_set_format */
};

void registrar_set_format(registrar *r, int cf) { r->format = cf; }

void registrar_set_faults(registrar *r, unsigned faults) { r->faults = faults; }

void registrar_require_sae(registrar *r, int on) { r->require_sae = on; }
void registrar_accept_plain_mcc(registrar *r, int on) { r->plain_mcc = on; }

void registrar_plain_ae_authenticated(registrar *r, int on) { r->plain_ae_authn = on; }

void registrar_support_release(registrar *r, int release, int on)
{
    if (on) r->releases |= m2m_release_bit(release);
    else r->releases &= ~m2m_release_bit(release);
}

void registrar_add_subscription(registrar *r, const char *credential, const char *app_ids, const char *ae_ids)
{
    xgrow((void **)&r->subs, &r->capsubs, r->nsubs + 1, sizeof *r->subs);
    struct subscription *s = &r->subs[r->nsubs++];
    s->credential = credential ? xstrdup(credential) : NULL;
    s->app_ids = app_ids ? xstrdup(app_ids) : NULL;
    s->ae_ids = ae_ids ? xstrdup(ae_ids) : NULL;
}

/* Does id match one of the space-separated patterns ("x", "x*", "*")? NULL patterns: any. */
static int pattern_match(const char *patterns, const char *id)
{
    if (!patterns) return 1;
    if (!id) return 0;
    for (const char *p = patterns; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (!n) break;
        if (p[n - 1] == '*' ? strncmp(id, p, n - 1) == 0 : (strlen(id) == n && strncmp(id, p, n) == 0)) return 1;
        p += n;
    }
    return 0;
}

registrar *registrar_new(const char *cse_id, const char *cse_base_name, int release)
{
    registrar *r = xcalloc(1, sizeof *r);
    r->cse_id = xstrdup(cse_id ? cse_id : "/in-cse");
    r->base = xstrdup(cse_base_name ? cse_base_name : "in-name");
    r->release = m2m_release_name(release) ? release : M2M_REL_DEFAULT;
    r->releases = m2m_release_default_set(r->release);
    r->next_ri = 1;
    r->format = M2M_CF_RES_JSON;
    r->hosted = hosted_new(r->cse_id, r->base);
    hosted_set_release(r->hosted, r->release);
    return r;
}

void registrar_free(registrar *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nres; i++) {
        free(r->res[i].ri);
        free(r->res[i].rn);
        free(r->res[i].owner);
        free(r->res[i].via);
        free(r->res[i].json);
    }
    free(r->res);
    for (size_t i = 0; i < r->nsubs; i++) {
        free(r->subs[i].credential);
        free(r->subs[i].app_ids);
        free(r->subs[i].ae_ids);
    }
    free(r->subs);
    hosted_free(r->hosted);
    free(r->cse_id);
    free(r->base);
    free(r);
}

/* Strips "//sp-id" from an absolute id, leaving the SP-relative part. */
static const char *sp_relative(const char *id)
{
    if (id[0] == '/' && id[1] == '/') {
        const char *p = strchr(id + 2, '/');
        return p ? p : "";
    }
    return id;
}

int m2m_id_is_cse(const char *id)
{
    if (!id || !*id) return 0;
    const char *s = sp_relative(id);
    return s[0] == '/' && s[1] && !strchr(s + 1, '/');
}

int m2m_id_is_ae(const char *id)
{
    if (!id || !*id) return 0;
    if (id[0] == 'C' || id[0] == 'S') return 1;
    const char *s = sp_relative(id);
    if (s[0] != '/') return 0;
    const char *slash = strchr(s + 1, '/');
    return slash && (slash[1] == 'C' || slash[1] == 'S');
}

/* An AE-ID-Stem (TS-0001 §7.2): 'C' or 'S' and the rest of the stem, no CSE-ID part; "C" and
 * "S" alone ask for an assigned one in an AE CREATE (TS-0004 §7.4.5.2.1: "with "/S" in the
 * From parameter, but no specific AE-ID-Stem was provided ... this is an initial
 * registration"). */
static int is_ae_id_stem(const char *id)
{
    return (id[0] == 'C' || id[0] == 'S') && !strchr(id, '/');
}

/* The AE-ID the registrar assigns to an AE CREATE whose From asks for one ("C"/"S" alone, or
 * no From): its stem type and a number. */
static char *assigned_ae_id(const registrar *r, const char *fr)
{
    return xasprintf("%c%06u", fr && fr[0] == 'S' && !fr[1] ? 'S' : 'C', r->next_ri);
}

/* Does From match the AE-IDs bound to the association? A stem given in From is matched as
 * it is. An initial registration asking for an assigned AE-ID (From "C" or "S" alone) names
 * no AE-ID of its own: it matches when the AE-ID the registrar would assign is one the
 * binding allows, i.e. a pattern such as "C*"; a binding to specific AE-IDs never allows it
 * (the registrar does not hand out a bound AE-ID to whoever asks). */
static int ae_from_allowed(const registrar *r, const char *ae_ids, const char *fr, int ae_create)
{
    if (ae_create && (fr[0] == 'C' || fr[0] == 'S') && !fr[1]) {
        char *aei = assigned_ae_id(r, fr);
        int ok = 0;
        for (const char *p = ae_ids; *p;) {
            p += strspn(p, " ");
            size_t n = strcspn(p, " ");
            if (n && p[n - 1] == '*' && strncmp(aei, p, n - 1) == 0) ok = 1;
            p += n;
        }
        free(aei);
        return ok;
    }
    return pattern_match(ae_ids, fr);
}

/* Does `to` name another CSE (SP-relative or absolute, with a CSE-ID that is not this one)?
 * Then this CSE is a transit CSE for the request (TS-0004 §7.3.2.8). */
static int targets_other_cse(const registrar *r, const char *to)
{
    if (!to || (r->faults & REG_FAULT_ANY_CSE_ID)) return 0;   /* the fault: any CSE-ID is this one */
    const char *s = sp_relative(to);
    if (s[0] != '/') return 0;   /* CSE-relative: this CSE hosts it */
    size_t n = strcspn(s + 1, "/") + 1;
    return n != strlen(r->cse_id) || strncmp(s, r->cse_id, n) != 0;
}

/* Is `to` the CSEBase? Accepts "in-name", "/in-cse/in-name", "/in-cse", "//sp/in-cse/in-name". */
static int targets_base(const registrar *r, const char *to)
{
    if (!to) return 0;
    if (strcmp(to, r->base) == 0) return 1;
    const char *s = sp_relative(to);
    if (s[0] != '/' || targets_other_cse(r, to)) return 0;
    size_t n = strcspn(s + 1, "/") + 1;
    return s[n] == '\0' || (s[n] == '/' && strcmp(s + n + 1, r->base) == 0);
}

static resource *find_by(registrar *r, int ty, const char *owner)
{
    for (size_t i = 0; i < r->nres; i++)
        if (r->res[i].ty == ty && owner && strcmp(r->res[i].owner, owner) == 0) return &r->res[i];
    return NULL;
}

static void respond(m2m_prim *rsp, const m2m_prim *req, int rsc)
{
    rsp->is_response = 1;
    rsp->rsc = rsc;
    free(rsp->rqi);
    rsp->rqi = xstrdup(req->rqi);
    /* the response carries the request's release; none toward a Release-1 entity
     * (TS-0004 §7.3.1.1, §7.3.2.6) */
    free(rsp->rvi);
    rsp->rvi = xstrdup(req->rvi);
}

static void reject(registrar *r, const m2m_prim *req, m2m_prim *rsp, int rsc, const char *why,
                   timeline *tl, const char *peer)
{
    (void)r;
    respond(rsp, req, rsc);
    char code[16];
    snprintf(code, sizeof code, "%d", rsc);
    if (tl)
        timeline_add(tl, req->op == M2M_OP_CREATE && (req->ty == 2 || req->ty == 16) ? "reg.fail" : "rcv.reject",
                     peer, "rsc", code, "fr", req->fr, "reason", why, (char *)NULL);
    /* oneM2M error responses carry a debug message (m2m:dbg) in the content. */
    json_t *o = json_pack("{s:s}", "m2m:dbg", why);
    rsp->pc = json_dumps(o, JSON_COMPACT);
    rsp->pclen = strlen(rsp->pc);
    rsp->cf = M2M_CF_RES_JSON;
    json_decref(o);
}

static void timestamp(char buf[20])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 20, "%Y%m%dT%H%M%S", &tm);
}

static resource *add_resource(registrar *r, int ty, const char *rn, const char *owner)
{
    xgrow((void **)&r->res, &r->capres, r->nres + 1, sizeof *r->res);
    resource *x = &r->res[r->nres++];
    memset(x, 0, sizeof *x);
    x->ri = xasprintf("%s%u", ty == 16 ? "csr" : "ae", r->next_ri++);
    x->rn = xstrdup(rn);
    x->ty = ty;
    x->owner = xstrdup(owner);
    /* the registree's resource parents what it creates; no acpi: the registree only */
    hosted_add(r->hosted, r->base, ty, x->rn, x->ri, owner, NULL, 0, NULL);
    return x;
}

/* 2001 CREATED with the new resource's representation (taken over from out) and its
 * location under the CSEBase. */
static void created(registrar *r, resource *x, json_t *out, const m2m_prim *req, m2m_prim *rsp)
{
    x->json = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    respond(rsp, req, 2001);
    rsp->pc = xstrdup(x->json);
    rsp->pclen = strlen(rsp->pc);
    rsp->cf = M2M_CF_RES_JSON;
    rsp->location = xasprintf("%s/%s", r->base, x->rn);
}

/* A mandatory attribute missing from a CREATE's representation: 4000 naming it (TS-0004
 * §7.3.3.3, the table in strict.c). Returns 1 when the request was refused. */
static int missing_mandatory(registrar *r, const m2m_prim *req, int ty, const json_t *inner, m2m_prim *rsp,
                             timeline *tl, const char *peer)
{
    char attr[16], why[96];
    if (!json_is_object(inner)) {
        snprintf(why, sizeof why, "content has no %s object", ty == 2 ? "m2m:ae" : "m2m:csr");
        reject(r, req, rsp, 4000, why, tl, peer);
        return 1;
    }
    if (!strict_missing_on_create(r->release, ty, inner, attr, sizeof attr)) return 0;
    reject(r, req, rsp, 4000, strict_missing_text(attr, why, sizeof why), tl, peer);
    return 1;
}

/* The representation's mandatory attributes, then its attribute key as a string (the remoteCSE's
 * csi, the AE's api): that string, or NULL after refusing the request with 4000. */
static const char *mandatory_string(registrar *r, const m2m_prim *req, int ty, const json_t *inner, const char *key,
                                    m2m_prim *rsp, timeline *tl, const char *peer)
{
    if (missing_mandatory(r, req, ty, inner, rsp, tl, peer)) return NULL;
    const char *v = json_string_value(json_object_get(inner, key));
    if (!v) {
        char why[64];
        snprintf(why, sizeof why, "%s is not a string", key);
        reject(r, req, rsp, 4000, why, tl, peer);
    }
    return v;
}

/* CREATE <remoteCSE> (ty=16): TS-0004 §7.4.4.2.1 */
static void create_remote_cse(registrar *r, const m2m_prim *req, json_t *body, m2m_prim *rsp,
                              timeline *tl, const char *peer)
{
    if (!req->fr || m2m_id_is_ae(req->fr)) {
        reject(r, req, rsp, 4005, "remoteCSE CREATE with an AE-ID (or no From) as originator", tl, peer);
        return;
    }
    if (find_by(r, 16, req->fr)) {
        reject(r, req, rsp, r->release >= M2M_REL_3 ? 4117 : 4105, "remoteCSE for this CSE-ID already exists", tl, peer);
        return;
    }
    json_t *csr = json_object_get(body, "m2m:csr");
    const char *rn = json_string_value(json_object_get(csr, "rn"));
    const char *csi = mandatory_string(r, req, 16, csr, "csi", rsp, tl, peer);
    if (!csi) return;
    if (strcmp(sp_relative(csi), sp_relative(req->fr)) != 0) {
        reject(r, req, rsp, 4000, "csi differs from the originator", tl, peer);
        return;
    }
    resource *x = add_resource(r, 16, rn ? rn : csi + (csi[0] == '/'), req->fr);
    char ct[20];
    timestamp(ct);
    json_t *out = json_pack("{s:{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:b}}", "m2m:csr",
                            "rn", x->rn, "ri", x->ri, "pi", "cb0", "ty", 16, "ct", ct, "lt", ct,
                            "csi", csi, "rr", json_is_true(json_object_get(csr, "rr")));
    created(r, x, out, req, rsp);
    if (tl) timeline_add(tl, "reg.done", peer, "ty", "16", "fr", req->fr, "ri", x->ri, (char *)NULL);
}

/* CREATE <AE> (ty=2): TS-0004 §7.4.5.2.1 */
static void create_ae(registrar *r, const m2m_prim *req, const sa_info *sa, json_t *body, m2m_prim *rsp,
                      timeline *tl, const char *peer)
{
    json_t *ae = json_object_get(body, "m2m:ae");
    const char *rn = json_string_value(json_object_get(ae, "rn"));
    const char *api = mandatory_string(r, req, 2, ae, "api", rsp, tl, peer);
    if (!api) return;
    if (api[0] != 'r' && api[0] != 'R' && api[0] != 'N' && !(r->faults & REG_FAULT_ANY_APP_ID)) {
        reject(r, req, rsp, 4000, "App-ID does not start with r, R or N", tl, peer);
        return;
    }
    /* The AE-ID: a pre-provisioned stem in From, else one the registrar assigns. */
    char *aei = (req->fr && (req->fr[0] == 'C' || req->fr[0] == 'S') && req->fr[1])
                    ? xstrdup(req->fr) : assigned_ae_id(r, req->fr);
    /* The service subscription (TS-0004 §7.3.2.7), not access control (§7.4.5.2.1) */
    if (r->nsubs && !(r->faults & REG_FAULT_SKIP_APP_RULE)) {
        const char *cred = sa && sa->secure ? sa->identity : NULL;
        const struct subscription *sub = NULL;
        for (size_t i = 0; i < r->nsubs && !sub; i++)
            if (!r->subs[i].credential || (cred && strcmp(r->subs[i].credential, cred) == 0)) sub = &r->subs[i];
        const char *why = !sub ? NULL
                        : !pattern_match(sub->app_ids, api) ? "App-ID not allowed by the serviceSubscribedAppRule"
                        : !pattern_match(sub->ae_ids, aei) ? "AE-ID stem not allowed by the serviceSubscribedAppRule"
                        : NULL;
        if (!sub || why) {
            if (!sub) reject(r, req, rsp, 4128, "no service subscription for this credential", tl, peer);
            else reject(r, req, rsp, r->release >= M2M_REL_3 ? 4126 : 4107, why, tl, peer);
            free(aei);
            return;
        }
    }
    /* The fault: access control applied to the registration as well; the CSEBase grants
     * CREATE to the identity the association is bound to, and to nobody else */
    if ((r->faults & REG_FAULT_ACP_ON_AE_CREATE) &&
        !(sa && sa->bound_id && req->fr && strcmp(sp_relative(req->fr), sp_relative(sa->bound_id)) == 0)) {
        reject(r, req, rsp, 4103, "no privilege to CREATE on the CSEBase (access control applied to AE registration)",
               tl, peer);
        free(aei);
        return;
    }
    if (find_by(r, 2, aei) && !(r->faults & REG_FAULT_REUSE_AE_STEM)) {
        reject(r, req, rsp, r->release >= M2M_REL_3 ? 4117 : 4105, "AE-ID stem is still registered", tl, peer);
        free(aei);
        return;
    }
    resource *x = add_resource(r, 2, rn ? rn : aei, aei);
    /* the identity of the association it came in: the registree CSE that carried it, or the
     * registree AE whose association registered another AE (one without From gets an AE-ID
     * assigned) */
    if (sa && sa->secure && sa->bound_id && strcmp(sa->bound_id, aei) != 0) x->via = xstrdup(sa->bound_id);
    char ct[20];
    timestamp(ct);
    json_t *out = json_pack("{s:{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:b}}", "m2m:ae",
                            "rn", x->rn, "ri", x->ri, "pi", "cb0", "ty", 2, "ct", ct, "lt", ct,
                            "api", api, "aei", aei, "rr", json_is_true(json_object_get(ae, "rr")));
    created(r, x, out, req, rsp);
    if (tl) timeline_add(tl, "reg.done", peer, "ty", "2", "fr", req->fr, "aei", aei, "ri", x->ri, (char *)NULL);
    free(aei);
}

static void retrieve(registrar *r, const m2m_prim *req, m2m_prim *rsp, timeline *tl, const char *peer)
{
    if (targets_base(r, req->to)) {
        json_t *cb = json_pack("{s:{s:s,s:s,s:i,s:s,s:i}}", "m2m:cb", "rn", r->base, "ri", "cb0",
                               "ty", 5, "csi", r->cse_id, "cst", 1);
        respond(rsp, req, 2000);
        rsp->pc = json_dumps(cb, JSON_COMPACT);
        rsp->pclen = strlen(rsp->pc);
        rsp->cf = M2M_CF_RES_JSON;
        json_decref(cb);
        return;
    }
    for (size_t i = 0; i < r->nres; i++) {
        char *path = xasprintf("%s/%s", r->base, r->res[i].rn);
        int hit = req->to && (strcmp(req->to, path) == 0 || strcmp(req->to, r->res[i].ri) == 0);
        free(path);
        if (hit) {
            respond(rsp, req, 2000);
            rsp->pc = xstrdup(r->res[i].json);
            rsp->pclen = strlen(rsp->pc);
            rsp->cf = M2M_CF_RES_JSON;
            return;
        }
    }
    reject(r, req, rsp, 4004, "no such resource", tl, peer);
}

/* The registered resource `to` names: its ri ("csr1", "/in-cse/csr1") or its name below the
 * CSEBase ("in-name/asn-cse-1", "/in-cse/in-name/asn-cse-1"); -1 when none. */
static long registered_target(const registrar *r, const char *to)
{
    if (!to) return -1;
    const char *s = sp_relative(to);
    size_t n = strlen(r->cse_id);
    if (strncmp(s, r->cse_id, n) == 0 && s[n] == '/') s += n + 1;
    size_t b = strlen(r->base);
    int by_name = strncmp(s, r->base, b) == 0 && s[b] == '/';
    for (size_t i = 0; i < r->nres; i++)
        if (by_name ? strcmp(s + b + 1, r->res[i].rn) == 0 : strcmp(s, r->res[i].ri) == 0) return (long)i;
    return -1;
}

/* DELETE of a registered <AE> or <remoteCSE> (deregistration, TS-0004 §7.4.4.2.4, §7.4.5.2.4):
 * by the registree itself; what it created below goes with it. */
static void delete_registered(registrar *r, const m2m_prim *req, m2m_prim *rsp, timeline *tl, const char *peer)
{
    long i = registered_target(r, req->to);
    if (i < 0) {
        reject(r, req, rsp, 4004, "no such resource", tl, peer);
        return;
    }
    resource *x = &r->res[i];
    if (!req->fr || (strcmp(sp_relative(req->fr), sp_relative(x->owner)) != 0 &&
                     (!x->via || strcmp(sp_relative(req->fr), sp_relative(x->via)) != 0))) {
        reject(r, req, rsp, 4103, "only the registree (or the CSE it registered through) deletes its registration", tl, peer);
        return;
    }
    hosted_remove(r->hosted, x->ri);
    if (tl) timeline_add(tl, "res.deleted", peer, "fr", req->fr, "path", x->ri, (char *)NULL);
    free(x->ri);
    free(x->rn);
    free(x->owner);
    free(x->via);
    free(x->json);
    memmove(x, x + 1, (r->nres - (size_t)i - 1) * sizeof *x);
    r->nres--;
    respond(rsp, req, 2002);
}

/* rq_authn, TS-0003 §7.1.2 (criteria after Table 7.1.2-3): "If the Originator is a CSE
 * registered with the Hosting CSE, then the Originator shall be considered authenticated for
 * the duration of a (D)TLS session"; "If the Originator is an AE registered to the Hosting
 * CSE, then the criteria ... is deployment and/or implementation specific" - here: inside a
 * (D)TLS session yes ("In many cases it is appropriate to expect a secure channel implying
 * authentication"), over plain CoAP as registrar_plain_ae_authenticated says; "If the
 * Originator is an AE or CSE registered with a CSE other than the Hosting CSE, then the
 * Originator is considered authenticated by the Hosting CSE if and only if the request
 * primitive is protected using End-to-End Security of Primitives (ESPrim)" - which this
 * registrar does not implement: an AE-ID below a registree CSE is never authenticated. */
static int originator_authenticated(const registrar *r, const char *fr, int secure)
{
    if (!fr) return 0;
    if (r->faults & REG_FAULT_AUTHN_BY_HOP) return secure;   /* the fault: the hop's DTLS is enough */
    if (m2m_id_is_cse(fr)) return secure && registrar_has_remote_cse(r, fr);
    for (size_t i = 0; i < r->nres; i++)
        if (r->res[i].ty == 2 && strcmp(r->res[i].owner, fr) == 0) return secure || r->plain_ae_authn;
    return 0;
}

static void handle_json(registrar *r, const m2m_prim *req, const sa_info *sa, m2m_prim *rsp,
                        timeline *tl, const char *peer)
{
    m2m_prim_init(rsp);
    int secure = sa && sa->secure;
    int ae_create = req->op == M2M_OP_CREATE && req->ty == 2;
    /* Receiver checks, TS-0004 §7.3.2.1 */
    /* rvi is not among them: a request without it is a Release-1 request (below) */
    if (!req->rqi || req->op == M2M_OP_NONE || (!req->fr && !ae_create)) {
        reject(r, req, rsp, 4000, "mandatory parameter missing (op, to, fr or rqi)", tl, peer);
        return;
    }
    if (!secure && req->fr && m2m_id_is_cse(req->fr) && !r->plain_mcc) {
        reject(r, req, rsp, 4107, "CSE-ID in From outside any security association", tl, peer);
        return;
    }
    if (!secure && req->fr && m2m_id_is_ae(req->fr) && !ae_create && !find_by(r, 2, req->fr) &&
        !(r->faults & REG_FAULT_PLAIN_AE)) {
        reject(r, req, rsp, 4106, "AE-ID in From outside any security association, not registered here", tl, peer);
        return;
    }
    /* SAE mandatory on Mca toward this CSE (TS-0003 §6.1.2.2.1): what is left outside an
     * association is an AE CREATE or an AE registered here */
    if (!secure && r->require_sae && !(ae_create && (r->faults & REG_FAULT_AE_PLAIN))) {
        reject(r, req, rsp, 4107, "outside any security association: SAE is mandatory on Mca toward this CSE", tl, peer);
        return;
    }
    /* TS-0004 §7.3.2.1, inside an association whose registree is an AE with known AE-ID(s):
     * "If the From parameter in a request from a Registree AE has any format other than
     * AE-ID-Stem, the Receiver CSE shall reject the request with a "BAD_REQUEST" Response
     * Status Code parameter value." and, when "the From parameter does not match the allowed
     * AE-ID(s) of the Registree using the established Security Association", "the request
     * shall be rejected with an "ORIGINATOR_NOT_AUTHENTICATED" Response Status Code" — the
     * CREATE of <AE> included; only its From may be absent (checked above). */
    /* the registree is an AE when its credential is bound to AE-IDs, or to an AE-ID-Stem
     * (an AE-ID below a registree CSE, "/asn-cse-1/Cae", is that CSE's AE: CSE rules) */
    const char *ae_ids = !secure ? NULL : sa->ae_ids ? sa->ae_ids
                       : sa->bound_id && is_ae_id_stem(sa->bound_id) ? sa->bound_id : NULL;
    if (ae_ids && req->fr) {
        if (!is_ae_id_stem(req->fr) && !(r->faults & REG_FAULT_AE_FROM_FORMAT)) {
            reject(r, req, rsp, 4000, "From of a registree AE is not an AE-ID-Stem (C... or S..., no CSE-ID part)",
                   tl, peer);
            return;
        }
        if (!ae_from_allowed(r, ae_ids, req->fr, ae_create) && !(ae_create && (r->faults & REG_FAULT_AE_CREATE_FROM))) {
            reject(r, req, rsp, 4106, "From is not an AE-ID the security association's credential is bound to", tl, peer);
            return;
        }
    } else if (secure && sa->bound_id && req->fr && !ae_create &&
               strcmp(sp_relative(req->fr), sp_relative(sa->bound_id)) != 0) {
        reject(r, req, rsp, 4106, "From is not the identity bound to the security association", tl, peer);
        return;
    }
    /* TS-0004 §7.3.2.1: "If the Release Version Indicator is not present in the request the
     * Receiver CSE shall add the Release Version Indicator with value set to 1. If the
     * Receiver CSE is the Hosting CSE and it does not support the release value present in
     * the Release Version Indicator then the request shall be rejected with a Response Status
     * Code indicating a "RELEASE_VERSION_NOT_SUPPORTED" error." */
    int rel = m2m_release_of_rvi(req->rvi);
    if (!(r->releases & m2m_release_bit(rel))) {
        char why[120];
        snprintf(why, sizeof why, "release version not supported: %s%s", req->rvi ? req->rvi : "1",
                 req->rvi ? "" : " (no rvi: a Release-1 request)");
        reject(r, req, rsp, 4001, why, tl, peer);
        return;
    }
    /* containers, contentInstances and policies: access-controlled, in hosted.c */
    int hty = hosted_type(r->hosted, req->to);
    if ((req->op == M2M_OP_CREATE && (req->ty == 1 || req->ty == 3 || req->ty == 4)) ||
        (req->op != M2M_OP_CREATE && (hty == 1 || hty == 3 || hty == 4))) {
        hosted_origin o = { req->fr, originator_authenticated(r, req->fr, secure), peer };
        hosted_handle(r->hosted, req, &o, rsp, tl);
        return;
    }
    json_t *body = NULL;
    if (req->pc && req->pclen) body = json_loadb(req->pc, req->pclen, 0, NULL);
    switch (req->op) {
    case M2M_OP_CREATE:
        /* TS-0004 §7.3.2.8: "When the receiver is a transit CSE: If the request is an AE/CSE
         * registration request, then the request is rejected with a Response Status Code
         * indicating "BAD_REQUEST" error." */
        if ((req->ty == 16 || req->ty == 2) && targets_other_cse(r, req->to))
            reject(r, req, rsp, 4000, "a registration addressed to another CSE (this one would be a transit CSE)", tl, peer);
        else if (!targets_base(r, req->to)) reject(r, req, rsp, 4004, "CREATE target is not the CSEBase", tl, peer);
        else if (!body) reject(r, req, rsp, 4000, "CREATE without JSON content", tl, peer);
        else if (req->ty == 16) create_remote_cse(r, req, body, rsp, tl, peer);
        else if (req->ty == 2) create_ae(r, req, sa, body, rsp, tl, peer);
        else reject(r, req, rsp, 4005, "resource type not supported by this registrar", tl, peer);
        break;
    case M2M_OP_RETRIEVE:
        retrieve(r, req, rsp, tl, peer);
        break;
    case M2M_OP_DELETE:
        delete_registered(r, req, rsp, tl, peer);
        break;
    default:
        reject(r, req, rsp, 4005, "operation not supported by this registrar", tl, peer);
        break;
    }
    json_decref(body);
}

/* TS-0008 §6.2.2.2: the registrar answers in the request's serialization — the format its
 * Accept names, else its Content-Format, else the registrar's own (registrar_set_format).
 * -1: an Accept naming no format served here. */
static int answer_format(const registrar *r, const m2m_prim *req)
{
    if (req->accept >= 0) return m2m_cf_is_json(req->accept) || m2m_cf_is_xml(req->accept) ? req->accept : -1;
    return m2m_cf_is_json(req->cf) || m2m_cf_is_xml(req->cf) ? req->cf : r->format;
}

/* XML content (10014, 41) is handled in its JSON form; JSON under either media type as it is. */
void registrar_handle(registrar *r, const m2m_prim *req, const sa_info *sa, m2m_prim *rsp,
                      timeline *tl, const char *peer)
{
    int answer = answer_format(r, req);
    char err[200] = "";
    /* An Accept naming no resource format served here: 4.06 (5207 NOT_ACCEPTABLE) */
    if (answer < 0) {
        m2m_prim_init(rsp);
        reject(r, req, rsp, 5207, "Accept names a format this CSE does not serve (10001, 50, 10014, 41 only)", tl, peer);
        m2m_prim_serialize(rsp, r->format);
        return;
    }
    if (m2m_cf_is_xml(req->cf) && req->pc && req->pclen) {
        m2m_prim j = *req;   /* shallow: only pc is replaced, the rest borrowed */
        j.pc = m2m_json_from_xml_text(req->pc, req->pclen, err, sizeof err);
        j.pclen = j.pc ? strlen(j.pc) : 0;
        j.cf = M2M_CF_RES_JSON;
        if (j.pc) handle_json(r, &j, sa, rsp, tl, peer);
        free(j.pc);
        if (!j.pc) {
            m2m_prim_init(rsp);
            char *why = xasprintf("XML content (%d) not readable: %s", req->cf, err);
            reject(r, req, rsp, 4000, why, tl, peer);
            free(why);
        }
    } else {
        handle_json(r, req, sa, rsp, tl, peer);
    }
    m2m_prim_serialize(rsp, answer);
}

struct hosted *registrar_hosted(registrar *r) { return r->hosted; }

int registrar_has_remote_cse(const registrar *r, const char *cse_id)
{
    if (!cse_id || !m2m_id_is_cse(cse_id)) return 0;
    for (size_t i = 0; i < r->nres; i++)
        if (r->res[i].ty == 16 && strcmp(sp_relative(r->res[i].owner), sp_relative(cse_id)) == 0) return 1;
    return 0;
}
