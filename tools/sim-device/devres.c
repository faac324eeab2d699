#include "devres.h"
#include "util/xmem.h"
#include "cse/strict.h"
#include "onem2m/primitive_xml.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVRES_MAX 8

typedef struct cnt { char *rn; unsigned cni; } cnt;

struct devres {
    char *base;          /* "/asn-cse-1/base" */
    cnt c[DEVRES_MAX];
    size_t n;
    unsigned next_ri;
    int release;
};

devres *devres_new(const char *base, int release)
{
    devres *d = xcalloc(1, sizeof *d);
    d->base = xstrdup(base);
    d->release = release;
    return d;
}

void devres_free(devres *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->c[i].rn);
    free(d->base);
    free(d);
}

/* The part of `to` below the CSEBase: "" for the base itself, "x" for a child, NULL when
 * `to` is not under it. The base is reached SP-relative ("/asn-cse-1/base") or
 * CSE-relative ("base"). */
static const char *below_base(const devres *d, const char *to)
{
    if (!to) return NULL;
    const char *rel = strrchr(d->base, '/');
    rel = rel ? rel + 1 : d->base;
    size_t n = strlen(d->base), m = strlen(rel);
    if (strncmp(to, d->base, n) == 0 && (to[n] == '\0' || to[n] == '/')) return to[n] ? to + n + 1 : to + n;
    if (strncmp(to, rel, m) == 0 && (to[m] == '\0' || to[m] == '/')) return to[m] ? to + m + 1 : to + m;
    return NULL;
}

static cnt *find(devres *d, const char *rn)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->c[i].rn, rn) == 0) return &d->c[i];
    return NULL;
}

static void answer(m2m_prim *rsp, const m2m_prim *req, int rsc, json_t *body)
{
    rsp->is_response = 1;
    rsp->rsc = rsc;
    rsp->rqi = xstrdup(req->rqi);
    rsp->rvi = xstrdup(req->rvi);   /* none toward a Release-1 entity */
    if (body) {
        rsp->pc = json_dumps(body, JSON_COMPACT);
        rsp->pclen = strlen(rsp->pc);
        rsp->cf = M2M_CF_RES_JSON;
        json_decref(body);
    }
}

/* The resource name a CREATE asks for: m2m:cnt/rn or m2m:cin/rn, NULL when none. */
static char *wanted_rn(const m2m_prim *req, const char *key)
{
    char *path = xasprintf("pc:%s/rn", key);
    char *rn = m2m_prim_field(req, path);
    free(path);
    return rn;
}

int devres_handle(devres *d, const m2m_prim *req, m2m_prim *rsp)
{
    const char *rel = below_base(d, req->to);
    if (!rel) return 0;
    /* TS-0004 §7.3.3.3: an attribute M on Create that is not present -> BAD_REQUEST */
    if (req->op == M2M_OP_CREATE && (req->ty == 3 || req->ty == 4)) {
        /* the representation in its JSON form, XML (10014, 41) included */
        char err[160];
        char *text = req->pc && req->pclen && m2m_cf_is_xml(req->cf)
                         ? m2m_json_from_xml_text(req->pc, req->pclen, err, sizeof err) : NULL;
        json_t *body = text ? json_loads(text, 0, NULL)
                     : req->pc && req->pclen ? json_loadb(req->pc, req->pclen, 0, NULL) : NULL;
        free(text);
        char attr[16], why[96];
        const char *miss = strict_missing_on_create(d->release, req->ty,
                                                    json_object_get(body, req->ty == 3 ? "m2m:cnt" : "m2m:cin"),
                                                    attr, sizeof attr);
        json_decref(body);
        if (miss) {
            answer(rsp, req, 4000, json_pack("{s:s}", "m2m:dbg", strict_missing_text(attr, why, sizeof why)));
            return 1;
        }
    }
    if (req->op == M2M_OP_CREATE && req->ty == 3 && !*rel) {
        char *rn = wanted_rn(req, "m2m:cnt");
        if (!rn || !*rn || strchr(rn, '/')) answer(rsp, req, 4000, NULL);
        else if (find(d, rn)) answer(rsp, req, 4105, NULL);          /* CONFLICT */
        else if (d->n == DEVRES_MAX) answer(rsp, req, 5000, NULL);   /* no room left */
        else {
            d->c[d->n].rn = xstrdup(rn);
            d->c[d->n++].cni = 0;
            answer(rsp, req, 2001, json_pack("{s:{s:s,s:i,s:i}}", "m2m:cnt", "rn", rn, "ty", 3, "cni", 0));
        }
        free(rn);
        return 1;
    }
    cnt *c = *rel && !strchr(rel, '/') ? find(d, rel) : NULL;
    if (!c) return 0;
    if (req->op == M2M_OP_CREATE && req->ty == 4) {
        /* executed: the count grows and the new instance gets a new resource ID */
        c->cni++;
        char ri[32];
        snprintf(ri, sizeof ri, "cin%u", ++d->next_ri);
        char *con = m2m_prim_field(req, "pc:m2m:cin/con");
        answer(rsp, req, 2001, json_pack("{s:{s:s,s:s,s:i,s:s}}", "m2m:cin", "rn", ri, "ri", ri, "ty", 4,
                                         "con", con ? con : ""));
        free(con);
    } else if (req->op == M2M_OP_RETRIEVE) {
        answer(rsp, req, 2000, json_pack("{s:{s:s,s:i,s:i}}", "m2m:cnt", "rn", c->rn, "ty", 3, "cni", (int)c->cni));
    } else {
        answer(rsp, req, 4005, NULL);   /* OPERATION_NOT_ALLOWED */
    }
    return 1;
}
