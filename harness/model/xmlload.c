#include "xmlload.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* libxml2 2.12 made the structured error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_err_arg;
#else
typedef xmlErrorPtr xml_err_arg;
#endif

typedef struct err_ctx {
    diag *d;
    const char *name;   /* file name for messages */
    int count;          /* errors seen (reported or not) */
    int refused;        /* a DOCTYPE was refused */
    xmlDocPtr xsd;      /* while validating: the schema as a document, for hints */
} err_ctx;

static char *child_hint(xmlDocPtr xsd, const xmlNode *bad);

static void add_error_at(err_ctx *c, const xml_origin *o, int line, const char *msg)
{
    c->count++;
    if (c->count <= XMLLOAD_MAX_ERRORS)
        xml_diag(c->d, c->name, line, o, line, "%s", msg);
    else if (c->count == XMLLOAD_MAX_ERRORS + 1)
        diag_error(c->d, c->name, 0, "more than %d errors; the rest are not shown",
                   XMLLOAD_MAX_ERRORS);
}

static void add_error(err_ctx *c, int line, const char *msg) { add_error_at(c, NULL, line, msg); }

/* libxml2 messages end with a newline and may hold other control bytes (they quote the
 * input): one line per diag entry, so fold them to spaces. */
static char *clean_message(const char *m)
{
    if (!m) return xstrdup("");
    char *s = xstrdup(m);
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') s[--n] = '\0';
    return s;
}

static int error_line(xml_err_arg e)
{
    if (e->line > 0) return e->line;
    const xmlNode *n = e->node;
    /* Attribute errors may point at the attribute node, which has no line of its own. */
    if (n && n->type == XML_ATTRIBUTE_NODE) n = n->parent;
    if (n) {
        long l = xmlGetLineNo(n);
        if (l > 0) return (int)l;
    }
    return 0;
}

static void on_error(void *ctx, xml_err_arg e)
{
    err_ctx *c = ctx;
    if (!c || !e || e->level == XML_ERR_WARNING) return; /* warnings do not make a file bad */
    char *msg = clean_message(e->message);
    if (!*msg) {
        free(msg);
        msg = xasprintf("XML error %d", e->code);
    }
    /* libxml2 lists the expected elements only in some states (not after the first
     * element of a repeated choice): say then what the parent may contain. */
    if (c->xsd && e->domain == XML_FROM_SCHEMASV && strstr(msg, "This element is not expected") &&
        !strstr(msg, "Expected is")) {
        char *hint = child_hint(c->xsd, e->node);
        if (hint) {
            char *both = xasprintf("%s %s", msg, hint);
            free(msg);
            free(hint);
            msg = both;
        }
    }
    const xmlNode *n = e->node;
    if (n && n->type == XML_ATTRIBUTE_NODE) n = n->parent;
    add_error_at(c, n ? xml_origin_of(n) : NULL, error_line(e), msg);
    free(msg);
}

/* SAX hook called for any <!DOCTYPE>: harness files need no DTD, and refusing it here,
 * before the internal subset is read, rules out entity expansion and external fetches. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name; (void)ext; (void)sys;
    xmlParserCtxtPtr p = ctx;
    err_ctx *c = p->_private;
    int line = p->input ? p->input->line : 0;
    c->refused = 1;
    add_error(c, line, "a DOCTYPE is not allowed (harness files use no DTD and no entities)");
    xmlStopParser(p);
}

/* The structured handler is process-wide in libxml2 2.9: install ours around each call
 * and put back whatever was there (another module may have its own). */
typedef struct saved_handler { xmlStructuredErrorFunc fn; void *ctx; } saved_handler;

static saved_handler handler_push(err_ctx *c)
{
    saved_handler s = { xmlStructuredError, xmlStructuredErrorContext };
    xmlSetStructuredErrorFunc(c, on_error);
    return s;
}

static void handler_pop(saved_handler s) { xmlSetStructuredErrorFunc(s.ctx, s.fn); }

static int initialised;

static void init_once(void)
{
    if (!initialised) {
        xmlInitParser();
        initialised = 1;
    }
}

xmlDocPtr xmlload_parse_mem(const char *name, const char *buf, size_t len, diag *d)
{
    init_once();
    if (!name) name = "<memory>";
    if (len > XMLLOAD_MAX_BYTES) {
        diag_error(d, name, 0, "file too large (%zu bytes, at most %u)", len, XMLLOAD_MAX_BYTES);
        return NULL;
    }
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p) {
        diag_error(d, name, 0, "cannot create an XML parser");
        return NULL;
    }
    err_ctx c = { .d = d, .name = name };
    p->_private = &c;
    p->sax->internalSubset = refuse_doctype;
    /* Parser errors reach a structured handler only when one is set globally (libxml2
     * 2.9 has no per-context one). */
    saved_handler h = handler_push(&c);
    int opts = XML_PARSE_NONET | XML_PARSE_NOBLANKS;
    xmlDocPtr doc = xmlCtxtReadMemory(p, buf ? buf : "", (int)len, name, NULL, opts);
    handler_pop(h);
    xmlFreeParserCtxt(p);
    /* Any error (also those libxml2 recovers from, such as namespace errors) makes the
     * document unusable: a test file must be exactly what its author meant. */
    if (doc && (c.count > 0 || c.refused || !xmlDocGetRootElement(doc))) {
        if (c.count == 0) diag_error(d, name, 0, "the document has no root element");
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (!doc && c.count == 0) diag_error(d, name, 0, "not well-formed XML");
    return doc;
}

/* Reads a whole file, refusing anything that is not a regular file or is too large. */
char *xmlload_read_file(const char *path, size_t *len, diag *d)
{
    /* O_NONBLOCK: opening a FIFO by mistake must not hang the run before fstat says no. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        diag_error(d, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_error(d, path, 0, "not a regular file");
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        diag_error(d, path, 0, "cannot open: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > XMLLOAD_MAX_BYTES) {
        diag_error(d, path, 0, "file too large (%lld bytes, at most %u)", (long long)st.st_size,
                   XMLLOAD_MAX_BYTES);
        fclose(f);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            if (n > XMLLOAD_MAX_BYTES) break; /* the file grew while we read it */
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    int bad = ferror(f) || n > XMLLOAD_MAX_BYTES;
    fclose(f);
    if (bad) {
        diag_error(d, path, 0, "cannot read the file");
        free(buf);
        return NULL;
    }
    buf[n] = '\0'; /* n < cap: the loop grows buf whenever it fills up */
    *len = n;
    return buf;
}

xmlDocPtr xmlload_parse_file(const char *path, diag *d)
{
    size_t len = 0;
    char *buf = xmlload_read_file(path, &len, d);
    if (!buf) return NULL;
    xmlDocPtr doc = xmlload_parse_mem(path, buf, len, d);
    free(buf);
    return doc;
}

/* Compiled schemas by path: compiling an XSD costs far more than validating a test case,
 * and a run loads hundreds of test cases against the same one. */
typedef struct schema_entry { char *path; xmlSchemaPtr schema; xmlDocPtr xsd; } schema_entry;
static schema_entry *schemas;
static size_t nschemas, capschemas;

static schema_entry *schema_get(const char *path, diag *d)
{
    for (size_t i = 0; i < nschemas; i++)
        if (strcmp(schemas[i].path, path) == 0) return &schemas[i];
    init_once();
    err_ctx c = { .d = d, .name = path };
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
    if (!pc) {
        diag_error(d, path, 0, "cannot create a schema parser");
        return NULL;
    }
    xmlSchemaSetParserStructuredErrors(pc, on_error, &c);
    saved_handler h = handler_push(&c); /* errors reading the XSD file itself */
    xmlSchemaPtr s = xmlSchemaParse(pc);
    handler_pop(h);
    xmlSchemaFreeParserCtxt(pc);
    if (!s) {
        if (c.count == 0) diag_error(d, path, 0, "cannot load the schema");
        return NULL;
    }
    /* The XSD once more as a plain document, only to word hints; a failure here just
     * means shorter messages. */
    xmlDocPtr xsd = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    xgrow((void **)&schemas, &capschemas, nschemas + 1, sizeof *schemas);
    schemas[nschemas] = (schema_entry){ xstrdup(path), s, xsd };
    return &schemas[nschemas++];
}

int xmlload_validate(xmlDocPtr doc, const char *name, const char *schema_path, diag *d)
{
    if (!name) name = "<memory>";
    schema_entry *s = schema_get(schema_path, d);
    if (!s) {
        diag_error(d, name, 0, "not validated: the schema %s cannot be loaded", schema_path);
        return -1;
    }
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s->schema);
    if (!vc) {
        diag_error(d, name, 0, "cannot create a schema validator");
        return -1;
    }
    err_ctx c = { .d = d, .name = name, .xsd = s->xsd };
    xmlSchemaSetValidStructuredErrors(vc, on_error, &c);
    saved_handler h = handler_push(&c);
    int r = xmlSchemaValidateDoc(vc, doc);
    handler_pop(h);
    xmlSchemaFreeValidCtxt(vc);
    if (r == 0 && c.count == 0) return 0;
    if (c.count == 0) diag_error(d, name, 0, "does not follow the schema %s", schema_path);
    return -1;
}

xmlDocPtr xmlload_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                      diag *d)
{
    xmlDocPtr doc = xmlload_parse_mem(name, buf, len, d);
    if (doc && schema_path && xmlload_validate(doc, name, schema_path, d) < 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlDocPtr xmlload_file(const char *path, const char *schema_path, diag *d)
{
    xmlDocPtr doc = xmlload_parse_file(path, d);
    if (doc && schema_path && xmlload_validate(doc, path, schema_path, d) < 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

void xmlload_cleanup(void)
{
    for (size_t i = 0; i < nschemas; i++) {
        xmlSchemaFree(schemas[i].schema);
        xmlFreeDoc(schemas[i].xsd);
        free(schemas[i].path);
    }
    free(schemas);
    schemas = NULL;
    nschemas = capschemas = 0;
}

/* ---- hints from the XSD: which elements a parent may contain ---- */

#define XS_NS "http://www.w3.org/2001/XMLSchema"

static int is_xs(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, XS_NS) == 0 && strcmp((const char *)n->name, local) == 0;
}

static int attr_is(const xmlNode *n, const char *attr, const char *value)
{
    xmlChar *v = xmlGetNoNsProp(n, xml_cstr(attr));
    int eq = v && strcmp((const char *)v, value) == 0;
    xmlFree(v);
    return eq;
}

/* A top-level xs:complexType by name ("xs:" or other prefix stripped). */
static const xmlNode *named_type(xmlDocPtr xsd, const char *qname)
{
    const char *colon = strchr(qname, ':');
    const char *name = colon ? colon + 1 : qname;
    for (const xmlNode *n = xmlDocGetRootElement(xsd)->children; n; n = n->next)
        if (is_xs(n, "complexType") && attr_is(n, "name", name)) return n;
    return NULL;
}

static void add_name(strbuf *b, const char *name)
{
    /* names are short and few: a substring test on ", name," is enough to dedupe */
    char *probe = xasprintf(", %s,", name);
    char *have = xasprintf(", %s,", b->s ? b->s : "");
    if (!strstr(have, probe)) sb_addf(b, "%s%s", b->len ? ", " : "", name);
    free(probe);
    free(have);
}

/* Element names that may appear directly inside a complexType (nested element
 * declarations are not descended into: their children are theirs). */
static void collect_children(xmlDocPtr xsd, const xmlNode *type, strbuf *out, int depth)
{
    if (!type || depth > 8) return;
    for (const xmlNode *n = type->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (is_xs(n, "element")) {
            xmlChar *v = xmlGetNoNsProp(n, xml_cstr("name"));
            if (!v) v = xmlGetNoNsProp(n, xml_cstr("ref"));
            if (v) add_name(out, (const char *)v);
            xmlFree(v);
            continue;
        }
        if (is_xs(n, "extension") || is_xs(n, "restriction")) {
            xmlChar *base = xmlGetNoNsProp(n, xml_cstr("base"));
            if (base) collect_children(xsd, named_type(xsd, (const char *)base), out, depth + 1);
            xmlFree(base);
        }
        if (!is_xs(n, "annotation") && !is_xs(n, "attribute")) collect_children(xsd, n, out, depth + 1);
    }
}

/* Every declaration of an element with this name, wherever it is. */
static void collect_decls(xmlDocPtr xsd, const xmlNode *n, const char *name, strbuf *out)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (is_xs(n, "element") && attr_is(n, "name", name)) {
            xmlChar *type = xmlGetNoNsProp(n, xml_cstr("type"));
            if (type) collect_children(xsd, named_type(xsd, (const char *)type), out, 0);
            else
                for (const xmlNode *c = n->children; c; c = c->next)
                    if (is_xs(c, "complexType")) collect_children(xsd, c, out, 0);
            xmlFree(type);
        }
        collect_decls(xsd, n->children, name, out);
    }
}

static char *child_hint(xmlDocPtr xsd, const xmlNode *bad)
{
    if (!xsd || !bad || bad->type != XML_ELEMENT_NODE || !bad->parent ||
        bad->parent->type != XML_ELEMENT_NODE || !xmlDocGetRootElement(xsd))
        return NULL;
    const char *parent = (const char *)bad->parent->name;
    strbuf b;
    sb_init(&b);
    collect_decls(xsd, xmlDocGetRootElement(xsd), parent, &b);
    char *hint = b.len ? xasprintf("<%s> may contain: %s.", parent, b.s)
                       : xasprintf("<%s> takes no child elements.", parent);
    sb_free(&b);
    return hint;
}

int xml_line(const xmlNode *n)
{
    long l = n ? xmlGetLineNo(n) : 0;
    return l > 0 ? (int)l : 0;
}

int xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *elem_from(xmlNode *n)
{
    while (n && n->type != XML_ELEMENT_NODE) n = n->next;
    return n;
}

xmlNode *xml_first_elem(const xmlNode *parent) { return parent ? elem_from(parent->children) : NULL; }
xmlNode *xml_next_elem(const xmlNode *n) { return n ? elem_from(n->next) : NULL; }

xmlNode *xml_child(const xmlNode *parent, const char *name)
{
    for (xmlNode *c = xml_first_elem(parent); c; c = xml_next_elem(c))
        if (xml_is(c, name)) return c;
    return NULL;
}

char *xml_attr(const xmlNode *n, const char *name)
{
    if (!n) return NULL;
    xmlChar *v = xmlGetNoNsProp(n, xml_cstr(name));
    if (!v) return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char *xml_text(const xmlNode *n)
{
    if (!n) return NULL;
    xmlChar *v = xmlNodeGetContent(n);
    if (!v) return NULL;
    const char *s = (const char *)v;
    while (is_space(*s)) s++;
    size_t len = strlen(s);
    while (len && is_space(s[len - 1])) len--;
    char *out = len ? xstrndup(s, len) : NULL;
    xmlFree(v);
    return out;
}

char *xml_text_folded(const xmlNode *n)
{
    char *s = xml_text(n);
    if (!s) return NULL;
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (is_space(*r)) {
            if (w > s && w[-1] != ' ') *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return s;
}

int xml_attr_duration(const xmlNode *n, const char *attr, int positive, const char *file,
                      diag *d, int64_t *out)
{
    char *v = xml_attr(n, attr);
    if (!v) return 0;
    int64_t ns = parse_duration_ns(v);
    int rc = 1;
    if (ns < 0) {
        diag_error(d, file, xml_line(n),
                   "<%s %s=\"%s\">: not a duration (a number and a unit: 250ms, 5s, 1.5s, 2m)",
                   (const char *)n->name, attr, v);
        rc = -1;
    } else if (positive && ns == 0) {
        diag_error(d, file, xml_line(n), "<%s %s=\"%s\">: the duration must be greater than 0",
                   (const char *)n->name, attr, v);
        rc = -1;
    } else {
        *out = ns;
    }
    free(v);
    return rc;
}
