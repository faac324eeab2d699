#include "own_mef.h"
#include "exec/mef.h"
#include "util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ref_mef {
    mef_config cfg;
    timeline tl;   /* the MEF's prov.* events; the reference keeps no report */
    mef *m;
    const char *fault;
};

static int is(const char *fault, const char *name) { return fault && !strcmp(fault, name); }

ref_mef *ref_mef_open(evloop *l, const profile *p, int port, const char *fault, char *err, size_t errlen)
{
    ref_mef *r = xcalloc(1, sizeof *r);
    if (mef_config_from_profile(p, &r->cfg, err, errlen) < 0) {
        free(r);
        return NULL;
    }
    r->cfg.address = p->iut_address ? p->iut_address : "127.0.0.1";   /* the IUT's MEF, not the harness's */
    r->cfg.port = port;
    if (is(fault, "mef-wrong-label")) r->cfg.keys.label = "EXPORTER-oneM2M-Connection";   /* §10.3.1 names Bootstrap */
    r->cfg.faults = (is(fault, "mef-any-kpm") ? MEF_FAULT_ANY_KPM_ID : 0u) |
                    (is(fault, "accept-half-enrolled") ? MEF_FAULT_KEYS_AT_HANDSHAKE : 0u) |
                    (is(fault, "accept-expired-keid") ? MEF_FAULT_IGNORE_EXPIRY : 0u);
    r->fault = fault;
    timeline_init(&r->tl);
    if (!(r->m = mef_open(l, &r->cfg, &r->tl, err, errlen))) {
        timeline_free(&r->tl);
        free(r);
        return NULL;
    }
    fprintf(stderr, "ref-in-cse: MEF %s on coaps %d\n", r->cfg.fqdn, mef_port(r->m));
    return r;
}

void *ref_mef_lookup_ctx(ref_mef *r) { return r->m; }

void ref_mef_change_provider(ref_mef *r)
{
    if (is(r->fault, "keep-enrolment-on-provider-change")) {
        fprintf(stderr, "ref-in-cse: fault: the former provider's enrolments stay valid\n");
        return;
    }
    size_t n = mef_forget(r->m, NULL, "change of service provider");
    fprintf(stderr, "ref-in-cse: change of service provider: %zu enrolment(s) of the former provider forgotten\n", n);
}

void ref_mef_association_ended(ref_mef *r, const char *identity)
{
    if (!identity || !is(r->fault, "forget-enrolment-on-close")) return;
    if (mef_forget(r->m, identity, "association ended"))
        fprintf(stderr, "ref-in-cse: fault: KeID %s forgotten as its association ended\n", identity);
}

void ref_mef_close(ref_mef *r)
{
    if (!r) return;
    mef_close(r->m);
    timeline_free(&r->tl);
    free(r);
}
