#include "mef_msg.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const mef_names MEF_NAMES_DEFAULT = {
    "certificateEnrolmentIndication", "mafEnrolmentIndication", "remoteManagementIndication", "endOfExchange",
};

static int get_bool(json_t *o, const char *name, int *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, name);
    if (!v) {
        snprintf(err, errlen, "member \"%s\" missing", name);
        return -1;
    }
    if (!json_is_boolean(v)) {
        snprintf(err, errlen, "member \"%s\" is not a boolean", name);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

int mef_parse_indications(const uint8_t *p, size_t n, const mef_names *names, mef_indications *out,
                          char *err, size_t errlen)
{
    json_error_t je;
    json_t *o = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        snprintf(err, errlen, "not a JSON object%s%s", o ? "" : ": ", o ? "" : je.text);
        json_decref(o);
        return -1;
    }
    int r = get_bool(o, names->cert, &out->cert, err, errlen) < 0 ||
            get_bool(o, names->maf, &out->maf, err, errlen) < 0 ||
            get_bool(o, names->rmgmt, &out->rmgmt, err, errlen) < 0 ? -1 : 0;
    json_decref(o);
    return r;
}

char *mef_build_indications(const mef_names *names, const mef_indications *in)
{
    json_t *o = json_object();
    json_object_set_new(o, names->cert, json_boolean(in->cert));
    json_object_set_new(o, names->maf, json_boolean(in->maf));
    json_object_set_new(o, names->rmgmt, json_boolean(in->rmgmt));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    char *r = xstrdup(s);
    free(s);
    return r;
}

char *mef_build_end(const mef_names *names)
{
    return xasprintf("{\"%s\":true}", names->end);
}

int mef_is_end(const uint8_t *p, size_t n, const mef_names *names)
{
    json_t *o = json_loadb((const char *)p, n, 0, NULL);
    int r = o && json_is_object(o) && json_is_true(json_object_get(o, names->end));
    json_decref(o);
    return r;
}
