/* The access decision of TS-0003 §7.1 (oneM2M ACP): policies (<accessControlPolicy>, ty=1)
 * with privileges (pv) and selfPrivileges (pvs), rules (m2m:accessControlRule, TS-0004
 * §6.3.5.27) and the permit-overrides combination of TS-0003 §7.1.4-7.1.5.
 *
 * Pure logic, no I/O and no timeline: a Hosting CSE (the registrar today, a reference IN-CSE
 * for the field role later) keeps an acp_store, describes the resource a request reaches
 * with an acp_resource chain and the request with an acp_request, and gets an acp_decision
 * that names what decided, for its own evidence (timeline events, response codes). */
#ifndef M2M_ACP_H
#define M2M_ACP_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* accessControlOperations bits (TS-0004 Table 6.3.4.2.29-1). */
enum {
    ACOP_CREATE = 1, ACOP_RETRIEVE = 2, ACOP_UPDATE = 4, ACOP_DELETE = 8,
    ACOP_NOTIFY = 16, ACOP_DISCOVERY = 32, ACOP_ALL = 63
};

/* One m2m:accessControlRule. Empty lists mean "no restriction" for contexts and object
 * details; an empty acor matches nobody. */
typedef struct acp_rule {
    char **acor; size_t nacor;   /* originators: IDs, "all", '*' wildcards within one '/' segment */
    unsigned acop;               /* ACOP_* bits */
    int acaf;                    /* applies only to authenticated originators */
    char **actw; size_t nactw;   /* time windows, m2m:scheduleEntry "sec min hour dom month dow year", UTC */
    char **acip; size_t nacip;   /* IPv4/IPv6 addresses or CIDR blocks */
    int *acod_ty; size_t nacod;  /* object details: child types allowed on CREATE */
} acp_rule;

typedef struct acp_policy {
    char *id;                    /* resource ID the acpi attributes name */
    acp_rule *pv; size_t npv;    /* privileges: access to resources linking this policy */
    acp_rule *pvs; size_t npvs;  /* selfPrivileges: access to this policy itself */
} acp_policy;

/* Deliberate deviations from TS-0003 §7.1 for the fault switches of a reference peer
 * (tools/ref-in-cse, one per rule the field suite checks). Only that peer sets them; 0, the
 * harness's own and only setting, is the correct behaviour. The hosted.c ones act there. */
enum {
    ACP_FAULT_SKIP = 1 << 0,            /* skip-acp: no decision at all, everything permitted */
    ACP_FAULT_DENY_OVERRIDES = 1 << 1,  /* every linked policy must permit, not any one */
    ACP_FAULT_IGNORE_PVS = 1 << 2,      /* a request on a policy judged by its pv, not its pvs */
    ACP_FAULT_SWAP_UD = 1 << 3,         /* UPDATE checked against bit 8, DELETE against bit 4 */
    ACP_FAULT_NO_WILDCARDS = 1 << 4,    /* acor compared as literal IDs: no "all", no '*' */
    ACP_FAULT_OPEN_DEFAULT = 1 << 5,    /* no acpi: full access for anyone, not the creator only */
    ACP_FAULT_CIN_OWN = 1 << 6,         /* a contentInstance judged alone (creator-only), not by its parent */
    ACP_FAULT_NO_ACTW = 1 << 7,         /* time windows ignored */
    ACP_FAULT_NO_ACIP = 1 << 8,         /* IP address contexts ignored */
    ACP_FAULT_NO_ACAF = 1 << 9,         /* the authentication flag ignored */
    ACP_FAULT_ACPI_UNCHECKED = 1 << 10, /* hosted.c: an acpi UPDATE judged by pv like any other */
    ACP_FAULT_ACPI_MIXED = 1 << 11,     /* hosted.c: acpi may share its UPDATE with other attributes */
    ACP_FAULT_PVS_OPTIONAL = 1 << 12,   /* hosted.c: a policy CREATE without pv or with empty pvs taken */
    ACP_FAULT_DENY_4000 = 1 << 13,      /* hosted.c: a denial answered 4000 instead of 4103 */
    ACP_FAULT_WILDCARD_SPAN = 1 << 14,  /* '*' in acor also matches across '/' */
    ACP_FAULT_LOOSE_SCHEDULE = 1 << 15, /* hosted.c: a time window of 6 fields (no year) taken at CREATE */
};

typedef struct acp_store {
    acp_policy **p; size_t n, cap;
    unsigned faults;             /* ACP_FAULT_* bits; 0 = correct */
} acp_store;

/* The resource a request addresses, as far as the decision needs it. A type without an
 * acpi attribute (contentInstance) is judged by its parent's, and a resource whose acpi is
 * empty gives full access to its creator only (TS-0001 §9.6.1.3.2). For CREATE, pass the
 * parent the child is created under. parent is NULL at the top. */
typedef struct acp_resource {
    int ty;                      /* resource type, 1 = accessControlPolicy */
    const char *id;              /* resource ID; for ty 1 the policy's id in the store */
    const char *creator;         /* originator that created it */
    const char *const *acpi; size_t nacpi;
    const struct acp_resource *parent;
} acp_resource;

typedef struct acp_request {
    const char *originator;      /* the authenticated identity matching From */
    unsigned op;                 /* exactly one ACOP_* bit */
    int authenticated;           /* rq_authn: inside an authenticating (D)TLS association */
    const char *ip;              /* originator's address without port; NULL if unknown */
    time_t when;                 /* request time (UTC); 0 = now */
    int child_ty;                /* CREATE: type of the resource to create; 0 otherwise */
} acp_request;

typedef enum { ACP_BY_RULE, ACP_BY_CREATOR, ACP_BY_NO_RULE, ACP_BY_FAULT } acp_by;

typedef struct acp_decision {
    bool permit;
    acp_by by;
    char policy[96];             /* ACP_BY_RULE: deciding policy id */
    int self;                    /* ACP_BY_RULE: rule from pvs (1) or pv (0) */
    int rule;                    /* ACP_BY_RULE: index in that list */
    char unresolved[96];         /* first acpi entry with no policy in the store, "" if none */
} acp_decision;

/* Building policies (strings are copied). */
acp_policy *acp_policy_new(const char *id);
void acp_policy_free(acp_policy *p);
acp_rule *acp_policy_add_rule(acp_policy *p, int self, unsigned acop, int acaf);
void acp_rule_add_originator(acp_rule *r, const char *id);
void acp_rule_add_window(acp_rule *r, const char *crontab);
void acp_rule_add_ip(acp_rule *r, const char *addr_or_cidr);
void acp_rule_add_type(acp_rule *r, int ty);

void acp_store_init(acp_store *s);
void acp_store_clear(acp_store *s);
/* Takes ownership; a policy with the same id is replaced. */
void acp_store_put(acp_store *s, acp_policy *p);
const acp_policy *acp_store_find(const acp_store *s, const char *id);
int acp_store_remove(acp_store *s, const char *id);

/* The decision for req on res. Never fails: what cannot be decided counts as deny. */
acp_decision acp_decide(const acp_store *s, const acp_resource *res, const acp_request *req);
/* "acp1 pv[0]", "acp1 pvs[2]", "creator-only default" or "no matching rule". */
const char *acp_decision_describe(const acp_decision *d, char *buf, size_t n);

/* Single rule checks, exposed for tests and for evidence texts. */
int acp_originator_matches(const char *pattern, const char *originator);
/* An accessControlWindow entry (m2m:scheduleEntry, TS-0004 §7.4.9.1, Table 7.4.9.1-4): 7
 * fields second minute hour day-of-month month day-of-week year, matched in UTC.
 * 1 match, 0 no match, -1 malformed (not 7 fields, a value out of range): undecidable. */
int acp_window_matches(const char *crontab, time_t when);
/* 0 when entry is a well-formed schedule entry, else -1 with the reason in err. loose = 1
 * (the fault lenient-schedule only) also takes 6 fields, the year left out. */
int acp_window_valid(const char *entry, int loose, char *err, size_t errlen);
/* 1 match, 0 no match, -1 malformed block or address (undecidable). */
int acp_ip_matches(const char *cidr, const char *ip);
/* The ACOP bit for a oneM2M operation (1 Create .. 5 Notify); discovery: a RETRIEVE with
 * filterUsage. 0 for unknown operations. */
unsigned acp_op_bit(int op, int discovery);
const char *acp_op_name(unsigned bit);

#endif
