/* Safe XML loading for test cases and profiles: libxml2 with no network, no DTD and so no
 * entity expansion (a DOCTYPE is refused outright), line numbers kept, validation against an
 * XSD compiled once per path, and every parser or schema complaint turned into a diag entry
 * "file:line: message" — libxml2's own text, which says what was expected. */
#ifndef M2M_XMLLOAD_H
#define M2M_XMLLOAD_H
#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>
#include "../util/diag.h"
#include "../util/xmlstr.h"

/* Test cases and profiles are small; a larger file is refused before parsing. */
#define XMLLOAD_MAX_BYTES (4u * 1024u * 1024u)
/* At most this many messages per document (a broken file can make the validator
 * complain about every element); one more entry says that the rest was dropped. */
#define XMLLOAD_MAX_ERRORS 50

/* Parses buf; name is the file name used in messages. NULL with diag entries on error. */
xmlDocPtr xmlload_parse_mem(const char *name, const char *buf, size_t len, diag *d);
/* Reads a whole regular file (at most XMLLOAD_MAX_BYTES) into a malloc'd buffer with a
 * terminating NUL not counted in *len; NULL with a diag entry on error. */
char *xmlload_read_file(const char *path, size_t *len, diag *d);
/* Reads and parses a file. */
xmlDocPtr xmlload_parse_file(const char *path, diag *d);
/* Validates doc against the XSD at schema_path (compiled on first use, then cached).
 * Returns 0 if valid, -1 (with diag entries) if not or if the schema cannot be loaded. */
int xmlload_validate(xmlDocPtr doc, const char *name, const char *schema_path, diag *d);
/* Parse, then validate when schema_path is not NULL. The caller frees with xmlFreeDoc. */
xmlDocPtr xmlload_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                      diag *d);
xmlDocPtr xmlload_file(const char *path, const char *schema_path, diag *d);
/* ---- fragments: <include href="..."/> ----
 * A document may include fragments: <include href="path"/>, the path relative to the including
 * file, is replaced by the element children of the fragment's root <fragment>. Fragments may
 * include others. The resolved file must lie inside root (symbolic links resolved), the href is
 * a plain relative path (no scheme, no absolute path), and a fragment that includes itself,
 * directly or not, is refused. The nodes brought in remember where they come from (xml_origin),
 * so messages about them name the fragment's file and line and the include that brought them. */
typedef struct xml_origin {
    char *file;          /* the fragment (or base profile), as named in messages */
    char *via;           /* "included from a.xml:3" (and ", included from b.xml:7" for nesting) */
    int top_line;        /* the line of the outermost <include> in the document's own file */
    struct xml_origin *next;   /* every origin of a document, for freeing */
} xml_origin;

/* Reads and parses path; expands its includes (resolved inside root) when root is not NULL,
 * else refuses any <include>; then validates when schema_path is not NULL. The caller frees with
 * xmlload_free_doc. */
xmlDocPtr xmlload_file_inc(const char *path, const char *root, const char *schema_path, diag *d);
/* Expands the <include> elements of doc (read from file) in place. 0, or -1 with diag entries.
 * With root NULL, any <include> is an error (documents read from memory, fuzz input). */
int xmlload_expand(xmlDocPtr doc, const char *file, const char *root, diag *d);
/* Where n was written: NULL when in the document's own file. */
const xml_origin *xml_origin_of(const xmlNode *n);
/* Adds o to doc's origins (freed with the document by xmlload_free_doc). */
void xml_origin_attach(xmlDocPtr doc, xml_origin *o);
/* Takes the list of doc's origins out of it (to keep them past the document); free with
 * xml_origins_free. */
xml_origin *xml_origins_take(xmlDocPtr doc);
void xml_origins_free(xml_origin *o);
void xmlload_free_doc(xmlDocPtr doc);
/* A diag entry for something written at line of file or, when o is set, at src_line of o's
 * file, with where that was included from. */
void xml_diag(diag *d, const char *file, int line, const xml_origin *o, int src_line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* The same for node n (its origin and line). */
void xml_diag_node(diag *d, const char *file, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The line in the document's own file: n's, or that of the include that brought it. */
int xml_top_line(const xmlNode *n);

/* Frees the cached schemas (for leak checkers at exit; loading works again afterwards). */
void xmlload_cleanup(void);

/* DOM helpers shared by the loaders. Element names are compared without namespace. */
int xml_line(const xmlNode *n);                        /* source line, 0 if unknown */
int xml_is(const xmlNode *n, const char *name);        /* element with this name */
xmlNode *xml_first_elem(const xmlNode *parent);        /* first element child or NULL */
xmlNode *xml_next_elem(const xmlNode *n);              /* next element sibling or NULL */
xmlNode *xml_child(const xmlNode *parent, const char *name); /* first child element so named */
char *xml_attr(const xmlNode *n, const char *name);    /* malloc'd copy, NULL if absent */
/* The element's text (CDATA included), leading and trailing white space removed; a
 * malloc'd string, NULL when empty. */
char *xml_text(const xmlNode *n);
/* The text with every run of white space folded to one space (titles, references). */
char *xml_text_folded(const xmlNode *n);
/* Duration attribute via parse_duration_ns: 0 if absent (*out untouched), 1 if set, -1 (with a
 * file:line diag entry) if malformed or, when positive is set, not greater than zero. */
int xml_attr_duration(const xmlNode *n, const char *attr, int positive, const char *file,
                      diag *d, int64_t *out);

#endif
