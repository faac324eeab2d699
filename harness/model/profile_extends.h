/* Profile inheritance: <profile extends="base.xml" ...>. The base (a path relative to the
 * profile's folder) is read first, itself perhaps extending another; then the profile's own
 * parts override it, by this one rule:
 *   - each child element of <profile> the profile gives replaces, wholesale, every element of
 *     that name in the base (one <var> replaces all the base's <var>s, a <coap> the base's
 *     <coap> with all its attributes); the elements it does not give are the base's;
 *   - each attribute of <profile> it gives replaces the base's (name, role); extends itself
 *     is not kept.
 * The result is one document, the effective profile, in the schema's element order; nodes
 * that come from a base remember it (xml_origin), so messages about them name the base's
 * file:line "extended by" the profile's. A loop (a profile extending itself, directly or
 * not) is refused. */
#ifndef M2M_PROFILE_EXTENDS_H
#define M2M_PROFILE_EXTENDS_H
#include <libxml/tree.h>
#include "../util/diag.h"

/* Parses the profile in buf (read from the file name) and merges the bases it extends. With
 * allow_extends 0 (bytes that come from no file) an extends attribute is an error. Messages
 * that quote a base's PSK key are redacted. NULL with diag entries on error; the caller frees
 * with xmlload_free_doc. */
xmlDocPtr profile_doc_parse(const char *name, const char *buf, size_t len, int allow_extends, diag *d);
/* The same reading the file at path. */
xmlDocPtr profile_doc_read(const char *path, diag *d);

#endif
