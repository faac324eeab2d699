/* The attributes a CREATE request must carry, per release and resource type, as the harness
 * writes them (TS-0004 §7.3.1.1: "When including a resource representation in the request
 * primitive for create and update, the originator shall take into account the validation
 * rules as specified in "Check validity for resource representation for create""; §7.3.3.3,
 * "M attribute for create request": "If the attribute is not present in the resource
 * representation in the CREATE request the Hosting CSE shall reject the request with a
 * Response Status Code indicating a "BAD_REQUEST" error.").
 *
 * Every CREATE the harness sends passes through m2m_mandatory_fill: the attributes it has a
 * value for that a test case does not vary (srv from the profile's release, rr) are added
 * when the test did not write them, so a test only says what it varies. The others (api,
 * csi, cb, pv, pvs, con) carry the test's own values and are its to write.
 *
 * The strict reference peers keep their own list (cse/strict.h), written separately; a unit
 * test compares the two. */
#ifndef M2M_MANDATORY_H
#define M2M_MANDATORY_H
#include <stddef.h>

typedef struct m2m_mandatory_row {
    int ty;              /* resource type */
    const char *attr;    /* short name */
    int rel_from, rel_to;/* releases (onem2m/release.h codes) the row holds for */
    const char *table;   /* the TS-0004 table that says M on Create */
    int checked;         /* 1: the Release-3 (V3.32) M was confirmed against the spec; other
                            releases of the row are unverified whatever this says */
    const char *fill;    /* the value the harness fills in when the test gives none:
                            "$release" = [the release's name], JSON text otherwise;
                            NULL = the test writes it */
} m2m_mandatory_row;

/* The rows of the table, and how many. */
const m2m_mandatory_row *m2m_mandatory_rows(size_t *n);
/* The wrapper name of a type's representation: 1 m2m:acp, 2 m2m:ae, 3 m2m:cnt, 4 m2m:cin,
 * 16 m2m:csr, 23 m2m:sub; NULL for others. */
const char *m2m_type_wrapper(int ty);
/* The type whose representation a JSON body is (its only member is that type's wrapper, as
 * m2m:csr for 16), 0 when it is none of the types above. */
int m2m_body_type(const char *json, size_t len);
/* 1 when attr is mandatory on CREATE of ty in release rel. */
int m2m_mandatory(int rel, int ty, const char *attr);
/* 1 when the row was read for that release (only Release 3 is). */
int m2m_mandatory_verified(int rel, int ty, const char *attr);
/* The JSON body of a CREATE of ty with the fillable mandatory attributes of release rel it
 * lacks added (a new string), or NULL when nothing was added or the body is not the JSON
 * representation of that type (it is then sent as the test wrote it). */
char *m2m_mandatory_fill(const char *json, size_t len, int ty, int rel);
/* The mandatory attributes of release rel that a JSON CREATE body of ty lacks, space-
 * separated (a new string), or NULL when none is missing. */
char *m2m_mandatory_missing(const char *json, size_t len, int ty, int rel);

#endif
