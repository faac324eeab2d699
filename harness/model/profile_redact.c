/* Secrets kept out of what the harness writes: the profile's keys masked in the loader's
 * messages (libxml2 quotes input it cannot parse), and a copy of the profile file for
 * reports and bundles with every key replaced by a marker. */
#include "profile_redact.h"
#include "profile_extends.h"
#include "xmlload.h"
#include "../util/hex.h"
#include "../util/xmem.h"
#include "../util/xmlstr.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replaces every occurrence of secret in the messages added since index from. */
void profile_redact_secret(diag *d, size_t from, const char *secret, size_t len)
{
    if (len < 4) return; /* shorter strings would blot out ordinary words */
    for (size_t i = from; i < d->n; i++) {
        char *m = d->items[i].message, *hit;
        strbuf b;
        sb_init(&b);
        int changed = 0;
        while ((hit = memmem(m, strlen(m), secret, len)) != NULL) {
            sb_addn(&b, m, (size_t)(hit - m));
            sb_add(&b, "<redacted>");
            m = hit + len;
            changed = 1;
        }
        if (!changed) continue;
        sb_add(&b, m);
        free(d->items[i].message);
        d->items[i].message = sb_take(&b);
    }
}

/* True when offset i is inside a start tag that is not <psk>: there key= names a file (a
 * private key's path), which a message must show, not a secret. */
static int in_non_psk_tag(const char *buf, size_t i)
{
    size_t lt = i;
    while (lt > 0 && buf[lt - 1] != '<' && buf[lt - 1] != '>') lt--;
    if (lt == 0 || buf[lt - 1] != '<') return 0;   /* not in a tag: stay on the safe side */
    return !(strncmp(buf + lt, "psk", 3) == 0 && strchr(" \t\r\n/", buf[lt + 3]));
}

/* The raw text of every <psk key="..."> in the buffer: when the document does not even
 * parse, this is all that says what the secret is. */
void profile_redact_raw_keys(diag *d, size_t from, const char *buf, size_t len)
{
    for (size_t i = 0; i + 4 < len; i++) {
        if (memcmp(buf + i, "key", 3) != 0) continue;
        if (i > 0 && buf[i - 1] != ' ' && buf[i - 1] != '\t' && buf[i - 1] != '\n' && buf[i - 1] != '\r')
            continue;
        if (in_non_psk_tag(buf, i)) continue;
        size_t j = i + 3;
        while (j < len && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\n' || buf[j] == '\r')) j++;
        if (j >= len || buf[j] != '=') continue;
        j++;
        while (j < len && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\n' || buf[j] == '\r')) j++;
        if (j >= len || (buf[j] != '"' && buf[j] != '\'')) continue;
        char q = buf[j++];
        const char *end = memchr(buf + j, q, len - j);
        size_t vlen = end ? (size_t)(end - (buf + j)) : len - j;
        profile_redact_secret(d, from, buf + j, vlen);
        /* Parts between markup characters too: "Entity 'x' not defined" quotes a part. */
        for (size_t k = j, start = j; k <= j + vlen; k++) {
            if (k < j + vlen && !strchr("&;<>", buf[k])) continue;
            if (k > start) profile_redact_secret(d, from, buf + start, k - start);
            start = k + 1;
        }
    }
}

int profile_write_redacted(const char *src, const char *dst)
{
    xmlDocPtr doc = xmlReadFile(src, NULL, XML_PARSE_NONET | XML_PARSE_NOENT * 0);
    if (!doc) return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int merged = root && xmlHasProp(root, xml_cstr("extends"));
    if (merged) {
        /* A profile that extends another is written as the effective profile, merged, so the
         * copy stands alone (profile_extends.h). */
        xmlFreeDoc(doc);
        diag d;
        diag_init(&d);
        doc = profile_doc_read(src, &d);
        diag_free(&d);
        if (!doc) return -1;
        root = xmlDocGetRootElement(doc);
        char *note = xasprintf(" The effective profile of %s: its bases (extends) merged in, keys redacted. ", src);
        xmlNodePtr c = xmlNewDocComment(doc, xml_cstr(note));
        free(note);
        if (c) xmlAddPrevSibling(root, c);
    }
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, xml_cstr("mef")) && xmlHasProp(c, xml_cstr("kpm"))) {
            xmlSetProp(c, xml_cstr("kpm"), xml_cstr(PROFILE_REDACTED_KEY));   /* Kpm is a secret too */
            xmlSetProp(c, xml_cstr("encoding"), xml_cstr("ascii"));
        }
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, xml_cstr("mef")) && xmlHasProp(c, xml_cstr("target-psk")))
            xmlSetProp(c, xml_cstr("target-psk"), xml_cstr(PROFILE_REDACTED_KEY));   /* the target's PSK with the MEF */
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, xml_cstr("credentials"))) continue;
        for (xmlNodePtr k = c->children; k; k = k->next)
            if (k->type == XML_ELEMENT_NODE && !xmlStrcmp(k->name, xml_cstr("psk")) && xmlHasProp(k, xml_cstr("key"))) {
                xmlSetProp(k, xml_cstr("key"), xml_cstr(PROFILE_REDACTED_KEY));
                xmlSetProp(k, xml_cstr("encoding"), xml_cstr("ascii"));
            }
    }
    int r = (merged ? xmlSaveFormatFile(dst, doc, 1) : xmlSaveFile(dst, doc)) < 0 ? -1 : 0;
    xmlload_free_doc(doc);
    return r;
}

static char *base64_of(const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

void secret_forms_of(const uint8_t *key, size_t len, secret_forms *out)
{
    memset(out, 0, sizeof *out);
    if (!key || len < 4) return;   /* shorter strings would blot out ordinary words */
    int text = !memchr(key, 0, len);   /* a key with NUL bytes is not written as text */
    if (text) out->form[out->n++] = xstrndup((const char *)key, len);
    char *hex = hex_encode(key, len), *up = xstrdup(hex);
    for (char *c = up; *c; c++) *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
    out->form[out->n++] = hex;
    out->form[out->n++] = up;
    out->form[out->n++] = base64_of(key, len);
}

void secret_forms_free(secret_forms *f)
{
    for (size_t i = 0; i < f->n; i++) free(f->form[i]);
    f->n = 0;
}

char *secret_redact(const secret_forms *f, const char *s)
{
    char *cur = xstrdup(s ? s : "");
    for (size_t k = 0; k < f->n; k++) {
        size_t len = strlen(f->form[k]);
        if (!len || !strstr(cur, f->form[k])) continue;
        strbuf b;
        sb_init(&b);
        const char *m = cur, *hit;
        while ((hit = strstr(m, f->form[k])) != NULL) {
            sb_addn(&b, m, (size_t)(hit - m));
            sb_add(&b, "<redacted>");
            m = hit + len;
        }
        sb_add(&b, m);
        free(cur);
        cur = sb_take(&b);
    }
    return cur;
}

int secret_redact_file(const secret_forms *f, const char *path)
{
    if (!f->n || !path) return 0;
    FILE *in = fopen(path, "rb");
    if (!in) return 0;
    strbuf b;
    sb_init(&b);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) sb_addn(&b, buf, n);
    fclose(in);
    char *text = sb_take(&b);
    if (!text) return 0;
    char *clean = secret_redact(f, text);
    int rc = 0;
    if (strcmp(clean, text) != 0) {
        FILE *out = fopen(path, "wb");
        if (!out || fwrite(clean, 1, strlen(clean), out) != strlen(clean)) rc = -1;
        if (out && fclose(out) != 0) rc = -1;
    }
    free(text);
    free(clean);
    return rc;
}
