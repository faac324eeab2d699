/* RFC 7252 §3 message codec. The decoder runs on bytes from untrusted peers: every read
 * is checked against the datagram length before it happens, and every count it keeps is
 * bounded by that length. */
#include "coap.h"
#include "../util/xmem.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- message building ---------------------------------------------------------------- */

void cm_msg_init(cm_msg *m)
{
    memset(m, 0, sizeof *m);
    m->ver = 1;
}

void cm_msg_free(cm_msg *m)
{
    for (size_t i = 0; i < m->nopts; i++)
        free(m->opts[i].val);
    free(m->opts);
    free(m->payload);
    cm_msg_init(m);
}

void cm_msg_add_opt(cm_msg *m, uint16_t num, const void *val, size_t len)
{
    if (len > UINT16_MAX) len = UINT16_MAX;   /* the wire cannot carry more */
    size_t at = m->nopts;
    while (at > 0 && m->opts[at - 1].num > num)
        at--;
    m->opts = xrealloc(m->opts, (m->nopts + 1) * sizeof *m->opts);
    memmove(&m->opts[at + 1], &m->opts[at], (m->nopts - at) * sizeof *m->opts);
    cm_option *o = &m->opts[at];
    o->num = num;
    o->len = (uint16_t)len;
    o->val = NULL;
    if (len > 0) {
        o->val = xmalloc(len);
        memcpy(o->val, val, len);
    }
    m->nopts++;
}

void cm_msg_add_uint_opt(cm_msg *m, uint16_t num, uint32_t v)
{
    uint8_t be[4];
    size_t n = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(v >> shift);
        if (n > 0 || byte != 0) be[n++] = byte;
    }
    cm_msg_add_opt(m, num, be, n);
}

void cm_msg_set_payload(cm_msg *m, const void *p, size_t n)
{
    free(m->payload);
    m->payload = NULL;
    m->plen = 0;
    if (n > 0) {
        m->payload = xmalloc(n);
        memcpy(m->payload, p, n);
        m->plen = n;
    }
}

const cm_option *cm_msg_find_opt(const cm_msg *m, uint16_t num, size_t i)
{
    for (size_t k = 0; k < m->nopts; k++)
        if (m->opts[k].num == num && i-- == 0)
            return &m->opts[k];
    return NULL;
}

uint32_t cm_opt_uint(const cm_option *o)
{
    if (!o) return 0;
    if (o->len > 4) return UINT32_MAX;
    uint32_t v = 0;
    for (size_t i = 0; i < o->len; i++)
        v = (v << 8) | o->val[i];
    return v;
}

/* ---- option registry (RFC 7252 §5.10 and the RFCs that added options) ------------------ */

typedef struct known_opt {
    uint16_t num;
    const char *name;
    uint8_t is_uint;
    uint8_t repeatable;
    uint16_t min, max;  /* value length range; outside it §5.4.3 says "unrecognized" */
} known_opt;

#define COAP_KIND_UINT 1
#define COAP_KIND_OPAQUE 0
#define COAP_REP_REPEATABLE 1
#define COAP_REP_ONCE 0
#define COAP_OPTION(num, name, kind, rep, min, max) {num, name, COAP_KIND_##kind, COAP_REP_##rep, min, max},
static const known_opt known_opts[] = {
#include "coap_options.def"
};
#undef COAP_OPTION

static const known_opt *find_known(uint32_t num)
{
    for (size_t i = 0; i < sizeof known_opts / sizeof known_opts[0]; i++)
        if (known_opts[i].num == num) return &known_opts[i];
    return NULL;
}

const char *cm_opt_name(uint16_t num)
{
    const known_opt *k = find_known(num);
    return k ? k->name : NULL;
}

int cm_opt_length_ok(uint16_t num, size_t len)
{
    const known_opt *k = find_known(num);
    return !k || (len >= k->min && len <= k->max);
}

/* ---- tolerant decoder ----------------------------------------------------------------- */

/* Records a defect in the next free entry; the caller has made room. */
static void put_defect(cm_defects *d, size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void put_defect(cm_defects *d, size_t off, const char *fmt, va_list ap)
{
    cm_defect *e = &d->d[d->n++];
    e->offset = off;
    vsnprintf(e->reason, sizeof e->reason, fmt, ap);
}

static void add_defect(cm_defects *d, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_defect(cm_defects *d, size_t off, const char *fmt, ...)
{
    if (d->n == CM_MAX_DEFECTS) {
        d->omitted++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    put_defect(d, off, fmt, ap);
    va_end(ap);
}

/* A fatal error always gets recorded: it replaces the last entry when the list is full. */
static int fail(cm_defects *d, cm_msg *out, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(cm_defects *d, cm_msg *out, size_t off, const char *fmt, ...)
{
    if (d->n == CM_MAX_DEFECTS) {
        d->n--;
        d->omitted++;
    }
    va_list ap;
    va_start(ap, fmt);
    put_defect(d, off, fmt, ap);
    va_end(ap);
    d->fatal = 1;
    /* Keep the header, drop what was allocated, so a failed decode holds no memory. */
    cm_msg hdr = *out;
    for (size_t i = 0; i < out->nopts; i++)
        free(out->opts[i].val);
    free(out->opts);
    free(out->payload);
    hdr.opts = NULL;
    hdr.nopts = 0;
    hdr.payload = NULL;
    hdr.plen = 0;
    *out = hdr;
    return -1;
}

/* Reads the extended part of a delta or length nibble (13: one byte +13, 14: two bytes
 * +269). Returns -1 when the bytes run past the end. */
static int read_ext(const uint8_t *buf, size_t len, size_t *pos, unsigned nib, uint32_t *v)
{
    if (nib < 13) {
        *v = nib;
    } else if (nib == 13) {
        if (len - *pos < 1) return -1;
        *v = 13u + buf[*pos];
        *pos += 1;
    } else {
        if (len - *pos < 2) return -1;
        *v = 269u + ((uint32_t)buf[*pos] << 8 | buf[*pos + 1]);
        *pos += 2;
    }
    return 0;
}

static void check_option(const cm_msg *out, const cm_option *o, size_t off, cm_defects *d)
{
    const known_opt *k = find_known(o->num);
    if (!k) return;
    if (!k->repeatable && cm_msg_find_opt(out, o->num, 0) != o)
        add_defect(d, off, "repeated non-repeatable option %s (%u) at offset %zu",
                   k->name, k->num, off);
    if (k->is_uint && o->len > 4)
        add_defect(d, off, "uint option %s (%u) at offset %zu has %u bytes, more than 4",
                   k->name, k->num, off, o->len);
    else if (o->len < k->min || o->len > k->max)
        add_defect(d, off, "option %s (%u) at offset %zu has length %u outside %u..%u",
                   k->name, k->num, off, o->len, k->min, k->max);
}

/* RFC 7252 §4.2/§4.3 (Table 1): which type may carry which kind of code. */
static void check_type_code(const cm_msg *m, cm_defects *d)
{
    unsigned cls = m->code >> 5;
    if (cls == 1 || cls == 6 || cls == 7)
        add_defect(d, 1, "reserved code class %u (%u.%02u) at offset 1", cls, cls, m->code & 31);
    else if (cls == 3)  /* §3: "all other class values are reserved"; §4.2 names only 1, 6, 7 */
        add_defect(d, 1, "unassigned code class 3 (3.%02u) at offset 1", m->code & 31);
    if (m->code == CM_EMPTY) {
        if (m->type == CM_NON)
            add_defect(d, 0, "NON message with code 0.00: a NON must not be empty "
                       "(RFC 7252 §4.3)");
    } else if (m->type == CM_RST) {
        add_defect(d, 0, "RST message with code %u.%02u: a Reset must be empty (RFC 7252 §4.2)",
                   cls, m->code & 31);
    } else if (m->type == CM_ACK && cls == 0) {
        add_defect(d, 0, "ACK carrying a request code 0.%02u (RFC 7252 §4.2)", m->code & 31);
    }
}

int cm_decode(const uint8_t *buf, size_t len, cm_msg *out, cm_defects *d)
{
    memset(d, 0, sizeof *d);
    cm_msg_init(out);
    if (len < 4)
        return fail(d, out, 0, "message of %zu bytes is shorter than the 4-byte header", len);
    out->ver = buf[0] >> 6;
    out->type = (buf[0] >> 4) & 3;
    out->tkl = buf[0] & 15;
    out->code = buf[1];
    out->mid = (uint16_t)(buf[2] << 8 | buf[3]);
    if (out->ver != 1)
        return fail(d, out, 0, "version %u at offset 0, expected 1", out->ver);
    if (out->tkl > 8)
        return fail(d, out, 0, "token length %u at offset 0 is reserved (9..15)", out->tkl);
    if (len - 4 < out->tkl)
        return fail(d, out, 4, "token of %u bytes at offset 4 runs past the end (%zu bytes left)",
                    out->tkl, len - 4);
    memcpy(out->token, buf + 4, out->tkl);
    if (out->code == CM_EMPTY && (out->tkl > 0 || len > 4))
        return fail(d, out, 4, "empty message (0.00) with %s (RFC 7252 §4.1)",
                    out->tkl > 0 ? "a token" : "bytes after the header");

    size_t pos = 4u + out->tkl, cap = 0;
    uint32_t num = 0;
    while (pos < len) {
        size_t at = pos;
        uint8_t b = buf[pos++];
        if (b == 0xFF) {
            if (pos == len)
                return fail(d, out, at, "payload marker at offset %zu followed by no payload "
                            "(RFC 7252 §3)", at);
            cm_msg_set_payload(out, buf + pos, len - pos);
            break;
        }
        unsigned dnib = b >> 4, lnib = b & 15;
        if (dnib == 15)
            return fail(d, out, at, "option delta nibble 15 at offset %zu without payload marker",
                        at);
        if (lnib == 15)
            return fail(d, out, at, "option length nibble 15 at offset %zu is reserved", at);
        uint32_t delta, olen;
        if (read_ext(buf, len, &pos, dnib, &delta) < 0)
            return fail(d, out, pos, "extended option delta of option at offset %zu runs past "
                        "the end", at);
        if (read_ext(buf, len, &pos, lnib, &olen) < 0)
            return fail(d, out, pos, "extended option length of option at offset %zu runs past "
                        "the end", at);
        if (len - pos < olen)
            return fail(d, out, at, "option value of %u bytes at offset %zu runs past the end "
                        "(%zu bytes left)", olen, pos, len - pos);
        if (olen > UINT16_MAX)  /* only a >64 KiB buffer can get here; UDP cannot carry it */
            return fail(d, out, at, "option length %u at offset %zu exceeds 65535", olen, at);
        num += delta;
        if (num > UINT16_MAX)
            return fail(d, out, at, "option number %u at offset %zu exceeds 65535 after delta "
                        "accumulation", num, at);
        xgrow((void **)&out->opts, &cap, out->nopts + 1, sizeof *out->opts);
        cm_option *o = &out->opts[out->nopts++];
        o->num = (uint16_t)num;
        o->len = (uint16_t)olen;
        o->val = NULL;
        if (olen > 0) {
            o->val = xmalloc(olen);
            memcpy(o->val, buf + pos, olen);
        }
        pos += olen;
        check_option(out, o, at, d);
    }
    check_type_code(out, d);
    return 0;
}

/* ---- encoder -------------------------------------------------------------------------- */

static unsigned ext_form(uint32_t v, uint8_t ext[2], size_t *extlen)
{
    if (v < 13) {
        *extlen = 0;
        return v;
    }
    if (v < 269) {
        ext[0] = (uint8_t)(v - 13);
        *extlen = 1;
        return 13;
    }
    v -= 269;
    ext[0] = (uint8_t)(v >> 8);
    ext[1] = (uint8_t)v;
    *extlen = 2;
    return 14;
}

static int put(uint8_t *buf, size_t cap, size_t *pos, const void *src, size_t n)
{
    if (cap - *pos < n) return -1;
    if (n) memcpy(buf + *pos, src, n);
    *pos += n;
    return 0;
}

/* Writes ver (0 is taken as 1 so that a zeroed cm_msg encodes; 2 and 3 produce a deliberate
 * version error), the TKL nibble (9..15 give a deliberate format error: no token bytes are
 * written then), options in the order given and the payload marker only when plen > 0.
 * Returns 0 when cap is short or the encoding is impossible: an option number lower than
 * the one before it would need a negative delta, tkl > 15 does not fit the nibble, and an
 * option with a length but no value has nothing to write. */
size_t cm_encode(const cm_msg *m, uint8_t *buf, size_t cap)
{
    if (m->tkl > 15) return 0;
    uint8_t ver = m->ver ? m->ver : 1;
    uint8_t hdr[4] = {
        (uint8_t)((ver & 3) << 6 | (m->type & 3) << 4 | m->tkl),
        m->code, (uint8_t)(m->mid >> 8), (uint8_t)m->mid,
    };
    size_t pos = 0;
    if (put(buf, cap, &pos, hdr, 4) < 0) return 0;
    if (m->tkl <= 8 && put(buf, cap, &pos, m->token, m->tkl) < 0) return 0;
    uint16_t prev = 0;
    for (size_t i = 0; i < m->nopts; i++) {
        const cm_option *o = &m->opts[i];
        if (o->num < prev || (o->len && !o->val)) return 0;
        uint8_t dext[2], lext[2];
        size_t dn, ln;
        unsigned dnib = ext_form(o->num - prev, dext, &dn);
        unsigned lnib = ext_form(o->len, lext, &ln);
        uint8_t first = (uint8_t)(dnib << 4 | lnib);
        if (put(buf, cap, &pos, &first, 1) < 0 || put(buf, cap, &pos, dext, dn) < 0 ||
            put(buf, cap, &pos, lext, ln) < 0 || put(buf, cap, &pos, o->val, o->len) < 0)
            return 0;
        prev = o->num;
    }
    if (m->plen > 0) {
        uint8_t marker = 0xFF;
        if (put(buf, cap, &pos, &marker, 1) < 0 || put(buf, cap, &pos, m->payload, m->plen) < 0)
            return 0;
    }
    return pos;
}

/* ---- names ---------------------------------------------------------------------------- */

static const char *const method_names[] = {
    "EMPTY", "GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH",  /* RFC 8132 */
};

const char *cm_method_name(uint8_t code)
{
    return code < sizeof method_names / sizeof method_names[0] ? method_names[code] : NULL;
}

void cm_code_str(uint8_t code, char buf[8])
{
    snprintf(buf, 8, "%u.%02u", (unsigned)(code >> 5), (unsigned)(code & 31));
}

int cm_code_parse(const char *s)
{
    if (!s) return -1;
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (strcasecmp(s, method_names[i]) == 0) return (int)i;
    if (strlen(s) != 4 || !isdigit((unsigned char)s[0]) || s[1] != '.' ||
        !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]))
        return -1;
    int cls = s[0] - '0', detail = (s[2] - '0') * 10 + (s[3] - '0');
    if (cls > 7 || detail > 31) return -1;
    return CM_CODE(cls, detail);
}

static const char *const type_names[] = {"CON", "NON", "ACK", "RST"};

const char *cm_type_name(uint8_t type)
{
    return type < 4 ? type_names[type] : "?";
}

int cm_type_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcasecmp(s, type_names[i]) == 0) return i;
    return -1;
}

/* Appends to a fixed buffer, truncating silently: a description is for humans. */
static void add_to(char *buf, size_t len, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_to(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
    if (*pos >= len) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (n > 0) *pos += (size_t)n;
}

void cm_msg_describe(const cm_msg *m, char *buf, size_t len)
{
    if (!buf || len == 0) return;
    buf[0] = '\0';
    size_t pos = 0;
    char code[8];
    const char *method = (m->code >> 5) == 0 ? cm_method_name(m->code) : NULL;
    if (!method) cm_code_str(m->code, code);
    add_to(buf, len, &pos, "%s %s mid=0x%04x", cm_type_name(m->type), method ? method : code,
           m->mid);
    if (m->tkl > 0) {
        add_to(buf, len, &pos, " tok=");
        for (size_t i = 0; i < m->tkl && i < 8; i++)
            add_to(buf, len, &pos, "%02x", m->token[i]);
    }
    for (size_t i = 0; i < m->nopts; i++)
        add_to(buf, len, &pos, "%s%u", i == 0 ? " opts=" : ",", m->opts[i].num);
    if (m->plen > 0)
        add_to(buf, len, &pos, " plen=%zu", m->plen);
}
