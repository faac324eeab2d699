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
