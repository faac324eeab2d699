/* Test case fragments (<include href>) and where a node came from (xmlload.h): a fragment is
 * read with the same safe parser as a test case, its children spliced in place of the
 * <include>, each spliced node remembering its file and line for messages. Split from
 * xmlload.c, which parses, validates and reads nodes. */
#include "xmlload.h"
#include "vars.h"
#include "../util/xmem.h"
#include <errno.h>
#include <libxml/parser.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INCLUDE_MAX_DEPTH 16
#define INCLUDE_MAX_COUNT 1000   /* per document: bounds what nested includes can multiply */

const xml_origin *xml_origin_of(const xmlNode *n)
{
    if (n && n->type == XML_ATTRIBUTE_NODE) n = n->parent;
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (n->_private) return n->_private;
    return NULL;
}

void xml_origin_attach(xmlDocPtr doc, xml_origin *o)
{
    o->next = doc->_private;
    doc->_private = o;
}

xml_origin *xml_origins_take(xmlDocPtr doc)
{
    if (!doc) return NULL;
    xml_origin *o = doc->_private;
    doc->_private = NULL;
    return o;
}

void xml_origins_free(xml_origin *o)
{
    while (o) {
        xml_origin *next = o->next;
        free(o->file);
        free(o->via);
        free(o);
        o = next;
    }
}

void xmlload_free_doc(xmlDocPtr doc)
{
    if (!doc) return;
    xml_origins_free(xml_origins_take(doc));
    xmlFreeDoc(doc);
}

static void vdiag(diag *d, const char *file, int line, const xml_origin *o, int src_line, const char *fmt,
                  va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    if (o) diag_error(d, o->file, src_line, "%s (%s)", msg, o->via);
    else diag_error(d, file, line, "%s", msg);
    free(msg);
}

void xml_diag(diag *d, const char *file, int line, const xml_origin *o, int src_line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(d, file, line, o, src_line, fmt, ap);
    va_end(ap);
}

void xml_diag_node(diag *d, const char *file, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line = xml_line(n);
    vdiag(d, file, line, xml_origin_of(n), line, fmt, ap);
    va_end(ap);
}

int xml_top_line(const xmlNode *n)
{
    const xml_origin *o = xml_origin_of(n);
    return o ? o->top_line : xml_line(n);
}

/* Folds "." and ".." of a path lexically ("a/b/../c" is "a/c"), so messages name the
 * fragment as a person would; the containment check works on the resolved path. */
static char *normalise(const char *path)
{
    size_t n = strlen(path);
    char *out = xmalloc(n + 2);
    size_t o = 0, kept = 0;   /* kept: components that a ".." may remove */
    int abs = path[0] == '/';
    if (abs) out[o++] = '/';
    const char *p = path;
    while (*p) {
        while (*p == '/') p++;
        size_t len = strcspn(p, "/");
        if (!len) break;
        if (len == 1 && p[0] == '.') {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.' && kept) {
            while (o > (size_t)abs && out[o - 1] != '/') o--;   /* drop the last component */
            if (o > (size_t)abs) o--;                          /* and its slash */
            kept--;
        } else if (len == 2 && p[0] == '.' && p[1] == '.' && abs) {
            /* "/.." is "/" */
        } else {
            if (o > (size_t)abs) out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
            if (!(len == 2 && p[0] == '.' && p[1] == '.')) kept++;
        }
        p += len;
    }
    if (!o) out[o++] = '.';
    out[o] = '\0';
    return out;
}

typedef struct inc_ctx {
    diag *d;
    const char *root;       /* resolved root, NULL = includes refused */
    char *stack[INCLUDE_MAX_DEPTH + 1];   /* resolved paths of the files being expanded */
    const char *names[INCLUDE_MAX_DEPTH + 1]; /* and their names, for the loop message */
    int depth;
    int count;
    int errors;
    xmlDocPtr doc;
    const xml_origin *cur;  /* the fragment being expanded, NULL = the document's own file */
} inc_ctx;

/* The folder part of file with a slash, or "" */
static char *dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? xstrndup(file, (size_t)(slash - file) + 1) : xstrdup("");
}

static void inc_err(inc_ctx *x, const char *file, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void inc_err(inc_ctx *x, const char *file, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line = xml_line(n);
    const xml_origin *o = xml_origin_of(n);
    vdiag(x->d, file, line, o ? o : x->cur, line, fmt, ap);
    va_end(ap);
    x->errors++;
}

static void expand_tree(inc_ctx *x, xmlNode *parent, const char *file);

/* A copy keeps the origins its source's nodes had (includes expanded inside a fragment). */
static void copy_origins(const xmlNode *src, xmlNode *dst)
{
    dst->_private = src->_private;
    const xmlNode *s = xml_first_elem(src);
    xmlNode *t = xml_first_elem(dst);
    for (; s && t; s = xml_next_elem(s), t = xml_next_elem(t)) copy_origins(s, t);
}

/* Replaces one <include> element with the fragment's children. */
/* A fragment's parameters: <include href="..."><param name="WHAT" value="an expired
 * certificate"/></include> puts the value wherever the fragment writes ${WHAT} (in attribute
 * values and text). A parameter the fragment never uses is an error (a misspelt name); a
 * ${NAME} no parameter gives stays a variable of the test. */
#define INCLUDE_MAX_PARAMS 16
typedef struct inc_params {
    vars v;                                   /* name -> value, in the order given */
    unsigned char used[INCLUDE_MAX_PARAMS];
} inc_params;

static int param_name_ok(const char *s)
{
    if (!s || !((*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

static int read_params(inc_ctx *x, const xmlNode *inc, const char *file, inc_params *ps)
{
    for (const xmlNode *ch = xml_first_elem(inc); ch; ch = xml_next_elem(ch)) {
        char *nm = xml_attr(ch, "name"), *val = xml_attr(ch, "value");
        const char *bad = !xml_is(ch, "param") ? "<include> takes only <param name=\"NAME\" value=\"...\"/> inside"
                          : !param_name_ok(nm) ? "<param name>: expected upper-case letters, digits and _ (a ${NAME})"
                          : !val ? "<param> needs value=\"...\""
                          : ps->v.kv.n >= INCLUDE_MAX_PARAMS ? "too many <param>s for one include"
                          : vars_get(&ps->v, nm) ? "<param name> given twice" : NULL;
        if (!bad) vars_set(&ps->v, nm, val);
        else inc_err(x, file, ch, "%s", bad);
        free(nm);
        free(val);
        if (bad) return -1;
    }
    return 0;
}

/* ${NAME} of ps replaced in node n (detached or not) and everything below it. */
static void substitute(xmlNode *n, inc_params *ps)
{
    if (!ps->v.kv.n || !n) return;
    if (n->type == XML_ELEMENT_NODE) {
        for (xmlAttr *a = n->properties; a; a = a->next) {
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            char *r = vars_fill(&ps->v, (const char *)v, ps->used);
            if (r) xmlSetProp(n, a->name, (const xmlChar *)r);
            free(r);
            xmlFree(v);
        }
        for (xmlNode *c = n->children; c; c = c->next) substitute(c, ps);
    } else if (n->type == XML_TEXT_NODE) {
        xmlChar *v = xmlNodeGetContent(n);
        char *r = vars_fill(&ps->v, (const char *)v, ps->used);
        if (r) xmlNodeSetContent(n, (const xmlChar *)r);
        free(r);
        xmlFree(v);
    }
}

static void expand_one(inc_ctx *x, xmlNode *inc, const char *file)
{
    inc_params ps = { 0 };
    char *href = xml_attr(inc, "href");
    if (!x->root) {
        inc_err(x, file, inc, "<include> is not available here (only in files read from a test suite folder)");
        goto out;
    }
    if (!href || !*href) {
        inc_err(x, file, inc, "<include> needs href=\"path\" (relative to this file)");
        goto out;
    }
    for (const xmlAttr *a = inc->properties; a; a = a->next)
        if (strcmp((const char *)a->name, "href") != 0) {
            inc_err(x, file, inc, "<include %s=\"...\">: an include takes only href", (const char *)a->name);
            goto out;
        }
    if (read_params(x, inc, file, &ps) < 0) goto out;
    if (href[0] == '/' || strchr(href, ':') || strchr(href, '\\')) {
        inc_err(x, file, inc, "<include href=\"%s\">: give a path relative to this file (no absolute path, no URL)", href);
        goto out;
    }
    if (++x->count > INCLUDE_MAX_COUNT) {
        if (x->count == INCLUDE_MAX_COUNT + 1)
            inc_err(x, file, inc, "more than %d includes in one document", INCLUDE_MAX_COUNT);
        goto out;
    }
    char *dir = dir_of(file);
    char *joined = xasprintf("%s%s", dir, href);
    char *name = normalise(joined);
    free(joined);
    /* Outside the root is refused before the file is even looked for (a test case learns
     * nothing about files elsewhere): lexically from the including file's resolved folder
     * first, then once more with links resolved. */
    size_t rl = strlen(x->root);
    char *dreal = realpath(*dir ? dir : ".", NULL);
    free(dir);
    char *lexj = dreal ? xasprintf("%s/%s", dreal, href) : NULL;
    char *lex = lexj ? normalise(lexj) : NULL;
    int lex_out = !lex || strncmp(lex, x->root, rl) != 0 || (lex[rl] != '/' && x->root[rl - 1] != '/');
    free(dreal);
    free(lexj);
    free(lex);
    char *real = lex_out ? NULL : realpath(name, NULL);
    if (lex_out) {
        inc_err(x, file, inc, "<include href=\"%s\">: %s is outside the folder includes may read (%s)", href, name,
                x->root);
    } else if (!real) {
        inc_err(x, file, inc, "<include href=\"%s\">: cannot open %s: %s", href, name, strerror(errno));
    } else if (strncmp(real, x->root, rl) != 0 || (real[rl] != '/' && x->root[rl - 1] != '/')) {
        inc_err(x, file, inc, "<include href=\"%s\">: %s is outside the folder includes may read (%s)", href, name,
                x->root);
    } else {
        int loop = -1;
        for (int i = 0; i < x->depth; i++)
            if (strcmp(x->stack[i], real) == 0) loop = i;
        if (loop >= 0) {
            strbuf b;
            sb_init(&b);
            for (int i = loop; i < x->depth; i++) sb_addf(&b, "%s -> ", x->names[i]);
            sb_addf(&b, "%s", name);
            inc_err(x, file, inc, "<include href=\"%s\">: an include loop: %s", href, b.s);
            sb_free(&b);
        } else if (x->depth >= INCLUDE_MAX_DEPTH) {
            inc_err(x, file, inc, "<include href=\"%s\">: includes nested more than %d deep", href, INCLUDE_MAX_DEPTH);
        } else {
            /* Messages about the fragment's own text (not well-formed, a DOCTYPE) say too
             * which include brought it. */
            const xml_origin *outer = xml_origin_of(inc);
            if (!outer) outer = x->cur;
            xml_origin *o = xcalloc(1, sizeof *o);
            o->file = xstrdup(name);
            o->via = outer ? xasprintf("included from %s:%d, %s", file, xml_line(inc), outer->via)
                           : xasprintf("included from %s:%d", file, xml_line(inc));
            o->top_line = outer ? outer->top_line : xml_line(inc);
            xml_origin_attach(x->doc, o);
            size_t first = x->d->n;
            xmlDocPtr frag = xmlload_parse_file(name, x->d);
            for (size_t i = first; i < x->d->n; i++) {
                char *m = xasprintf("%s (%s)", x->d->items[i].message, o->via);
                free(x->d->items[i].message);
                x->d->items[i].message = m;
            }
            xmlNode *froot = frag ? xmlDocGetRootElement(frag) : NULL;
            if (!frag) {
                x->errors++;
            } else if (!xml_is(froot, "fragment")) {
                xml_diag(x->d, name, xml_line(froot), o, xml_line(froot),
                         "the root element of a fragment is <%s>, expected <fragment>", (const char *)froot->name);
                x->errors++;
            } else {
                /* The fragment's own includes first, in its document, with it on the stack. */
                const xml_origin *saved = x->cur;
                x->stack[x->depth] = real;
                x->names[x->depth] = name;
                x->depth++;
                x->cur = o;
                expand_tree(x, froot, name);
                x->cur = saved;
                x->depth--;
                for (xmlNode *ch = xml_first_elem(froot); ch; ch = xml_next_elem(ch)) {
                    xmlNode *copy = xmlDocCopyNode(ch, inc->doc, 1);   /* the including document: its dictionary */
                    if (!copy) abort();
                    copy_origins(ch, copy);
                    if (!copy->_private) copy->_private = o;
                    substitute(copy, &ps);
                    xmlAddPrevSibling(inc, copy);
                }
                for (size_t i = 0; i < ps.v.kv.n; i++)
                    if (!ps.used[i])
                        inc_err(x, file, inc, "<param name=\"%s\">: %s has no ${%s}", ps.v.kv.items[i].key, name,
                                ps.v.kv.items[i].key);
            }
            xmlFreeDoc(frag);
        }
    }
    free(real);
    free(name);
out:
    vars_free(&ps.v);
    free(href);
}

/* Every <include> below parent, in document order; file names parent's file. */
static void expand_tree(inc_ctx *x, xmlNode *parent, const char *file)
{
    xmlNode *n = xml_first_elem(parent);
    while (n) {
        xmlNode *next = xml_next_elem(n);
        if (xml_is(n, "include") && !n->ns) {
            expand_one(x, n, file);
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        } else {
            expand_tree(x, n, file);
        }
        n = next;
    }
}

int xmlload_expand(xmlDocPtr doc, const char *file, const char *root, diag *d)
{
    inc_ctx x = { .d = d, .doc = doc };
    char *real_root = NULL;
    if (root) {
        real_root = realpath(root, NULL);
        if (!real_root) {
            diag_error(d, root, 0, "cannot open the folder includes are read from: %s", strerror(errno));
            return -1;
        }
        x.root = real_root;
    }
    char *self = realpath(file, NULL);
    x.stack[0] = self ? self : xstrdup(file);
    x.names[0] = file;
    x.depth = 1;
    expand_tree(&x, xmlDocGetRootElement(doc), file);
    free(x.stack[0]);
    free(real_root);
    return x.errors ? -1 : 0;
}

xmlDocPtr xmlload_file_inc(const char *path, const char *root, const char *schema_path, diag *d)
{
    xmlDocPtr doc = xmlload_parse_file(path, d);
    if (doc && xmlload_expand(doc, path, root, d) < 0) {
        xmlload_free_doc(doc);
        return NULL;
    }
    if (doc && schema_path && xmlload_validate(doc, path, schema_path, d) < 0) {
        xmlload_free_doc(doc);
        return NULL;
    }
    return doc;
}

