/* The strict registrar's mandatory attributes (strict.h). One row per resource type and
 * release range: the attributes whose "Request Optionality" for Create is M in the TS-0004
 * V3.32 table the row names. TS-0004 §7.3.3.3, "M attribute for create request": "If the
 * attribute is not present in the resource representation in the CREATE request the Hosting
 * CSE shall reject the request with a Response Status Code indicating a "BAD_REQUEST" error."
 * Rows for releases other than 3 are unverified (their text was not read). */
#include "strict.h"
#include "../onem2m/release.h"
#include <stdio.h>
#include <string.h>

static const struct {
    int ty;
    int rel_from, rel_to;
    const char *attrs;    /* M on Create */
    const char *clause;
} must[] = {
    { 2, M2M_REL_1, M2M_REL_2, "api rr", "TS-0004 Table 7.4.5.1-3 (unverified for Release 1 and 2)" },
    { 2, M2M_REL_2A, M2M_REL_5, "api rr srv", "TS-0004 Table 7.4.5.1-3 (api, rr, supportedReleaseVersions)" },
    { 16, M2M_REL_1, M2M_REL_2, "csi cb rr", "TS-0004 Table 7.4.4.1-3 (unverified for Release 1 and 2)" },
    { 16, M2M_REL_2A, M2M_REL_5, "csi cb rr srv", "TS-0004 Table 7.4.4.1-3 (CSE-ID, CSEBase, requestReachability, supportedReleaseVersions)" },
    { 1, M2M_REL_1, M2M_REL_5, "pv pvs", "TS-0004 Table 7.4.2.1-3 (privileges, selfPrivileges) and §7.4.2.2.1" },
    { 4, M2M_REL_1, M2M_REL_5, "con", "TS-0004 Table 7.4.7.1-3 (content)" },
    /* <container>, Table 7.4.6.1-3: nothing is M on Create */
    { 3, M2M_REL_1, M2M_REL_5, "", "TS-0004 Table 7.4.6.1-3" },
};

const char *strict_mandatory_list(int rel, int ty, char *buf, size_t len)
{
    snprintf(buf, len, "%s", "");
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        if (must[i].ty == ty && rel >= must[i].rel_from && rel <= must[i].rel_to) {
            snprintf(buf, len, "%s", must[i].attrs);
            break;
        }
    return buf;
}

const char *strict_missing_on_create(int rel, int ty, const json_t *inner, char *word, size_t len)
{
    char list[64];
    strict_mandatory_list(rel, ty, list, sizeof list);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        if (n && n < len) {
            memcpy(word, p, n);
            word[n] = '\0';
            if (!inner || !json_object_get(inner, word)) return word;
        }
        p += n;
        p += strspn(p, " ");
    }
    return NULL;
}

const char *strict_missing_text(const char *attr, char *buf, size_t len)
{
    snprintf(buf, len, "cannot find mandatory attribute in request: %s", attr);
    return buf;
}
