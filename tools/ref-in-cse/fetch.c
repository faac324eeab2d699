#include "fetch.h"
#include "enrol/mef_client.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <string.h>

static int is_keid(const char *id, const char *fqdn)
{
    size_t n = strspn(id, "0123456789abcdefABCDEF");
    return n == 32 && id[32] == '@' && fqdn && !strcmp(id + 33, fqdn);
}

int ref_fetch_lookup(const char *identity, dtls_psk *out, void *ctx)
{
    ref_fetch *f = ctx;
    const profile_mef *pm = f->p->mef;
    int wrong_suid = f->fault && !strcmp(f->fault, "fetch-wrong-suid");
    if (!pm || !pm->target_psk_id || !identity || !is_keid(identity, pm->fqdn)) return -1;
    if (f->fault && !strcmp(f->fault, "no-fetch-credentials")) {
        fprintf(stderr, "ref-in-cse: fault: KeID %s not fetched from the MEF\n", identity);
        return -1;
    }
    dtls_psk mine = { pm->target_psk_id, (const uint8_t *)pm->target_psk, strlen(pm->target_psk), NULL };
    size_t kl = 0;
    char err[300];
    /* SUID 22: an RSPF-provisioned SAEF key (TS-0004 m2m:suid); 12 is the pre-provisioned one. */
    int rc = mef_fetch_credentials(f->bind_addr, f->mef_addr, f->mef_port, &mine, identity, wrong_suid ? "12" : "22",
                                   (unsigned)(f->p->dtls_retrans_ns / NS_PER_MS), (unsigned)(f->p->dtls_total_ns / NS_PER_MS),
                                   f->key, &kl, err, sizeof err);
    if (rc != 1) {
        fprintf(stderr, "ref-in-cse: fetchCredentials for %s: %s\n", identity, err);
        return -1;
    }
    fprintf(stderr, "ref-in-cse: fetched the credential for %s from the MEF\n", identity);
    /* The association binds the enrolee: the harness's CSE-ID in the field role. */
    *out = (dtls_psk){ identity, f->key, kl, f->p->harness_cse_id ? f->p->harness_cse_id : f->p->harness_ae_id };
    return 0;
}
