/* TS-0004 V3.x §8.4 XML serialization of resource representations (vnd.onem2m-res+xml,
 * Content-Format 10014), converted to and from the JSON form the rest of the harness uses.
 * XML carries no types, so the decoder types a leaf by its short name (TS-0004 §8.2.3 and
 * the XSDs: xs:list for poa, srv, lbl …; integers for ty, cst …; booleans for rr). */
#include "primitive_xml.h"
#include "primitive.h"
#include "../util/xmem.h"
#include "../util/xmlstr.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int in_set(const char *name, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(name, *set) == 0) return 1;
    return 0;
}

/* xs:list attributes: whitespace-separated in XML, arrays in JSON */
static const char *const list_names[] = {
    "poa", "srv", "lbl", "acpi", "acor", "nu", "at", "aa", "chty", "acip", "ipv4",
    "ipv6", "rcn", NULL,
};
/* integers (resource types, states, sizes, counters, operation bits) */
static const char *const int_names[] = {
    "ty", "cst", "st", "cs", "cni", "cbs", "mni", "mbs", "mia", "acop", "nct", "cnm", "mnm",
    "mt", "csy", "rsc", "op", "nsi", "exc", "cnty", NULL,
};
static const char *const bool_names[] = {"rr", "mtv", "disr", "ena", "nsp", "acaf", NULL};
/* setOfAcrs (pv, pvs): an empty element is the set of no rules, {"acr":[]} in JSON */
static const char *const acr_set_names[] = {"pv", "pvs", NULL};
/* elements that repeat, an array in JSON even when there is one of them */
static const char *const repeated_names[] = {"acr", "acco", "actw", "acod", NULL};
/* lists whose items are integers (chty: a list of m2m:resourceType) */
static const char *const int_list_names[] = {"chty", NULL};

/* ---- JSON -> XML ------------------------------------------------------------------------ */

static int valid_name(const char *key)
{
    const char *local = strncmp(key, "m2m:", 4) == 0 ? key + 4 : key;
    return *local && xmlValidateNCName(xml_cstr(local), 0) == 0;
}

/* The text of a scalar; NULL for objects, arrays and null. */
static char *scalar_text(const json_t *v)
{
    if (json_is_string(v)) return xstrdup(json_string_value(v));
    if (json_is_integer(v)) return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) return xasprintf("%.17g", json_real_value(v));
    if (json_is_true(v)) return xstrdup("true");
    if (json_is_false(v)) return xstrdup("false");
    return NULL;
}

static xmlNodePtr new_child(xmlNodePtr parent, xmlNsPtr ns, const char *key, const char *text)
{
    /* xmlNewTextChild would give an unqualified child the parent's namespace */
    int qualified = strncmp(key, "m2m:", 4) == 0;
    xmlNodePtr c = xmlNewDocNode(parent->doc, qualified ? ns : NULL,
                                 xml_cstr(qualified ? key + 4 : key), NULL);
    xmlAddChild(parent, c);
    if (text) xmlNodeAddContent(c, xml_cstr(text));
    return c;
}

static int put_value(xmlNodePtr el, xmlNsPtr ns, json_t *v, int depth, char *err,
                     size_t errlen);

static int put_member(xmlNodePtr parent, xmlNsPtr ns, const char *key, json_t *v,
                      int depth, char *err, size_t errlen)
{
    if (!valid_name(key)) {
        fail(err, errlen, "key \"%s\" is not an XML element name", key);
        return -1;
    }
    if (json_is_array(v)) {
        size_t n = json_array_size(v), nobj = 0;
        for (size_t i = 0; i < n; i++) nobj += json_is_object(json_array_get(v, i));
        if ((n > 0 && nobj == n) || in_set(key, repeated_names)) {  /* repeated elements */
            for (size_t i = 0; i < n; i++) {
                xmlNodePtr c = new_child(parent, ns, key, NULL);
                if (put_value(c, ns, json_array_get(v, i), depth + 1, err, errlen)) return -1;
            }
            return 0;
        }
        if (!in_set(key, list_names)) {
            fail(err, errlen, "array in \"%s\", which is no list attribute", key);
            return -1;
        }
        strbuf b;  /* xs:list: items must be non-empty scalars without white space */
        sb_init(&b);
        for (size_t i = 0; i < n; i++) {
            char *t = scalar_text(json_array_get(v, i));
            if (!t || !*t || strpbrk(t, " \t\r\n")) {
                fail(err, errlen, "item %zu of list \"%s\" is not a non-empty scalar without "
                     "white space", i, key);
                free(t);
                free(sb_take(&b));
                return -1;
            }
            if (i) sb_add(&b, " ");
            sb_add(&b, t);
            free(t);
        }
        char *text = b.s ? sb_take(&b) : xstrdup("");
        new_child(parent, ns, key, text);
        free(text);
        return 0;
    }
    xmlNodePtr c = new_child(parent, ns, key, NULL);
    return put_value(c, ns, v, depth + 1, err, errlen);
}

static int put_value(xmlNodePtr el, xmlNsPtr ns, json_t *v, int depth, char *err,
                     size_t errlen)
{
    if (depth > M2M_XML_MAX_DEPTH) {
        fail(err, errlen, "nesting deeper than %d", M2M_XML_MAX_DEPTH);
        return -1;
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m)
            if (put_member(el, ns, key, m, depth, err, errlen)) return -1;
        return 0;
    }
    char *t = scalar_text(v);
    if (!t) {
        fail(err, errlen, "%s value in <%s> has no XML form", json_is_null(v) ? "null" : "array",
             (const char *)el->name);
        return -1;
    }
    xmlNodeAddContent(el, xml_cstr(t));
    free(t);
    return 0;
}

char *m2m_xml_encode(json_t *rep, char *err, size_t errlen)
{
    if (!json_is_object(rep) || json_object_size(rep) != 1) {
        fail(err, errlen, "representation is not an object with exactly one member");
        return NULL;
    }
    const char *key = json_object_iter_key(json_object_iter(rep));
    if (strncmp(key, "m2m:", 4) != 0 || !valid_name(key)) {
        fail(err, errlen, "root \"%s\" is not an m2m: name", key);
        return NULL;
    }
    xmlDocPtr doc = xmlNewDoc(xml_cstr("1.0"));
    xmlNodePtr root = xmlNewDocNode(doc, NULL, xml_cstr(key + 4), NULL);
    xmlDocSetRootElement(doc, root);
    xmlNsPtr ns = xmlNewNs(root, xml_cstr(M2M_XML_NS), xml_cstr("m2m"));
    xmlSetNs(root, ns);
    char *out = NULL;
    if (put_value(root, ns, json_object_get(rep, key), 1, err, errlen) == 0) {
        xmlChar *buf = NULL;
        int size = 0;
        xmlDocDumpMemoryEnc(doc, &buf, &size, "UTF-8");
        if (buf) out = xstrndup((const char *)buf, (size_t)size);
        xmlFree(buf);
        if (!out) fail(err, errlen, "libxml2 could not serialize the document");
    }
    xmlFreeDoc(doc);
    return out;
}

/* ---- XML -> JSON ------------------------------------------------------------------------ */

static int is_m2m_ns(const xmlNode *n)
{
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, M2M_XML_NS) == 0;
}

static char *key_of(const xmlNode *n)
{
    return is_m2m_ns(n) ? xasprintf("m2m:%s", (const char *)n->name) : xstrdup((const char *)n->name);
}

static json_t *leaf_value(const char *key, const char *text, char *err, size_t errlen);

/* One item of an xs:list: in a list of integers typed as an integer attribute's value is
 * (leaf_value, as ty), else text (a non-integer there stays text, refused by whoever reads it). */
static json_t *list_item(const char *key, const char *item, char *err, size_t errlen)
{
    json_t *v = in_set(key, int_list_names) ? leaf_value("ty", item, err, errlen) : NULL;
    return v ? v : json_string(item);
}

/* Typed leaf value; NULL with err when the text does not fit the attribute's type. */
static json_t *leaf_value(const char *key, const char *text, char *err, size_t errlen)
{
    if (in_set(key, int_names)) {
        char *end;
        const char *s = text + strspn(text, " \t\r\n");
        long long v = strtoll(s, &end, 10);
        end += strspn(end, " \t\r\n");
        if (end == s || *end || (s[0] == '-' && s[1] == '\0')) {
            fail(err, errlen, "<%s> expects an integer, got \"%.40s\"", key, text);
            return NULL;
        }
        return json_integer(v);
    }
    if (in_set(key, bool_names)) {
        if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0) return json_true();
        if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) return json_false();
        fail(err, errlen, "<%s> expects true or false, got \"%.40s\"", key, text);
        return NULL;
    }
    if (in_set(key, list_names)) {
        json_t *a = json_array();
        const char *p = text;
        for (;;) {
            p += strspn(p, " \t\r\n");
            if (!*p) break;
            size_t n = strcspn(p, " \t\r\n");
            char *item = xstrndup(p, n);
            json_array_append_new(a, list_item(key, item, err, errlen));
            free(item);
            p += n;
        }
        return a;
    }
    json_t *s = json_string(text);
    if (!s) fail(err, errlen, "<%s> is not valid UTF-8", key);
    return s;
}

static json_t *element_value(const xmlNode *el, const char *key, int depth, char *err,
                             size_t errlen);

/* A child joins its parent's object; repeated names collect into an array. */
static int add_member(json_t *obj, const char *key, json_t *v, char *err, size_t errlen)
{
    json_t *old = json_object_get(obj, key);
    if (!old) {
        if (in_set(key, repeated_names) && !json_is_array(v)) {
            json_t *a = json_array();
            json_array_append_new(a, v);
            v = a;
        }
        json_object_set_new(obj, key, v);
        return 0;
    }
    if (in_set(key, list_names) && json_is_array(v)) {  /* a list split over elements */
        json_array_extend(old, v);
        json_decref(v);
        return 0;
    }
    if (json_is_array(old) && (in_set(key, repeated_names) || json_is_object(v))) {
        json_array_append_new(old, v);
        return 0;
    }
    if (json_is_object(old) && json_is_object(v)) {
        json_t *a = json_array();
        json_array_append(a, old);
        json_array_append_new(a, v);
        json_object_set_new(obj, key, a);
        return 0;
    }
    fail(err, errlen, "<%s> appears more than once", key);
    json_decref(v);
    return -1;
}

static json_t *element_value(const xmlNode *el, const char *key, int depth, char *err,
                             size_t errlen)
{
    if (depth > M2M_XML_MAX_DEPTH) {
        fail(err, errlen, "nesting deeper than %d", M2M_XML_MAX_DEPTH);
        return NULL;
    }
    int has_elements = 0, has_text = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) has_elements = 1;
        else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
                 ((const char *)c->content)[strspn((const char *)c->content, " \t\r\n")])
            has_text = 1;
        else if (c->type == XML_ENTITY_REF_NODE) has_text = 1;
    }
    if (has_elements && has_text) {
        fail(err, errlen, "<%s> mixes text and elements", key);
        return NULL;
    }
    if (!has_elements && !has_text && in_set(key, acr_set_names)) {
        json_t *set = json_object();
        json_object_set_new(set, "acr", json_array());
        return set;
    }
    if (!has_elements) {
        xmlChar *t = xmlNodeGetContent(el);
        json_t *v = leaf_value(key, t ? (const char *)t : "", err, errlen);
        xmlFree(t);
        return v;
    }
    json_t *obj = json_object();
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (c->ns && !is_m2m_ns(c)) {
            fail(err, errlen, "<%s> in namespace %s, not the oneM2M one", (const char *)c->name,
                 (const char *)c->ns->href);
            json_decref(obj);
            return NULL;
        }
        char *ck = key_of(c);
        json_t *v = element_value(c, ck, depth + 1, err, errlen);
        int rc = v ? add_member(obj, ck, v, err, errlen) : -1;
        free(ck);
        if (rc) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

json_t *m2m_xml_decode(const char *xml, size_t len, char *err, size_t errlen)
{
    if (!xml || len == 0 || len > INT_MAX) {
        fail(err, errlen, "no XML content");
        return NULL;
    }
    /* No network, no entity expansion (XXE), no DTD loading; errors come back, not printed. */
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        char msg[160] = "unknown error";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            msg[strcspn(msg, "\n")] = '\0';
        }
        fail(err, errlen, "not well-formed XML (line %d): %s", e ? e->line : 0, msg);
        xmlResetLastError();
        return NULL;
    }
    json_t *out = NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (doc->intSubset || doc->extSubset) {
        fail(err, errlen, "DOCTYPE is not allowed in oneM2M content");
    } else if (!root) {
        fail(err, errlen, "no root element");
    } else if (!is_m2m_ns(root)) {
        fail(err, errlen, "root <%s> is not in the oneM2M namespace %s (namespace: %s)",
             (const char *)root->name, M2M_XML_NS,
             root->ns && root->ns->href ? (const char *)root->ns->href : "none");
    } else {
        char *key = key_of(root);
        json_t *v = element_value(root, key, 1, err, errlen);
        if (v) {
            out = json_object();
            json_object_set_new(out, key, v);
        }
        free(key);
    }
    xmlFreeDoc(doc);
    return out;
}

char *m2m_xml_from_json_text(const char *json, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *rep = json_loadb(json, len, 0, &je);
    if (!rep) {
        fail(err, errlen, "not JSON: %s", je.text);
        return NULL;
    }
    char *out = m2m_xml_encode(rep, err, errlen);
    json_decref(rep);
    return out;
}

char *m2m_json_from_xml_text(const char *xml, size_t len, char *err, size_t errlen)
{
    json_t *rep = m2m_xml_decode(xml, len, err, errlen);
    if (!rep) return NULL;
    char *out = json_dumps(rep, JSON_COMPACT);
    json_decref(rep);
    return out;
}

int m2m_prim_serialize(m2m_prim *p, int cf)
{
    if (!p->pc || (p->cf >= 0 && p->cf != M2M_CF_RES_JSON) || cf == M2M_CF_RES_JSON) return 0;
    if (m2m_cf_is_json(cf)) {   /* the same text under another JSON media type */
        p->cf = cf;
        return 1;
    }
    if (!m2m_cf_is_xml(cf)) return 0;
    char *xml = m2m_xml_from_json_text(p->pc, p->pclen ? p->pclen : strlen(p->pc), NULL, 0);
    if (!xml) return 0;
    free(p->pc);
    p->pc = xml;
    p->pclen = strlen(xml);
    p->cf = cf;
    return 1;
}
