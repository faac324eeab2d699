#include "profile_extends.h"
#include "profile_redact.h"
#include "xmlload.h"
#include "../util/xmem.h"
#include "../util/xmlstr.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EXTENDS_MAX_DEPTH 8

/* The children of <profile> in the schema's order (profile.xsd): the merged document keeps it. */
static const char *const ORDER[] = { "iut", "harness", "credentials", "mef", "pics", "transport", "coap",
                                     "timers", "control", "var", "known-failure" };
#define NORDER (sizeof ORDER / sizeof *ORDER)

typedef struct chain {
    const char *real[EXTENDS_MAX_DEPTH + 1];
    const char *name[EXTENDS_MAX_DEPTH + 1];
    int n;
} chain;

static xmlDocPtr parse_chain(const char *name, const char *buf, size_t len, int allow, chain *ch, diag *d);

/* Copies the base's elements named ename, with the origins they carry, before `at` in child. */
static void copy_named(xmlDocPtr child, xmlNode *at, xmlNode *base_root, const char *ename, xml_origin *o)
{
    for (xmlNode *b = xml_first_elem(base_root); b; b = xml_next_elem(b)) {
        if (!xml_is(b, ename)) continue;
        xmlNode *copy = xmlDocCopyNode(b, child, 1);
        if (!copy) abort();
        /* the base's own nodes come from the base; those it took from its own base keep theirs */
        copy->_private = b->_private ? b->_private : o;
        xmlAddPrevSibling(at, copy);
    }
}

static int has_named(const xmlNode *root, const char *ename)
{
    for (const xmlNode *n = xml_first_elem(root); n; n = xml_next_elem(n))
        if (xml_is(n, ename)) return 1;
    return 0;
}

static int known_name(const xmlNode *n)
{
    for (size_t i = 0; i < NORDER; i++)
        if (xml_is(n, ORDER[i])) return 1;
    return 0;
}

/* child takes what it does not give from base (both merged documents already). */
static void merge(xmlDocPtr child, xmlDocPtr base, xml_origin *o)
{
    xmlNode *croot = xmlDocGetRootElement(child), *broot = xmlDocGetRootElement(base);
    /* The base's origins now live as long as the child's document; their messages say too
     * which profile extended them. */
    xml_origin *taken = xml_origins_take(base);
    while (taken) {
        xml_origin *next = taken->next;
        char *via = xasprintf("%s, %s", taken->via, o->via);
        free(taken->via);
        taken->via = via;
        xml_origin_attach(child, taken);
        taken = next;
    }
    /* Rebuild the children in schema order: a marker at the end, everything placed before it. */
    xmlNode *end = xmlNewDocNode(child, NULL, xml_cstr("end-of-merge"), NULL);
    xmlAddChild(croot, end);
    for (size_t i = 0; i < NORDER; i++) {
        if (has_named(croot, ORDER[i])) {
            xmlNode *n = xml_first_elem(croot);
            while (n && n != end) {
                xmlNode *next = xml_next_elem(n);
                if (xml_is(n, ORDER[i])) {
                    xmlUnlinkNode(n);
                    xmlAddPrevSibling(end, n);
                }
                n = next;
            }
        } else {
            copy_named(child, end, broot, ORDER[i], o);
        }
    }
    /* Anything else goes last, where the schema names it: the base's first, then the child's. */
    for (xmlNode *b = xml_first_elem(broot); b; b = xml_next_elem(b))
        if (!known_name(b) && !has_named(croot, (const char *)b->name)) {
            xmlNode *copy = xmlDocCopyNode(b, child, 1);
            if (!copy) abort();
            copy->_private = b->_private ? b->_private : o;
            xmlAddPrevSibling(end, copy);
        }
    xmlNode *n = xml_first_elem(croot);
    while (n && n != end) {
        xmlNode *next = xml_next_elem(n);
        if (!known_name(n)) {
            xmlUnlinkNode(n);
            xmlAddPrevSibling(end, n);
        }
        n = next;
    }
    xmlUnlinkNode(end);
    xmlFreeNode(end);
    for (xmlAttr *a = broot->properties; a; a = a->next) {
        if (!strcmp((const char *)a->name, "extends") || xmlHasProp(croot, a->name)) continue;
        xmlChar *v = xmlGetNoNsProp(broot, a->name);
        xmlSetProp(croot, a->name, v);
        xmlFree(v);
    }
}

static char *dir_join(const char *file, const char *rel)
{
    const char *slash = strrchr(file, '/');
    return slash ? xasprintf("%.*s/%s", (int)(slash - file), file, rel) : xstrdup(rel);
}

static xmlDocPtr parse_chain(const char *name, const char *buf, size_t len, int allow, chain *ch, diag *d)
{
    xmlDocPtr doc = xmlload_parse_mem(name, buf, len, d);
    if (!doc) return NULL;
    xmlNode *root = xmlDocGetRootElement(doc);
    char *ext = xml_attr(root, "extends");
    if (!ext) return doc;
    xmlUnsetProp(root, xml_cstr("extends"));
    int line = xml_line(root);
    char *path = NULL, *real = NULL, *bbuf = NULL;
    size_t blen = 0;
    xmlDocPtr base = NULL;
    int ok = 0;
    if (!allow) {
        diag_error(d, name, line, "<profile extends=\"%s\">: extends is only for a profile read from a file", ext);
    } else if (!*ext || ext[0] == '/' || strchr(ext, ':')) {
        diag_error(d, name, line, "<profile extends=\"%s\">: give the base profile's path relative to this file's folder", ext);
    } else if (ch->n > EXTENDS_MAX_DEPTH) {
        diag_error(d, name, line, "<profile extends=\"%s\">: profiles extend each other more than %d deep", ext,
                   EXTENDS_MAX_DEPTH);
    } else if (!(real = realpath(path = dir_join(name, ext), NULL))) {
        diag_error(d, name, line, "<profile extends=\"%s\">: cannot open %s: %s", ext, path, strerror(errno));
    } else {
        int loop = -1;
        for (int i = 0; i < ch->n; i++)
            if (!strcmp(ch->real[i], real)) loop = i;
        if (loop >= 0) {
            strbuf b;
            sb_init(&b);
            for (int i = loop; i < ch->n; i++) sb_addf(&b, "%s extends ", ch->name[i]);
            sb_addf(&b, "%s", path);
            diag_error(d, name, line, "<profile extends=\"%s\">: a loop: %s", ext, b.s);
            sb_free(&b);
        } else if ((bbuf = xmlload_read_file(path, &blen, d))) {
            size_t first = d->n;
            ch->real[ch->n] = real;
            ch->name[ch->n] = path;
            ch->n++;
            base = parse_chain(path, bbuf, blen, allow, ch, d);
            ch->n--;
            if (d->n > first) profile_redact_raw_keys(d, first, bbuf, blen);
            explicit_bzero(bbuf, blen);   /* it holds the base's key */
            free(bbuf);
            ok = base != NULL;
        }
    }
    if (ok) {
        if (!xml_is(xmlDocGetRootElement(base), "profile")) {
            diag_error(d, path, xml_line(xmlDocGetRootElement(base)), "the root element is <%s>, expected <profile> (extended by %s:%d)",
                       (const char *)xmlDocGetRootElement(base)->name, name, line);
            ok = 0;
        } else {
            xml_origin *o = xcalloc(1, sizeof *o);
            o->file = xstrdup(path);
            o->via = xasprintf("extended by %s:%d", name, line);
            o->top_line = line;
            xml_origin_attach(doc, o);
            merge(doc, base, o);
        }
    }
    xmlload_free_doc(base);
    free(real);
    free(path);
    free(ext);
    if (!ok) {
        xmlload_free_doc(doc);
        return NULL;
    }
    return doc;
}

xmlDocPtr profile_doc_parse(const char *name, const char *buf, size_t len, int allow_extends, diag *d)
{
    chain ch = { .n = 0 };
    char *real = allow_extends ? realpath(name, NULL) : NULL;
    ch.real[0] = real ? real : name;
    ch.name[0] = name;
    ch.n = 1;
    xmlDocPtr doc = parse_chain(name, buf, len, allow_extends, &ch, d);
    free(real);
    return doc;
}

xmlDocPtr profile_doc_read(const char *path, diag *d)
{
    size_t len = 0;
    char *buf = xmlload_read_file(path, &len, d);
    if (!buf) return NULL;
    xmlDocPtr doc = profile_doc_parse(path, buf, len, 1, d);
    explicit_bzero(buf, len);
    free(buf);
    return doc;
}
