#include "lifecycle.h"
#include "../common/peer_util.h"
#include "util/timeutil.h"
#include "util/xmem.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define ENROL_ATTEMPTS 3

static volatile sig_atomic_t got_reboot, got_provider;
static void on_signal(int sig)
{
    if (sig == SIGHUP) got_reboot = 1;
    else got_provider = 1;
}

static int fault(const sim_cred *c, const char *name) { return c->fault && strcmp(c->fault, name) == 0; }

#define say(...) peer_log("sim-device", __VA_ARGS__)

static void use(sim_cred *c)
{
    const profile *p = c->p;
    c->psk = (dtls_psk){ c->en.keid, c->en.key, sizeof c->en.key, p->iut_cse_id };
    if (fault(c, "kpm-as-kpsa")) c->psk = (dtls_psk){ c->en.keid, p->mef->kpm, p->mef->kpm_len, p->iut_cse_id };
    if (fault(c, "wrong-keid")) c->en.keid[0] = c->en.keid[0] == '0' ? '1' : '0';
}

/* An enrolment from its beginning (bootstrap handshake, exchange), again from the beginning
 * when one is interrupted: the keys of an unfinished session are never used — unless the
 * resume-half-enrolment fault says so. */
static int enrol(sim_cred *c)
{
    char err[256];
    for (int i = 0; i < ENROL_ATTEMPTS; i++) {
        int rc = mef_enrol(c->loop, c->bind_addr, c->mef_addr, c->mef_port, c->p, c->cert, &c->en, err, sizeof err);
        if (rc == 0) {
            c->enrolled_ns = mono_now_ns();
            say("enrolled: KeID %s", c->en.keid);
            use(c);
            return 0;
        }
        say("enrolment failed: %s", err);
        if (rc == -2 && fault(c, "resume-half-enrolment")) {
            c->enrolled_ns = mono_now_ns();
            say("fault: using the keys of the interrupted enrolment, KeID %s", c->en.keid);
            use(c);
            return 0;
        }
        explicit_bzero(&c->en, sizeof c->en);
    }
    return -1;
}

int sim_cred_start(sim_cred *c, evloop *l, const profile *p, const char *bind_addr, const char *mef_addr,
                   int mef_port, const char *const cert[3], const char *fault_name)
{
    memset(c, 0, sizeof *c);
    *c = (sim_cred){ .loop = l, .p = p, .bind_addr = bind_addr, .mef_addr = mef_addr, .fault = fault_name,
                     .mef_port = mef_port };
    for (int i = 0; i < 3; i++) c->cert[i] = cert ? cert[i] : NULL;
    if (fault(c, "enrol-cert-cn-only") && c->cert[0] && c->cert[1]) {
        /* fixtures/certs naming: X.crt has a sibling X-cn-only.crt (identity in the CN only) */
        snprintf(c->cn_only[0], sizeof c->cn_only[0], "%.*s-cn-only.crt", (int)(strlen(c->cert[0]) - 4), c->cert[0]);
        snprintf(c->cn_only[1], sizeof c->cn_only[1], "%.*s-cn-only.key", (int)(strlen(c->cert[1]) - 4), c->cert[1]);
        c->cert[0] = c->cn_only[0];
        c->cert[1] = c->cn_only[1];
    }
    if (!p->mef) {
        say("%s", "--mef-port needs a profile with <mef>");
        return -1;
    }
    peer_on_signal(SIGHUP, on_signal);
    peer_on_signal(SIGUSR2, on_signal);
    if (fault(c, "skip-enrolment")) {
        c->psk = (dtls_psk){ p->mef->kpm_id, p->mef->kpm, p->mef->kpm_len, p->iut_cse_id };
        say("%s", "fault: no enrolment, SAE with the bootstrap credential");
        return 0;
    }
    return enrol(c);
}

void sim_cred_refresh(sim_cred *c)
{
    if (fault(c, "skip-enrolment")) return;
    int64_t life = c->p->mef->lifetime_ns;
    /* Half a second of margin: the MEF's clock for the expiry starts a little earlier. */
    if (life > 0 && mono_now_ns() + 500 * NS_PER_MS >= c->enrolled_ns + life) {
        if (fault(c, "use-expired-key")) say("fault: Ke expired, still presenting KeID %s", c->en.keid);
        else {
            say("Ke of KeID %s expired: enrolling again", c->en.keid);
            enrol(c);
            return;
        }
    }
    if (c->provider_changed) {
        c->provider_changed = 0;
        say("%s", "change of service provider: enrolling again");
        enrol(c);
    }
}

int sim_cred_event(sim_cred *c)
{
    if (got_reboot) {
        got_reboot = 0;
        /* A reboot keeps the stored enrolment: a new association with the same KeID. */
        say("%s", "reboot: the enrolment is kept, new association");
        if (fault(c, "reenrol-on-reboot")) {
            say("%s", "fault: enrolling again after a plain reboot");
            c->provider_changed = 1;
        }
        return 1;
    }
    if (got_provider) {
        got_provider = 0;
        if (fault(c, "no-reenrol-on-provider-change")) say("%s", "fault: new service provider, old enrolment kept");
        else c->provider_changed = 1;
        return 1;
    }
    return 0;
}
