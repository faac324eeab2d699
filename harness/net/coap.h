/* The CoAP message codec (RFC 7252 §3), the harness's own: its encoder can also write
 * what a normal stack refuses to, and its tolerant decoder is the primary one. It keeps
 * going where RFC 7252 §5.4 lets a receiver go on, and records every defect it meets
 * (offset and reason), so a malformed message becomes evidence, not a dropped datagram.
 * Prefix cm_ (CoAP message) keeps clear of libcoap's coap_ symbols. */
#ifndef M2M_COAP_H
#define M2M_COAP_H
#include <stddef.h>
#include <stdint.h>

enum { CM_CON = 0, CM_NON = 1, CM_ACK = 2, CM_RST = 3 };

#define CM_CODE(c, d) ((uint8_t)(((c) << 5) | (d)))
enum {
    CM_EMPTY = 0x00,
    CM_GET = 0x01, CM_POST = 0x02, CM_PUT = 0x03, CM_DELETE = 0x04,
};
/* Well-known option numbers used by the binding (RFC 7252 §5.10). */
enum {
    CM_OPT_URI_HOST = 3, CM_OPT_URI_PORT = 7, CM_OPT_LOCATION_PATH = 8, CM_OPT_URI_PATH = 11,
    CM_OPT_CONTENT_FORMAT = 12, CM_OPT_MAX_AGE = 14, CM_OPT_URI_QUERY = 15, CM_OPT_ACCEPT = 17,
};

typedef struct cm_option {
    uint16_t num;
    uint16_t len;
    uint8_t *val;        /* owned copy, may be NULL when len == 0 */
} cm_option;

typedef struct cm_msg {
    uint8_t ver;         /* 1 */
    uint8_t type;        /* CM_CON .. CM_RST */
    uint8_t tkl;         /* 0..8 */
    uint8_t code;        /* class << 5 | detail */
    uint16_t mid;
    uint8_t token[8];
    cm_option *opts;     /* in wire order (ascending numbers for a well-formed message) */
    size_t nopts;
    uint8_t *payload;    /* owned, NULL when plen == 0 */
    size_t plen;
} cm_msg;

#define CM_MAX_DEFECTS 16
typedef struct cm_defect { size_t offset; char reason[120]; } cm_defect;
typedef struct cm_defects {
    int fatal;           /* message format error: RFC 7252 says reject (RST a CON, ignore a NON) */
    size_t n;
    cm_defect d[CM_MAX_DEFECTS];
    size_t omitted;      /* defects met after the list was full (a fatal one is always kept) */
} cm_defects;

void cm_msg_init(cm_msg *m);
void cm_msg_free(cm_msg *m);
/* Appends an option keeping ascending order (stable for equal numbers). */
void cm_msg_add_opt(cm_msg *m, uint16_t num, const void *val, size_t len);
/* Unsigned integer option in the shortest form (RFC 7252 §3.2: 0 is zero bytes). */
void cm_msg_add_uint_opt(cm_msg *m, uint16_t num, uint32_t v);
void cm_msg_set_payload(cm_msg *m, const void *p, size_t n);
/* i-th occurrence of num, or NULL. */
const cm_option *cm_msg_find_opt(const cm_msg *m, uint16_t num, size_t i);
/* Big-endian value; a value longer than 4 bytes (a defect) gives UINT32_MAX. */
uint32_t cm_opt_uint(const cm_option *o);

/* Name of a registered option ("Uri-Path"), NULL when the codec does not know it. */
const char *cm_opt_name(uint16_t num);
/* 0 when num is a registered option and len is outside its RFC range (RFC 7252 §5.10,
 * RFC 7641, 7959, 7967, 8613, 8768, 9175), 1 otherwise. */
int cm_opt_length_ok(uint16_t num, size_t len);
/* "GET", "POST", ... for codes 0.00..0.07 ("EMPTY" for 0.00), NULL otherwise. */
const char *cm_method_name(uint8_t code);

/* Tolerant decode. Returns 0 when the message is usable (possibly with non-fatal defects),
 * -1 on a fatal format error (d->fatal set; header fields up to the error are filled).
 * out is overwritten; after -1 it holds no memory (cm_msg_free is still safe). */
int cm_decode(const uint8_t *buf, size_t len, cm_msg *out, cm_defects *d);
/* Encodes; options are written in the order given (callers that want a well-formed message
 * keep them ascending, which cm_msg_add_opt does). Returns the length, or 0 if cap is short. */
size_t cm_encode(const cm_msg *m, uint8_t *buf, size_t cap);

/* "2.01", "0.02" */
void cm_code_str(uint8_t code, char buf[8]);
/* Parses "2.01" into a code; -1 on bad input. Also takes the method names of
 * cm_method_name, case-insensitively ("post" -> 0.02). */
int cm_code_parse(const char *s);
const char *cm_type_name(uint8_t type);   /* "CON", ... */
int cm_type_parse(const char *s);          /* "CON", ... case-insensitively -> CM_CON ...; -1 */
/* One-line description for transcripts: "CON POST mid=0x1234 tok=ab12 opts=11,12,267 plen=40". */
void cm_msg_describe(const cm_msg *m, char *buf, size_t len);

#endif
