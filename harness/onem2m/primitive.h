/* oneM2M request and response primitives (TS-0004 §7.2.1) and their CoAP binding
 * (TS-0008 §6.2): operations to methods, `to` to Uri-Path, parameters to options,
 * RSC to CoAP response codes (Table 6.2.4-1). */
#ifndef M2M_PRIMITIVE_H
#define M2M_PRIMITIVE_H
#include <stddef.h>
#include <stdint.h>
#include "../net/coap.h"
#include "options.h"

enum { M2M_OP_NONE = 0, M2M_OP_CREATE = 1, M2M_OP_RETRIEVE = 2, M2M_OP_UPDATE = 3,
       M2M_OP_DELETE = 4, M2M_OP_NOTIFY = 5 };

typedef struct m2m_prim {
    int is_response;
    int op;              /* requests */
    char *to;            /* requests: "/in-cse/in-name", "in-name", "//sp/in-cse/x" */
    char *fr;
    char *rqi;
    char *rvi;
    int ty;              /* 0 = absent */
    char *ot;
    int rsc;             /* responses; 0 = absent */
    int cf;              /* Content-Format, -1 = absent */
    int accept;          /* Accept (RFC 7252 §5.10.4), -1 = absent */
    char *pc;            /* content (payload text), NULL = none */
    size_t pclen;
    char *location;      /* responses: Location-Path joined with '/', NULL = none */
    unsigned unrecognized; /* the first option a receiver treats like an unrecognized
                            * critical one, 0 = none: a oneM2M option whose length is outside
                            * its range (TS-0008 Table 6.2.2.4.0-1; RFC 7252 §5.4.3), a second
                            * Accept or oneM2M option (none is repeatable; RFC 7252 §5.4.5) */
} m2m_prim;

void m2m_prim_init(m2m_prim *p);
void m2m_prim_free(m2m_prim *p);

const char *m2m_op_name(int op);           /* "create", ... ; "none" */
int m2m_op_parse(const char *name);        /* name or number; -1 if unknown */

/* RSC -> CoAP response code per TS-0008 Table 6.2.4-1. 4128 (absent from the table) maps
 * to 4.03 like the other 41xx authorization failures. Unknown: 5.00 for 5xxx/6xxx, 4.00 else. */
uint8_t m2m_rsc_to_coap(int rsc);
const char *m2m_rsc_name(int rsc);         /* "CREATED", ... ; "UNKNOWN" */
/* As m2m_rsc_to_coap, with the rows that depend on the operation: 2000 answers a NOTIFY
 * with 2.04 and anything else with 2.05. */
uint8_t m2m_rsc_to_coap_op(int rsc, int op);

/* Decodes a CoAP message into a primitive: request if code class 0, response otherwise.
 * A request POST with TY is CREATE, without TY NOTIFY (Table 6.2.1-1).
 * Defects (missing mandatory parameters, bad option values, unknown critical options in
 * the oneM2M range) are appended as lines to problems (may be NULL). Returns 0, or -1 if
 * the message cannot be a primitive at all (empty message, unknown method). */
int m2m_from_coap(const cm_msg *m, const m2m_optmap *map, m2m_prim *out,
                  char *problems, size_t plen);
/* The first critical (odd) option of m that is neither a registered CoAP option nor one the
 * map gives a oneM2M meaning, or 0: a CON carrying one is answered 4.02 Bad Option, a NON
 * rejected (RFC 7252 §5.4.1). */
unsigned m2m_unknown_critical(const cm_msg *m, const m2m_optmap *map);
/* Encodes a request primitive into m (code, Uri-Path, options, Content-Format, payload).
 * type/mid/token are left to the caller. Returns 0, -1 on an unmappable primitive. */
int m2m_request_to_coap(const m2m_prim *p, const m2m_optmap *map, cm_msg *m);
/* Encodes a response primitive (code from RSC, RSC/RQI/RVI options, Location-Path).
 * p->op, when set to the request's operation, picks 2.04 for a 2000 NOTIFY response. */
int m2m_response_to_coap(const m2m_prim *p, const m2m_optmap *map, cm_msg *m);

/* `to` <-> Uri-Path segments (TS-0008 §6.2.2.3): "/CSE/x" -> "~","CSE","x";
 * "//sp/CSE/x" -> "_","sp","CSE","x"; "x/y" -> "x","y". */
int m2m_to_uri_path(const char *to, char ***segs, size_t *nsegs);
char *m2m_uri_path_to_to(char *const *segs, size_t nsegs);
/* Frees what m2m_to_uri_path returned. */
void m2m_uri_path_free(char **segs, size_t nsegs);

/* 1 when s (n bytes) is an m2m:timestamp: yyyyMMddTHHmmss with an optional ",f" fraction of 1
 * to 6 digits. */
int m2m_timestamp_ok(const char *s, size_t n);

/* Value of a field of a primitive by name for matching and capture:
 * op, ty, fr, to, rqi, rvi, rsc, ot, cf, accept, and "pc:<path>" into the JSON content
 * (XML content, 10014, is read in its JSON form: primitive_xml.h)
 * (path segments split by '/', e.g. "pc:m2m:csr/csi"). Returns a new string or NULL. */
char *m2m_prim_field(const m2m_prim *p, const char *field);

#endif
