/* The PSK credentials of a profile (<credentials><psk>, fixtures/schema/profile.xsd): the
 * harness's own and, in role field, a second registree CSE's (R-RCV-02). */
#ifndef M2M_PROFILE_CREDS_H
#define M2M_PROFILE_CREDS_H
#include <stddef.h>
#include <stdint.h>

/* The second <psk>. Role field: another registree CSE the harness plays in the same test,
 * with a PSK of its own: the IUT binds psk_identity to cse_id as it binds the profile's
 * identity to <harness><cse-id>. Role in-cse: a second credential of the IUT, bound to
 * another identity of the device (cse_id or ae_id: a second AE, or another node identity),
 * which the harness accepts beside the first and binds to that identity. */
struct xml_origin;

typedef struct profile_registree {
    char *cse_id;            /* "/asn-cse-2" */
    char *ae_id;             /* role in-cse: "Cae-2" (one AE-ID-Stem), or NULL */
    char *psk_identity;      /* KpsaID */
    uint8_t *psk_key;        /* never printed */
    size_t psk_key_len;
    int line;                /* of its <psk>: checks across elements run after the parse */
    const struct xml_origin *src;   /* the base profile it comes from (extends), or NULL */
} profile_registree;

void profile_registree_free(profile_registree *r);

#endif
