/* ref-in-cse: a reference IN-CSE for proving the harness's field role right.
 * Correct by default: a DTLS 1.2 server (PSK, TLS_PSK_WITH_AES_128_CCM_8 first) on its coaps
 * port and the registrar of harness/cse behind it; on its plain CoAP port the same registrar
 * refuses every Mcc primitive outside an association (4107, TS-0004 §7.3.2.1), and serves AEs
 * there only when the profile claims MCA_PLAIN (else 4107: SAE is mandatory between a field AE
 * and the IN-CSE, TS-0003 §6.1.2.2.1). With <harness app-id>, AE registrations are checked
 * against a service subscription that allows that App-ID (TS-0004 §7.3.2.7). Each --fault
 * switch breaks exactly one rule the field suite checks (tools/ref-in-cse/faults.tsv).
 * Built on the harness's own net/, onem2m/ and cse/ layers; it runs until it is killed. */
#include "onem2m/release.h"
#include "cse/hosted.h"
#include "cse/registrar.h"
#include "faults.h"
#include "fetch.h"
#include "own_mef.h"
#include "enrol/mef.h"
#include "sa2.h"
#include "hostile_in.h"
#include "plain_only.h"
#include "../common/peer_util.h"
#include "model/profile.h"
#include "net/node.h"
#include "onem2m/primitive.h"
#include "util/xmem.h"
#include "util/timeutil.h"
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* --content-formats takes at most this many. */
#define REF_MAX_FORMATS 8

/* replay-outside-session: the last datagram sent in an association (node_peer.user). */
typedef struct sent { uint8_t *b; size_t n; } sent;

typedef struct ref {
    evloop *loop;
    const profile *p;
    const char *fault;
    node *node;       /* the coap and coaps ports, a record per peer, the CoAP layer */
    registrar *reg;
    ref_sa2 *sa2;     /* the reverse association toward the registree, once opened */
    ref_mef *own_mef; /* <mef at="iut">: the MEF is ours (own_mef.h) */
    const char *hostile;   /* --hostile: a hostile IN-CSE (hostile_in.c) */
    uint32_t formats[REF_MAX_FORMATS];   /* --content-formats: the only ones taken, ... */
    size_t nformats;                     /* ... 0 = any */
} ref;

static int has_fault(const ref *r, const char *name) { return r->fault && strcmp(r->fault, name) == 0; }

/* replay-outside-session: the same bytes again in an association (a response replayed for a
 * duplicate) go out in clear, from the coaps port. */
static int replay_send(void *ctx, const uint8_t *b, size_t n)
{
    node_peer *pr = ctx;
    sent *last = pr->user;
    int replay = last->b && last->n == n && memcmp(last->b, b, n) == 0;
    free(last->b);
    last->b = xmalloc(n ? n : 1);
    memcpy(last->b, b, n);
    last->n = n;
    if (replay) return udp_send(node_secure_sock(pr->n), b, n, dtls_conn_addr(pr->conn)) < 0 ? -1 : 0;
    return node_send_secure(ctx, b, n);
}

static void on_peer(node_peer *pr, void *ctx)
{
    const ref *r = ctx;
    if (!pr->link.secure || !has_fault(r, "replay-outside-session")) return;
    pr->user = xcalloc(1, sizeof(sent));
    pr->link.send = replay_send;
}

/* kpsaid-relative-only: any "<relative>@<anything>" gets the key of the profile's KpsaID with
 * the same relative part (TS-0003 §10.5 makes the whole KpsaID the identity). */
static int relative_only_lookup(const char *identity, dtls_psk *out, void *ctx)
{
    const dtls_psk *known = ctx;
    size_t n = strcspn(known->identity ? known->identity : "", "@");
    if (!known->identity || strncmp(identity, known->identity, n) != 0 || identity[n] != '@') return -1;
    *out = *known;
    out->identity = identity;
    return 0;
}

/* The security context the registrar judges the request in. An association binds the field
 * CSE's CSE-ID; it also carries the AE-IDs that CSE hosts ("<CSE-ID>/C..." or "/S..."), which
 * are then judged by the registration rules (an AE-ID creating a remoteCSE gets 4005). */
static sa_info context_of(ref *r, const cm_link *l, const m2m_prim *req)
{
    sa_info sa = { 0 };
    sa.secure = l->secure;
    if (l->secure) {
        const node_peer *k = node_peer_of(l);
        sa.sa = dtls_conn_number(k->conn);
        sa.identity = dtls_conn_identity(k->conn);
        sa.bound_id = dtls_conn_bound_id(k->conn);
        /* the harness's credential bound to AE-IDs by the profile (<psk ae-id>) */
        if (r->p->psk_ae_ids && sa.identity && r->p->psk_identity && strcmp(sa.identity, r->p->psk_identity) == 0)
            sa.ae_ids = r->p->psk_ae_ids;
        size_t n = sa.bound_id ? strlen(sa.bound_id) : 0;
        if (n && req->fr && strncmp(req->fr, sa.bound_id, n) == 0 && req->fr[n] == '/' && m2m_id_is_ae(req->fr))
            sa.bound_id = req->fr;
        if (has_fault(r, "ignore-fr")) sa.bound_id = sa.ae_ids = NULL;
        /* the fault: registration checked, the association's identity not */
        if (has_fault(r, "fr-any-registree") && req->fr && registrar_has_remote_cse(r->reg, req->fr))
            sa.bound_id = req->fr;
    } else if (has_fault(r, "plain-coap")) {
        sa.secure = 1;   /* the fault: plain CoAP treated as if it were inside an association */
    }
    return sa;
}

/* The faults that break a rule of the binding by changing the request before the registrar
 * sees it: its mandatory parameters, its operation, its Accept. */
static void ref_binding_faults(const ref *r, m2m_prim *pr)
{
    if (has_fault(r, "no-mandatory-check")) {
        if (!pr->rqi) pr->rqi = xstrdup("");
        if (!pr->rvi) pr->rvi = xstrdup(m2m_release_name(r->p->release));   /* served as if of its release */
    }
    if (has_fault(r, "post-is-create") && pr->op == M2M_OP_NOTIFY && pr->pc && pr->pclen &&
        memmem(pr->pc, pr->pclen, "\"m2m:csr\"", 9)) {
        pr->op = M2M_OP_CREATE;
        pr->ty = 16;
    }
    if (has_fault(r, "ignore-accept")) pr->accept = -1;
}

/* The faults exit-on-first-request and exit-on-missing-rqi: the process dies on a request (the
 * first one, or one without rqi), with an error line and then a trailer line, as a runtime
 * prints its version after an uncaught error. */
static void exit_faults(const ref *r, const m2m_prim *pr)
{
    int missing = pr->rqi == NULL || !pr->rqi[0];
    if (!has_fault(r, "exit-on-first-request") && !(has_fault(r, "exit-on-missing-rqi") && missing)) return;
    fprintf(stderr, "ref-in-cse: fatal error: %s %s from %s: cannot go on (fault %s)\n", m2m_op_name(pr->op),
            pr->to ? pr->to : "?", pr->fr ? pr->fr : "?", r->fault);
    fprintf(stderr, "ref-in-cse " M2M_VERSION "\n");
    fflush(stderr);
    _exit(70);
}

/* --content-formats: a request with a Content-Format outside the list is dropped without a
 * word (no ACK, no RST), as an IN-CSE that takes only application/json does with 10001. */
static int format_taken(const ref *r, const cm_msg *req)
{
    const cm_option *o = cm_msg_find_opt(req, CM_OPT_CONTENT_FORMAT, 0);
    if (!o || !r->nformats) return 1;
    for (size_t i = 0; i < r->nformats; i++)
        if (r->formats[i] == cm_opt_uint(o)) return 1;
    return 0;
}

/* A request no oneM2M primitive is read from (a method with no operation, a Uri-Path segment
 * holding '/'): still a oneM2M error response, BAD_REQUEST with the oneM2M-RSC option, the
 * request's own rqi and the CSE's release (TS-0004 Table 7.2.1.2-1, Error: Response Status Code,
 * Request Identifier and Release Version Indicator mandatory; TS-0008 §6.2.4: the RSC in
 * oneM2M-RSC). */
static void unmapped_refusal(const ref *r, const cm_msg *req, cm_msg *out)
{
    m2m_prim rsp;
    m2m_prim_init(&rsp);
    rsp.rsc = 4000;
    const cm_option *q = cm_msg_find_opt(req, r->p->options.num[M2M_OPT_RQI], 0);
    if (q) rsp.rqi = xstrndup(q->len ? (const char *)q->val : "", q->len);
    rsp.rvi = xstrdup(m2m_release_rvi(r->p->release));   /* none toward Release 1 */
    m2m_response_to_coap(&rsp, &r->p->options, out);
    m2m_prim_free(&rsp);
}

static void on_request(coap_ep *ep, const cm_link *l, const cm_msg *req, void *ctx)
{
    ref *r = ctx;
    if (!format_taken(r, req)) {
        fprintf(stderr, "ref-in-cse: %s request with Content-Format %u dropped (--content-formats)\n",
                l->secure ? "secure" : "plain", (unsigned)cm_opt_uint(cm_msg_find_opt(req, CM_OPT_CONTENT_FORMAT, 0)));
        return;
    }
    m2m_prim pr, rsp;
    m2m_prim_init(&pr);
    m2m_prim_init(&rsp);
    cm_msg out;
    cm_msg_init(&out);
    char problems[256] = "";
    if (req->type == CM_NON && has_fault(r, "ignore-non")) return;
    if (m2m_from_coap(req, &r->p->options, &pr, problems, sizeof problems) < 0) {
        out.code = CM_CODE(4, 0);
        unmapped_refusal(r, req, &out);
        coap_ep_respond(ep, l, req, &out);
    } else {
        exit_faults(r, &pr);
        sa_info sa = context_of(r, l, &pr);
        ref_binding_faults(r, &pr);
        if (has_fault(r, "no-4005") && l->secure && pr.op == M2M_OP_CREATE && pr.ty == 16 && m2m_id_is_ae(pr.fr)) {
            free(pr.fr);   /* the fault: the AE's request taken for its hosting CSE's */
            pr.fr = xstrdup(dtls_conn_bound_id(node_peer_of(l)->conn));
            sa.bound_id = pr.fr;
        }
        /* SA2 only after SA1 and the registration (TS-0003 §8.2.1), unless a fault says */
        int reg_create = l->secure && pr.op == M2M_OP_CREATE && pr.ty == 16, early = 0;
        if (reg_create && !r->sa2 && has_fault(r, "sa2-before-register")) {
            r->sa2 = ref_sa2_open(r->loop, r->p, &pr, NULL, 0);
            early = 1;
            usleep(200000);   /* the ClientHello surely arrives before the answer */
        }
        registrar_handle(r->reg, &pr, &sa, &rsp, NULL, l->peer);
        /* ... opened 100 ms after the answer, as when the IN-CSE first has a request for it;
         * a later request-reachable registration (a registree that registered again, as a
         * harness attached to this running IN-CSE does test after test) gets its own */
        if (reg_create && !early && rsp.rsc == 2001) {
            ref_sa2 *sa2 = ref_sa2_open(r->loop, r->p, &pr, has_fault(r, "sa2-other-credentials") ? "other@in.m2m-harness.test" : NULL,
                                        100 * NS_PER_MS);
            if (sa2) {
                ref_sa2_free(r->sa2);
                r->sa2 = sa2;
            }
        }
        if (has_fault(r, "no-4117") && rsp.rsc == 4117 && pr.ty == 16) rsp.rsc = 2001;
        if (has_fault(r, "no-credential-4106") && rsp.rsc == 4107) rsp.rsc = 4106;
        m2m_optmap legacy;   /* the fault: responses in the other numbering than the profile's */
        int other = has_fault(r, "legacy-options") && pr.op == M2M_OP_RETRIEVE && m2m_optmap_preset("legacy", &legacy) == 0;
        if (m2m_response_to_coap(&rsp, other ? &legacy : &r->p->options, &out) == 0) {
            if (has_fault(r, "wrong-rsc-code")) out.code = CM_CODE(2, 5);
            if (!r->hostile || !hostile_in_respond(r->hostile, l, req, &out, &r->p->options))
                coap_ep_respond(ep, l, req, &out);
        }
        fprintf(stderr, "ref-in-cse: %s %s %s fr=%s -> rsc=%d\n", l->secure ? "secure" : "plain",
                m2m_op_name(pr.op), pr.to ? pr.to : "?", pr.fr ? pr.fr : "-", rsp.rsc);
    }
    cm_msg_free(&out);
    m2m_prim_free(&rsp);
    m2m_prim_free(&pr);
}

static void dtls_state_changed(dtls_conn *c, dtls_state st, void *ctx)
{
    ref *r = ctx;
    if (st == DTLS_CLOSED && r->own_mef) ref_mef_association_ended(r->own_mef, dtls_conn_identity(c));
}

/* SIGUSR2, read from a signalfd on the loop: a change of service provider (profile trigger
 * change-service-provider, docs/mef.md). */
static void provider_signal(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)ev;
    ref *r = ctx;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
        if (si.ssi_signo == SIGUSR2) ref_mef_change_provider(r->own_mef);
}

static int watch_provider_signal(ref *r)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return -1;
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd >= 0) loop_add_fd(r->loop, fd, provider_signal, r);
    return fd;
}

/* trust-other-ca: a trust file holding the given one and other-ca.crt from its folder
 * (fixtures/certs naming). Returns a temporary file's path to unlink, or NULL. */
static char *with_other_ca(const char *trust)
{
    const char *slash = strrchr(trust, '/');
    char *other = xasprintf("%.*sother-ca.crt", slash ? (int)(slash - trust + 1) : 0, trust);
    char tmpl[] = "/tmp/ref-in-cse-trust-XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    const char *files[] = { trust, other };
    for (size_t i = 0; out && i < 2; i++) {
        FILE *in = fopen(files[i], "r");
        char buf[4096];
        size_t n;
        while (in && (n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
        if (in) fclose(in);
    }
    free(other);
    if (!out) return NULL;
    fclose(out);
    return xstrdup(tmpl);
}

/* Readiness probe for the harness (profile <ready>): exit 0 once something holds the UDP
 * port, i.e. binding it without SO_REUSEADDR fails with EADDRINUSE. */
/* The faults no-dtls-rst and no-dtls-silent: an IN-CSE that offers no DTLS on the port the
 * profile gives as coaps. RST: every datagram gets a 4-byte CoAP RST (message id taken from
 * bytes 2..3, as a CoAP stack that parsed the header would); silent: it is dropped. */
static void nodtls_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)l; (void)fd; (void)revents;
    ref *r = ctx;
    uint8_t buf[2048];
    net_addr from;
    ssize_t n;
    while ((n = udp_recv(node_secure_sock(r->node), buf, sizeof buf, &from)) >= 0) {
        if (!has_fault(r, "no-dtls-rst")) continue;
        uint8_t rst[4] = { 0x70, 0x00, n >= 4 ? buf[2] : 0, n >= 4 ? buf[3] : 0 };
        udp_send(node_secure_sock(r->node), rst, sizeof rst, &from);
    }
}

/* The fault coaps-dies-after-probe: the coaps port is held (the readiness probe finds it
 * taken) until the first datagram arrives there; then the socket is closed unread, as by a
 * DTLS listener that died: every later datagram meets an ICMP port unreachable. */
static void dying_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)revents;
    ref *r = ctx;
    loop_del_fd(l, fd);
    udp_close(node_secure_sock(r->node));
    fprintf(stderr, "ref-in-cse: the coaps listener died on its first datagram (fault coaps-dies-after-probe)\n");
}

static int probe(const char *addr, int port)
{
    udp_sock s;
    s.fd = -1;
    char err[256];
    if (udp_bind(&s, addr, port, err, sizeof err) == 0) {
        udp_close(&s);
        return 1;
    }
    return strstr(err, "in use") ? 0 : 1;
}

static void usage(FILE *f)
{
    fputs("usage: ref-in-cse --profile FILE --coap-port N --coaps-port M [--fault NAME] [--hostile NAME] [--address A]\n"
          "                  [--cert F --key F --trust F]   X.509 (PEM) besides the profile's PSK\n"
          "                  [--mef-port N]   as enrolment target: fetch unknown KeIDs' credentials there\n"
          "                                   (profile <mef at=\"iut\">: run that MEF ourselves on port N)\n"
          "                  [--separate-responses]   answer a CON request with an empty ACK, then the\n"
          "                                   response in a CON of its own (RFC 7252 §5.2.2): an interop\n"
          "                                   mode, not a fault; combines with --fault\n"
          "                  [--mef-cert F --mef-key F --mef-trust F]   that MEF's certificate (rspf=\"cert\")\n"
          "                  [--content-formats=LIST]   take content only in these Content-Formats (comma-\n"
          "                                   separated numbers, e.g. 50): a request with another one is\n"
          "                                   dropped without an answer (no ACK, no RST), as an IN-CSE\n"
          "                                   that takes only application/json does with 10001; one\n"
          "                                   without a Content-Format is served. An interop mode, not a\n"
          "                                   fault; combines with --fault. Answers follow the request's\n"
          "                                   format (JSON for 50 and 10001)\n"
          "                  [--plain-only=rst|silent]   an IN-CSE without DTLS, as the open-source CSEs:\n"
          "                                   oneM2M over plain CoAP on --coap-port only (no coaps port),\n"
          "                                   a field CSE registered there (plain Mcc accepted); a DTLS\n"
          "                                   record on that port gets a CoAP RST, or nothing (silent)\n"
          "                  [--not-ready-ms=N]   for N ms after binding, answer every request 4.00\n"
          "                                   without a oneM2M answer (a CSE not serving yet)\n"
          "       ref-in-cse --probe PORT [--address A]   exit 0 when PORT is taken (readiness)\n"
          "       ref-in-cse --profile F --probe-cse PORT [--address A]   one plain RETRIEVE of the\n"
          "                                   profile's CSEBase: exit 0 when a oneM2M answer came\n"
          "  Serves as the profile's IUT (role field): its CSE-ID and CSEBase, the harness's\n"
          "  PSK bound to the harness's CSE-ID (or its AE-ID when the profile gives no CSE-ID),\n"
          "  and a second registree's PSK (a second <psk cse-id>) bound to that CSE-ID.\n"
          "  Serves AEs over plain CoAP only under PICS MCA_PLAIN (else 4107); with <harness\n"
          "  app-id>, AE registrations are checked against a service subscription allowing\n"
          "  that App-ID only (4126, Release 1/2: 4107). --coap-port 0 listens on no plain CoAP port.\n", f);
}

/* ref-in-cse's own options (the shared ones: peer_util.h). */
typedef struct ref_args {
    const char *addr;
    int probe_port;
    uint32_t formats[REF_MAX_FORMATS];
    size_t nformats;
    int plain_only;         /* --plain-only: 0 no, 1 rst, 2 silent (plain_only.h) */
    long not_ready_ms;      /* --not-ready-ms */
    int probe_cse_port;     /* --probe-cse */
} ref_args;

static const struct option ref_options[] = {
    { "address", required_argument, 0, 'a' }, { "probe", required_argument, 0, 'P' },
    { "content-formats", required_argument, 0, 'F' }, { "plain-only", required_argument, 0, 'O' },
    { "not-ready-ms", required_argument, 0, 'N' }, { "probe-cse", required_argument, 0, 'Q' }, { NULL, 0, 0, 0 } };

/* "50,10001": numbers 0..65535, at most REF_MAX_FORMATS; -1 for anything else. */
static int parse_formats(const char *arg, ref_args *a)
{
    a->nformats = 0;
    for (const char *s = arg; *s;) {
        char *end = NULL;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 65535 || a->nformats == REF_MAX_FORMATS || (*end && *end != ',')) return -1;
        a->formats[a->nformats++] = (uint32_t)v;
        s = *end ? end + 1 : end;
    }
    return a->nformats ? 0 : -1;
}

static int ref_option(int code, const char *arg, void *ctx)
{
    ref_args *a = ctx;
    if (code == 'a') a->addr = arg;
    else if (code == 'P') a->probe_port = atoi(arg);
    else if (code == 'Q') a->probe_cse_port = atoi(arg);
    else if (code == 'N') {
        char *end = NULL;
        a->not_ready_ms = strtol(arg, &end, 10);
        if (!*arg || *end || a->not_ready_ms < 0) { fprintf(stderr, "ref-in-cse: --not-ready-ms=%s: expected ms >= 0\n", arg); return -1; }
    } else if (code == 'O') {
        a->plain_only = !strcmp(arg, "rst") ? 1 : !strcmp(arg, "silent") ? 2 : 0;
        if (!a->plain_only) { fprintf(stderr, "ref-in-cse: --plain-only=%s: expected rst or silent\n", arg); return -1; }
    }
    else if (code != 'F') return -1;
    else if (parse_formats(arg, a) < 0) {
        fprintf(stderr, "ref-in-cse: --content-formats=%s: expected comma-separated numbers 0..65535 (at most %d)\n",
                arg, REF_MAX_FORMATS);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    ref r;
    memset(&r, 0, sizeof r);
    ref_args a = { "127.0.0.1", 0, { 0 }, 0, 0, 0, 0 };
    const peer_cli cli = { "ref-in-cse", ref_options, ref_option, &a, ref_faults, hostile_in_known, usage, hostile_in_usage };
    peer_opts o;
    int rc = peer_parse(&cli, argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    const char *addr = a.addr, *cert = o.cert, *key = o.key, *trust = o.trust;
    if (a.probe_port > 0) return probe(addr, a.probe_port);
    r.fault = o.fault;
    r.hostile = o.hostile;
    memcpy(r.formats, a.formats, sizeof r.formats);
    r.nformats = a.nformats;
    int coap_port = o.coap_port, coaps_port = o.coaps_port, mef_port = o.mef_port;
    int plain_only = a.plain_only != 0;
    if (!o.profile || (a.probe_cse_port <= 0 && (plain_only ? coap_port <= 0 : coaps_port <= 0)) ||
        (cert && (!key || !trust))) { peer_usage(&cli, stderr); return 2; }
    profile *p = peer_load_profile(o.profile);
    if (!p) return 2;
    if (a.probe_cse_port > 0) {
        int prc = ref_plain_probe(p, addr, a.probe_cse_port);
        profile_free(p);
        return prc;
    }
    r.p = p;
    dtls_global_init();
    r.loop = loop_new();
    const node_hooks nh = { { NULL, on_request, &r }, dtls_state_changed, NULL, on_peer, &r };
    r.node = node_new(r.loop, (coap_params){ p->ack_timeout_ns, p->max_retransmit }, &nh);
    char err[256];
    if ((!plain_only && node_bind_secure(r.node, addr, coaps_port, err, sizeof err) < 0) ||
        (coap_port > 0 && node_listen_plain(r.node, addr, coap_port, err, sizeof err) < 0)) {
        fprintf(stderr, "ref-in-cse: %s\n", err);
        return 1;
    }
    /* The field node's credential binds its CSE-ID; accept-any-psk takes any identity
     * (dtls_psk.identity NULL) with that key. A second registree's binds its own CSE-ID, and
     * comes first: the catch-all of accept-any-psk must not take its identity. */
    dtls_psk psk = { has_fault(&r, "accept-any-psk") ? NULL : p->psk_identity, p->psk_key, p->psk_key_len,
                     p->harness_cse_id ? p->harness_cse_id : p->harness_ae_id };
    const profile_registree *second = p->second_registree;
    dtls_psk psks[2] = { psk, psk };
    if (second) psks[0] = (dtls_psk){ second->psk_identity, second->psk_key, second->psk_key_len, second->cse_id };
    dtls_params dp = { 0 };
    dp.psks = psks;
    dp.npsks = second ? 2 : 1;
    if (has_fault(&r, "kpsaid-relative-only")) {
        dp.psk_lookup = relative_only_lookup;
        dp.psk_lookup_ctx = &psk;
    }
    /* X.509 (TS-0003 §8.2.2.2): the client's certificate must chain to the trust anchor, be
     * valid, be for clientAuth and name the field CSE's host in subjectAltName. */
    char *trust_tmp = NULL;
    char *client_id = p->harness_host ? xasprintf("dns:%s", p->harness_host) : NULL;
    if (cert) {
        dp.cert_file = cert;
        dp.key_file = key;
        dp.trust_file = trust;
        if (has_fault(&r, "trust-other-ca") && (trust_tmp = with_other_ca(trust))) dp.trust_file = trust_tmp;
        dp.peer_cert_id = client_id;
        dp.peer_bound_id = psk.bound_id;
        dp.skip_verify = has_fault(&r, "accept-any-cert");
    }
    /* Enrolment target (fetch.h): an unknown KeID is fetched from the harness's MEF. */
    ref_fetch fetch = { p, addr, p->harness_address, mef_port, r.fault, { 0 } };
    int provider_fd = -1;
    if (mef_port > 0 && p->mef && p->mef->at_iut) {
        if (!(r.own_mef = ref_mef_open(r.loop, p, mef_port, o.mef_cert, r.fault, err, sizeof err)) ||
            (provider_fd = watch_provider_signal(&r)) < 0) {
            fprintf(stderr, "ref-in-cse: MEF: %s\n", r.own_mef ? "cannot watch SIGUSR2" : err);
            return 1;
        }
        dp.psk_lookup = mef_psk_lookup;
        dp.psk_lookup_ctx = ref_mef_lookup_ctx(r.own_mef);
    } else if (mef_port > 0 && p->mef) {
        dp.psk_lookup = ref_fetch_lookup;
        dp.psk_lookup_ctx = &fetch;
    }
    dp.fault_ignore_rehello = has_fault(&r, "ignore-rehello");
    dp.fault_serve_old_epoch = has_fault(&r, "serve-old-epoch");
    dp.retrans_ms = (unsigned)(p->dtls_retrans_ns / NS_PER_MS);
    dp.total_ms = (unsigned)(p->dtls_total_ns / NS_PER_MS);
    char prio[512];
    /* writable names: dtls_priority_for takes the profile's char * lists */
    char s_gcm[] = "TLS_PSK_WITH_AES_128_GCM_SHA256", s_ccm8[] = "TLS_PSK_WITH_AES_128_CCM_8";
    char s_cbc[] = "TLS_PSK_WITH_AES_128_CBC_SHA", s_d12[] = "DTLS1.2", s_d10[] = "DTLS1.0";
    char *gcm[] = { s_gcm }, *v12[] = { s_d12 };
    char *old[] = { s_ccm8, s_cbc }, *v10[] = { s_d12, s_d10 };
    int accept10 = has_fault(&r, "accept-dtls10");
    if (has_fault(&r, "no-ccm8") || accept10) {
        if (dtls_priority_for(accept10 ? old : gcm, accept10 ? 2 : 1, accept10 ? v10 : v12, accept10 ? 2 : 1,
                              prio, sizeof prio, err, sizeof err) < 0) {
            fprintf(stderr, "ref-in-cse: %s\n", err);
            return 1;
        }
        dp.priority = prio;
    }
    int no_dtls = has_fault(&r, "no-dtls-rst") || has_fault(&r, "no-dtls-silent");
    ref_plain *plain = NULL;
    if (plain_only) plain = ref_plain_only(r.node, a.plain_only == 1, a.not_ready_ms);
    else if (no_dtls) loop_add_fd(r.loop, node_secure_sock(r.node)->fd, nodtls_readable, &r);
    else if (has_fault(&r, "coaps-dies-after-probe")) loop_add_fd(r.loop, node_secure_sock(r.node)->fd, dying_readable, &r);
    else if (r.hostile && hostile_in_dtls(r.hostile)) hostile_in_dtls_serve(r.loop, node_secure_sock(r.node), r.hostile);
    else if (node_serve_secure(r.node, &dp, NULL, err, sizeof err) < 0) { fprintf(stderr, "ref-in-cse: %s\n", err); return 1; }
    if (has_fault(&r, "no-dedup")) coap_ep_set_dedup(node_ep(r.node), 0);
    if (has_fault(&r, "requests-in-ack")) coap_ep_set_requests_in_ack(node_ep(r.node), 1);
    coap_ep_set_separate(node_ep(r.node), o.separate);
    r.reg = registrar_new(p->iut_cse_id, p->iut_cse_base_name, p->release);
    registrar_set_format(r.reg, p->content_format);   /* when a request names none */
    /* legacy numbering (256..270) has no number for rvi: requests there are Release-1
     * requests (TS-0004 §7.3.2.1), which an IN-CSE on that numbering serves */
    if (!p->options.num[M2M_OPT_RVI]) registrar_support_release(r.reg, M2M_REL_1, 1);
    hosted_policies(registrar_hosted(r.reg))->faults = ref_fault_acp_bits(r.fault);
    registrar_set_faults(r.reg, (has_fault(&r, "any-app-id") ? REG_FAULT_ANY_APP_ID : 0u) |
                                (has_fault(&r, "reuse-ae-stem") ? REG_FAULT_REUSE_AE_STEM : 0u) |
                                (has_fault(&r, "plain-ae-unchecked") ? REG_FAULT_PLAIN_AE : 0u) |
                                (has_fault(&r, "ae-plain-coap") ? REG_FAULT_AE_PLAIN : 0u) |
                                (has_fault(&r, "skip-app-rule") ? REG_FAULT_SKIP_APP_RULE : 0u) |
                                (has_fault(&r, "acp-on-ae-create") ? REG_FAULT_ACP_ON_AE_CREATE : 0u) |
                                (has_fault(&r, "ae-create-from-unchecked") ? REG_FAULT_AE_CREATE_FROM : 0u) |
                                (has_fault(&r, "ae-from-any-format") ? REG_FAULT_AE_FROM_FORMAT : 0u) |
                                (has_fault(&r, "authn-by-hop") ? REG_FAULT_AUTHN_BY_HOP : 0u) |
                                (has_fault(&r, "any-cse-id") ? REG_FAULT_ANY_CSE_ID : 0u));
    /* Mca without SAE only where the profile claims it (PICS MCA_PLAIN); SAE is mandatory
     * between a field AE and the IN-CSE otherwise (TS-0003 §6.1.2.2.1). */
    registrar_require_sae(r.reg, !profile_has_pics(p, "MCA_PLAIN"));
    /* without DTLS, as the open-source CSEs: a field CSE registers over plain CoAP */
    registrar_accept_plain_mcc(r.reg, plain_only);
    /* The service subscription for the harness's credential allows its App-ID
     * (<harness app-id>); without one the profile claims no restriction and none is set. */
    if (p->harness_app_id) registrar_add_subscription(r.reg, NULL, p->harness_app_id, NULL);
    fprintf(stderr, "ref-in-cse: %s listening on coaps %d, coap %d%s%s%s%s%s\n", p->iut_cse_id ? p->iut_cse_id : "?",
            plain_only ? 0 : coaps_port, coap_port, plain_only ? ", plain CoAP only (no DTLS)" : "", o.separate ? ", separate responses" : "", r.nformats ? ", content formats limited" : "",
            r.fault ? ", fault " : "", r.fault ? r.fault : "");
    /* Runs until the harness stops it; an hour at most, so a lost one does not stay. */
    loop_run_until(r.loop, mono_now_ns() + 3600 * NS_PER_SEC, NULL, NULL);
    ref_sa2_free(r.sa2);
    ref_plain_free(plain);
    if (provider_fd >= 0) { loop_del_fd(r.loop, provider_fd); close(provider_fd); }
    ref_mef_close(r.own_mef);
    registrar_free(r.reg);
    for (node_peer *k = node_peers(r.node); k; k = k->next) {
        sent *last = k->user;
        if (last) free(last->b);
        free(last);
    }
    node_free(r.node);
    loop_free(r.loop);
    free(client_id);
    if (trust_tmp) unlink(trust_tmp);
    free(trust_tmp);
    profile_free(p);
    return 0;
}
