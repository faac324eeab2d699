/* Resources a Hosting CSE keeps below its CSEBase besides registrations: <accessControlPolicy>
 * (ty=1), <container> (ty=3) and <contentInstance> (ty=4), with CRUD (TS-0004 §7.4.2,
 * §7.4.6, §7.4.7) and the access decision of TS-0003 §7.1 (cse/acp.h) before every access.
 * Each decision is a timeline event "acp.permit" / "acp.deny" with op, target, fr and rule;
 * a denial is answered 4103 ORIGINATOR_HAS_NO_PRIVILEGE (TS-0004 §7.3.3.15).
 *
 * The registrar owns one and mirrors its <AE>/<remoteCSE> registrations into it as parents
 * (no acpi: full access for the registree only). A reference IN-CSE can use it the same way. */
#ifndef M2M_HOSTED_H
#define M2M_HOSTED_H
#include "acp.h"
#include "../flow/timeline.h"
#include "../onem2m/primitive.h"

typedef struct hosted hosted;

/* Who sent a request, as the access decision sees it. */
typedef struct hosted_origin {
    const char *originator;      /* From (already checked against the association) */
    int authenticated;           /* inside an authenticating (D)TLS association */
    const char *peer;            /* "ip:port" or "[ip6]:port", for acip and the timeline */
} hosted_origin;

hosted *hosted_new(const char *cse_id, const char *base_name);
void hosted_free(hosted *h);
/* The release (onem2m/release.h code, default 3) whose mandatory attributes a CREATE must
 * carry (cse/strict.h). */
void hosted_set_release(hosted *h, int release);
/* The policies; presets go here (acp_store_put). */
acp_store *hosted_policies(hosted *h);
/* Links the CSEBase to policies (its acpi); without any only the CSE itself may act on it. */
void hosted_set_base_acpi(hosted *h, const char *const *acpi, size_t n);
/* Adds a resource under parent_path ("in-name", "in-name/ae1", ...). For ty 1 the
 * policy with id ri must be in hosted_policies(). Returns the new ri or NULL (no parent). */
const char *hosted_add(hosted *h, const char *parent_path, int ty, const char *rn, const char *ri,
                       const char *creator, const char *const *acpi, size_t nacpi, const char *json);
int hosted_remove(hosted *h, const char *path_or_ri);

/* The type of the resource `to` names here (5 for the CSEBase), 0 if none. */
int hosted_type(const hosted *h, const char *to);
/* Handles CREATE of ty 1/3/4 and RETRIEVE/UPDATE/DELETE of hosted resources. */
void hosted_handle(hosted *h, const m2m_prim *req, const hosted_origin *o, m2m_prim *rsp,
                   timeline *tl);

/* Fills rsp as a response to req with rsc and, for errors, an m2m:dbg text. */
void hosted_reply(m2m_prim *rsp, const m2m_prim *req, int rsc, const char *dbg);

#endif
