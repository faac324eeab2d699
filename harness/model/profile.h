/* The IUT profile (PICS/PIXIT): one XML file per IUT under fixtures/profiles/,
 * validated against fixtures/schema/profile.xsd. */
#ifndef M2M_PROFILE_H
#define M2M_PROFILE_H
#include <stddef.h>
#include <stdint.h>
#include "../onem2m/options.h"
#include "../util/diag.h"
#include "../util/kvlist.h"
#include "../enrol/profile_mef.h"
#include "profile_creds.h"

/* The Content-Formats a profile can name (onem2m/options.h, m2m_cf_parse). */
#define M2M_PROFILE_MAX_FORMATS 4

typedef struct profile_trigger {
    char *name;          /* "start", "reset", "register", ... */
    char *command;       /* shell command, ${VAR} substituted; NULL = operator prompt */
    char *prompt;        /* text shown to an operator when there is no command */
    int64_t timeout_ns;  /* always set after load: the file's, or the default (defaults.h) */
    int line;            /* of its element, for messages */
    const struct xml_origin *src;   /* the base profile it comes from (extends), NULL = the file's own */
} profile_trigger;

struct xml_origin;

typedef struct profile {
    char *file;
    struct xml_origin *origins; /* the base profiles it extends, for messages (owned) */
    char *name;
    char *role;              /* role the harness plays: "in-cse" | "field" */
    char *iut_kind;          /* "asn-cse" | "mn-cse" | "ae" | "in-cse" */
    int release;             /* onem2m/release.h code ("1" .. "5", "2a"); expected RSCs differ by release */

    char *iut_address;       /* IPv4 or IPv6 literal */
    char *iut_host;          /* host name (SNI) */
    char *iut_sp_id;         /* the IUT's M2M-SP-ID ("//" FQDN), for absolute identifiers */
    int iut_coap_port, iut_coaps_port;   /* where the IUT listens (field role) */

    char *harness_address;   /* address the harness binds (defaults.h) */
    char *harness_host;      /* the harness's host name (the IUT sends it as SNI) */
    int listen_coap, listen_coaps;       /* 0 = ephemeral */

    char *iut_cse_id;        /* "/asn-cse-1" */
    char *iut_ae_id;
    char *harness_cse_id;    /* "/in-cse" */
    char *cse_base_name;     /* "in-name" */

    char *psk_identity;      /* KpsaID */
    uint8_t *psk_key;        /* never printed */
    size_t psk_key_len;
    char *psk_hint;          /* NULL = send no identity hint */
    char *psk_alias;         /* another identity the harness accepts for the same key, NULL = none */
    char *psk_ae_ids;        /* <psk ae-id>: AE-IDs / AE-ID-Stem patterns ("C*") the credential is bound
                                to, space-separated; NULL = none given */

    /* X.509 credentials of the harness (TS-0003 §8.2.2.2), absolute paths: its certificate
     * and key, the trust anchors for the IUT's certificate, and the identity that
     * certificate must carry in subjectAltName ("dns:<FQDN>" or "uri:<AE-ID>"). Variants
     * are other certificates of the harness that tests ask for by name (untrusted,
     * expired, wrong-purpose) to see whether the IUT refuses them. */
    char *x509_cert, *x509_key, *x509_trust, *x509_iut_identity;
    /* Raw public keys (RFC 7250) instead: the harness's public and private key, and the
     * IUT keys it accepts, each pinned (SPKI SHA-256 hex or a PEM file) with the identity
     * it binds. A raw-key variant (cert = its public key) may pin other keys (npins > 0). */
    char *rpk_pub, *rpk_key;
    struct profile_rpk_pin { char *id, *spki_sha256, *pub; } *rpk_pins;
    size_t nrpk_pins;
    struct profile_cert_variant {
        char *name, *cert, *key;
        struct profile_rpk_pin *pins;
        size_t npins;
    } *x509_variants;
    size_t nx509_variants;

    char **pics;
    size_t npics;

    char *option_preset;     /* "iana" | "legacy" */
    m2m_optmap options;      /* preset plus per-option overrides */
    char *serialization;     /* "json" | "xml": follows from content_format */
    int content_format;      /* the Content-Format of the content the harness sends: 10001, 50, 10014, 41 */
    int accept_formats[M2M_PROFILE_MAX_FORMATS];   /* those it takes from the IUT ... */
    size_t naccept_formats;                        /* ... at least one */

    /* Timers: each holds a value after profile_load, the file's or its default (defaults.h). */
    int64_t ack_timeout_ns;  /* CoAP ACK_TIMEOUT */
    int max_retransmit;      /* CoAP MAX_RETRANSMIT */
    int64_t dtls_retrans_ns; /* DTLS initial retransmission timeout */
    int64_t dtls_total_ns;   /* DTLS handshake total timeout */
    int64_t step_timeout_ns; /* default "within" of a step without one */
    int64_t test_deadline_ns;/* default hard deadline of one test */

    profile_trigger *triggers;
    size_t ntriggers;
    char *ready_command;     /* readiness probe, exit 0 = ready */
    int ready_line;          /* of <ready>, for messages */
    const struct xml_origin *ready_src;   /* the base it comes from, NULL = the file's own */
    int64_t ready_timeout_ns;
    int netns;               /* <control netns="true">: the IUT in a network namespace (exec/netns.h) */

    kvlist extra_vars;       /* <var name="X">value</var> */

    /* Added with the loader: */
    char *iut_cse_base_name; /* the IUT's CSEBase resource name (field role), or NULL */
    char *harness_ae_id;     /* the harness's AE-ID when it registers as an AE (field role) */
    kvlist known_failures;   /* <known-failure test="TC_X">reason</known-failure>: id -> reason */
    profile_mef *mef;        /* <mef>: the harness as MEF (remote provisioning), or NULL */
    /* <harness app-id denied-app-id> (field role, registering as an AE): the App-ID the IUT's
     * service subscription for the harness's credential allows, and one it does not allow
     * (TS-0004 §7.3.2.7 serviceSubscribedAppRule). NULL when not given: no subscription
     * restriction is claimed. */
    char *harness_app_id;
    char *harness_denied_app_id;
    /* Role field: a second registree CSE the harness can also be in one test (a second
     * <psk cse-id="...">, profile_creds.h), or NULL. */
    profile_registree *second_registree;
    /* <transport dtls="yes|no" plain-mcc="accepts|refuses">: what transport the IUT offers.
     * dtls 0: it speaks oneM2M over plain CoAP only (no DTLS on any port); the harness's
     * ClientHello then goes to its CoAP port when no coaps-port is given. plain_mcc: whether it
     * accepts a CSE registration on Mcc over plain CoAP (PROFILE_PLAIN_MCC_*). transport_line: of
     * the element, 0 when absent (dtls yes, plain-mcc undeclared). */
    int transport_dtls;
    int plain_mcc;
    int transport_line;
    /* The plain-CoAP run mode (run --plain-coap, or <transport run-mode="plain-coap">): the
     * access-control tests over plain CoAP with AE originators registered on Mca, a
     * non-certifying run (exec/plainmode.h). Set by the loader or the command line before
     * anything runs. */
    int plain_coap_run;
} profile;

/* <transport plain-mcc>: not declared, "accepts", "refuses". */
enum { PROFILE_PLAIN_MCC_UNDECLARED = 0, PROFILE_PLAIN_MCC_ACCEPTS, PROFILE_PLAIN_MCC_REFUSES };
const char *profile_plain_mcc_name(int v);
/* The PICS items that claim DTLS (SAE, SAE_PSK, SAE_CERT, SAE_RPK, IUT_OPENS_SA2): a profile
 * with <transport dtls="no"> claims none of them. */
int profile_pics_needs_dtls(const char *item);

int profile_load(const char *path, const char *schema_path, profile **out, diag *d);
int profile_load_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                     profile **out, diag *d);
void profile_free(profile *p);

int profile_has_pics(const profile *p, const char *item);
/* The harness certificate variant of that name, or NULL. */
const struct profile_cert_variant *profile_cert_variant(const profile *p, const char *name);
const profile_trigger *profile_trigger_find(const profile *p, const char *name);
/* Attach mode: the profile gives no start command and no start prompt, so the IUT is already
 * running (a CSE in a lab, a device switched on by hand). The harness does not start it: a
 * test's <trigger name="start"/> checks it is ready instead (exec/attach.c), what the harness
 * creates on it is named per run and deleted at the end of each test, and tests that need a
 * restart or a trigger the profile lacks are skipped before the run (run/runner.h). */
int profile_attached(const profile *p);

#endif
