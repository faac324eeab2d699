/* libFuzzer target for the TS-0008 binding: a CoAP decode, then m2m_from_coap under both
 * option presets, field access (including JSON paths into the content), and a re-encode
 * of the primitive whose decode must give back the same parameters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/coap.h"
#include "onem2m/primitive.h"
#include "fuzz_target.h"

static const char *const fields[] = {
    "op", "ty", "fr", "to", "rqi", "rvi", "rsc", "ot", "cf", "pc", "location", "secure",
    "pc:", "pc:m2m:csr/csi", "pc:m2m:ae/api", "pc:m2m:ae/poa/0", "pc:m2m:cin/con",
    "pc:m2m:dbg", "pc:0/1/2", "pc:a//b", "pc:m2m:sgn/nev/rep",
};

static int same_str(const char *a, const char *b)
{
    /* An empty `to` or location and an absent one encode the same way. */
    if (!a) a = "";
    if (!b) b = "";
    return strcmp(a, b) == 0;
}

static void reencode(const cm_msg *orig, const m2m_prim *p, const m2m_optmap *map)
{
    cm_msg m;
    cm_msg_init(&m);
    m.type = orig->type;
    m.mid = orig->mid;
    m.tkl = orig->tkl;
    memcpy(m.token, orig->token, sizeof m.token);
    int rc = p->is_response ? m2m_response_to_coap(p, map, &m) : m2m_request_to_coap(p, map, &m);
    if (rc != 0) {
        cm_msg_free(&m);
        return;
    }
    size_t cap = 2 * (orig->plen + 64) + 2 * 1024;
    for (size_t i = 0; i < orig->nopts; i++) cap += 3u * orig->opts[i].len + 8;
    uint8_t *buf = malloc(cap);
    size_t n = cm_encode(&m, buf, cap);
    if (n == 0) __builtin_trap();
    cm_msg back;
    cm_defects d;
    if (cm_decode(buf, n, &back, &d) != 0) __builtin_trap();
    m2m_prim q;
    if (m2m_from_coap(&back, map, &q, NULL, 0) != 0) __builtin_trap();
    /* A non-blocking op in Uri-Query is not re-encoded; skip op for those. */
    int had_query = cm_msg_find_opt(orig, CM_OPT_URI_QUERY, 0) != NULL;
    if (q.is_response != p->is_response || (!had_query && q.op != p->op) ||
        !same_str(q.to, p->to) || !same_str(q.fr, p->fr) || !same_str(q.rqi, p->rqi) ||
        !same_str(q.rvi, p->rvi) || !same_str(q.ot, p->ot) ||
        (p->is_response && q.rsc != p->rsc) ||
        q.pclen != p->pclen || (p->pclen && memcmp(q.pc, p->pc, p->pclen) != 0) ||
        !same_str(q.location, p->location))
        __builtin_trap();
    if (!p->is_response && q.ty != p->ty) __builtin_trap();
    m2m_prim_free(&q);
    cm_msg_free(&back);
    free(buf);
    cm_msg_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_msg m;
    cm_defects d;
    if (cm_decode(data, size, &m, &d) != 0) {
        cm_msg_free(&m);
        return 0;
    }
    static const char *const presets[] = {"iana", "legacy"};
    for (size_t k = 0; k < 2; k++) {
        m2m_optmap map;
        if (m2m_optmap_preset(presets[k], &map) != 0) __builtin_trap();
        m2m_prim p;
        char problems[512] = "";
        int rc = m2m_from_coap(&m, &map, &p, problems, sizeof problems);
        if (strnlen(problems, sizeof problems) >= sizeof problems) __builtin_trap();
        /* what it names must be an option of m, odd (critical) and unmapped */
        unsigned crit = m2m_unknown_critical(&m, &map);
        if (crit && (!(crit & 1) || m2m_optmap_lookup(&map, (uint16_t)crit) >= 0 || !cm_msg_find_opt(&m, (uint16_t)crit, 0)))
            __builtin_trap();
        if (rc == 0) {
            for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
                free(m2m_prim_field(&p, fields[i]));
            reencode(&m, &p, &map);
        }
        m2m_prim_free(&p);
    }
    cm_msg_free(&m);
    return 0;
}
