/* sim-device's behaviours that are no fault (sim.h): a device that sends back to back, and
 * one with two identities, each with its own credential and association — and the fault that
 * mixes those identities up. */
#include "sim.h"
#include "onem2m/release.h"
#include "onem2m/primitive_xml.h"
#include "util/xmem.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static void b2b_answered(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep; (void)ctx;
    say("back to back: the reading's CREATE %s", rsp ? "answered" : reset ? "reset" : "unanswered");
}

/* --back-to-back (not a fault): the reading goes out right upon the heartbeat's answer, from
 * the answer's own handler, before the device reads whatever came after the answer (a
 * close_notify of the registrar's, say): it sends without having seen the close, and its
 * record crosses the close in flight. A few ms of the application's own work first, so the
 * close is surely on its way by then. A NON: a lost reading is not sent again. */
void b2b_send(sim *s)
{
    struct timespec busy = { 0, 10 * 1000 * 1000 };
    nanosleep(&busy, NULL);
    if (!s->sa1->conn || dtls_conn_state(s->sa1->conn) != DTLS_UP) return;
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_CREATE;
    req.ty = 4;
    req.to = xasprintf("%s/%s/sim-ae/data", s->p->harness_cse_id ? s->p->harness_cse_id : "/in-cse",
                       s->p->cse_base_name ? s->p->cse_base_name : "in-name");
    req.fr = xstrdup(s->me);
    req.rqi = xasprintf("sim-b-%ld", (long)(mono_now_ns() % 1000000));
    req.rvi = xstrdup(m2m_release_rvi(s->p->release));
    req.pc = xstrdup("{\"m2m:cin\":{\"cnf\":\"text/plain:0\",\"con\":\"21.7\"}}");
    req.pclen = strlen(req.pc);
    req.cf = M2M_CF_RES_JSON;
    m2m_prim_serialize(&req, s->p->content_format);
    cm_msg m;
    cm_msg_init(&m);
    m.type = CM_NON;
    if (m2m_request_to_coap(&req, &s->p->options, &m) == 0 &&
        coap_ep_request(node_ep(s->node), &s->sa1->link, &m, b2b_answered, s) == 0)
        say("back to back: CREATE of a reading sent upon the answer");
    cm_msg_free(&m);
    m2m_prim_free(&req);
}

static int settled(void *ctx)
{
    const sim *s = ctx;
    return dtls_conn_state(s->sa_second->conn) != DTLS_HANDSHAKING;
}

/* --two-identities (not a fault): a device with two AEs, the second with a credential of its
 * own (the profile's second <psk>), bound to its own AE-ID. The second AE's application starts
 * a second after the first AE's flow: it sets up the second identity's association, from a port
 * of its own, registers the second AE there and creates a container under it: each identity in
 * its own association. The fault mix-identities registers the second AE in its own association
 * but sends that CREATE in the first AE's. */
void second_identity(sim *s, const char *bind_addr, const net_addr *peer, const dtls_params *dp1)
{
    const profile_registree *r = s->p->second_registree;
    if (!r || !r->ae_id || !r->psk_key) { say("two identities: the profile has no second <psk ae-id>"); return; }
    static dtls_psk psk;
    static dtls_params dp;
    psk = (dtls_psk){ r->psk_identity, r->psk_key, r->psk_key_len, NULL };
    dp = *dp1;
    dp.psks = &psk;
    dp.npsks = 1;
    dp.client_number = 2;
    char err[256];
    loop_run_until(s->loop, mono_now_ns() + NS_PER_SEC, NULL, NULL);
    s->sa_second = node_connect(s->node, bind_addr, peer, &dp, NULL, NULL, NULL, err, sizeof err);
    if (!s->sa_second) { say("second identity: %s", err); return; }
    loop_run_until(s->loop, mono_now_ns() + s->p->dtls_total_ns, settled, s);
    if (dtls_conn_state(s->sa_second->conn) != DTLS_UP) { say("second identity: no association"); return; }
    m2m_prim req;
    s->as_second = 1;
    registration(s, &req);
    s->as_second = 0;
    int rsc = exchange(s, &s->sa_second->link, &req, 2 * NS_PER_SEC);
    say("second identity %s: registration answered rsc=%d", r->ae_id, rsc);
    m2m_prim_free(&req);
    if (rsc != 2001) return;
    m2m_prim_init(&req);
    req.op = M2M_OP_CREATE;
    req.ty = 3;
    req.to = xasprintf("%s/%s/sim-ae-2", s->p->harness_cse_id ? s->p->harness_cse_id : "/in-cse",
                       s->p->cse_base_name ? s->p->cse_base_name : "in-name");
    req.fr = xstrdup(r->ae_id);
    req.rqi = xasprintf("sim-2-%ld", (long)(mono_now_ns() % 1000000));
    req.rvi = xstrdup(m2m_release_rvi(s->p->release));
    req.pc = xstrdup("{\"m2m:cnt\":{\"rn\":\"data\"}}");
    req.pclen = strlen(req.pc);
    req.cf = M2M_CF_RES_JSON;
    m2m_prim_serialize(&req, s->p->content_format);
    /* where its next primitive goes: its own association, or (the fault) the first AE's */
    int mix = has_fault(s, "mix-identities");
    say("second identity %s: CREATE%s answered rsc=%d", r->ae_id, mix ? " (fault: in the first AE's association)" : "",
        exchange(s, mix ? &s->sa1->link : &s->sa_second->link, &req, 2 * NS_PER_SEC));
    m2m_prim_free(&req);
}
