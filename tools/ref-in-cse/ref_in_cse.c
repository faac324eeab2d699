/* ref-in-cse: a reference IN-CSE for proving the harness's field role right (DESIGN §8).
 * Correct by default: a DTLS 1.2 server (PSK, TLS_PSK_WITH_AES_128_CCM_8 first) on its coaps
 * port and the registrar of harness/cse behind it; on its plain CoAP port the same registrar
 * refuses every Mcc primitive outside an association (4107, TS-0004 §7.3.2.1), and serves AEs
 * there only when the profile claims MCA_PLAIN (else 4107: SAE is mandatory between a field AE
 * and the IN-CSE, TS-0003 §6.1.2.2.1). With <harness app-id>, AE registrations are checked
 * against a service subscription that allows that App-ID (TS-0004 §7.3.2.7). Each --fault
 * switch breaks exactly one rule the field suite checks (tools/ref-in-cse/faults.tsv).
 * Built on the harness's own net/, onem2m/ and cse/ layers; it runs until it is killed. */
#include "cse/hosted.h"
#include "cse/registrar.h"
#include "fetch.h"
#include "own_mef.h"
#include "enrol/mef.h"
#include "sa2.h"
#include "hostile_in.h"
#include "model/profile.h"
#include "net/coap_ep.h"
#include "net/dtls.h"
#include "net/loop.h"
#include "net/udp.h"
#include "onem2m/primitive.h"
#include "util/xmem.h"
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

/* acp: the ACP_FAULT_* bits (cse/acp.h) the fault sets in the hosted resources' decisions. */
typedef struct fault { const char *name; const char *what; unsigned acp; } fault;
static const fault faults[] = {
    { "plain-coap", "serve Mcc primitives that arrive over plain CoAP as if they came in an association", 0 },
    { "ignore-fr", "ignore the binding of From to the association's identity (no 4106)", 0 },
    { "fr-any-registree", "inside an association accept any From that names a registered CSE, not only its own identity", 0 },
    { "no-fetch-credentials", "as enrolment target, never fetch an unknown KeID's credential from the MEF", 0 },
    { "fetch-wrong-suid", "as enrolment target, fetch the credential with SUID 12 instead of 22", 0 },
    { "mef-any-kpm", "own MEF (<mef at=\"iut\">): accept any bootstrap PSK identity that has Kpm", 0 },
    { "mef-wrong-label", "own MEF: derive Ke/KeID with the exporter label EXPORTER-oneM2M-Connection", 0 },
    { "accept-half-enrolled", "own MEF: keep the keys at the bootstrap handshake, before the enrolment exchange", 0 },
    { "accept-expired-keid", "own MEF: accept a KeID whose Ke is past its lifetime", 0 },
    { "forget-enrolment-on-close", "own MEF: forget a KeID when its association ends (the field node must enrol again)", 0 },
    { "keep-enrolment-on-provider-change", "own MEF: keep the former provider's enrolments after a change of service provider (SIGUSR2)", 0 },
    { "mef-cert-wrong-name", "own MEF, rspf cert: present the IN-CSE's certificate (SAN in-cse.m2m-harness.test), not one naming the MEF-FQDN", 0 },
    { "mef-cert-cn-only", "own MEF, rspf cert: present a certificate naming the MEF-FQDN only in its CN, without subjectAltName", 0 },
    { "accept-any-psk", "accept any PSK identity, with the key of the profile's identity", 0 },
    { "accept-dtls10", "accept DTLS 1.0 (with TLS_PSK_WITH_AES_128_CBC_SHA) besides DTLS 1.2", 0 },
    { "no-ccm8", "lack TLS_PSK_WITH_AES_128_CCM_8: only TLS_PSK_WITH_AES_128_GCM_SHA256", 0 },
    { "wrong-rsc-code", "answer every response with CoAP 2.05 whatever its RSC (TS-0008 Table 6.2.4-1)", 0 },
    { "no-4117", "accept a duplicate remoteCSE: 2001 instead of 4117", 0 },
    { "no-4005", "let an AE-ID create a remoteCSE, as if its hosting CSE had (no 4005)", 0 },
    { "accept-any-cert", "with X.509, accept any client certificate: expired, not for clientAuth, any identity", 0 },
    { "trust-other-ca", "with X.509, also trust other-ca.crt beside the trust file (a CA outside the PKI)", 0 },
    { "ignore-rehello", "ignore a ClientHello from a field node that has an association: after it rebooted, it never gets a new one", 0 },
    { "serve-old-epoch", "after a field node's new handshake from the same address, go on serving records of the old association", 0 },
    { "skip-acp", "no access decision at all: every request on hosted resources is permitted", ACP_FAULT_SKIP },
    { "deny-overrides", "every linked policy must permit, instead of any one (permit-overrides)", ACP_FAULT_DENY_OVERRIDES },
    { "ignore-self-privileges", "requests on a policy judged by its privileges, not its selfPrivileges", ACP_FAULT_IGNORE_PVS },
    { "swap-update-delete", "UPDATE checked against acop bit 8 and DELETE against bit 4", ACP_FAULT_SWAP_UD },
    { "no-wildcards", "acor entries compared as literal IDs: neither 'all' nor '*' match others", ACP_FAULT_NO_WILDCARDS },
    { "open-default", "a resource without acpi is open to every originator, not its creator only", ACP_FAULT_OPEN_DEFAULT },
    { "cin-own-default", "a contentInstance judged by its own creator-only default, not its parent's acpi", ACP_FAULT_CIN_OWN },
    { "ignore-time-window", "accessControlTimeWindow (actw) ignored: a rule applies at any time", ACP_FAULT_NO_ACTW },
    { "ignore-ip-context", "accessControlIpAddresses (acip) ignored: a rule applies from any address", ACP_FAULT_NO_ACIP },
    { "ignore-acaf", "accessControlAuthenticationFlag ignored: a rule applies to unauthenticated originators", ACP_FAULT_NO_ACAF },
    { "no-dtls-rst", "no DTLS at all: the coaps port answers every datagram with a CoAP RST (as some plain-CoAP CSEs do); plain CoAP served as usual", 0 },
    { "no-dtls-silent", "no DTLS at all: the coaps port drops every datagram (a DTLS record reads as CoAP version 0, RFC 7252 §3); plain CoAP served as usual", 0 },
    { "acpi-update-unchecked", "an acpi UPDATE judged by privileges like any UPDATE, not the policies' selfPrivileges", ACP_FAULT_ACPI_UNCHECKED },
    { "acpi-with-others", "an acpi UPDATE may carry other attributes too", ACP_FAULT_ACPI_MIXED },
    { "acp-pvs-optional", "a policy CREATE without privileges or with empty selfPrivileges is taken", ACP_FAULT_PVS_OPTIONAL },
    { "replay-outside-session", "answer a duplicate CON (the cached response) in a clear datagram, outside the DTLS session", 0 },
    { "kpsaid-relative-only", "look PSK identities up by the relative part of the KpsaID, ignoring the Issuer-FQDN", 0 },
    { "no-dedup", "no duplicate detection: a repeated CON (same Message ID) is executed again", 0 },
    { "ignore-non", "leave a NON request unanswered (only CON requests are served)", 0 },
    { "sa2-before-register", "open the reverse association (SA2) on the registration request, before answering it", 0 },
    { "sa2-other-credentials", "open SA2 under another PSK identity than SA1's", 0 },
    { "wildcard-spans-slash", "a '*' in acor also matches across '/' (an AE-ID below the CSE-ID pattern)", ACP_FAULT_WILDCARD_SPAN },
    { "deny-rsc-4000", "a denial answered 4000 BAD_REQUEST (4.00) instead of 4103 (4.03)", ACP_FAULT_DENY_4000 },
    { "any-app-id", "register an AE whatever its App-ID (no 4000 for one not starting with r, R or N)", 0 },
    { "reuse-ae-stem", "register an AE again under an AE-ID stem that is still registered (no 4117)", 0 },
    { "plain-ae-unchecked", "outside an association, serve an AE-ID that is not registered here (no 4106)", 0 },
    { "no-mandatory-check", "serve a request without rqi or rvi (as if they were there) instead of 4000", 0 },
    { "post-is-create", "take a POST without oneM2M-TY whose content is a remoteCSE for a CREATE of it", 0 },
    { "no-credential-4106", "refuse a primitive without an association with 4106 instead of 4107", 0 },
    { "legacy-options", "answer RETRIEVEs in the legacy option numbering (256..270) whatever the profile's", 0 },
    { "ignore-accept", "ignore Accept: an unsupported format gets JSON (no 4.06), XML is never served", 0 },
    { "ae-plain-coap", "without PICS MCA_PLAIN, still register an AE over plain CoAP (Mca without SAE)", 0 },
    { "skip-app-rule", "register an AE without checking its service subscription (any App-ID, no 4126/4107)", 0 },
    { "acp-on-ae-create", "also judge an AE registration by access control: CREATE on the CSEBase for the association's identity only (4103)", 0 },
    { NULL, NULL, 0 },
};

/* A CoAP link: a plain peer (by address) or an association (by its DTLS connection). */
typedef struct rlink {
    cm_link l;
    struct ref *r;
    net_addr addr;
    dtls_conn *conn;
    uint8_t *last;      /* replay-outside-session: the last datagram sent */
    size_t last_len;
    struct rlink *next;
} rlink;

typedef struct ref {
    evloop *loop;
    const profile *p;
    const char *fault;
    udp_sock plain, secure;
    dtls_server *srv;
    coap_ep *ep;
    registrar *reg;
    rlink *links;
    ref_sa2 *sa2;     /* the reverse association toward the registree, once opened */
    ref_mef *own_mef; /* <mef at="iut">: the MEF is ours (own_mef.h) */
    const char *hostile;   /* --hostile: a hostile IN-CSE (hostile_in.c) */
} ref;

static int has_fault(const ref *r, const char *name) { return r->fault && strcmp(r->fault, name) == 0; }

static int plain_send(void *ctx, const uint8_t *b, size_t n)
{
    rlink *k = ctx;
    return udp_send(&k->r->plain, b, n, &k->addr) < 0 ? -1 : 0;
}

static int secure_send(void *ctx, const uint8_t *b, size_t n)
{
    rlink *k = ctx;
    /* the fault: the same bytes again (a response replayed for a duplicate) go out in clear */
    int replay = k->last && k->last_len == n && memcmp(k->last, b, n) == 0;
    if (has_fault(k->r, "replay-outside-session")) {
        free(k->last);
        k->last = xmalloc(n ? n : 1);
        memcpy(k->last, b, n);
        k->last_len = n;
        if (replay) return udp_send(&k->r->secure, b, n, dtls_conn_addr(k->conn)) < 0 ? -1 : 0;
    }
    return dtls_send(k->conn, b, n);
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

static rlink *link_new(ref *r, int secure, const char *peer)
{
    rlink *k = xcalloc(1, sizeof *k);
    k->r = r;
    k->l.ctx = k;
    k->l.secure = secure;
    k->l.send = secure ? secure_send : plain_send;
    snprintf(k->l.peer, sizeof k->l.peer, "%s", peer);
    k->next = r->links;
    r->links = k;
    return k;
}

/* The security context the registrar judges the request in. An association binds the field
 * CSE's CSE-ID; it also carries the AE-IDs that CSE hosts ("<CSE-ID>/C..." or "/S..."), which
 * are then judged by the registration rules (an AE-ID creating a remoteCSE gets 4005). */
static sa_info context_of(ref *r, const cm_link *l, const m2m_prim *req)
{
    sa_info sa = { 0 };
    sa.secure = l->secure;
    if (l->secure) {
        const rlink *k = l->ctx;
        sa.sa = dtls_conn_number(k->conn);
        sa.identity = dtls_conn_identity(k->conn);
        sa.bound_id = dtls_conn_bound_id(k->conn);
        size_t n = sa.bound_id ? strlen(sa.bound_id) : 0;
        if (n && req->fr && strncmp(req->fr, sa.bound_id, n) == 0 && req->fr[n] == '/' && m2m_id_is_ae(req->fr))
            sa.bound_id = req->fr;
        if (has_fault(r, "ignore-fr")) sa.bound_id = NULL;
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
        if (!pr->rvi) pr->rvi = xstrdup("3");
    }
    if (has_fault(r, "post-is-create") && pr->op == M2M_OP_NOTIFY && pr->pc && pr->pclen &&
        memmem(pr->pc, pr->pclen, "\"m2m:csr\"", 9)) {
        pr->op = M2M_OP_CREATE;
        pr->ty = 16;
    }
    if (has_fault(r, "ignore-accept")) pr->accept = -1;
}

static void on_request(coap_ep *ep, const cm_link *l, const cm_msg *req, void *ctx)
{
    ref *r = ctx;
    m2m_prim pr, rsp;
    m2m_prim_init(&pr);
    m2m_prim_init(&rsp);
    cm_msg out;
    cm_msg_init(&out);
    char problems[256] = "";
    if (req->type == CM_NON && has_fault(r, "ignore-non")) return;
    if (m2m_from_coap(req, &r->p->options, &pr, problems, sizeof problems) < 0) {
        out.code = CM_CODE(4, 0);
        coap_ep_respond(ep, l, req, &out);
    } else {
        /* legacy numbering (256..270) has no number for rvi: its requests cannot carry one */
        if (!pr.rvi && !r->p->options.num[M2M_OPT_RVI]) pr.rvi = xstrdup("3");
        sa_info sa = context_of(r, l, &pr);
        ref_binding_faults(r, &pr);
        if (has_fault(r, "no-4005") && l->secure && pr.op == M2M_OP_CREATE && pr.ty == 16 && m2m_id_is_ae(pr.fr)) {
            free(pr.fr);   /* the fault: the AE's request taken for its hosting CSE's */
            pr.fr = xstrdup(dtls_conn_bound_id(((const rlink *)l->ctx)->conn));
            sa.bound_id = pr.fr;
        }
        /* SA2 only after SA1 and the registration (TS-0003 §8.2.1), unless a fault says */
        int reg_create = l->secure && pr.op == M2M_OP_CREATE && pr.ty == 16 && !r->sa2;
        if (reg_create && has_fault(r, "sa2-before-register")) {
            r->sa2 = ref_sa2_open(r->loop, r->p, &pr, NULL, 0);
            usleep(200000);   /* the ClientHello surely arrives before the answer */
        }
        registrar_handle(r->reg, &pr, &sa, &rsp, NULL, l->peer);
        /* ... opened 100 ms after the answer, as when the IN-CSE first has a request for it */
        if (reg_create && !r->sa2 && rsp.rsc == 2001)
            r->sa2 = ref_sa2_open(r->loop, r->p, &pr, has_fault(r, "sa2-other-credentials") ? "other@in.m2m-harness.test" : NULL,
                                  100000000);
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

static void plain_readable(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)fd; (void)ev;
    ref *r = ctx;
    uint8_t buf[2048];
    for (int i = 0; i < 64; i++) {
        net_addr from;
        ssize_t n = udp_recv(&r->plain, buf, sizeof buf, &from);
        if (n < 0) return;
        rlink *k = r->links;
        while (k && (k->l.secure || !net_addr_equal(&k->addr, &from))) k = k->next;
        if (!k) {
            char peer[64];
            net_addr_str(&from, peer, sizeof peer);
            k = link_new(r, 0, peer);
            k->addr = from;
        }
        coap_ep_input(r->ep, &k->l, buf, (size_t)n);
    }
}

static void dtls_data(dtls_conn *c, const uint8_t *p, size_t n, void *ctx)
{
    ref *r = ctx;
    rlink *k = r->links;
    while (k && k->conn != c) k = k->next;
    if (!k) {
        k = link_new(r, 1, dtls_conn_peer(c));
        k->conn = c;
        k->l.sa = dtls_conn_number(c);
    }
    coap_ep_input(r->ep, &k->l, p, n);
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
    while ((n = udp_recv(&r->secure, buf, sizeof buf, &from)) >= 0) {
        if (!has_fault(r, "no-dtls-rst")) continue;
        uint8_t rst[4] = { 0x70, 0x00, n >= 4 ? buf[2] : 0, n >= 4 ? buf[3] : 0 };
        udp_send(&r->secure, rst, sizeof rst, &from);
    }
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
          "       ref-in-cse --probe PORT [--address A]   exit 0 when PORT is taken (readiness)\n"
          "  Serves as the profile's IUT (role field): its CSE-ID and CSEBase, the harness's\n"
          "  PSK bound to the harness's CSE-ID (or its AE-ID when the profile gives no CSE-ID),\n"
          "  and a second registree's PSK (a second <psk cse-id>) bound to that CSE-ID.\n"
          "  Serves AEs over plain CoAP only under PICS MCA_PLAIN (else 4107); with <harness\n"
          "  app-id>, AE registrations are checked against a service subscription allowing\n"
          "  that App-ID only (4126, Release 1/2: 4107). --coap-port 0 listens on no plain CoAP port.\n"
          "faults:\n", f);
    for (const fault *x = faults; x->name; x++) fprintf(f, "  %-22s %s\n", x->name, x->what);
    hostile_in_usage(f);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, 0, 'p' }, { "coap-port", required_argument, 0, 'c' },
        { "coaps-port", required_argument, 0, 's' }, { "fault", required_argument, 0, 'f' },
        { "address", required_argument, 0, 'a' }, { "probe", required_argument, 0, 'P' },
        { "cert", required_argument, 0, 'C' }, { "key", required_argument, 0, 'K' },
        { "trust", required_argument, 0, 'T' }, { "hostile", required_argument, 0, 'H' },
        { "mef-port", required_argument, 0, 'M' }, { "separate-responses", no_argument, 0, 'S' },
        { "mef-cert", required_argument, 0, 'm' },
        { "mef-key", required_argument, 0, 'k' }, { "mef-trust", required_argument, 0, 't' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *cert = NULL, *key = NULL, *trust = NULL;
    const char *mef_cert[3] = { NULL, NULL, NULL };   /* the own MEF's, rspf cert */
    ref r;
    memset(&r, 0, sizeof r);
    r.plain.fd = r.secure.fd = -1;
    const char *profile_path = NULL, *addr = "127.0.0.1";
    int coap_port = 0, coaps_port = 0, probe_port = 0, c, mef_port = 0, separate = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': profile_path = optarg; break;
        case 'c': coap_port = atoi(optarg); break;
        case 's': coaps_port = atoi(optarg); break;
        case 'f': r.fault = optarg; break;
        case 'a': addr = optarg; break;
        case 'P': probe_port = atoi(optarg); break;
        case 'C': cert = optarg; break;
        case 'K': key = optarg; break;
        case 'T': trust = optarg; break;
        case 'H': r.hostile = optarg; break;
        case 'M': mef_port = atoi(optarg); break;
        case 'S': separate = 1; break;
        case 'm': mef_cert[0] = optarg; break;
        case 'k': mef_cert[1] = optarg; break;
        case 't': mef_cert[2] = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (probe_port > 0) return probe(addr, probe_port);
    unsigned acp_faults = 0;
    if (r.fault) {
        const fault *x = faults;
        while (x->name && strcmp(x->name, r.fault) != 0) x++;
        if (!x->name) { fprintf(stderr, "ref-in-cse: unknown fault '%s'\n", r.fault); usage(stderr); return 2; }
        acp_faults = x->acp;
    }
    if (r.hostile && !hostile_in_known(r.hostile)) {
        fprintf(stderr, "ref-in-cse: unknown hostile switch '%s'\n", r.hostile);
        hostile_in_usage(stderr);
        return 2;
    }
    if (!profile_path || coaps_port <= 0 || (cert && (!key || !trust))) { usage(stderr); return 2; }
    diag d;
    diag_init(&d);
    profile *p = NULL;
    char *schema = xasprintf("%s/fixtures/schema/profile.xsd", M2M_DATA_DIR);
    int rc = profile_load(profile_path, schema, &p, &d);
    free(schema);
    if (rc < 0) { diag_print(&d, stderr); return 2; }
    diag_free(&d);
    r.p = p;
    dtls_global_init();
    r.loop = loop_new();
    char err[256];
    if (udp_bind(&r.secure, addr, coaps_port, err, sizeof err) < 0 ||
        (coap_port > 0 && udp_bind(&r.plain, addr, coap_port, err, sizeof err) < 0)) {
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
    ref_fetch fetch = { p, addr, p->harness_address ? p->harness_address : "127.0.0.1", mef_port, r.fault, { 0 } };
    int provider_fd = -1;
    if (mef_port > 0 && p->mef && p->mef->at_iut) {
        if (!(r.own_mef = ref_mef_open(r.loop, p, mef_port, mef_cert, r.fault, err, sizeof err)) ||
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
    dp.retrans_ms = (unsigned)(p->dtls_retrans_ns / 1000000);
    dp.total_ms = (unsigned)(p->dtls_total_ns / 1000000);
    char prio[512];
    char *gcm[] = { "TLS_PSK_WITH_AES_128_GCM_SHA256" }, *v12[] = { "DTLS1.2" };
    char *old[] = { "TLS_PSK_WITH_AES_128_CCM_8", "TLS_PSK_WITH_AES_128_CBC_SHA" }, *v10[] = { "DTLS1.2", "DTLS1.0" };
    int accept10 = has_fault(&r, "accept-dtls10");
    if (has_fault(&r, "no-ccm8") || accept10) {
        if (dtls_priority_for(accept10 ? old : gcm, accept10 ? 2 : 1, accept10 ? v10 : v12, accept10 ? 2 : 1,
                              prio, sizeof prio, err, sizeof err) < 0) {
            fprintf(stderr, "ref-in-cse: %s\n", err);
            return 1;
        }
        dp.priority = prio;
    }
    dtls_hooks dh = { dtls_data, dtls_state_changed, NULL, &r };
    int no_dtls = has_fault(&r, "no-dtls-rst") || has_fault(&r, "no-dtls-silent");
    if (no_dtls) loop_add_fd(r.loop, r.secure.fd, nodtls_readable, &r);
    else if (r.hostile && hostile_in_dtls(r.hostile)) hostile_in_dtls_serve(r.loop, &r.secure, r.hostile);
    else r.srv = dtls_server_new(r.loop, &r.secure, &dp, NULL, dh, err, sizeof err);
    if (!r.srv && !no_dtls && !(r.hostile && hostile_in_dtls(r.hostile))) { fprintf(stderr, "ref-in-cse: %s\n", err); return 1; }
    coap_params cp = { p->ack_timeout_ns, p->max_retransmit };
    coap_ep_hooks ch = { NULL, on_request, &r };
    r.ep = coap_ep_new(r.loop, cp, ch);
    if (has_fault(&r, "no-dedup")) coap_ep_set_dedup(r.ep, 0);
    coap_ep_set_separate(r.ep, separate);
    r.reg = registrar_new(p->iut_cse_id, p->iut_cse_base_name, p->release);
    hosted_policies(registrar_hosted(r.reg))->faults = acp_faults;
    registrar_set_faults(r.reg, (has_fault(&r, "any-app-id") ? REG_FAULT_ANY_APP_ID : 0u) |
                                (has_fault(&r, "reuse-ae-stem") ? REG_FAULT_REUSE_AE_STEM : 0u) |
                                (has_fault(&r, "plain-ae-unchecked") ? REG_FAULT_PLAIN_AE : 0u) |
                                (has_fault(&r, "ae-plain-coap") ? REG_FAULT_AE_PLAIN : 0u) |
                                (has_fault(&r, "skip-app-rule") ? REG_FAULT_SKIP_APP_RULE : 0u) |
                                (has_fault(&r, "acp-on-ae-create") ? REG_FAULT_ACP_ON_AE_CREATE : 0u));
    /* Mca without SAE only where the profile claims it (PICS MCA_PLAIN); SAE is mandatory
     * between a field AE and the IN-CSE otherwise (TS-0003 §6.1.2.2.1). */
    registrar_require_sae(r.reg, !profile_has_pics(p, "MCA_PLAIN"));
    /* The service subscription for the harness's credential allows its App-ID
     * (<harness app-id>); without one the profile claims no restriction and none is set. */
    if (p->harness_app_id) registrar_add_subscription(r.reg, NULL, p->harness_app_id, NULL);
    if (r.plain.fd >= 0) loop_add_fd(r.loop, r.plain.fd, plain_readable, &r);
    fprintf(stderr, "ref-in-cse: %s listening on coaps %d, coap %d%s%s%s\n", p->iut_cse_id ? p->iut_cse_id : "?",
            coaps_port, coap_port, separate ? ", separate responses" : "", r.fault ? ", fault " : "", r.fault ? r.fault : "");
    /* Runs until the harness stops it; an hour at most, so a lost one does not stay. */
    loop_run_until(r.loop, mono_now_ns() + 3600000000000LL, NULL, NULL);
    ref_sa2_free(r.sa2);
    if (provider_fd >= 0) { loop_del_fd(r.loop, provider_fd); close(provider_fd); }
    ref_mef_close(r.own_mef);
    registrar_free(r.reg);
    coap_ep_free(r.ep);
    dtls_server_free(r.srv);
    for (rlink *k = r.links, *n; k; k = n) { n = k->next; free(k->last); free(k); }
    udp_close(&r.plain);
    udp_close(&r.secure);
    loop_free(r.loop);
    free(client_id);
    if (trust_tmp) unlink(trust_tmp);
    free(trust_tmp);
    profile_free(p);
    return 0;
}
