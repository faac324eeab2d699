/* ref-in-cse: a reference IN-CSE for proving the harness's field role right (DESIGN §8).
 * Correct by default: a DTLS 1.2 server (PSK, TLS_PSK_WITH_AES_128_CCM_8 first) on its coaps
 * port and the registrar of harness/cse behind it; on its plain CoAP port the same registrar
 * refuses every Mcc primitive outside an association (4107, TS-0004 §7.3.2.1). Each --fault
 * switch breaks exactly one rule the field suite checks (tools/ref-in-cse/faults.tsv).
 * Built on the harness's own net/, onem2m/ and cse/ layers; it runs until it is killed. */
#include "cse/registrar.h"
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
#include <sys/socket.h>
#include <unistd.h>

typedef struct fault { const char *name; const char *what; } fault;
static const fault faults[] = {
    { "plain-coap", "serve Mcc primitives that arrive over plain CoAP as if they came in an association" },
    { "ignore-fr", "ignore the binding of From to the association's identity (no 4106)" },
    { "accept-any-psk", "accept any PSK identity, with the key of the profile's identity" },
    { "accept-dtls10", "accept DTLS 1.0 (with TLS_PSK_WITH_AES_128_CBC_SHA) besides DTLS 1.2" },
    { "no-ccm8", "lack TLS_PSK_WITH_AES_128_CCM_8: only TLS_PSK_WITH_AES_128_GCM_SHA256" },
    { "wrong-rsc-code", "answer every response with CoAP 2.05 whatever its RSC (TS-0008 Table 6.2.4-1)" },
    { "no-4117", "accept a duplicate remoteCSE: 2001 instead of 4117" },
    { "no-4005", "let an AE-ID create a remoteCSE, as if its hosting CSE had (no 4005)" },
    { "accept-any-cert", "with X.509, accept any client certificate: expired, not for clientAuth, any identity" },
    { "trust-other-ca", "with X.509, also trust other-ca.crt beside the trust file (a CA outside the PKI)" },
    { NULL, NULL },
};

/* A CoAP link: a plain peer (by address) or an association (by its DTLS connection). */
typedef struct rlink {
    cm_link l;
    struct ref *r;
    net_addr addr;
    dtls_conn *conn;
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
} ref;

static int has_fault(const ref *r, const char *name) { return r->fault && strcmp(r->fault, name) == 0; }

static int plain_send(void *ctx, const uint8_t *b, size_t n)
{
    rlink *k = ctx;
    return udp_send(&k->r->plain, b, n, &k->addr) < 0 ? -1 : 0;
}

static int secure_send(void *ctx, const uint8_t *b, size_t n) { return dtls_send(((rlink *)ctx)->conn, b, n); }

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
    } else if (has_fault(r, "plain-coap")) {
        sa.secure = 1;   /* the fault: plain CoAP treated as if it were inside an association */
    }
    return sa;
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
    if (m2m_from_coap(req, &r->p->options, &pr, problems, sizeof problems) < 0) {
        out.code = CM_CODE(4, 0);
        coap_ep_respond(ep, l, req, &out);
    } else {
        sa_info sa = context_of(r, l, &pr);
        if (has_fault(r, "no-4005") && l->secure && pr.op == M2M_OP_CREATE && pr.ty == 16 && m2m_id_is_ae(pr.fr)) {
            free(pr.fr);   /* the fault: the AE's request taken for its hosting CSE's */
            pr.fr = xstrdup(dtls_conn_bound_id(((const rlink *)l->ctx)->conn));
            sa.bound_id = pr.fr;
        }
        registrar_handle(r->reg, &pr, &sa, &rsp, NULL, l->peer);
        if (has_fault(r, "no-4117") && rsp.rsc == 4117 && pr.ty == 16) rsp.rsc = 2001;
        if (m2m_response_to_coap(&rsp, &r->p->options, &out) == 0) {
            if (has_fault(r, "wrong-rsc-code")) out.code = CM_CODE(2, 5);
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
    fputs("usage: ref-in-cse --profile FILE --coap-port N --coaps-port M [--fault NAME] [--address A]\n"
          "                  [--cert F --key F --trust F]   X.509 (PEM) besides the profile's PSK\n"
          "       ref-in-cse --probe PORT [--address A]   exit 0 when PORT is taken (readiness)\n"
          "  Serves as the profile's IUT (role field): its CSE-ID and CSEBase, the harness's\n"
          "  PSK bound to the harness's CSE-ID. --coap-port 0 listens on no plain CoAP port.\n"
          "faults:\n", f);
    for (const fault *x = faults; x->name; x++) fprintf(f, "  %-16s %s\n", x->name, x->what);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, 0, 'p' }, { "coap-port", required_argument, 0, 'c' },
        { "coaps-port", required_argument, 0, 's' }, { "fault", required_argument, 0, 'f' },
        { "address", required_argument, 0, 'a' }, { "probe", required_argument, 0, 'P' },
        { "cert", required_argument, 0, 'C' }, { "key", required_argument, 0, 'K' },
        { "trust", required_argument, 0, 'T' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *cert = NULL, *key = NULL, *trust = NULL;
    ref r;
    memset(&r, 0, sizeof r);
    r.plain.fd = r.secure.fd = -1;
    const char *profile_path = NULL, *addr = "127.0.0.1";
    int coap_port = 0, coaps_port = 0, probe_port = 0, c;
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
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (probe_port > 0) return probe(addr, probe_port);
    if (r.fault) {
        const fault *x = faults;
        while (x->name && strcmp(x->name, r.fault) != 0) x++;
        if (!x->name) { fprintf(stderr, "ref-in-cse: unknown fault '%s'\n", r.fault); usage(stderr); return 2; }
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
     * (dtls_psk.identity NULL) with that key. */
    dtls_psk psk = { has_fault(&r, "accept-any-psk") ? NULL : p->psk_identity, p->psk_key, p->psk_key_len,
                     p->harness_cse_id ? p->harness_cse_id : p->harness_ae_id };
    dtls_params dp = { 0 };
    dp.psks = &psk;
    dp.npsks = 1;
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
    dtls_hooks dh = { dtls_data, NULL, NULL, &r };
    r.srv = dtls_server_new(r.loop, &r.secure, &dp, NULL, dh, err, sizeof err);
    if (!r.srv) { fprintf(stderr, "ref-in-cse: %s\n", err); return 1; }
    coap_params cp = { p->ack_timeout_ns, p->max_retransmit };
    coap_ep_hooks ch = { NULL, on_request, &r };
    r.ep = coap_ep_new(r.loop, cp, ch);
    r.reg = registrar_new(p->iut_cse_id, p->iut_cse_base_name, p->release);
    if (r.plain.fd >= 0) loop_add_fd(r.loop, r.plain.fd, plain_readable, &r);
    fprintf(stderr, "ref-in-cse: %s listening on coaps %d, coap %d%s%s\n", p->iut_cse_id ? p->iut_cse_id : "?",
            coaps_port, coap_port, r.fault ? ", fault " : "", r.fault ? r.fault : "");
    /* Runs until the harness stops it; an hour at most, so a lost one does not stay. */
    loop_run_until(r.loop, mono_now_ns() + 3600000000000LL, NULL, NULL);
    registrar_free(r.reg);
    coap_ep_free(r.ep);
    dtls_server_free(r.srv);
    for (rlink *k = r.links, *n; k; k = n) { n = k->next; free(k); }
    udp_close(&r.plain);
    udp_close(&r.secure);
    loop_free(r.loop);
    free(client_id);
    if (trust_tmp) unlink(trust_tmp);
    free(trust_tmp);
    profile_free(p);
    return 0;
}
