/* m2m:acp (JSON, short names of TS-0004 §8.2.3) to acp_policy; see acp_json.h. */
#include "acp_json.h"
#include <stdio.h>
#include <string.h>

static int str_list(json_t *a, acp_rule *r, void (*add)(acp_rule *, const char *))
{
    if (!a) return 0;
    if (!json_is_array(a)) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) return -1;
        add(r, json_string_value(v));
    }
    return 0;
}

/* acco: a list of contexts; their time windows and IP blocks are pooled into the rule. */
static int contexts(json_t *acco, acp_rule *r)
{
    if (!acco) return 0;
    if (!json_is_array(acco)) return -1;
    size_t i;
    json_t *c;
    json_array_foreach(acco, i, c) {
        json_t *acip = json_object_get(c, "acip");
        if (!json_is_object(c) || str_list(json_object_get(c, "actw"), r, acp_rule_add_window) < 0 ||
            (acip && (!json_is_object(acip) ||
                      str_list(json_object_get(acip, "ipv4"), r, acp_rule_add_ip) < 0 ||
                      str_list(json_object_get(acip, "ipv6"), r, acp_rule_add_ip) < 0)))
            return -1;
    }
    return 0;
}

/* acod: child types (chty) a CREATE may make. */
static int details(json_t *acod, acp_rule *r)
{
    if (!acod) return 0;
    if (!json_is_array(acod)) return -1;
    size_t i, j;
    json_t *d, *t;
    json_array_foreach(acod, i, d) {
        json_t *chty = json_object_get(d, "chty");
        if (!json_is_array(chty)) return -1;
        json_array_foreach(chty, j, t) {
            if (!json_is_integer(t)) return -1;
            acp_rule_add_type(r, (int)json_integer_value(t));
        }
    }
    return 0;
}

static int rules(json_t *set, acp_policy *p, int self, char *err, size_t errlen)
{
    json_t *acr = json_object_get(set, "acr");
    if (!json_is_object(set) || !json_is_array(acr)) {
        snprintf(err, errlen, "%s has no acr list", self ? "pvs" : "pv");
        return -1;
    }
    size_t i;
    json_t *x;
    json_array_foreach(acr, i, x) {
        json_t *acop = json_object_get(x, "acop");
        json_int_t ops = json_integer_value(acop);
        if (!json_is_object(x) || !json_is_integer(acop) || ops < 0 || ops > ACOP_ALL) {
            snprintf(err, errlen, "%s acr[%zu]: acop missing or not in 0..63", self ? "pvs" : "pv", i);
            return -1;
        }
        acp_rule *r = acp_policy_add_rule(p, self, (unsigned)ops, json_is_true(json_object_get(x, "acaf")));
        if (str_list(json_object_get(x, "acor"), r, acp_rule_add_originator) < 0 ||
            contexts(json_object_get(x, "acco"), r) < 0 || details(json_object_get(x, "acod"), r) < 0) {
            snprintf(err, errlen, "%s acr[%zu]: malformed acor, acco or acod", self ? "pvs" : "pv", i);
            return -1;
        }
    }
    return 0;
}

acp_policy *acp_policy_from_json(const json_t *acp, const char *id, int need_pvs, char *err, size_t errlen)
{
    json_t *pv = json_object_get(acp, "pv"), *pvs = json_object_get(acp, "pvs");
    if (!json_is_object(acp)) {
        snprintf(err, errlen, "m2m:acp is not an object");
        return NULL;
    }
    if (need_pvs && (!pv || !pvs)) {
        snprintf(err, errlen, "pv and pvs are mandatory on CREATE");
        return NULL;
    }
    acp_policy *p = acp_policy_new(id);
    if ((pv && rules(pv, p, 0, err, errlen) < 0) || (pvs && rules(pvs, p, 1, err, errlen) < 0)) {
        acp_policy_free(p);
        return NULL;
    }
    if (need_pvs && p->npvs == 0) {
        snprintf(err, errlen, "pvs needs at least one rule");
        acp_policy_free(p);
        return NULL;
    }
    return p;
}
