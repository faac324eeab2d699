/* libFuzzer target for the oneM2M XML serialization (10014): m2m_xml_decode on the input,
 * then the property the binding relies on: what decodes re-encodes, and the re-encoding
 * decodes to the same JSON (or the encoder names why it cannot, e.g. a list item with
 * white space that only a CDATA element could carry). Also the JSON -> XML direction on
 * the same bytes, since the registrar converts device JSON too. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "onem2m/primitive_xml.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[200] = "";
    json_t *rep = m2m_xml_decode((const char *)data, size, err, sizeof err);
    if (!rep) {
        if (!err[0]) __builtin_trap();  /* a refusal always says why */
    } else {
        char *xml = m2m_xml_encode(rep, err, sizeof err);
        if (xml) {
            json_t *again = m2m_xml_decode(xml, strlen(xml), err, sizeof err);
            /* a string leaf that was an empty list element may come back typed; only
             * documents the encoder produced must be stable */
            if (again) {
                char *xml2 = m2m_xml_encode(again, err, sizeof err);
                if (!xml2 || strcmp(xml, xml2) != 0) __builtin_trap();
                free(xml2);
            }
            json_decref(again);
            free(xml);
        } else if (!err[0]) {
            __builtin_trap();
        }
        json_decref(rep);
    }
    char *x = m2m_xml_from_json_text((const char *)data, size, err, sizeof err);
    free(x);
    return 0;
}
