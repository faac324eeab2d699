/* What the registrar side (the harness in role in-cse, tools/ref-in-cse, tools/sim-device)
 * refuses as a strict Release-3 CSE does: the attributes mandatory on CREATE, per release and
 * resource type, each row with the TS-0004 table that makes it M. This list is written on its
 * own, not taken from the harness's fill-in table (onem2m/mandatory.h): a unit test compares
 * the two, so a lenient harness cannot hide behind a lenient peer. docs/strictness.md lists
 * every strictness with its clause. */
#ifndef M2M_STRICT_H
#define M2M_STRICT_H
#include <jansson.h>
#include <stddef.h>

/* The first attribute mandatory on CREATE of ty in release rel that the resource
 * representation inner (the object inside "m2m:ae", ...) lacks, written to attr, or NULL. A NULL inner lacks
 * them all. The refusal is 4000 BAD_REQUEST (TS-0004 §7.3.3.3) with the debug text
 * strict_missing_text gives. */
const char *strict_missing_on_create(int rel, int ty, const json_t *inner, char *attr, size_t len);
/* "cannot find mandatory attribute in request: <attr>" in buf. */
const char *strict_missing_text(const char *attr, char *buf, size_t len);
/* Space-separated attributes mandatory on CREATE of ty in rel ("" when none): for the
 * comparison with the harness's table. */
const char *strict_mandatory_list(int rel, int ty, char *buf, size_t len);

#endif
