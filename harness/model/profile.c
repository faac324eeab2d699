/* The IUT profile loader (fixtures/schema/profile.xsd documents the format). After the
 * schema, it refuses what would make a run meaningless: an address that is not a literal,
 * a key that does not decode, a role the IUT's kind contradicts, ambiguous triggers or
 * option numbers. The PSK key is secret: no message ever quotes it, and any message that
 * happens to contain it (libxml2 quoting input) is redacted. */
#include "../onem2m/release.h"
#include "profile_int.h"
#include "profile_redact.h"
#include "profile_extends.h"
#include "defaults.h"
#include "vars.h"
#include "../util/timeutil.h"
#include "pics.h"
#include "../util/xmem.h"
#include "../util/nearest.h"
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

void profile_verr(pctx *c, const xml_origin *src, int line, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    xml_diag(c->d, c->file, line, src, line, "%s", msg);
    free(msg);
    c->errors++;
}

static void perr(pctx *c, const xmlNode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void perr(pctx *c, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    profile_verr(c, xml_origin_of(n), xml_line(n), fmt, ap);
    va_end(ap);
}

static void set_str(char **dst, char *v)
{
    free(*dst);
    *dst = v;
}

/* An integer attribute in [min, max]; absent leaves *out alone. */
static void int_attr(pctx *c, const xmlNode *n, const char *attr, int min, int max, int *out)
{
    char *v = xml_attr(n, attr);
    if (!v) return;
    char *end = NULL;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x < min || x > max)
        perr(c, n, "<%s %s=\"%s\">: expected a number from %d to %d", (const char *)n->name, attr,
             v, min, max);
    else
        *out = (int)x;
    free(v);
}

static void dur_attr(pctx *c, const xmlNode *n, const char *attr, int64_t *out)
{
    if (xml_attr_duration(n, attr, 1, c->file, c->d, out) < 0) c->errors++;
}

/* Returns 0 if the attribute is absent (*out untouched), 1 otherwise. */
static int address_attr(pctx *c, const xmlNode *n, char **out)
{
    char *v = xml_attr(n, "address");
    if (!v) return 0;
    unsigned char buf[16];
    if (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1) {
        perr(c, n, "<%s address=\"%s\">: not an IPv4 or IPv6 address literal", (const char *)n->name, v);
        free(v);
        return 1;
    }
    set_str(out, v);
    return 1;
}

/* <cse-id>, <ae-id>, <cse-base> below <iut> or <harness>. */
static void parse_ids(pctx *c, const xmlNode *n, char **cse_id, char **ae_id, char **cse_base)
{
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        char **dst = xml_is(ch, "cse-id") ? cse_id : xml_is(ch, "ae-id") ? ae_id
                   : xml_is(ch, "cse-base") ? cse_base : NULL;
        if (!dst) {
            perr(c, ch, "unexpected <%s> in <%s>", (const char *)ch->name, (const char *)n->name);
            continue;
        }
        char *t = xml_text(ch);
        if (!t) perr(c, ch, "<%s> is empty", (const char *)ch->name);
        set_str(dst, t);
    }
}

static void parse_iut(pctx *c, const xmlNode *n, profile *p)
{
    set_str(&p->iut_kind, xml_attr(n, "kind"));
    char *rel = xml_attr(n, "release");   /* TS-0004 release values: 1 2 2a 3 4 5 */
    if (rel && !m2m_release_parse(rel))
        perr(c, n, "<iut release=\"%s\">: expected one of 1, 2, 2a, 3, 4, 5", rel);
    else if (rel)
        p->release = m2m_release_parse(rel);
    free(rel);
    if (!address_attr(c, n, &p->iut_address)) perr(c, n, "<iut> needs address=\"IPv4 or IPv6 literal\"");
    set_str(&p->iut_host, xml_attr(n, "host"));
    set_str(&p->iut_sp_id, xml_attr(n, "sp-id"));
    int_attr(c, n, "coap-port", 0, 65535, &p->iut_coap_port);
    int_attr(c, n, "coaps-port", 0, 65535, &p->iut_coaps_port);
    parse_ids(c, n, &p->iut_cse_id, &p->iut_ae_id, &p->iut_cse_base_name);
}

static void parse_harness(pctx *c, const xmlNode *n, profile *p)
{
    address_attr(c, n, &p->harness_address);
    set_str(&p->harness_host, xml_attr(n, "host"));
    set_str(&p->harness_app_id, xml_attr(n, "app-id"));
    set_str(&p->harness_denied_app_id, xml_attr(n, "denied-app-id"));
    if (p->harness_app_id && p->harness_denied_app_id && !strcmp(p->harness_app_id, p->harness_denied_app_id))
        perr(c, n, "<harness> app-id and denied-app-id are both \"%s\": one App-ID cannot be allowed and not",
             p->harness_app_id);
    int_attr(c, n, "coap-port", 0, 65535, &p->listen_coap);
    int_attr(c, n, "coaps-port", 0, 65535, &p->listen_coaps);
    parse_ids(c, n, &p->harness_cse_id, &p->harness_ae_id, &p->cse_base_name);
}

/* A path in the profile is relative to the profile's folder; made absolute and checked
 * to be readable, so a missing key file is an input error with its line, not a failed test. */
static char *profile_path(pctx *c, const xmlNode *n, const char *attr)
{
    char *v = xml_attr(n, attr);
    if (!v || !*v) { free(v); return NULL; }
    char *path;
    /* relative to the folder of the file that holds it: a base profile's is the base's */
    const xml_origin *o = xml_origin_of(n);
    const char *file = o ? o->file : c->file;
    if (v[0] == '/' || !file) {
        path = v;
    } else {
        const char *slash = strrchr(file, '/');
        path = slash ? xasprintf("%.*s/%s", (int)(slash - file), file, v) : xstrdup(v);
        free(v);
    }
    char *abs = realpath(path, NULL);
    if (!abs || access(abs, R_OK) != 0) {
        perr(c, n, "%s=\"%s\": cannot read the file", attr, path);
        free(abs);
        free(path);
        return NULL;
    }
    free(path);
    return abs;
}

static void parse_certificate(pctx *c, const xmlNode *n, profile *p)
{
    p->x509_cert = profile_path(c, n, "cert");
    p->x509_key = profile_path(c, n, "key");
    p->x509_trust = profile_path(c, n, "trust");
    set_str(&p->x509_iut_identity, xml_attr(n, "iut-identity"));
    if (p->x509_iut_identity && strncmp(p->x509_iut_identity, "dns:", 4) != 0 &&
        strncmp(p->x509_iut_identity, "uri:", 4) != 0)
        perr(c, n, "iut-identity=\"%s\": expected dns:<FQDN> (a CSE-ID's public domain name) or "
                   "uri:<absolute AE-ID> (TS-0003 §8.1.2)", p->x509_iut_identity);
    for (const xmlNode *v = xml_first_elem(n); v; v = xml_next_elem(v)) {
        p->x509_variants = xrealloc(p->x509_variants, (p->nx509_variants + 1) * sizeof *p->x509_variants);
        struct profile_cert_variant *pv = &p->x509_variants[p->nx509_variants++];
        memset(pv, 0, sizeof *pv);
        pv->name = xml_attr(v, "name");
        pv->cert = profile_path(c, v, "cert");
        pv->key = profile_path(c, v, "key");
    }
}

/* <pin id="/asn-cse-1" spki-sha256="..."/> or <pin id="..." pub="file.pub"/>: exactly one. */
static void parse_rpk_pins(pctx *c, const xmlNode *n, struct profile_rpk_pin **pins, size_t *npins)
{
    for (const xmlNode *v = xml_first_elem(n); v; v = xml_next_elem(v)) {
        if (!xml_is(v, "pin")) continue;
        *pins = xrealloc(*pins, (*npins + 1) * sizeof **pins);
        struct profile_rpk_pin *pin = &(*pins)[(*npins)++];
        pin->id = xml_attr(v, "id");
        pin->spki_sha256 = xml_attr(v, "spki-sha256");
        pin->pub = profile_path(c, v, "pub");
        if (!pin->id || !*pin->id) perr(c, v, "<pin> needs the identity it binds: id=\"/cse-id\" or an AE-ID");
        char *pub = xml_attr(v, "pub");
        if (!!pin->spki_sha256 == !!pub)
            perr(c, v, "<pin> needs exactly one of spki-sha256=\"<64 hex digits>\" and pub=\"<PEM file>\"");
        free(pub);
        size_t nx = pin->spki_sha256 ? strspn(pin->spki_sha256, "0123456789abcdefABCDEF") : 0;
        if (pin->spki_sha256 && (nx != 64 || pin->spki_sha256[nx]))
            perr(c, v, "spki-sha256=\"%s\": expected the SHA-256 of the key's SubjectPublicKeyInfo, 64 hex digits",
                 pin->spki_sha256);
    }
}

/* <raw-public-key pub= key=> pins, then variants of the harness key (RFC 7250). */
static void parse_rpk(pctx *c, const xmlNode *n, profile *p)
{
    p->rpk_pub = profile_path(c, n, "pub");
    p->rpk_key = profile_path(c, n, "key");
    parse_rpk_pins(c, n, &p->rpk_pins, &p->nrpk_pins);
    if (!p->nrpk_pins) perr(c, n, "<raw-public-key> pins no IUT key: every IUT key would be refused");
    for (const xmlNode *v = xml_first_elem(n); v; v = xml_next_elem(v)) {
        if (!xml_is(v, "variant")) continue;
        p->x509_variants = xrealloc(p->x509_variants, (p->nx509_variants + 1) * sizeof *p->x509_variants);
        struct profile_cert_variant *pv = &p->x509_variants[p->nx509_variants++];
        memset(pv, 0, sizeof *pv);
        pv->name = xml_attr(v, "name");
        pv->cert = profile_path(c, v, "pub");
        pv->key = profile_path(c, v, "key");
        parse_rpk_pins(c, v, &pv->pins, &pv->npins);
    }
}

static void free_pins(struct profile_rpk_pin *pins, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pins[i].id);
        free(pins[i].spki_sha256);
        free(pins[i].pub);
    }
    free(pins);
}

const struct profile_cert_variant *profile_cert_variant(const profile *p, const char *name)
{
    for (size_t i = 0; i < p->nx509_variants; i++)
        if (p->x509_variants[i].name && strcmp(p->x509_variants[i].name, name) == 0) return &p->x509_variants[i];
    return NULL;
}

static const int known_formats[] = { M2M_CF_RES_JSON, M2M_CF_APP_JSON, M2M_CF_RES_XML, M2M_CF_APP_XML };

/* One Content-Format of <coap attr="...">, a name or its number; -1 (refused, with the
 * nearest name) for anything else. */
static int format_value(pctx *c, const xmlNode *n, const char *attr, const char *v)
{
    int cf = m2m_cf_parse(v);
    if (cf >= 0) return cf;
    nearest near;
    nearest_init(&near, v);
    for (size_t i = 0; i < sizeof known_formats / sizeof *known_formats; i++)
        nearest_offer(&near, m2m_cf_name(known_formats[i]));
    const char *b = nearest_plausible(&near);
    perr(c, n, "<coap %s=\"%s\">: expected onem2m-json (10001), json (50), onem2m-xml (10014) or xml (41)%s%s%s",
         attr, v, b ? "; did you mean " : "", b ? b : "", b ? "?" : "");
    return -1;
}

/* The media type of the same kind (oneM2M or plain) in the other serialization. */
static int other_serialization(int cf)
{
    switch (cf) {
    case M2M_CF_RES_JSON: return M2M_CF_RES_XML;
    case M2M_CF_RES_XML: return M2M_CF_RES_JSON;
    case M2M_CF_APP_JSON: return M2M_CF_APP_XML;
    default: return M2M_CF_APP_JSON;
    }
}

/* The other media type of the same serialization (10001 and 50, 10014 and 41). */
static int other_kind(int cf)
{
    switch (cf) {
    case M2M_CF_RES_JSON: return M2M_CF_APP_JSON;
    case M2M_CF_APP_JSON: return M2M_CF_RES_JSON;
    case M2M_CF_RES_XML: return M2M_CF_APP_XML;
    default: return M2M_CF_RES_XML;
    }
}

/* What the harness sends and takes, when the profile does not say (defaults.h): the oneM2M
 * media type of the serialization, the plain one under the legacy numbering; and both. */
static void format_defaults(profile *p)
{
    int xml = !strcmp(p->serialization, "xml"), legacy = !strcmp(p->option_preset, "legacy");
    p->content_format = xml ? (legacy ? M2M_LEGACY_CF_XML : M2M_DEFAULT_CF_XML)
                            : (legacy ? M2M_LEGACY_CF_JSON : M2M_DEFAULT_CF_JSON);
    p->accept_formats[0] = p->content_format;
    p->accept_formats[1] = other_kind(p->content_format);
    p->naccept_formats = 2;
}

/* <coap accept-formats="...">: each once; absent leaves the defaults. */
static void parse_accept_formats(pctx *c, const xmlNode *n, profile *p)
{
    char *v = xml_attr(n, "accept-formats");
    if (!v) return;
    p->naccept_formats = 0;
    for (const char *s = v; *s;) {
        s += strspn(s, " \t\r\n");
        size_t len = strcspn(s, " \t\r\n");
        if (!len) break;
        char *one = xstrndup(s, len);
        int f = format_value(c, n, "accept-formats", one);
        for (size_t i = 0; f >= 0 && i < p->naccept_formats; i++)
            if (p->accept_formats[i] == f) {
                perr(c, n, "<coap accept-formats=\"%s\">: %s is given twice", v, one);
                f = -1;
            }
        if (f >= 0) p->accept_formats[p->naccept_formats++] = f;   /* at most the 4 known ones */
        free(one);
        s += len;
    }
    if (!p->naccept_formats) perr(c, n, "<coap accept-formats=\"%s\">: name at least one Content-Format", v);
    free(v);
}

/* <coap content-format accept-formats>: the serialization follows from content-format; one
 * given as well must agree with it. */
static void parse_formats(pctx *c, const xmlNode *n, profile *p, int ser_given)
{
    format_defaults(p);
    char *v = xml_attr(n, "content-format");
    int cf = v ? format_value(c, n, "content-format", v) : -1;
    const char *ser = m2m_cf_is_xml(cf) ? "xml" : "json";
    if (cf >= 0 && ser_given && strcmp(ser, p->serialization) != 0)
        perr(c, n, "<coap content-format=\"%s\">: %s content, but serialization=\"%s\"; did you mean "
                   "content-format=\"%s\"?", v, m2m_cf_is_xml(cf) ? "XML" : "JSON", p->serialization,
             m2m_cf_name(other_serialization(cf)));
    else if (cf >= 0) {
        set_str(&p->serialization, xstrdup(ser));
        p->content_format = p->accept_formats[0] = cf;
        p->accept_formats[1] = other_kind(cf);
    }
    free(v);
    parse_accept_formats(c, n, p);
}

static void parse_coap(pctx *c, const xmlNode *n, profile *p)
{
    char *preset = xml_attr(n, "options");
    if (preset) {
        if (m2m_optmap_preset(preset, &p->options) < 0)
            perr(c, n, "<coap options=\"%s\">: expected iana or legacy", preset);
        set_str(&p->option_preset, preset);
    }
    char *ser = xml_attr(n, "serialization");
    if (ser && strcmp(ser, "json") != 0 && strcmp(ser, "xml") != 0)
        perr(c, n, "<coap serialization=\"%s\">: expected json or xml", ser);
    int ser_given = ser && (!strcmp(ser, "json") || !strcmp(ser, "xml"));
    if (ser_given) set_str(&p->serialization, ser);
    else free(ser);
    parse_formats(c, n, p, ser_given);
    int seen[M2M_OPT__COUNT] = { 0 };
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        if (!xml_is(ch, "option")) {
            perr(c, ch, "unexpected <%s> in <coap>", (const char *)ch->name);
            continue;
        }
        char *name = xml_attr(ch, "name");
        int o = name ? m2m_opt_by_name(name) : -1;
        if (o < 0) {
            strbuf known;
            sb_init(&known);
            for (int i = 0; i < M2M_OPT__COUNT; i++)
                sb_addf(&known, "%s%s", i ? ", " : "", m2m_opt_name((m2m_opt)i));
            perr(c, ch, "<option name=\"%s\">: unknown oneM2M option (known: %s)", name ? name : "",
                 known.s);
            sb_free(&known);
        } else if (seen[o]) {
            perr(c, ch, "<option name=\"%s\">: given twice", name);
        } else {
            seen[o] = 1;
            int num = -1;
            char *given = xml_attr(ch, "number");
            if (!given) perr(c, ch, "<option name=\"%s\"> needs number=\"0..65535\"", name);
            else int_attr(c, ch, "number", 0, 65535, &num);
            free(given);
            if (num >= 0) p->options.num[o] = (uint16_t)num;
        }
        free(name);
    }
    /* Two options on one number could not be told apart on the wire. */
    for (int i = 0; i < M2M_OPT__COUNT; i++)
        for (int j = i + 1; j < M2M_OPT__COUNT; j++)
            if (p->options.num[i] && p->options.num[i] == p->options.num[j])
                perr(c, n, "options %s and %s both use number %u", m2m_opt_name((m2m_opt)i),
                     m2m_opt_name((m2m_opt)j), p->options.num[i]);
}

static void parse_timers(pctx *c, const xmlNode *n, profile *p)
{
    dur_attr(c, n, "ack-timeout", &p->ack_timeout_ns);
    int_attr(c, n, "max-retransmit", 0, 20, &p->max_retransmit);
    dur_attr(c, n, "dtls-retransmit", &p->dtls_retrans_ns);
    dur_attr(c, n, "dtls-total", &p->dtls_total_ns);
    dur_attr(c, n, "step-timeout", &p->step_timeout_ns);
    dur_attr(c, n, "test-deadline", &p->test_deadline_ns);
}

static void add_trigger(pctx *c, const xmlNode *n, profile *p, char *name)
{
    if (profile_trigger_find(p, name)) {
        perr(c, n, "trigger '%s' is defined twice", name);
        free(name);
        return;
    }
    profile_trigger t = { .name = name, .command = xml_text(n), .prompt = xml_attr(n, "prompt"), .line = xml_line(n),
                          .src = xml_origin_of(n) };
    if (t.prompt && !*t.prompt) set_str(&t.prompt, NULL);
    if (!t.command && !t.prompt)
        perr(c, n, "trigger '%s' needs a command (the element's text) or a prompt=\"...\"", name);
    else if (t.command && t.prompt)
        perr(c, n, "trigger '%s' has both a command and a prompt: give one", name);
    dur_attr(c, n, "timeout", &t.timeout_ns);
    p->triggers = xrealloc(p->triggers, (p->ntriggers + 1) * sizeof *p->triggers);
    p->triggers[p->ntriggers++] = t;
}

static void parse_control(pctx *c, const xmlNode *n, profile *p)
{
    dur_attr(c, n, "ready-timeout", &p->ready_timeout_ns);
    char *ns = xml_attr(n, "netns");
    p->netns = ns && (!strcmp(ns, "true") || !strcmp(ns, "1"));
    free(ns);
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        if (xml_is(ch, "start")) {
            add_trigger(c, ch, p, xstrdup("start"));
        } else if (xml_is(ch, "trigger")) {
            char *name = xml_attr(ch, "name");
            if (!name || !*name) {
                perr(c, ch, "<trigger> needs name=\"...\"");
                free(name);
                continue;
            }
            add_trigger(c, ch, p, name);
        } else if (xml_is(ch, "ready")) {
            if (p->ready_command) perr(c, ch, "only one <ready> probe");
            char *t = xml_text(ch);
            if (!t) perr(c, ch, "<ready> is empty: give the probe command");
            set_str(&p->ready_command, t);
            p->ready_line = xml_line(ch);
            p->ready_src = xml_origin_of(ch);
        } else {
            perr(c, ch, "unexpected <%s> in <control>", (const char *)ch->name);
        }
    }
}

static void parse_var(pctx *c, const xmlNode *n, profile *p)
{
    char *name = xml_attr(n, "name");
    if (!name || !*name)
        perr(c, n, "<var> needs name=\"NAME\"");
    else if (vars_is_reserved(name))
        perr(c, n, "<var name=\"%s\">: the profile already sets this variable", name);
    else if (kvlist_get(&p->extra_vars, name))
        perr(c, n, "<var name=\"%s\"> is defined twice", name);
    else {
        char *v = xml_text(n);
        kvlist_add(&p->extra_vars, name, v ? v : "");
        free(v);
    }
    free(name);
}

static void parse_known_failure(pctx *c, const xmlNode *n, profile *p)
{
    char *id = xml_attr(n, "test");
    char *why = xml_text_folded(n);
    if (!id || !*id) perr(c, n, "<known-failure> needs test=\"TC_...\"");
    else if (!why) perr(c, n, "<known-failure test=\"%s\"> needs a reason as its text", id);
    else if (kvlist_get(&p->known_failures, id)) perr(c, n, "<known-failure test=\"%s\"> is listed twice", id);
    else kvlist_add(&p->known_failures, id, why);
    free(id);
    free(why);
}

/* The claimed items; one outside the PICS vocabulary (pics.h) is refused. */
static void split_pics(pctx *c, const xmlNode *n, const char *s, profile *p)
{
    while (s && *s) {
        s += strspn(s, " \t\r\n");
        size_t len = strcspn(s, " \t\r\n");
        if (!len) break;
        p->pics = xrealloc(p->pics, (p->npics + 1) * sizeof *p->pics);
        p->pics[p->npics++] = xstrndup(s, len);
        char err[256];
        if (pics_check(p->pics[p->npics - 1], err, sizeof err) < 0) perr(c, n, "<pics>: %s", err);
        s += len;
    }
}

static int is_one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0) return 1;
    return 0;
}

/* Checks between elements: the role the harness plays fixes what the IUT can be and which
 * identities must be known. */
static void cross_checks(pctx *c, const xmlNode *root, const xmlNode *iut, const xmlNode *hn, profile *p)
{
    static const char *const field_kinds[] = { "asn-cse", "mn-cse", "ae", NULL };
    static const char *const cse_kinds[] = { "asn-cse", "mn-cse", "in-cse", NULL };
    const char *role = p->role ? p->role : "";
    const xmlNode *at = iut ? iut : root;
    if (strcmp(role, "in-cse") == 0) {
        if (p->iut_kind && !is_one_of(p->iut_kind, field_kinds))
            perr(c, at, "role in-cse (the harness is the IN-CSE) needs an IUT of kind asn-cse, "
                        "mn-cse or ae, not %s", p->iut_kind);
        if (hn && (!p->harness_cse_id || !p->cse_base_name))
            perr(c, hn, "role in-cse: the harness is the registrar and needs <cse-id> and <cse-base>");
    } else if (strcmp(role, "field") == 0) {
        if (p->iut_kind && strcmp(p->iut_kind, "in-cse") != 0)
            perr(c, at, "role field (the harness is a field node) needs an IUT of kind in-cse, not %s",
                 p->iut_kind);
        if (hn && !p->harness_cse_id && !p->harness_ae_id)
            perr(c, hn, "role field: the harness registers as a CSE or an AE and needs <cse-id> or <ae-id>");
    } else {
        perr(c, root, "<profile role=\"%s\">: expected in-cse or field", role);
    }
    if (iut && is_one_of(p->iut_kind, cse_kinds) && !p->iut_cse_id)
        perr(c, iut, "an IUT of kind %s needs its <cse-id>", p->iut_kind);
    if (!iut) perr(c, root, "<profile> needs an <iut>");
    if (!hn) perr(c, root, "<profile> needs a <harness>");
    /* A command without a limit of its own gets the step timeout; a prompt waits for the
     * operator M2M_DEFAULT_PROMPT_TIMEOUT_MS unless it says otherwise. */
    for (size_t i = 0; i < p->ntriggers; i++)
        if (p->triggers[i].timeout_ns == 0)
            p->triggers[i].timeout_ns = p->triggers[i].command ? p->step_timeout_ns
                                                               : ms_to_ns(M2M_DEFAULT_PROMPT_TIMEOUT_MS);
}

static void defaults(profile *p)
{
    p->release = M2M_DEFAULT_RELEASE;
    p->harness_address = xstrdup(M2M_DEFAULT_HARNESS_ADDRESS);
    p->option_preset = xstrdup(M2M_DEFAULT_OPTION_PRESET);
    m2m_optmap_preset(M2M_DEFAULT_OPTION_PRESET, &p->options);
    p->serialization = xstrdup(M2M_DEFAULT_SERIALIZATION);
    format_defaults(p);
    p->ack_timeout_ns = ms_to_ns(M2M_DEFAULT_ACK_TIMEOUT_MS);
    p->max_retransmit = M2M_DEFAULT_MAX_RETRANSMIT;
    p->dtls_retrans_ns = ms_to_ns(M2M_DEFAULT_DTLS_RETRANS_MS);
    p->dtls_total_ns = ms_to_ns(M2M_DEFAULT_DTLS_TOTAL_MS);
    p->step_timeout_ns = ms_to_ns(M2M_DEFAULT_STEP_TIMEOUT_MS);
    p->test_deadline_ns = ms_to_ns(M2M_DEFAULT_TEST_DEADLINE_MS);
    p->ready_timeout_ns = ms_to_ns(M2M_DEFAULT_READY_TIMEOUT_MS);
    p->transport_dtls = 1;
}

const char *profile_plain_mcc_name(int v)
{
    return v == PROFILE_PLAIN_MCC_ACCEPTS ? "accepts" : v == PROFILE_PLAIN_MCC_REFUSES ? "refuses" : "undeclared";
}

int profile_pics_needs_dtls(const char *item)
{
    static const char *const dtls_items[] = { "SAE", "SAE_PSK", "SAE_CERT", "SAE_RPK", "IUT_OPENS_SA2", NULL };
    for (size_t i = 0; item && dtls_items[i]; i++)
        if (!strcmp(item, dtls_items[i])) return 1;
    return 0;
}

/* <transport dtls="yes|no" plain-mcc="accepts|refuses" run-mode="plain-coap|certifying"/> */
static void parse_transport(pctx *c, const xmlNode *n, profile *p)
{
    char *dtls = xml_attr(n, "dtls"), *mcc = xml_attr(n, "plain-mcc"), *mode = xml_attr(n, "run-mode");
    p->transport_line = xml_line(n);
    if (dtls && !strcmp(dtls, "no")) p->transport_dtls = 0;
    else if (dtls && strcmp(dtls, "yes") != 0) perr(c, n, "<transport dtls=\"%s\">: expected yes or no", dtls);
    if (mcc && !strcmp(mcc, "accepts")) p->plain_mcc = PROFILE_PLAIN_MCC_ACCEPTS;
    else if (mcc && !strcmp(mcc, "refuses")) p->plain_mcc = PROFILE_PLAIN_MCC_REFUSES;
    else if (mcc) perr(c, n, "<transport plain-mcc=\"%s\">: expected accepts or refuses", mcc);
    if (mode && !strcmp(mode, "plain-coap")) p->plain_coap_run = 1;
    else if (mode && strcmp(mode, "certifying") != 0)
        perr(c, n, "<transport run-mode=\"%s\">: expected plain-coap or certifying", mode);
    if (p->role && strcmp(p->role, "field") != 0 && (p->plain_mcc || p->plain_coap_run))
        perr(c, n, "<transport plain-mcc> and run-mode describe an IN-CSE (role field), not a profile of role %s", p->role);
    free(dtls);
    free(mcc);
    free(mode);
}

/* <transport dtls="no">: the IUT claims no DTLS, so no PICS item that needs it. */
static void transport_checks(pctx *c, const xmlNode *root, const xmlNode *pics, profile *p)
{
    if (p->transport_dtls) return;
    for (size_t i = 0; i < p->npics; i++)
        if (profile_pics_needs_dtls(p->pics[i]))
            perr(c, pics ? pics : root, "PICS item %s claims DTLS, but <transport dtls=\"no\"> (line %d) says the IUT "
                 "offers none: remove one of them", p->pics[i], p->transport_line);
}

static void build(pctx *c, const xmlNode *root, profile *p)
{
    if (!xml_is(root, "profile")) {
        perr(c, root, "the root element is <%s>, expected <profile>", (const char *)root->name);
        return;
    }
    p->name = xml_attr(root, "name");
    p->role = xml_attr(root, "role");
    if (!p->name || !*p->name) perr(c, root, "<profile> needs name=\"...\"");
    const xmlNode *iut = NULL, *hn = NULL, *pics = NULL;
    int npsk = 0;
    for (const xmlNode *n = xml_first_elem(root); n; n = xml_next_elem(n)) {
        if (xml_is(n, "iut") && !iut) parse_iut(c, iut = n, p);
        else if (xml_is(n, "harness") && !hn) parse_harness(c, hn = n, p);
        else if (xml_is(n, "credentials")) {
            for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
                if (xml_is(ch, "psk")) profile_parse_psk(c, ch, p, npsk++);
                else if (xml_is(ch, "certificate") && !p->x509_cert) parse_certificate(c, ch, p);
                else if (xml_is(ch, "raw-public-key") && !p->rpk_pub) parse_rpk(c, ch, p);
                else perr(c, ch, "unexpected <%s> in <credentials>", (const char *)ch->name);
            }
            /* One certificate framework per profile: the harness would present only one. */
            if (p->x509_cert && p->rpk_pub)
                perr(c, n, "<certificate> and <raw-public-key> together: give each framework its own profile");
        } else if (xml_is(n, "mef") && !p->mef) {
            char why[256];
            if (!(p->mef = profile_mef_parse(n, why, sizeof why))) perr(c, n, "%s", why);
            else if (p->mef->rspf_cert) {   /* certificate-based RSPF: the MEF's PKI files */
                p->mef->cert = profile_path(c, n, "cert");
                p->mef->key = profile_path(c, n, "key");
                p->mef->trust = profile_path(c, n, "trust");
                if (!p->mef->cert || !p->mef->key || !p->mef->trust)
                    perr(c, n, "<mef rspf=\"cert\"> needs cert, key and trust");
            }
        } else if (xml_is(n, "pics")) {
            pics = n;
            char *t = xml_text(n);
            split_pics(c, n, t, p);
            free(t);
        } else if (xml_is(n, "coap")) parse_coap(c, n, p);
        else if (xml_is(n, "timers")) parse_timers(c, n, p);
        else if (xml_is(n, "control")) parse_control(c, n, p);
        else if (xml_is(n, "var")) parse_var(c, n, p);
        else if (xml_is(n, "known-failure")) parse_known_failure(c, n, p);
        else if (xml_is(n, "transport")) parse_transport(c, n, p);
        else perr(c, n, "unexpected <%s> in <profile>", (const char *)n->name);
    }
    cross_checks(c, root, iut, hn, p);
    transport_checks(c, root, pics, p);
    profile_check_creds(c, p, pics ? pics : root);
    c->errors += vars_check_profile(p, c->file, c->d);   /* ${VAR} in start, triggers and ready */
}

static int load(const char *name, const char *buf, size_t len, const char *schema_path, int allow_extends,
                profile **out, diag *d)
{
    *out = NULL;
    if (!name) name = "<memory>";
    size_t first = d->n;
    xmlDocPtr doc = profile_doc_parse(name, buf, len, allow_extends, d);
    if (doc && schema_path && xmlload_validate(doc, name, schema_path, d) < 0) {
        xmlload_free_doc(doc);
        doc = NULL;
    }
    profile *p = NULL;
    int errors = 1;
    if (doc) {
        pctx c = { .file = name, .d = d };
        p = xcalloc(1, sizeof *p);
        p->file = xstrdup(name);
        p->origins = xml_origins_take(doc);
        defaults(p);
        build(&c, xmlDocGetRootElement(doc), p);
        xmlFreeDoc(doc);
        errors = c.errors;
        if (p->psk_key && d->n > first) profile_redact_secret(d, first, (const char *)p->psk_key, p->psk_key_len);
        const profile_registree *second = p->second_registree;
        if (second && second->psk_key && d->n > first)
            profile_redact_secret(d, first, (const char *)second->psk_key, second->psk_key_len);
    }
    if (buf && d->n > first) profile_redact_raw_keys(d, first, buf, len);
    if (errors) {
        profile_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int profile_load_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                     profile **out, diag *d)
{
    /* bytes from no file (fuzz input, tests): no base to read, so no extends */
    return load(name, buf, len, schema_path, 0, out, d);
}

int profile_load(const char *path, const char *schema_path, profile **out, diag *d)
{
    *out = NULL;
    size_t len = 0;
    char *buf = xmlload_read_file(path, &len, d);
    if (!buf) return -1;
    int rc = load(path, buf, len, schema_path, 1, out, d);
    explicit_bzero(buf, len); /* the file holds the key */
    free(buf);
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void profile_free(profile *p)
{
    if (!p) return;
    xml_origins_free(p->origins);
    if (p->psk_key) explicit_bzero(p->psk_key, p->psk_key_len);
    free(p->psk_key);
    char **strs[] = {
        &p->file, &p->name, &p->role, &p->iut_kind, &p->iut_address, &p->iut_host, &p->iut_sp_id,
        &p->harness_address, &p->harness_host, &p->iut_cse_id, &p->iut_ae_id,
        &p->harness_cse_id, &p->cse_base_name, &p->psk_identity, &p->psk_hint, &p->psk_alias, &p->psk_ae_ids,
        &p->option_preset, &p->serialization, &p->ready_command, &p->iut_cse_base_name,
        &p->harness_ae_id, &p->x509_cert, &p->x509_key, &p->x509_trust, &p->x509_iut_identity,
        &p->rpk_pub, &p->rpk_key, &p->harness_app_id, &p->harness_denied_app_id,
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) free(*strs[i]);
    free_strings(p->pics, p->npics);
    for (size_t i = 0; i < p->ntriggers; i++) {
        free(p->triggers[i].name);
        free(p->triggers[i].command);
        free(p->triggers[i].prompt);
    }
    free(p->triggers);
    for (size_t i = 0; i < p->nx509_variants; i++) {
        free(p->x509_variants[i].name);
        free(p->x509_variants[i].cert);
        free(p->x509_variants[i].key);
        free_pins(p->x509_variants[i].pins, p->x509_variants[i].npins);
    }
    free_pins(p->rpk_pins, p->nrpk_pins);
    free(p->x509_variants);
    kvlist_free(&p->extra_vars);
    kvlist_free(&p->known_failures);
    profile_mef_free(p->mef);
    profile_registree_free(p->second_registree);
    free(p);
}

/* item is one PICS item, or alternatives "A|B|C" (a test's condition that any of them is
 * claimed: a rule that applies to an ASN-CSE or an AE alike). */
int profile_has_pics(const profile *p, const char *item)
{
    for (const char *a = item; a && *a;) {
        size_t n = strcspn(a, "|");
        for (size_t i = 0; i < p->npics; i++)
            if (strlen(p->pics[i]) == n && strncmp(p->pics[i], a, n) == 0) return 1;
        a += n;
        if (*a == '|') a++;
    }
    return 0;
}

const profile_trigger *profile_trigger_find(const profile *p, const char *name)
{
    for (size_t i = 0; i < p->ntriggers; i++)
        if (strcmp(p->triggers[i].name, name) == 0) return &p->triggers[i];
    return NULL;
}

int profile_attached(const profile *p)
{
    const profile_trigger *t = profile_trigger_find(p, "start");
    return !t || (!t->command && !t->prompt);
}
