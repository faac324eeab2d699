/* The registrar side of a CSE (the harness in role in-cse): a CSEBase with the resources
 * field nodes register, the registration rules (TS-0004 §7.4.4.2.1, §7.4.5.2.1) and the
 * receiver checks that tie primitives to security associations (TS-0004 §7.3.2.1). Each
 * decision is a timeline event, so tests judge the IUT by what happened, with evidence. */
#ifndef M2M_REGISTRAR_H
#define M2M_REGISTRAR_H
#include "../flow/timeline.h"
#include "../onem2m/primitive.h"

/* The security context a request arrived in. */
typedef struct sa_info {
    int secure;              /* inside a (D)TLS association */
    unsigned sa;             /* association number */
    const char *identity;    /* PSK identity / certificate identity */
    const char *bound_id;    /* CSE-ID / AE-ID bound to the association, NULL if none */
    const char *ae_ids;      /* the registree is an AE with these allowed AE-IDs: space-separated,
                                an entry ending in '*' a pattern ("C*"); NULL: bound_id when it is
                                an AE-ID-Stem, else the registree is not known to be an AE */
} sa_info;

typedef struct registrar registrar;

/* release: an onem2m/release.h code (0 = Release 3). The registrar serves requests of its
 * release and of every release from 2a up to it; a request of another release (one without
 * rvi is a Release-1 request) is refused with 4001 RELEASE_VERSION_NOT_SUPPORTED. */
registrar *registrar_new(const char *cse_id, const char *cse_base_name, int release);
/* Serves (on = 1) or refuses with 4001 (on = 0) requests of that release. */
void registrar_support_release(registrar *r, int release, int on);
void registrar_free(registrar *r);
/* The Content-Format of the answer to a request that names none (no Accept, no content):
 * 10001 (the default), 50, 10014 or 41. A request that names one is answered in it. */
void registrar_set_format(registrar *r, int cf);
/* Handles a request primitive and fills the response (rsc, rqi, rvi, content, location).
 * Records reg.done / reg.fail / rcv.reject events in tl with peer. */
void registrar_handle(registrar *r, const m2m_prim *req, const sa_info *sa, m2m_prim *rsp,
                      timeline *tl, const char *peer);

/* Faults for tools/ref-in-cse only (its --fault switches; the harness never sets them):
 * each breaks one registration or receiver rule the field suite checks. */
enum {
    REG_FAULT_ANY_APP_ID = 1u << 0,     /* any App-ID registers (no 4000 for one not r/R/N) */
    REG_FAULT_REUSE_AE_STEM = 1u << 1,  /* an AE-ID stem still registered registers again (no 4117) */
    REG_FAULT_PLAIN_AE = 1u << 2,       /* outside an association an unregistered AE-ID is served (no 4106) */
    REG_FAULT_SKIP_APP_RULE = 1u << 3,  /* AE CREATE not checked against the service subscription */
    REG_FAULT_ACP_ON_AE_CREATE = 1u << 4,/* AE CREATE also judged by access control: the CSEBase grants
                                            CREATE to the association's bound identity only, others 4103 */
    REG_FAULT_AE_PLAIN = 1u << 5,       /* with registrar_require_sae, an AE CREATE over plain CoAP is served */
    REG_FAULT_AE_CREATE_FROM = 1u << 6, /* inside an AE's association the AE CREATE's From is not checked (no 4106) */
    REG_FAULT_AE_FROM_FORMAT = 1u << 7, /* a registree AE's From in another format than AE-ID-Stem is not refused (no 4000) */
    REG_FAULT_AUTHN_BY_HOP = 1u << 8,   /* every originator inside a (D)TLS association counts as authenticated for
                                           acaf, also an AE-ID below a registree CSE (no ESPrim) */
    REG_FAULT_ANY_CSE_ID = 1u << 9,     /* the CSE-ID in To is not compared: a registration or a RETRIEVE of
                                           another CSE-ID's CSEBase is served as this CSE's (no 4000/4004) */
};
void registrar_set_faults(registrar *r, unsigned faults);

/* Service subscriptions (TS-0004 §7.3.2.7, the <serviceSubscribedAppRule>s of an
 * <m2mServiceSubscriptionProfile>): once one is added, every AE CREATE is checked against
 * them, never against access control (TS-0004 §7.4.5.2.1):
 *   - no subscription whose credential is the association's (sa_info.identity) gives 4128
 *     SERVICE_SUBSCRIPTION_NOT_ESTABLISHED;
 *   - an App-ID (api) outside its app_ids, or an AE-ID stem outside its ae_ids, gives 4126
 *     APP_RULE_VALIDATION_FAILED from Release 3 on, 4107 for Release 1/2 (as those products
 *     and the 2017 ATS answer).
 * credential NULL: any credential, or none (plain CoAP). app_ids / ae_ids: space-separated
 * patterns, an entry ending in '*' matches by prefix ("*" alone anything); NULL = any.
 * Without any subscription (the default) AE CREATE is not restricted. */
void registrar_add_subscription(registrar *r, const char *credential, const char *app_ids, const char *ae_ids);

/* SAE mandatory on Mca between a field AE and the IN-CSE (TS-0003 §6.1.2.2.1): a request
 * outside any association that the receiver checks above let through (an AE CREATE, or an
 * AE registered here) is refused with 4107 SECURITY_ASSOCIATION_REQUIRED. Off by default:
 * the registrar then serves AEs over plain CoAP (Mca without SAE). */
void registrar_require_sae(registrar *r, int on);
/* A CSE-ID in From outside any association is served instead of refused with 4107: a CSE that
 * offers no DTLS at all and registers field CSEs over plain CoAP (ref-in-cse --plain-only). */
void registrar_accept_plain_mcc(registrar *r, int on);

/* Whether an AE registered here over plain CoAP counts as authenticated for a rule with
 * accessControlAuthenticationFlag (TS-0003 §7.1.2 leaves it to the deployment). Default 0:
 * not authenticated. Inside a (D)TLS association a registered AE and a registered CSE are; an
 * AE-ID below a registree CSE never is (that would need end-to-end security of primitives). */
void registrar_plain_ae_authenticated(registrar *r, int on);

/* 1 when a remoteCSE is registered here for that CSE-ID (compared SP-relative). */
int registrar_has_remote_cse(const registrar *r, const char *cse_id);

/* The access-controlled resources below the CSEBase, for presets (cse/hosted.h). */
struct hosted *registrar_hosted(registrar *r);

/* Identifier classes (TS-0001 §7.2): "/cse1" and "//sp/cse1" are CSE-IDs; "/cse1/Cae",
 * "Cae", "Sae" and "//sp/cse1/Sae" are AE-IDs. */
int m2m_id_is_cse(const char *id);
int m2m_id_is_ae(const char *id);

#endif
