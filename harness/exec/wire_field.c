/* The wire, the associations the harness opens as DTLS client: its own toward the IUT in
 * role field (after enrolling with the IUT's MEF or its own, profile <mef>), and the reverse
 * association SA2 toward a request-reachable device in role in-cse (TS-0003 §8.2.1). */
#include "wire_int.h"
#include "../enrol/field_enrol.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The positive control of a refused handshake: what the profile gives, without the test's
 * <harness> variations (its suites and versions, a certificate or raw-key variant). */
static void control_params(const wire *w, dtls_params *dp)
{
    const profile *p = w->p;
    dp->priority = NULL;
    if (p->x509_cert) {
        dp->cert_file = p->x509_cert;
        dp->key_file = p->x509_key;
    }
    if (p->rpk_pub) {
        dp->rpk_pub_file = p->rpk_pub;
        dp->rpk_key_file = p->rpk_key;
    }
}

/* The harness as DTLS client toward `to` on a socket of its own, offering psk with the
 * test's suites and versions (w->dp) and the IUT's host name as SNI; its events carry
 * side=client and sa=number. reuse: after <drop-associations/>, from the same address and
 * port as the association dropped last. */
static int open_client(wire *w, const net_addr *to, dtls_psk psk, unsigned number, int reuse,
                       char *err, size_t errlen)
{
    node_peer *old = NULL;
    for (node_peer *q = node_peers(w->node); reuse && q && !old; q = q->next)
        if (q->dropped == 1) old = q;
    dtls_params dp = w->dp;
    if (w->control_assoc) control_params(w, &dp);
    dp.sni = w->p->iut_host;
    dp.client_number = number;
    node_peer *pr = node_connect(w->node, env_harness_address(w->env, w->p), to, &dp,
                                 &psk, old, w->tl, err, errlen);
    if (!pr) return -1;
    if (old) dtls_client_set_shadow(pr->conn, old->conn);   /* answers in the old epoch show */
    return 0;
}

int wire_open_reverse(wire *w, const char *poa, char *err, size_t errlen)
{
    char host[256];
    int port = 0;
    int ok = poa && (sscanf(poa, "coaps://[%255[^]]]:%d", host, &port) == 2 ||
                     sscanf(poa, "coaps://%255[^:/[]:%d", host, &port) == 2);
    if (!ok || port <= 0 || port > 65535) {
        snprintf(err, errlen, "point of access '%s' is not coaps://address:port", poa ? poa : "");
        return -1;
    }
    net_addr to;
    if (net_addr_parse(host, port, &to) < 0) {
        snprintf(err, errlen, "point of access '%s': not an IP address (no name resolution here)", poa);
        return -1;
    }
    /* SA1's credentials (TS-0003 §8.2.1): the profile's, under the identity SA1 was set up
     * with when that was the profile's alias */
    dtls_psk psk = { w->p->psk_identity, w->p->psk_key, w->p->psk_key_len, NULL };
    for (const node_peer *pr = node_peers(w->node); pr && w->p->psk_alias; pr = pr->next) {
        const char *id = pr->conn && !pr->own_sock ? dtls_conn_identity(pr->conn) : NULL;
        if (id && !strcmp(id, w->p->psk_alias)) psk.identity = w->p->psk_alias;
    }
    return open_client(w, &to, psk, 101 + w->reverse_count++, 0, err, errlen);
}

static int open_association(wire *w, int second_registree, char *err, size_t errlen);

int wire_open_association(wire *w, int cred, char *err, size_t errlen)
{
    w->control_assoc = cred == WIRE_CRED_PROFILE;
    int r = open_association(w, cred == WIRE_CRED_SECOND, err, errlen);
    w->control_assoc = 0;
    return r;
}

static int open_association(wire *w, int second_registree, char *err, size_t errlen)
{
    const profile *p = w->p;
    const profile_registree *second = p->second_registree;
    if (second_registree && !second) {
        snprintf(err, errlen, "the profile has no second registree credential (a second <psk cse-id=...>)");
        return -1;
    }
    net_addr to;
    const char *iut_addr = env_iut_address(w->env, p);
    int iut_coaps = env_iut_coaps_port(w->env, p);
    if (!iut_addr || iut_coaps <= 0 || net_addr_parse(iut_addr, iut_coaps, &to) < 0) {
        snprintf(err, errlen, "the profile gives no IUT address and coaps-port to connect to");
        return -1;
    }
    /* The test's credential: the profile's, a wrong key or an unknown identity (setup_psk);
     * the profile's own for the positive control. */
    dtls_psk psk = w->psk[0];
    if (w->control_assoc) psk = (dtls_psk){ p->psk_identity, p->psk_key, p->psk_key_len, w->psk[0].bound_id };
    if (second_registree) {   /* another registree CSE: its own identity and key, as the profile gives them */
        psk = (dtls_psk){ second->psk_identity, second->psk_key, second->psk_key_len, w->psk[0].bound_id };
    } else if (p->mef && p->mef->at_iut) {
        /* The IUT's MEF: enrol as enrolee, then present KeID with the key derived here. An
         * enrolment that does not finish leaves no association to open (prov.fail side=client),
         * unless the harness interrupted it: then it presents the half-enrolled KeID. */
        /* A finished enrolment is reused until the test interrupts the next one or discards it
         * (enrol="again"): the enrolee enrols again only when it has no KeID (R-FLOW-05), so an
         * expired KeID, or one of a former service provider, is presented. */
        int rc = w->men.keid[0] && !w->men.half && !w->enrol_interrupt ? 0
                 : field_enrol_iut(w->loop, p, w->env, w->control_assoc ? NULL : w->h, w->iut_mef_port, w->enrol_interrupt, ++w->enrol_count, w->tl,
                                   &w->men, err, errlen);
        w->enrol_interrupt = 0;
        if (w->men.mef_heard) {   /* the IUT's MEF answered: the IUT is reachable, whatever came of it */
            char mef_peer[64];
            snprintf(mef_peer, sizeof mef_peer, "%s:%d", iut_addr, w->iut_mef_port);
            wire_note_peer(w, mef_peer);
        }
        if (rc < 0) return -1;
        if (rc == 1 && !w->men.half) return 0;
        psk = (dtls_psk){ w->men.keid, w->men.key, sizeof w->men.key, p->harness_cse_id };
    } else if (w->mef && p->role && !strcmp(p->role, "field")) {
        /* Remote provisioning, role field: the harness enrols with its own MEF first, then
         * presents KeID with the derived key; the IUT (enrolment target) must fetch it from
         * the MEF (R-ENR-07). */
        if (mef_enrol(w->loop, "127.0.0.1", env_harness_address(w->env, p), mef_port(w->mef),
                      p, NULL, &w->men, err, errlen) < 0)
            return -1;
        psk = (dtls_psk){ w->men.keid, w->men.key, sizeof w->men.key, p->harness_cse_id };
    }
    return open_client(w, &to, psk, 1 + w->assoc_count++, 1, err, errlen);
}

int wire_close_associations(wire *w) { return node_close_all(w->node); }

int wire_drop_associations(wire *w)
{
    int n = 0, field = w->p->role && !strcmp(w->p->role, "field");
    for (node_peer *pr = node_peers(w->node); pr; pr = pr->next) {
        if (!pr->conn || dtls_conn_state(pr->conn) != DTLS_UP || (pr->own_sock && !field)) continue;
        /* Field role: the harness is the node that lost its state. Its keys stay aside for
         * <send secure="old">; the next association runs on the same socket (open_client). */
        node_forget(pr);
        n++;
    }
    return n;
}

void wire_discard_enrolment(wire *w)
{
    explicit_bzero(&w->men, sizeof w->men);
}

int wire_mef_interrupt(wire *w, int refuse)
{
    if (w->iut_mef_port && !refuse) {   /* the IUT's MEF: the harness, as enrolee, drops the next session */
        w->enrol_interrupt = 1;
        return 0;
    }
    if (!w->mef) return -1;
    if (refuse) mef_refuse_next(w->mef);
    else mef_interrupt(w->mef);
    return 0;
}
