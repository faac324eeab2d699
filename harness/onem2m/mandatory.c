/* The harness's table of attributes mandatory on CREATE (see mandatory.h).
 *
 * Where a row comes from: the "Request Optionality / Create" column of the resource-specific
 * attribute tables of TS-0004 V3.32 (Release 3). The text of §7.4.1.1 says how to read them:
 * "The column "Request optionality" specifies the presence of each resource attribute in the
 * Content parameter of the request primitive. This is defined as Mandatory (M), Optional (O),
 * or NP (Not Present)." Rows marked checked = 1: the M of the Release-3 row was confirmed against
 * the specification (for pvs by the clause quoted at its row); checked = 0: the M the table is
 * held to give, not confirmed when the row was written (the table bodies were not in the text
 * at hand). Rows for other releases are unverified: their release text was not read.
 *
 * <container> (TS-0004 Table 7.4.6.1-3) has no attribute that is M on Create: no row. */
#include "mandatory.h"
#include "release.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const m2m_mandatory_row rows[] = {
    /* <AE>: TS-0004 Table 7.4.5.1-3 (Resource Specific Attributes of <AE>) */
    { 2, "api", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.5.1-3", 1, NULL },
    { 2, "rr", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.5.1-3", 1, "false" },
    /* supportedReleaseVersions: M on Create from the release that defines it (2a) */
    { 2, "srv", M2M_REL_2A, M2M_REL_5, "TS-0004 Table 7.4.5.1-3", 1, "$release" },
    /* <remoteCSE>: TS-0004 Table 7.4.4.1-3 (Resource Specific Attributes of <remoteCSE>) */
    { 16, "csi", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.4.1-3", 0, NULL },
    { 16, "cb", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.4.1-3", 0, NULL },
    { 16, "rr", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.4.1-3", 0, "false" },
    { 16, "srv", M2M_REL_2A, M2M_REL_5, "TS-0004 Table 7.4.4.1-3", 1, "$release" },
    /* <accessControlPolicy>: TS-0004 Table 7.4.2.1-3; for pvs also §7.4.2.2.1: "If the
     * <accessControlPolicy> received does not have at least one accessControlRule specified
     * in the selfPrivileges attribute then "Create an unsuccessful Response primitive" with
     * the Response Status Code indicating "BAD_REQUEST" error." */
    { 1, "pv", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.2.1-3", 0, NULL },
    { 1, "pvs", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.2.1-3", 1, NULL },
    /* <contentInstance>: TS-0004 Table 7.4.7.1-3 (Release 4 adds contentRef as an
     * alternative: rows for 4 and 5 unverified like every row outside Release 3) */
    { 4, "con", M2M_REL_1, M2M_REL_5, "TS-0004 Table 7.4.7.1-3", 0, NULL },
};
#define NROWS (sizeof rows / sizeof rows[0])

const m2m_mandatory_row *m2m_mandatory_rows(size_t *n)
{
    *n = NROWS;
    return rows;
}

const char *m2m_type_wrapper(int ty)
{
    switch (ty) {
    case 1: return "m2m:acp";
    case 2: return "m2m:ae";
    case 3: return "m2m:cnt";
    case 4: return "m2m:cin";
    case 16: return "m2m:csr";
    case 23: return "m2m:sub";
    default: return NULL;
    }
}

static const m2m_mandatory_row *row_of(int rel, int ty, const char *attr)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].ty == ty && strcmp(rows[i].attr, attr) == 0 && rel >= rows[i].rel_from && rel <= rows[i].rel_to)
            return &rows[i];
    return NULL;
}

int m2m_mandatory(int rel, int ty, const char *attr) { return row_of(rel, ty, attr) != NULL; }

int m2m_mandatory_verified(int rel, int ty, const char *attr)
{
    const m2m_mandatory_row *r = row_of(rel, ty, attr);
    return r && r->checked && rel == M2M_REL_3;
}

/* The type's representation inside a parsed body, or NULL. */
static json_t *inner_of(json_t *body, int ty)
{
    const char *w = m2m_type_wrapper(ty);
    json_t *in = w ? json_object_get(body, w) : NULL;
    return json_is_object(in) ? in : NULL;
}

int m2m_body_type(const char *json, size_t len)
{
    json_t *body = json && len ? json_loadb(json, len, 0, NULL) : NULL;
    const char *key = json_is_object(body) && json_object_size(body) == 1 ? json_object_iter_key(json_object_iter(body)) : NULL;
    int ty = 0;
    for (int t = 1; key && t <= 23 && !ty; t++)
        if (m2m_type_wrapper(t) && !strcmp(m2m_type_wrapper(t), key)) ty = t;
    json_decref(body);
    return ty;
}

char *m2m_mandatory_fill(const char *json, size_t len, int ty, int rel)
{
    if (!json || !len) return NULL;
    json_t *body = json_loadb(json, len, 0, NULL);
    json_t *in = inner_of(body, ty);
    int added = 0;
    for (size_t i = 0; in && i < NROWS; i++) {
        const m2m_mandatory_row *r = &rows[i];
        if (r->ty != ty || !r->fill || rel < r->rel_from || rel > r->rel_to || json_object_get(in, r->attr)) continue;
        json_t *v = NULL;
        if (strcmp(r->fill, "$release") == 0) {
            const char *name = m2m_release_name(rel);
            if (name) v = json_pack("[s]", name);
        } else {
            v = json_loads(r->fill, JSON_DECODE_ANY, NULL);
        }
        if (v) {
            json_object_set_new(in, r->attr, v);
            added = 1;
        }
    }
    char *out = added ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return out;
}

char *m2m_mandatory_missing(const char *json, size_t len, int ty, int rel)
{
    json_t *body = json && len ? json_loadb(json, len, 0, NULL) : NULL;
    json_t *in = inner_of(body, ty);
    char *list = NULL;
    for (size_t i = 0; i < NROWS; i++) {
        const m2m_mandatory_row *r = &rows[i];
        if (r->ty != ty || rel < r->rel_from || rel > r->rel_to || (in && json_object_get(in, r->attr))) continue;
        char *l = list ? xasprintf("%s %s", list, r->attr) : xstrdup(r->attr);
        free(list);
        list = l;
    }
    json_decref(body);
    return list;
}
