/* <credentials><psk> (profile_creds.h): the harness's own PSK and, in role field, a second
 * registree CSE's. Keys are secret: they are wiped from the input copies, and profile.c
 * redacts them from every message. */
#include "profile_int.h"
#include "../util/xmem.h"
#include "../util/hex.h"
#include <stdlib.h>
#include <string.h>

static void cerr(pctx *c, const xml_origin *src, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void cerr(pctx *c, const xml_origin *src, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    profile_verr(c, src, line, fmt, ap);
    va_end(ap);
}

/* The key of a <psk>, printable ASCII or hex digits (encoding). */
static void decode_key(pctx *c, const xmlNode *n, uint8_t **key_out, size_t *len_out)
{
    int line = xml_line(n);
    char *enc = xml_attr(n, "encoding");
    char *key = xml_attr(n, "key");
    int hex = enc && strcmp(enc, "hex") == 0;
    if (enc && !hex && strcmp(enc, "ascii") != 0) {
        cerr(c, xml_origin_of(n), line, "<psk encoding=\"%s\">: expected ascii or hex", enc);
    } else if (!key || !*key) {
        cerr(c, xml_origin_of(n), line, "<psk>: the key is empty");
    } else if (hex) {
        if (hex_decode(key, key_out, len_out) < 0)
            cerr(c, xml_origin_of(n), line, "<psk encoding=\"hex\">: the key is not hex (an even number of digits 0-9, a-f)");
    } else {
        int printable = 1;
        for (const char *s = key; *s; s++)
            if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) printable = 0;
        if (!printable) {
            cerr(c, xml_origin_of(n), line, "<psk encoding=\"ascii\">: the key has characters outside printable ASCII "
                          "(use encoding=\"hex\")");
        } else {
            *len_out = strlen(key);
            *key_out = (uint8_t *)xstrdup(key);
        }
    }
    if (key) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
    free(enc);
}

static char *identity_of(pctx *c, const xmlNode *n)
{
    char *id = xml_attr(n, "identity");
    if (!id || !*id) cerr(c, xml_origin_of(n), xml_line(n), "<psk> needs a non-empty identity");
    return id;
}

/* The harness's own credential: it stands for <harness><cse-id> (or <ae-id>). */
static void parse_own(pctx *c, const xmlNode *n, profile *p)
{
    p->psk_identity = identity_of(c, n);
    p->psk_hint = xml_attr(n, "hint");
    p->psk_alias = xml_attr(n, "alias");
    /* the AE-ID(s) or AE-ID-Stem patterns the credential is bound to (TS-0004 §7.3.2.1) */
    p->psk_ae_ids = xml_attr(n, "ae-id");
    if (p->psk_ae_ids)
        for (const char *q = p->psk_ae_ids; *q;) {
            q += strspn(q, " ");
            size_t len = strcspn(q, " ");
            if (len && ((q[0] != 'C' && q[0] != 'S') || memchr(q, '/', len) || memchr(q, '*', len - 1)))
                cerr(c, xml_origin_of(n), xml_line(n), "<psk ae-id=\"%s\">: '%.*s' is no AE-ID-Stem (C... or S...) nor a pattern ending in '*'",
                     p->psk_ae_ids, (int)len, q);
            q += len;
        }
    char *cse_id = xml_attr(n, "cse-id");
    if (cse_id)
        cerr(c, xml_origin_of(n), xml_line(n), "<psk cse-id=\"%s\">: the first <psk> is the harness's own credential and stands "
                             "for <harness><cse-id>; cse-id belongs on a second <psk> (another registree)", cse_id);
    free(cse_id);
    decode_key(c, n, &p->psk_key, &p->psk_key_len);
}

/* The second <psk>: a second registree CSE's credential (role field, R-RCV-02), or a second
 * credential of the IUT (role in-cse); profile_check_creds judges it by role. */
static void parse_second(pctx *c, const xmlNode *n, profile *p)
{
    profile_registree *r = p->second_registree = xcalloc(1, sizeof *r);
    r->line = xml_line(n);
    r->src = xml_origin_of(n);
    r->psk_identity = identity_of(c, n);
    r->cse_id = xml_attr(n, "cse-id");
    r->ae_id = xml_attr(n, "ae-id");
    if (r->cse_id && (r->cse_id[0] != '/' || !r->cse_id[1]))
        cerr(c, r->src, r->line, "<psk cse-id=\"%s\">: a CSE-ID starts with '/' (/asn-cse-2)", r->cse_id);
    if (r->ae_id && ((r->ae_id[0] != 'C' && r->ae_id[0] != 'S') || !r->ae_id[1] || strpbrk(r->ae_id, "/* ")))
        cerr(c, r->src, r->line, "<psk ae-id=\"%s\"> on the second <psk>: one AE-ID-Stem (Cae-2, Sapp), no pattern and no list", r->ae_id);
    char *hint = xml_attr(n, "hint"), *alias = xml_attr(n, "alias");
    if (hint || alias)
        cerr(c, r->src, r->line, "a second <psk> has no %s: the harness uses it only as a client", hint ? "hint" : "alias");
    free(hint);
    free(alias);
    decode_key(c, n, &r->psk_key, &r->psk_key_len);
}

void profile_parse_psk(pctx *c, const xmlNode *n, profile *p, int index)
{
    if (index == 0) parse_own(c, n, p);
    else if (index == 1) parse_second(c, n, p);
    else cerr(c, xml_origin_of(n), xml_line(n), "at most two <psk>: the harness's own and a second registree's");
}

void profile_check_creds(pctx *c, const profile *p, const xmlNode *pics)
{
    const profile_registree *r = p->second_registree;
    int in_cse = p->role && !strcmp(p->role, "in-cse");
    /* tests that require the item need the credential: without it they could not run */
    if (!r && profile_has_pics(p, "CFG_SECOND_REGISTREE"))
        cerr(c, xml_origin_of(pics), xml_line(pics), "PICS give CFG_SECOND_REGISTREE but <credentials> has no second <psk cse-id=\"/CSE-ID\"> "
                           "for that registree");
    if (!r && profile_has_pics(p, "IUT_SECOND_IDENTITY"))
        cerr(c, xml_origin_of(pics), xml_line(pics), "PICS give IUT_SECOND_IDENTITY but <credentials> has no second <psk ae-id=\"...\"> "
                           "(or cse-id) for the IUT's second identity");
    if (r && !in_cse && profile_has_pics(p, "IUT_SECOND_IDENTITY"))
        cerr(c, xml_origin_of(pics), xml_line(pics), "IUT_SECOND_IDENTITY is for role in-cse (the IUT is the registree)");
    if (!r) return;
    if (!in_cse && (!p->role || strcmp(p->role, "field") != 0))
        cerr(c, r->src, r->line, "a second <psk> is for role field (another registree) or in-cse (a second IUT credential)");
    else if (!in_cse && (!r->cse_id || r->ae_id))
        cerr(c, r->src, r->line, "a second <psk> needs cse-id=\"/CSE-ID\" in role field: the registree CSE its identity stands for");
    else if (in_cse && !r->cse_id == !r->ae_id)
        cerr(c, r->src, r->line, "a second <psk> in role in-cse is a second credential of the IUT: it needs exactly one of "
                         "ae-id=\"AE-ID\" or cse-id=\"/CSE-ID\", the IUT's other identity it is bound to");
    const char *own = p->iut_cse_id ? p->iut_cse_id : p->iut_ae_id, *second = r->ae_id ? r->ae_id : r->cse_id;
    if (in_cse && own && second && !strcmp(own, second))
        cerr(c, r->src, r->line, "the second <psk> is bound to %s, the IUT's own identity (<iut>): a second identity is another one",
             second);
    if (r->psk_identity && p->psk_identity && !strcmp(r->psk_identity, p->psk_identity))
        cerr(c, r->src, r->line, "<psk identity=\"%s\"> is given twice: the second registree needs an identity of its own",
             r->psk_identity);
    if (r->cse_id && p->harness_cse_id && !strcmp(r->cse_id, p->harness_cse_id))
        cerr(c, r->src, r->line, "<psk cse-id=\"%s\"> is the harness's own CSE-ID: the second registree is another CSE",
             r->cse_id);
}

void profile_registree_free(profile_registree *r)
{
    if (!r) return;
    if (r->psk_key) explicit_bzero(r->psk_key, r->psk_key_len);
    free(r->psk_key);
    free(r->psk_identity);
    free(r->cse_id);
    free(r->ae_id);
    free(r);
}
