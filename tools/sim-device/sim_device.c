/* sim-device: a simulated oneM2M field device (ASN-CSE or AE) for proving the harness right.
 * Correct by default: DTLS-PSK handshake with the registrar, then registration
 * inside the association. Each --fault switch breaks exactly one rule the suite checks.
 * Built on the harness's own net/ and onem2m/ layers. */
#include "onem2m/mandatory.h"
#include "onem2m/release.h"
#include "devres.h"
#include "lifecycle.h"
#include "faults.h"
#include "hostile.h"
#include "../common/peer_util.h"
#include "model/profile.h"
#include "net/dtls_hsorder.h"
#include "net/node.h"
#include "onem2m/primitive.h"
#include "onem2m/primitive_xml.h"
#include "util/xmem.h"
#include "util/timeutil.h"
#include <getopt.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "sim.h"

static void on_response(coap_ep *ep, const cm_msg *rsp, int reset, void *ctx)
{
    (void)ep;
    sim *s = ctx;
    if (rsp && s->b2b_armed) { s->b2b_armed = 0; b2b_send(s); }
    s->done = 1;
    s->last_rsc = -1;
    if (!rsp) {
        say("no response (%s)", reset ? "reset" : "timeout");
        return;
    }
    m2m_prim pr;
    m2m_prim_init(&pr);
    char problems[256] = "";
    if (m2m_from_coap(rsp, &s->p->options, &pr, problems, sizeof problems) == 0) s->last_rsc = pr.rsc;
    char code[8];
    cm_code_str(rsp->code, code);
    say("response %s rsc=%d %s", code, pr.rsc, pr.pc ? pr.pc : "");
    m2m_prim_free(&pr);
}

/* A fault by its name; as an AE, "ae-NAME" is the fault NAME too (the AE rows of faults.tsv
 * name the faults they share with the CSE apart, one row per fault name). */
int has_fault(const sim *s, const char *name)
{
    if (!s->fault) return 0;
    if (strcmp(s->fault, name) == 0) return 1;
    return strcmp(s->kind, "ae") == 0 && strncmp(s->fault, "ae-", 3) == 0 && strcmp(s->fault + 3, name) == 0;
}

/* 1 when the request must be refused for its options (see on_request). A oneM2M option
 * (all critical) whose length is outside its range, and a second Accept or oneM2M option,
 * count as unrecognized (RFC 7252 §5.4.3, §5.4.5). */
static int reject_options(const sim *s, const cm_msg *req, const m2m_prim *pr)
{
    if ((m2m_unknown_critical(req, &s->p->options) || pr->unrecognized) && !has_fault(s, "ignore-critical-option"))
        return 1;
    if (has_fault(s, "reject-bad-elective"))
        for (size_t i = 0; i < req->nopts; i++)
            if (!(req->opts[i].num & 1) && !cm_opt_length_ok(req->opts[i].num, req->opts[i].len)) return 1;
    return 0;
}

static void on_request(coap_ep *ep, const cm_link *link, const cm_msg *req, void *ctx)
{
    sim *s = ctx;
    m2m_prim pr, rsp;
    m2m_prim_init(&pr);
    m2m_prim_init(&rsp);
    char problems[256];
    cm_msg out;
    cm_msg_init(&out);
    problems[0] = '\0';
    m2m_from_coap(req, &s->p->options, &pr, problems, sizeof problems);
    if (!pr.rqi && has_fault(s, "crash-on-missing-rqi")) abort();
    if (reject_options(s, req, &pr)) {
        /* RFC 7252 §5.4.1: an unknown critical option in a CON is answered 4.02, in a NON
         * rejected; an elective one the device cannot use is ignored (unless a fault says) */
        if (req->type == CM_CON) {
            out.code = CM_CODE(4, 2);
            coap_ep_respond(ep, link, req, &out);
        }
        cm_msg_free(&out);
        m2m_prim_free(&pr);
        return;
    }
    /* A device hosts little: a request without its mandatory parameters is refused with
     * BAD_REQUEST (TS-0004 §7.2.1), anything else answered NOT_FOUND. */
    rsp.is_response = 1;
    /* A request without rvi is a Release-1 request (TS-0004 §7.3.2.1: "If the Release Version
     * Indicator is not present in the request the Receiver CSE shall add the Release Version
     * Indicator with value set to 1"); one of a release the device does not serve is refused
     * with 4001 RELEASE_VERSION_NOT_SUPPORTED, unless a fault says */
    int rel_ok = (s->releases & m2m_release_bit(m2m_release_of_rvi(pr.rvi))) || has_fault(s, "accept-missing-rvi");
    rsp.rsc = (!pr.rqi || !pr.op) ? 4000 : !rel_ok ? 4001 : 4004;
    /* TS-0008 §6.2.2.2: an Accept naming neither oneM2M resource format it speaks is
     * answered 4.06 (NOT_ACCEPTABLE, 5207) */
    if (rsp.rsc == 4004 && pr.accept >= 0 && pr.accept != M2M_CF_RES_JSON &&
        pr.accept != M2M_CF_RES_XML && !has_fault(s, "ignore-accept"))
        rsp.rsc = 5207;
    /* TS-0008 §6.2.2.2: a content format named in Accept that the device serves is the one
     * it answers in; without Accept, the profile's own */
    if (rsp.rsc == 4004 && s->res && devres_handle(s->res, &pr, &rsp))
        m2m_prim_serialize(&rsp, pr.accept >= 0 ? pr.accept : s->p->content_format);
    else { rsp.rqi = xstrdup(pr.rqi); rsp.rvi = xstrdup(pr.rvi); }   /* no rvi toward Release 1 */
    if (m2m_response_to_coap(&rsp, &s->p->options, &out) == 0) {
        if (has_fault(s, "no-rsc-option")) {
            /* drop the oneM2M-RSC option: the CoAP code alone is not enough (TS-0008 §6.2.4) */
            for (size_t i = 0; i < out.nopts; i++)
                if (out.opts[i].num == s->p->options.num[M2M_OPT_RSC]) out.opts[i].num = 0;
            size_t k = 0;
            for (size_t i = 0; i < out.nopts; i++) {
                if (out.opts[i].num) out.opts[k++] = out.opts[i];
                else free(out.opts[i].val);
            }
            out.nopts = k;
        }
        coap_ep_respond(ep, link, req, &out);
    }
    cm_msg_free(&out);
    m2m_prim_free(&pr);
    m2m_prim_free(&rsp);
}

static int is_done(void *ctx) { return ((sim *)ctx)->done; }

int exchange(sim *s, const cm_link *link, const m2m_prim *req, int64_t limit_ns)
{
    cm_msg m;
    cm_msg_init(&m);
    m.type = CM_CON;
    /* the first RETRIEVE in the other numbering (legacy 256..270 where the profile says
     * iana, and back), all but From: its rqi and rvi are unreadable to the registrar */
    m2m_optmap other;
    int swap = has_fault(s, "retrieve-other-numbering") && req->op == M2M_OP_RETRIEVE &&
               !s->swapped++ &&
               m2m_optmap_preset(s->p->options.num[M2M_OPT_RVI] ? "legacy" : "iana", &other) == 0;
    if (swap) other.num[M2M_OPT_FR] = s->p->options.num[M2M_OPT_FR];
    if (m2m_request_to_coap(req, swap ? &other : &s->p->options, &m) < 0) return -1;
    if (has_fault(s, "retrieve-as-post") && req->op == M2M_OP_RETRIEVE) {
        m.code = CM_POST;   /* the operation only in Uri-Query, not in the method */
        cm_msg_add_opt(&m, CM_OPT_URI_QUERY, "op=2", 4);
    }
    s->done = 0;
    int r = coap_ep_request(node_ep(s->node), link, &m, on_response, s);
    cm_msg_free(&m);
    if (r < 0) return -1;
    loop_run_until(s->loop, mono_now_ns() + limit_ns, is_done, s);
    return s->done ? s->last_rsc : -1;
}

void registration(sim *s, m2m_prim *req)
{
    m2m_prim_init(req);
    req->op = M2M_OP_CREATE;
    req->to = xasprintf("%s/%s", s->p->harness_cse_id ? s->p->harness_cse_id : "/in-cse",
                        s->p->cse_base_name ? s->p->cse_base_name : "in-name");
    req->rqi = xasprintf("sim-%ld", (long)(mono_now_ns() % 1000000));
    req->rvi = xstrdup(m2m_release_rvi(s->p->release));
    json_t *body;
    if (strcmp(s->kind, "ae") == 0) {
        req->ty = 2;
        req->fr = xstrdup(s->as_second ? s->p->second_registree->ae_id : s->p->iut_ae_id ? s->p->iut_ae_id : "C");
        /* an App-ID starts with r/R (registered) or N (non-registered), TS-0001 §7.1.3 and Table 7.2-1 */
        const char *api = has_fault(s, "ae-bad-app-id") ? "sim-device" : "Nsim-device";
        body = json_pack("{s:{s:s,s:s,s:b}}", "m2m:ae", "rn", s->as_second ? "sim-ae-2" : "sim-ae", "api", api, "rr", 0);
        if (has_fault(s, "ae-wrong-target")) {   /* a resource that is not the registrar's CSEBase */
            free(req->to);
            req->to = xasprintf("%s/no-such-base", s->p->harness_cse_id ? s->p->harness_cse_id : "/in-cse");
        }
    } else {
        req->ty = 16;
        const char *csi = has_fault(s, "wrong-fr") ? "/not-my-cse-id"
                          : s->p->iut_cse_id ? s->p->iut_cse_id : "/asn-cse";
        req->fr = xstrdup(csi);
        char *cb = xasprintf("%s/base", csi);
        /* request-reachable, with the point of access of its SA2 server (TS-0003 §8.2.1) */
        body = s->poa[0]
            ? json_pack("{s:{s:s,s:s,s:s,s:b,s:[s]}}", "m2m:csr", "rn", csi + (csi[0] == '/'),
                        "csi", csi, "cb", cb, "rr", 1, "poa", s->poa)
            : json_pack("{s:{s:s,s:s,s:s,s:b}}", "m2m:csr", "rn", csi + (csi[0] == '/'),
                        "csi", csi, "cb", cb, "rr", 0);
        free(cb);
    }
    req->pc = json_dumps(body, JSON_COMPACT);
    req->pclen = strlen(req->pc);
    /* srv from the profile's release: the same fill-in as the harness's (onem2m/mandatory.h) */
    char *filled = m2m_mandatory_fill(req->pc, req->pclen, req->ty, s->p->release);
    if (filled) { free(req->pc); req->pc = filled; req->pclen = strlen(filled); }
    if (has_fault(s, "ae-no-rr")) {   /* requestReachability left out, after the fill-in */
        json_t *o = json_loads(req->pc, 0, NULL);
        if (o) {
            json_object_del(json_object_get(o, "m2m:ae"), "rr");
            free(req->pc);
            req->pc = json_dumps(o, JSON_COMPACT);
            req->pclen = strlen(req->pc);
            json_decref(o);
        }
    }
    req->cf = M2M_CF_RES_JSON;
    json_decref(body);
    m2m_prim_serialize(req, s->p->content_format);   /* the profile's Content-Format */
    /* as text/plain (0): none of the Content-Formats TS-0008 §6.2.2.2 lists for oneM2M content */
    if (has_fault(s, "ae-cf-text")) req->cf = 0;
}

/* RETRIEVE of the registrar's CSEBase: the access a registered device makes next. */
static void retrieve_base(sim *s, m2m_prim *req, const char *fr)
{
    m2m_prim_init(req);
    req->op = M2M_OP_RETRIEVE;
    req->to = xasprintf("%s/%s", s->p->harness_cse_id ? s->p->harness_cse_id : "/in-cse",
                        s->p->cse_base_name ? s->p->cse_base_name : "in-name");
    req->fr = xstrdup(fr);
    req->rqi = xasprintf("sim-r-%ld", (long)(mono_now_ns() % 1000000));
    req->rvi = xstrdup(m2m_release_rvi(s->p->release));
    /* the representation comes back in the profile's serialization (TS-0008 §6.2.2.2) */
    if (m2m_cf_is_xml(s->p->content_format)) req->accept = s->p->content_format;
}

/* The record of the registrar's plain CoAP port, the plain socket bound first if it is not. */
static node_peer *plain_registrar(sim *s, const char *bind_addr)
{
    char err[256];
    if (node_plain_sock(s->node)->fd < 0 && node_listen_plain(s->node, bind_addr, 0, err, sizeof err) < 0) {
        say("%s", err);
        return NULL;
    }
    net_addr to;
    net_addr_parse(s->harness_addr, s->coap_port, &to);
    return node_plain_peer(s->node, &to);
}

static void register_plain(sim *s, const char *bind_addr)
{
    if (s->coap_port <= 0) { say("no plain CoAP port given"); return; }
    const node_peer *pr = plain_registrar(s, bind_addr);
    if (!pr) return;
    m2m_prim req;
    registration(s, &req);
    int rsc = exchange(s, &pr->link, &req, 10 * NS_PER_SEC);
    say("fault %s: plain registration answered rsc=%d", s->fault, rsc);
    m2m_prim_free(&req);
}

/* The SA2 server starts only once the device is registered: before that nothing answers
 * on its point of access (a reverse association only after SA1 and registration). */
static void start_sa2(sim *s, const dtls_params *sa1)
{
    char err[256];
    if (node_secure_sock(s->node)->fd < 0 || has_fault(s, "no-sa2")) return;
    s->sa2dp = *sa1;
    s->sa2dp.sni = NULL;
    s->sa2dp.priority = NULL;
    s->sa2_up = node_serve_secure(s->node, &s->sa2dp, NULL, err, sizeof err) == 0;
    if (!s->sa2_up) say("SA2 server: %s", err);
    else say("accepting the reverse association on %s", s->poa);
}

/* No registration: the point of access answers every handshake with an alert (no identity
 * is accepted, no certificate offered) until the registrar's DTLS timeout has passed. */
static void refuse_sa2(sim *s, const dtls_params *sa1)
{
    char err[256];
    if (s->sa2_up) {   /* already serving (the sa2-before-register fault): left as it is */
        loop_run_until(s->loop, mono_now_ns() + (int64_t)sa1->total_ms * NS_PER_MS + 3 * NS_PER_SEC, NULL, NULL);
        return;
    }
    memset(&s->sa2dp, 0, sizeof s->sa2dp);
    s->sa2dp.retrans_ms = sa1->retrans_ms;
    s->sa2dp.total_ms = sa1->total_ms;
    if (node_serve_secure(s->node, &s->sa2dp, NULL, err, sizeof err) != 0) say("refusing SA2: %s", err);
    loop_run_until(s->loop, mono_now_ns() + (int64_t)sa1->total_ms * NS_PER_MS + 3 * NS_PER_SEC, NULL, NULL);
}

/* The harness's notices of the device's link state, as a device's operating system tells its
 * stack that the network attached: lines "down" and "up" on an inherited pipe whose number is
 * in M2M_HARNESS_LINK_FD (iut/iutctl.h). The last line read is the state. */
static void link_read(sim *s)
{
    char buf[256];
    for (;;) {
        ssize_t n = read(s->link_fd, buf, sizeof buf - 1);
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) {   /* the harness is gone: no more notices */
                loop_del_fd(s->loop, s->link_fd);
                close(s->link_fd);
                s->link_fd = -1;
            }
            return;
        }
        buf[n] = '\0';
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            s->link_down = !strcmp(line, "down");
        if (n < (ssize_t)sizeof buf - 1) return;
    }
}

static void on_link(evloop *l, int fd, short revents, void *ctx)
{
    (void)l;
    (void)fd;
    (void)revents;
    link_read(ctx);
}

static int link_is_up(void *ctx)
{
    const sim *s = ctx;
    return !s->link_down || s->link_fd < 0;
}

static int dtls_settled(void *ctx)
{
    sim *s = ctx;
    return dtls_conn_state(s->sa1->conn) != DTLS_HANDSHAKING || s->hs_gap;
}

/* The fault reorder-intolerant: a handshake message ahead of its predecessor ends it. */
static void watch_order(node_peer *pr, const char *peer, const uint8_t *p, size_t n, void *ctx)
{
    (void)pr; (void)peer;
    sim *s = ctx;
    if (dtls_conn_state(s->sa1->conn) == DTLS_HANDSHAKING && dtls_hs_gap(&s->hs_max, p, n) && !s->hs_gap) {
        s->hs_gap = 1;
        say("fault: a handshake message arrived out of order: giving up the handshake");
    }
}

/* A fresh association from a fresh port, as a device does after losing one. */
static int reassociate(sim *s, const char *bind_addr)
{
    char err[256];
    node_disconnect(s->sa1);
    if (s->cred) sim_cred_refresh(s->cred);   /* a new enrolment first when Ke expired or the provider changed */
    if (node_reconnect(s->sa1, bind_addr, NULL, err, sizeof err) < 0) { say("%s", err); return -1; }
    loop_run_until(s->loop, mono_now_ns() + s->p->dtls_total_ns, dtls_settled, s);
    int up = dtls_conn_state(s->sa1->conn) == DTLS_UP;
    say("association again: %s", up ? "up" : dtls_conn_fail_reason(s->sa1->conn));
    /* Registered again before anything else (R-REG-08): 2001, or 4117/4105 where the
     * registrar kept the registration, both leave the device registered. */
    m2m_prim req;
    if (!up || has_fault(s, "no-reregister")) return up ? 0 : -1;
    registration(s, &req);
    say("registration again answered rsc=%d", exchange(s, &s->sa1->link, &req, 2 * NS_PER_SEC));
    m2m_prim_free(&req);
    return 0;
}

/* One request in the association, logged. */
static int store_req(sim *s, int ty, const char *to, const char *fr, const char *pc)
{
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_CREATE;
    req.ty = ty;
    req.to = xstrdup(to);
    req.fr = xstrdup(fr);
    req.rqi = xasprintf("sim-c-%ld", (long)(mono_now_ns() % 1000000));
    req.rvi = xstrdup(m2m_release_rvi(s->p->release));
    req.pc = xstrdup(pc);
    req.pclen = strlen(pc);
    req.cf = M2M_CF_RES_JSON;
    m2m_prim_serialize(&req, s->p->content_format);
    int rsc = exchange(s, &s->sa1->link, &req, 2 * NS_PER_SEC);
    say("CREATE ty=%d %s answered rsc=%d", ty, to, rsc);
    m2m_prim_free(&req);
    return rsc;
}

/* After registering, the device stores a reading under its own resource (a container,
 * then a contentInstance: its own, so permitted), then tries to create a container
 * directly under the CSEBase, which the registrar's access control refuses (4103). A
 * correct device takes the refusal: it neither repeats the request nor tries it by another
 * address (R-ACP-11) — unless a fault says otherwise. */
static void store_data(sim *s, const char *me, const char *own_rn)
{
    const char *cse = s->p->harness_cse_id ? s->p->harness_cse_id : "/in-cse";
    const char *base = s->p->cse_base_name ? s->p->cse_base_name : "in-name";
    char *own = xasprintf("%s/%s/%s", cse, base, own_rn);
    char *cnt = xasprintf("%s/data", own);
    char *top = xasprintf("%s/%s", cse, base);
    if (store_req(s, 3, own, me, "{\"m2m:cnt\":{\"rn\":\"data\"}}") == 2001)
        store_req(s, 4, cnt, me, "{\"m2m:cin\":{\"cnf\":\"text/plain:0\",\"con\":\"21.5\"}}");
    static const char shared[] = "{\"m2m:cnt\":{\"rn\":\"shared\"}}";
    if (store_req(s, 3, top, me, shared) == 4103) {
        if (has_fault(s, "retry-after-deny")) store_req(s, 3, top, me, shared);
        if (has_fault(s, "retry-around-deny")) store_req(s, 3, base, me, shared);
    }
    free(top);
    free(cnt);
    free(own);
}

/* After registering, the device keeps working: a RETRIEVE of the registrar's CSEBase every
 * 500 ms. When the registrar ends the association, it sets up a new one first (R-FLOW-06)
 * — unless a fault says otherwise. */
static void heartbeat(sim *s, const char *bind_addr, const char *me, int64_t linger)
{
    int64_t end = mono_now_ns() + linger;
    while (mono_now_ns() < end) {
        /* A reboot or a change of service provider: the association is lost, a new one. */
        if (s->cred && sim_cred_event(s->cred)) reassociate(s, bind_addr);
        m2m_prim req;
        retrieve_base(s, &req, me);
        dtls_state st = s->sa1->conn ? dtls_conn_state(s->sa1->conn) : DTLS_FAILED;
        if (st == DTLS_UP) {
            s->b2b_armed = s->back_to_back && strcmp(s->kind, "ae") == 0;
            int rsc = exchange(s, &s->sa1->link, &req, 2 * NS_PER_SEC);
            s->b2b_armed = 0;
            say("retrieve answered rsc=%d", rsc);
            /* No answer: the association may be dead (link loss, registrar lost its state):
             * a new handshake before the next primitive (R-FLOW-06), retried while it fails. */
            if (rsc < 0 && !s->done && !has_fault(s, "keep-dead-association")) reassociate(s, bind_addr);
        } else if (has_fault(s, "plain-after-close")) {
            const node_peer *pr = plain_registrar(s, bind_addr);
            if (pr) say("fault: plain retrieve answered rsc=%d", exchange(s, &pr->link, &req, 2 * NS_PER_SEC));
        } else if (has_fault(s, "stale-after-close")) {
            /* Keep using the old session's keys: records the registrar can no longer accept. */
            cm_msg m;
            cm_msg_init(&m);
            m.type = CM_NON;
            uint8_t buf[1024];
            if (m2m_request_to_coap(&req, &s->p->options, &m) == 0) {
                size_t n = cm_encode(&m, buf, sizeof buf);
                if (n) dtls_send_anyway(s->sa1->conn, buf, n);
            }
            cm_msg_free(&m);
            say("fault: sent a record in the closed association");
        } else {
            reassociate(s, bind_addr);   /* failed: tried again next round */
        }
        m2m_prim_free(&req);
        loop_run_until(s->loop, mono_now_ns() + 500 * NS_PER_MS, NULL, NULL);
    }
}

/* The faults no-dtls-rst and no-dtls-silent: a device that does not speak DTLS, configured
 * with the registrar's coaps port: it sends its registration there as plain CoAP (CON, with
 * CoAP's retransmissions), again every 2 s while it lingers. A datagram that arrives on that
 * socket and is no CoAP (the registrar's DTLS) gets an RST, or nothing. */
static void nodtls_readable(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)fd; (void)ev;
    sim *s = ctx;
    uint8_t buf[2048];
    net_addr from;
    ssize_t n;
    udp_sock *u = node_plain_sock(s->node);
    while ((n = udp_recv(u, buf, sizeof buf, &from)) >= 0) {
        if (n >= 4 && buf[0] >> 6 == 1) coap_ep_input(node_ep(s->node), &node_plain_peer(s->node, &from)->link, buf, (size_t)n);
        else if (has_fault(s, "no-dtls-rst")) {
            uint8_t rst[4] = { 0x70, 0x00, n >= 4 ? buf[2] : 0, n >= 4 ? buf[3] : 0 };
            udp_send(u, rst, sizeof rst, &from);
        }
    }
}

static void no_dtls_run(sim *s, const char *bind_addr, int64_t linger)
{
    char err[256];
    if (node_listen_plain(s->node, bind_addr, 0, err, sizeof err) < 0) { say("%s", err); return; }
    udp_sock *u = node_plain_sock(s->node);
    loop_del_fd(s->loop, u->fd);   /* read here: what is not CoAP gets the fault's answer */
    loop_add_fd(s->loop, u->fd, nodtls_readable, s);
    net_addr to;
    net_addr_parse(s->harness_addr, s->coaps_port, &to);   /* the coaps port, in plain CoAP */
    const node_peer *pr = node_plain_peer(s->node, &to);
    int64_t end = mono_now_ns() + linger;
    while (mono_now_ns() < end) {
        m2m_prim req;
        registration(s, &req);
        say("fault %s: plain registration to the coaps port answered rsc=%d", s->fault,
            exchange(s, &pr->link, &req, 10 * NS_PER_SEC));
        m2m_prim_free(&req);
        loop_run_until(s->loop, mono_now_ns() + 2 * NS_PER_SEC, NULL, NULL);
    }
}

static void usage(FILE *f)
{
    fputs("usage: sim-device --profile FILE --coap-port N --coaps-port M [options]\n"
          "  --harness ADDR   the registrar's address (default: the profile's harness address)\n"
          "  --bind ADDR      our local address (default 127.0.0.1, ::1 toward an IPv6 registrar)\n"
          "  --kind asn-cse|ae   register as a CSE (ty=16, default) or an AE (ty=2)\n"
          "  --fault NAME     inject one fault (see below)\n"
          "  --hostile NAME   send one family of bad input first, then behave (see below)\n"
          "  --linger DUR     stay up after registering (default 30s) to serve requests\n"
          "  --cert F --key F --trust F   use X.509 (PEM) instead of the profile's PSK\n"
          "  --mef-port N     enrol with the MEF there first (profile <mef>: KpmID/Kpm), then SAE\n"
          "                   with KeID and the derived key (TS-0003 §8.3.2.1)\n"
          "  --mef-cert F --mef-key F --mef-trust F   our certificate for the MEF handshake of the\n"
          "                   certificate-based RSPF (profile <mef rspf=\"cert\">, TS-0003 §8.3.2.2)\n"
          "  --rpk-pub F --rpk-key F --rpk-pin F   use raw public keys (RFC 7250): ours, and the\n"
          "                   registrar's (PEM) we pin, bound to the profile's harness CSE-ID\n"
          "  --separate-responses   answer the registrar's CON requests with an empty ACK, then\n"
          "                   the response in a CON of its own (RFC 7252 §5.2.2; not a fault)\n"
          "  --back-to-back   as an AE: right upon each answer to its periodic RETRIEVE, a CREATE\n"
          "                   of a reading (NON), before reading anything else (not a fault)\n"
          "  --two-identities as an AE: also a second AE with the profile's second credential\n"
          "                   (<psk ae-id>), in an association of its own (not a fault)\n", f);
}

/* sim-device's own options (the shared ones: peer_util.h). */
typedef struct sim_args {
    sim *s;
    const char *bind;              /* --bind */
    const char *rpk_pub, *rpk_key, *rpk_pin;
    int64_t linger;                /* --linger */
} sim_args;

static const struct option sim_options[] = {
    { "harness", required_argument, 0, 'a' }, { "bind", required_argument, 0, 'b' },
    { "kind", required_argument, 0, 'k' }, { "linger", required_argument, 0, 'l' },
    { "rpk-pub", required_argument, 0, 'P' }, { "rpk-key", required_argument, 0, 'R' },
    { "rpk-pin", required_argument, 0, 'N' }, { "back-to-back", no_argument, 0, 'B' },
    { "two-identities", no_argument, 0, 'T' }, { NULL, 0, 0, 0 } };

static int sim_option(int code, const char *arg, void *ctx)
{
    sim_args *a = ctx;
    switch (code) {
    case 'a': a->s->harness_addr = arg; break;
    case 'b': a->bind = arg; break;
    case 'k': a->s->kind = arg; break;
    case 'l': a->linger = parse_duration_ns(arg); break;
    case 'P': a->rpk_pub = arg; break;
    case 'R': a->rpk_key = arg; break;
    case 'N': a->rpk_pin = arg; break;
    case 'B': a->s->back_to_back = 1; break;
    case 'T': a->s->two_identities = 1; break;
    default: return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.kind = "asn-cse";
    sim_args a = { &s, NULL, NULL, NULL, NULL, 30 * NS_PER_SEC };
    const peer_cli cli = { "sim-device", sim_options, sim_option, &a, sim_faults, hostile_known, usage, hostile_usage };
    peer_opts o;
    int rc = peer_parse(&cli, argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    s.fault = o.fault;
    s.coap_port = o.coap_port;
    s.coaps_port = o.coaps_port;
    const char *cert = o.cert, *key = o.key, *trust = o.trust, *hostile = o.hostile;
    const char *rpk_pub = a.rpk_pub, *rpk_key = a.rpk_key;
    int64_t linger = a.linger;
    if (!o.profile || s.coaps_port <= 0 || linger < 0) { peer_usage(&cli, stderr); return 2; }
    profile *p = peer_load_profile(o.profile);
    if (!p) return 2;
    s.p = p;
    /* as a CSE it serves its release and 2a up to it; on the legacy numbering (no number for
     * rvi, so no request can carry one) Release-1 requests too (TS-0004 §7.3.2.1) */
    s.releases = m2m_release_default_set(p->release) | (p->options.num[M2M_OPT_RVI] ? 0u : m2m_release_bit(M2M_REL_1));
    if (!s.harness_addr) s.harness_addr = p->harness_address;
    dtls_global_init();
    s.loop = loop_new();
    s.link_fd = -1;
    const char *lfd = getenv("M2M_HARNESS_LINK_FD");
    if (lfd && *lfd >= '0' && *lfd <= '9') {
        s.link_fd = atoi(lfd);
        if (fcntl(s.link_fd, F_SETFL, O_NONBLOCK) < 0 || loop_add_fd(s.loop, s.link_fd, on_link, &s) < 0) s.link_fd = -1;
        else link_read(&s);   /* what the harness said before we started: "down" keeps the handshake back */
    }
    const node_hooks hooks = { { NULL, on_request, &s }, NULL, has_fault(&s, "reorder-intolerant") ? watch_order : NULL,
                               NULL, &s };
    s.node = node_new(s.loop, (coap_params){ p->ack_timeout_ns, p->max_retransmit }, &hooks);
    coap_ep_set_dedup(node_ep(s.node), !has_fault(&s, "no-dedup"));
    coap_ep_set_requests_in_ack(node_ep(s.node), has_fault(&s, "requests-in-ack"));
    coap_ep_set_separate(node_ep(s.node), o.separate);
    char err[256];
    const char *bind_addr = a.bind ? a.bind : strchr(s.harness_addr, ':') ? "::1" : "127.0.0.1";
    m2m_prim req;
    int exit_code = 1;

    if (has_fault(&s, "no-dtls-rst") || has_fault(&s, "no-dtls-silent")) {
        no_dtls_run(&s, bind_addr, linger);
        exit_code = 0;
        goto out;
    }
    if (has_fault(&s, "register-before-sae") || has_fault(&s, "no-sae")) register_plain(&s, bind_addr);
    if (has_fault(&s, "no-sae")) {
        loop_run_until(s.loop, mono_now_ns() + linger, NULL, NULL);
        exit_code = 0;
        goto out;
    }

    net_addr peer;
    net_addr_parse(s.harness_addr, s.coaps_port, &peer);
    dtls_psk psk = { p->psk_identity, p->psk_key, p->psk_key_len, p->iut_cse_id };
    char bare[128];   /* the identity without @Issuer-FQDN: not a KpsaID (TS-0003 §10.5) */
    snprintf(bare, sizeof bare, "%.*s", p->psk_identity ? (int)strcspn(p->psk_identity, "@") : 0, p->psk_identity ? p->psk_identity : "");
    if (has_fault(&s, "psk-identity-not-kpsaid")) psk.identity = bare;
    sim_cred cred;   /* remote provisioning: the PSK for SAE comes from the enrolment (lifecycle.h) */
    if (o.mef_port > 0) {
        if (sim_cred_start(&cred, s.loop, p, bind_addr, s.harness_addr, o.mef_port, o.mef_cert, s.fault) < 0) goto out;
        s.cred = &cred;
    }
    dtls_params dp = { 0 };
    dp.psks = s.cred ? &cred.psk : &psk;
    dp.npsks = 1;
    dp.sni = has_fault(&s, "no-sni") ? NULL : p->harness_host;
    char prio[512];
    /* writable names: dtls_priority_for takes the profile's char * lists */
    char s_gcm[] = "TLS_PSK_WITH_AES_128_GCM_SHA256", s_ccm8[] = "TLS_PSK_WITH_AES_128_CCM_8";
    char s_cbc[] = "TLS_PSK_WITH_AES_128_CBC_SHA", s_d12[] = "DTLS1.2", s_d10[] = "DTLS1.0";
    char *gcm[] = { s_gcm };
    char *old[] = { s_ccm8, s_cbc };
    char *v10[] = { s_d12, s_d10 };
    int accept10 = has_fault(&s, "accept-dtls10");
    if (dtls_priority_for(accept10 ? old : gcm, accept10 ? 2 : 1, v10, accept10 ? 2 : 1,
                          prio, sizeof prio, err, sizeof err) < 0) { say("%s", err); return 1; }
    if (has_fault(&s, "no-ccm8") || accept10) dp.priority = prio;
    char cn_only_cert[512], cn_only_key[512];
    if (cert) {
        if (has_fault(&s, "cert-cn-only")) {
            /* fixtures/certs naming: X.crt has a sibling X-cn-only.crt */
            snprintf(cn_only_cert, sizeof cn_only_cert, "%.*s-cn-only.crt", (int)(strlen(cert) - 4), cert);
            snprintf(cn_only_key, sizeof cn_only_key, "%.*s-cn-only.key", (int)(strlen(key) - 4), key);
            cert = cn_only_cert;
            key = cn_only_key;
        }
        dp.cert_file = cert;
        dp.key_file = key;
        dp.trust_file = trust;
        dp.verify_name = p->harness_host;
        dp.skip_verify = has_fault(&s, "accept-any-cert");
    }
    /* Raw public keys: the registrar's key is pinned; it binds the profile's harness CSE-ID. */
    dtls_rpk_pin pin = { p->harness_cse_id, NULL, a.rpk_pin };
    char other_pub[512], other_key[512];
    if (rpk_pub && rpk_key && has_fault(&s, "rpk-other-key")) {
        /* fixtures/certs naming: rpk-X.pub has a sibling rpk-X-other.pub */
        snprintf(other_pub, sizeof other_pub, "%.*s-other.pub", (int)(strlen(rpk_pub) - 4), rpk_pub);
        snprintf(other_key, sizeof other_key, "%.*s-other.key", (int)(strlen(rpk_key) - 4), rpk_key);
        rpk_pub = other_pub;
        rpk_key = other_key;
    }
    if (rpk_pub) {
        dp.rpk_pub_file = rpk_pub;
        dp.rpk_key_file = rpk_key;
        dp.rpk_pins = &pin;
        dp.nrpk_pins = a.rpk_pin ? 1 : 0;
        dp.skip_verify = has_fault(&s, "rpk-accept-any-key");
        cert = rpk_pub;   /* like X.509: no PSK-only extras (SA2) */
    }
    dp.retrans_ms = (unsigned)(p->dtls_retrans_ns / NS_PER_MS);
    if (has_fault(&s, "no-flight-retransmit")) dp.retrans_ms = (unsigned)(p->dtls_total_ns / NS_PER_MS);
    dp.total_ms = (unsigned)(p->dtls_total_ns / NS_PER_MS);
    s.hs_max = -1;
    /* A device whose link is down does not start its handshake: its timers (retransmission,
     * dtls-total) start when the link comes up, so how late the harness raises it, under
     * load, changes nothing. The no-flight-retransmit fault keeps a stack that pays no heed
     * to its link: its one flight goes out at once, into the link that is down. */
    if (s.link_fd >= 0 && s.link_down && !has_fault(&s, "no-flight-retransmit")) {
        say("link down: the handshake waits for the link");
        loop_run_until(s.loop, mono_now_ns() + 3600 * NS_PER_SEC, link_is_up, &s);
        say("link up: starting the handshake");
    }
    if (hostile && !hostile_inside_sa(hostile)) hostile_outside(hostile, bind_addr, s.harness_addr, s.coap_port, s.coaps_port, p);
    s.sa1 = node_connect(s.node, bind_addr, &peer, &dp, NULL, NULL, NULL, err, sizeof err);
    if (!s.sa1) { say("%s", err); return 1; }
    loop_run_until(s.loop, mono_now_ns() + p->dtls_total_ns, dtls_settled, &s);
    if (dtls_conn_state(s.sa1->conn) != DTLS_UP || s.hs_gap) {
        say("DTLS handshake failed: %s", s.hs_gap ? "out-of-order message" : dtls_conn_fail_reason(s.sa1->conn));
        if (has_fault(&s, "plain-after-sae-fail")) register_plain(&s, bind_addr);
        goto out;
    }
    say("DTLS up");
    if (hostile && hostile_inside_sa(hostile)) hostile_inside(hostile, s.loop, s.sa1->link.send, s.sa1, p);
    const cm_link *link = &s.sa1->link;
    const char *me = p->iut_cse_id ? p->iut_cse_id : "/asn-cse";
    char *cb = xasprintf("%s/base", me);   /* as registration() announces it */
    if (strcmp(s.kind, "ae") != 0) s.res = devres_new(cb, p->release);
    free(cb);
    if (has_fault(&s, "retrieve-before-register")) {
        retrieve_base(&s, &req, me);
        say("fault: retrieve before registering answered rsc=%d", exchange(&s, link, &req, 10 * NS_PER_SEC));
        m2m_prim_free(&req);
    }
    if (strcmp(s.kind, "ae") != 0 && !cert && node_bind_secure(s.node, bind_addr, 0, err, sizeof err) == 0)
        snprintf(s.poa, sizeof s.poa, strchr(bind_addr, ':') ? "coaps://[%s]:%d" : "coaps://%s:%d",
                 bind_addr, udp_port(node_secure_sock(s.node)));
    if (has_fault(&s, "sa2-before-register")) start_sa2(&s, &dp);
    registration(&s, &req);
    int rsc = exchange(&s, link, &req, 30 * NS_PER_SEC);
    /* A refused registration is taken: not sent again unchanged at once, never sent outside
     * the association instead — unless a fault says otherwise. */
    if (rsc == 4103 && has_fault(&s, "ae-retry-after-4103")) {
        say("fault: registration refused with 4103, sending it again");
        rsc = exchange(&s, link, &req, 10 * NS_PER_SEC);
    }
    if ((rsc == 4106 || rsc == 4107) && has_fault(&s, "ae-plain-after-refusal")) register_plain(&s, bind_addr);
    /* Registered: it does not register again while the registration stands (R-REG-10). */
    if (rsc == 2001 && has_fault(&s, "ae-double-register")) {
        m2m_prim again;
        registration(&s, &again);
        say("fault: registering again answered rsc=%d", exchange(&s, link, &again, 10 * NS_PER_SEC));
        m2m_prim_free(&again);
    }
    if (rsc == 2001 && !s.sa2_up) start_sa2(&s, &dp);
    /* A request-reachable device whose registration failed keeps its point of access (as one
     * that retries would) for as long as a registrar may try a reverse association there, its
     * DTLS timeout and a margin, and refuses every handshake on it with an alert: it holds no
     * key for one. Released earlier, the port could pass to another process, whose answer would
     * be taken for this device's (a busy machine drops ICMP port unreachables). */
    if (rsc != 2001 && node_secure_sock(s.node)->fd >= 0) refuse_sa2(&s, &dp);
    m2m_prim_free(&req);
    say("registration answered rsc=%d", rsc);
    exit_code = rsc == 2001 ? 0 : 1;
    if (rsc == 2001) {
        const char *who = strcmp(s.kind, "ae") ? me : has_fault(&s, "ae-wrong-fr") ? "Cnot-this-ae" : p->iut_ae_id;
        s.me = who;
        if (who) store_data(&s, who, strcmp(s.kind, "ae") ? me + (me[0] == '/') : "sim-ae");
        if (s.two_identities && !strcmp(s.kind, "ae")) second_identity(&s, bind_addr, &peer, &dp);
        heartbeat(&s, bind_addr, who, linger);
    }
    if (s.sa1->conn) dtls_close(s.sa1->conn);
out:
    devres_free(s.res);
    node_free(s.node);
    loop_free(s.loop);
    profile_free(p);
    return exit_code;
}
