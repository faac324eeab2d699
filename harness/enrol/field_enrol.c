#include "field_enrol.h"
#include "../net/ports.h"
#include "mef.h"
#include "../net/udp.h"
#include "../util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int field_enrol_pick_port(const profile *p, const test_env *env)
{
    if (p->mef->port > 0) return p->mef->port;
    return ports_reserve_one(env_iut_address(env, p));
}

int field_enrol_iut(evloop *l, const profile *p, const test_env *env, const tc_harness *h, int mef_port,
                    int interrupt, unsigned n, timeline *tl, mef_enrolment *out, char *err, size_t errlen)
{
    const profile_mef *pm = p->mef;
    const char *addr = env_iut_address(env, p);
    mef_config cfg;   /* a profile error is a setup error, not a refused enrolment */
    if (mef_config_from_profile(p, &cfg, err, errlen) < 0) return -1;
    mef_enrol_opts o = { NULL, NULL, 0, interrupt };
    uint8_t *bad = NULL;
    char *other_id = NULL;
    if (h && h->psk == TC_PSK_WRONG_KEY && pm->kpm_len) {   /* R-ENR-01: the right KpmID, a wrong Kpm */
        bad = xmalloc(pm->kpm_len);
        for (size_t i = 0; i < pm->kpm_len; i++) bad[i] = pm->kpm[i] ^ 0xff;
        o.kpm = bad;
        o.kpm_len = pm->kpm_len;
    }
    if (h && h->psk == TC_PSK_UNKNOWN_IDENTITY) o.kpm_id = other_id = xasprintf("no-such-kpm@%s", pm->fqdn);
    char num[16], port[16];
    snprintf(num, sizeof num, "%u", n);
    snprintf(port, sizeof port, "%s:%d", addr, mef_port);
    /* rspf="cert" (§8.3.2.2): the profile's cert, key and trust are the harness's own, as enrolee */
    const char *const mine[3] = { pm->cert, pm->key, pm->trust };
    const char *rspf = pm->rspf_cert ? "cert" : "ppsk";
    int rc = mef_enrol_opt(l, env_harness_address(env, p), addr, mef_port, p,
                           pm->rspf_cert ? mine : NULL, &o, out, err, errlen);
    free(bad);
    free(other_id);
    /* the IUT's MEF answered in DTLS: the evidence that it speaks it, whatever came of it */
    if (out->mef_dtls)
        timeline_add(tl, "dtls.rx", port, "side", "client", "port", "mef", "type", out->mef_dtls, "hs", out->mef_dtls_hs,
                     (char *)NULL);
    if (rc == 0) {
        timeline_add(tl, "prov.done", port, "side", "client", "rspf", rspf, "keid", out->keid, "mef", pm->fqdn,
                     "enrolment", num, out->mef_cert_id[0] ? "mef_cert" : NULL, out->mef_cert_id, (char *)NULL);
        return 0;
    }
    if (rc != -2) *out = (mef_enrolment){ .mef_heard = out->mef_heard, .mef_dtls = out->mef_dtls,
                                          .mef_dtls_hs = out->mef_dtls_hs };   /* no keys; the IUT answered or not */
    timeline_add(tl, "prov.fail", port, "side", "client", "rspf", rspf, "reason", err, "enrolment", num,
                 rc == -2 ? "keid" : NULL, out->keid, (char *)NULL);
    return 1;
}
