#include "mef_cred.h"
#include "../util/xmem.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *mef_build_credential(const uint8_t *key, size_t keylen, const char *enrolee_id, long lifetime_s)
{
    char hex[2 * MEF_CRED_MAX + 1];
    if (keylen > MEF_CRED_MAX) keylen = MEF_CRED_MAX;
    for (size_t i = 0; i < keylen; i++) snprintf(hex + 2 * i, 3, "%02x", key[i]);
    hex[2 * keylen] = '\0';
    json_t *o = json_object();
    json_object_set_new(o, "status", json_true());
    json_object_set_new(o, "credential", json_string(hex));
    json_object_set_new(o, "enroleeID", json_string(enrolee_id ? enrolee_id : ""));
    json_object_set_new(o, "lifetime", json_integer(lifetime_s));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    explicit_bzero(hex, sizeof hex);
    char *r = xstrdup(s);
    explicit_bzero(s, strlen(s));
    free(s);
    return r;
}

char *mef_build_cred_error(const char *why)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_false());
    json_object_set_new(o, "errorString", json_string(why ? why : ""));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    char *r = xstrdup(s ? s : "{\"status\":false}");
    free(s);
    return r;
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

int mef_parse_credential(const uint8_t *p, size_t n, uint8_t key[MEF_CRED_MAX], size_t *keylen,
                         char *enrolee, size_t elen, long *lifetime_s, char *err, size_t errlen)
{
    json_t *o = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, NULL);
    int rc = -1;
    json_t *st = o && json_is_object(o) ? json_object_get(o, "status") : NULL;
    if (!st || !json_is_boolean(st)) {
        snprintf(err, errlen, "not a credential answer (a JSON object with a boolean \"status\")");
        goto out;
    }
    if (!json_is_true(st)) {
        json_t *e = json_object_get(o, "errorString");
        snprintf(err, errlen, "Status=False: %s", json_is_string(e) ? json_string_value(e) : "(no errorString)");
        rc = 0;
        goto out;
    }
    json_t *c = json_object_get(o, "credential"), *id = json_object_get(o, "enroleeID"), *lt = json_object_get(o, "lifetime");
    const char *h = json_is_string(c) ? json_string_value(c) : NULL;
    size_t hl = h ? strlen(h) : 0;
    if (!h || hl == 0 || hl % 2 || hl / 2 > MEF_CRED_MAX) {
        snprintf(err, errlen, "Status=True without a credential of 1 to %d bytes in hex", MEF_CRED_MAX);
        goto out;
    }
    for (size_t i = 0; i < hl / 2; i++) {
        int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
        if (a < 0 || b < 0) {
            snprintf(err, errlen, "credential is not hex");
            explicit_bzero(key, MEF_CRED_MAX);
            goto out;
        }
        key[i] = (uint8_t)(a * 16 + b);
    }
    if ((id && !json_is_string(id)) || (lt && !json_is_integer(lt))) {
        snprintf(err, errlen, "enroleeID is not a string or lifetime not an integer");
        explicit_bzero(key, MEF_CRED_MAX);
        goto out;
    }
    *keylen = hl / 2;
    snprintf(enrolee, elen, "%s", id ? json_string_value(id) : "");
    *lifetime_s = lt ? (long)json_integer_value(lt) : 0;
    rc = 1;
out:
    json_decref(o);
    return rc;
}
