/* Remote security provisioning, key side (TS-0003 §10.3): the RFC 5705 exporter over the
 * bootstrap (MEF) handshake and the HMAC-SHA-256 derivations that turn its output into
 * Ke/KeID, Kpsa, Km and the usage-constrained key. What the spec leaves open is a setting
 * here with the default documented in docs/mef.md (context absent, lower-case hex, SUID as
 * decimal text). Identities must be ASCII: NFKC of ASCII is ASCII itself, and the harness
 * carries no Unicode normaliser, so anything else is refused rather than fed in unnormalised. */
#ifndef M2M_ENROL_H
#define M2M_ENROL_H
#include <stddef.h>
#include <stdint.h>

#define ENROL_EXPORT_LEN 48          /* §10.3.1 */
#define ENROL_RELKEID_LEN 16         /* the 16 most significant bytes: out[0..15] */
#define ENROL_KE_LEN 32              /* the 32 least significant bytes: out[16..47] */
#define ENROL_KEY_LEN 32             /* every HMAC-SHA-256 derivation */
#define ENROL_LABEL_BOOTSTRAP "EXPORTER-oneM2M-Bootstrap"
#define ENROL_KPSA_LABEL "oneM2M Enrolment Key to Provisioned Secure Connection Key derivation"   /* §10.3.3 */
#define ENROL_KM_LABEL "oneM2M Enrolment Key to Master Credential derivation"                     /* §10.3.2 */
#define ENROL_UCK_LABEL "oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation"     /* §10.3.7 */

/* RFC 5705 context: §10.3.1 mentions none. Under (D)TLS 1.2 "absent" and "empty" differ. */
typedef enum { ENROL_CTX_ABSENT = 0, ENROL_CTX_EMPTY } enrol_ctx_mode;
/* §10.3.7 does not say how SUID enters the HMAC: decimal text ("22") or one byte (0x16). */
typedef enum { ENROL_SUID_TEXT = 0, ENROL_SUID_BYTE } enrol_suid_mode;
/* Which key the enrolment target uses for SAE with the enrolee: Kpsa (§10.3.3, keyed on
 * Enrolee-B-ID) or the usage-constrained key (§10.3.7, keyed on SUID and target FQDN). */
typedef enum { ENROL_DERIVE_KPSA = 0, ENROL_DERIVE_USAGE } enrol_derive_mode;

typedef struct enrol_settings {
    const char *label;               /* exporter label, default ENROL_LABEL_BOOTSTRAP */
    enrol_ctx_mode context;          /* default absent */
    int keid_upper;                  /* 0 = lower-case hex (default) */
    enrol_suid_mode suid;            /* default text */
    enrol_derive_mode derive;        /* default kpsa */
} enrol_settings;

void enrol_settings_default(enrol_settings *s);

/* The results of one bootstrap: the exporter output, its split, and the KeID. */
typedef struct enrol_keys {
    uint8_t exported[ENROL_EXPORT_LEN];
    uint8_t rel_keid[ENROL_RELKEID_LEN];
    uint8_t ke[ENROL_KE_LEN];
    char keid[32 + 1 + 256];         /* hex(RelativeKeID) "@" MEF-FQDN (§10.3.4) */
} enrol_keys;

struct gnutls_session_int;
/* Runs the exporter on an established (D)TLS 1.2 session. Returns 0, or -1 with err. */
int enrol_export(struct gnutls_session_int *s, const enrol_settings *st,
                 uint8_t out[ENROL_EXPORT_LEN], char *err, size_t errlen);
/* Splits an exporter output and forms the KeID. Returns 0, -1 (FQDN empty or too long). */
int enrol_split(const uint8_t exported[ENROL_EXPORT_LEN], const char *mef_fqdn,
                const enrol_settings *st, enrol_keys *k, char *err, size_t errlen);
/* enrol_export + enrol_split. */
int enrol_bootstrap(struct gnutls_session_int *s, const char *mef_fqdn, const enrol_settings *st,
                    enrol_keys *k, char *err, size_t errlen);

/* Kpsa = HMAC-SHA-256(Ke, ENROL_KPSA_LABEL || Enrolee-B-ID)                  (§10.3.3) */
int enrol_kpsa(const uint8_t ke[ENROL_KE_LEN], const char *enrolee_b_id,
               uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen);
/* Km = HMAC-SHA-256(Ke, ENROL_KM_LABEL || MAF-ID)                            (§10.3.2) */
int enrol_km(const uint8_t ke[ENROL_KE_LEN], const char *maf_id,
             uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen);
/* HMAC-SHA-256(Ke, ENROL_UCK_LABEL || SUID || Enrolment-Target-FQDN)        (§10.3.7)
 * suid: decimal text such as "22"; with ENROL_SUID_BYTE it enters as one byte. */
int enrol_usage_key(const uint8_t ke[ENROL_KE_LEN], const char *suid, const char *target_fqdn,
                    const enrol_settings *st, uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen);
/* The key the enrolment target accepts for the enrolee's SAE, per st->derive: Kpsa from
 * enrolee_b_id, or the usage-constrained key from suid and target_fqdn. */
int enrol_sae_key(const enrol_keys *k, const enrol_settings *st, const char *enrolee_b_id,
                  const char *suid, const char *target_fqdn, uint8_t out[ENROL_KEY_LEN],
                  char *err, size_t errlen);

/* Parses the setting words used by profiles: "absent"/"empty", "lower"/"upper",
 * "text"/"byte", "kpsa"/"usage-constrained". Returns 0, -1 for an unknown word. */
int enrol_parse_context(const char *w, enrol_ctx_mode *out);
int enrol_parse_case(const char *w, int *upper);
int enrol_parse_suid(const char *w, enrol_suid_mode *out);
int enrol_parse_derive(const char *w, enrol_derive_mode *out);

#endif
