/* oneM2M XML serialization, Content-Format 10014 vnd.onem2m-res+xml (TS-0004 §8.4):
 * the resource representations the JSON binding carries ({"m2m:cb":{...}}, m2m:csr,
 * m2m:ae, m2m:cnt, m2m:cin, m2m:acp, m2m:dbg ...) as XML with the root element in the
 * m2m namespace and the short names as unprefixed child elements. The conversion goes
 * through the JSON form, so every JSON consumer of the harness reads XML content too. */
#ifndef M2M_PRIMITIVE_XML_H
#define M2M_PRIMITIVE_XML_H
#include <stddef.h>
#include <jansson.h>

#define M2M_XML_NS "http://www.onem2m.org/xml/protocols"
#define M2M_XML_MAX_DEPTH 16

/* {"m2m:x": value} (exactly one member, an "m2m:" key) -> XML document text.
 * Objects become child elements, arrays of scalars an xs:list (space separated),
 * arrays of objects repeated elements, booleans true/false. NULL with the reason in err
 * when the JSON has no such shape or a list item would not survive the list syntax.
 * rep is only read; it is not const because jansson iterates objects through non-const
 * pointers only. */
char *m2m_xml_encode(json_t *rep, char *err, size_t errlen);
/* XML document -> {"m2m:x": value}. Attribute types come from the short name (ty, cst …
 * integers; rr booleans; poa, srv, lbl, acpi … lists). NULL with the reason in err on
 * malformed XML, a DOCTYPE, a root outside the m2m namespace, mixed content, a value
 * of the wrong type, or nesting deeper than M2M_XML_MAX_DEPTH. */
json_t *m2m_xml_decode(const char *xml, size_t len, char *err, size_t errlen);

/* Text to text conversions of whole representations (new strings, NULL + err on failure). */
char *m2m_xml_from_json_text(const char *json, size_t len, char *err, size_t errlen);
char *m2m_json_from_xml_text(const char *xml, size_t len, char *err, size_t errlen);

struct m2m_prim;
/* p's JSON content (pc, cf 10001 or none) goes out in Content-Format cf: the same text
 * under 50 (application/json), XML under 10014 or 41. Content that is no representation (a
 * test's deliberately bad JSON) stays JSON (10001). Returns 1 if changed, 0 if not. */
int m2m_prim_serialize(struct m2m_prim *p, int cf);

#endif
