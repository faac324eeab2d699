/* C strings handed to libxml2. libxml2's BAD_CAST is a plain (xmlChar *) cast and drops
 * const; xml_cstr keeps it, and takes only a const char *, so nothing else slips through. */
#ifndef M2M_XMLSTR_H
#define M2M_XMLSTR_H
#include <libxml/xmlstring.h>

static inline const xmlChar *xml_cstr(const char *s) { return (const xmlChar *)s; }

#endif
