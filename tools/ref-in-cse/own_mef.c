#include "own_mef.h"
#include "enrol/mef.h"
#include "util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ref_mef {
    mef_config cfg;
    char *wrong_cert, *wrong_key;   /* mef-cert-*: another certificate instead of the MEF's */
    timeline tl;   /* the MEF's prov.* events; the reference keeps no report */
    mef *m;
    const char *fault;
};

static int is(const char *fault, const char *name) { return fault && !strcmp(fault, name); }

/* name.crt / name.key in the folder of path (fixtures/certs naming) */
static char *sibling(const char *path, const char *name, const char *ext)
{
    const char *slash = strrchr(path, '/');
    return xasprintf("%.*s%s%s", slash ? (int)(slash - path + 1) : 0, path, name, ext);
}

/* The faults that present another certificate than the MEF's, each trusted and for serverAuth:
 * the enrolee must refuse them by the name alone (§10.1.1.6: the MEF-FQDN in subjectAltName). */
static const struct { const char *fault, *cert; } wrong_certs[] = {
    { "mef-cert-wrong-name", "in-cse" },      /* SAN dNSName in-cse.m2m-harness.test */
    { "mef-cert-cn-only", "mef-cn-only" },    /* CN mef.m2m-harness.test, no subjectAltName */
};

/* rspf="cert" (§8.3.2.2): in the profile, cert/key/trust are the field node's (the harness's,
 * as enrolee); the MEF's own come from the command line. */
static int use_mef_cert(ref_mef *r, const char *const cert[3], char *err, size_t errlen)
{
    if (!cert || !cert[0] || !cert[1] || !cert[2]) {
        snprintf(err, errlen, "<mef rspf=\"cert\">: the MEF needs --mef-cert, --mef-key and --mef-trust");
        return -1;
    }
    r->cfg.cert = cert[0];
    r->cfg.key = cert[1];
    r->cfg.trust = cert[2];
    for (size_t i = 0; i < sizeof wrong_certs / sizeof *wrong_certs; i++)
        if (is(r->fault, wrong_certs[i].fault)) {
            r->cfg.cert = r->wrong_cert = sibling(cert[0], wrong_certs[i].cert, ".crt");
            r->cfg.key = r->wrong_key = sibling(cert[1], wrong_certs[i].cert, ".key");
        }
    return 0;
}

ref_mef *ref_mef_open(evloop *l, const profile *p, int port, const char *const cert[3], const char *fault,
                      char *err, size_t errlen)
{
    ref_mef *r = xcalloc(1, sizeof *r);
    r->fault = fault;
    if (mef_config_from_profile(p, &r->cfg, err, errlen) < 0 || (r->cfg.set->rspf_cert && use_mef_cert(r, cert, err, errlen) < 0)) {
        ref_mef_close(r);
        return NULL;
    }
    r->cfg.address = p->iut_address;   /* the IUT's MEF, not the harness's */
    r->cfg.port = port;
    if (is(fault, "mef-wrong-label")) r->cfg.keys.label = "EXPORTER-oneM2M-Connection";   /* §10.3.1 names Bootstrap */
    r->cfg.faults = (is(fault, "mef-any-kpm") ? MEF_FAULT_ANY_KPM_ID : 0u) |
                    (is(fault, "accept-half-enrolled") ? MEF_FAULT_KEYS_AT_HANDSHAKE : 0u) |
                    (is(fault, "accept-expired-keid") ? MEF_FAULT_IGNORE_EXPIRY : 0u);
    timeline_init(&r->tl);
    timeline_strict(&r->tl, 1);
    if (!(r->m = mef_open(l, &r->cfg, &r->tl, err, errlen))) {
        ref_mef_close(r);
        return NULL;
    }
    fprintf(stderr, "ref-in-cse: MEF %s on coaps %d\n", r->cfg.set->fqdn, mef_port(r->m));
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
    free(r->wrong_cert);
    free(r->wrong_key);
    free(r);
}
