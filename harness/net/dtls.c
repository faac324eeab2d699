#include "dtls.h"
#include "dtls_int.h"
#include "kpsaid.h"
#include "../util/xmem.h"
#include "../util/hex.h"
#include "../util/timeutil.h"
#include <errno.h>
#include <stdarg.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *const DTLS_PRIORITY_PSK =
    "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:+ECDHE-PSK:"
    "-CIPHER-ALL:+AES-128-CCM-8:+AES-128-GCM:+AES-128-CBC:+AES-256-GCM:+AES-256-CBC";

const char *const DTLS_PRIORITY_CERT =
    "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:"
    "-CIPHER-ALL:+AES-128-CCM-8:+AES-128-GCM:+AES-128-CBC";

struct dtls_server {
    evloop *loop;
    udp_sock *sock;
    const dtls_params *params;
    timeline *tl;
    dtls_hooks hooks;
    gnutls_datum_t cookie_key;
    gnutls_psk_server_credentials_t cred;
    gnutls_certificate_credentials_t xcred;
    dtls_conn *conns;        /* every association, newest first */
    dtls_conn **buckets;     /* the same by peer address (dtls_server_find) */
    gnutls_priority_t prio;  /* the params' priority, parsed once for all its sessions */
    size_t nbuckets, nconns, nlive;
    unsigned next_number;
};

void dtls_global_init(void) { gnutls_global_init(); }

static dtls_keylog_fn keylog_hook;
static void *keylog_ctx;

void dtls_set_keylog_hook(dtls_keylog_fn fn, void *ctx)
{
    keylog_hook = fn;
    keylog_ctx = ctx;
}

/* GnuTLS hands each secret with its NSS label; the line also needs the client random,
 * which is what Wireshark uses to find the session. */
static int keylog_fn(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    if (!keylog_hook) return 0;
    gnutls_datum_t cr = { NULL, 0 }, sr = { NULL, 0 };
    gnutls_session_get_random(s, &cr, &sr);
    char *line = xmalloc(strlen(label) + 2 * cr.size + 2 * secret->size + 3);
    char *o = line + sprintf(line, "%s ", label);
    for (unsigned i = 0; i < cr.size; i++) o += sprintf(o, "%02x", cr.data[i]);
    *o++ = ' ';
    for (unsigned i = 0; i < secret->size; i++) o += sprintf(o, "%02x", secret->data[i]);
    *o = '\0';
    keylog_hook(line, keylog_ctx);
    free(line);
    return 0;
}

void dtls_record(dtls_conn *c, const char *name, ...)
{
    if (!c->tl) return;
    const char *kv[32];
    size_t n = 0;
    char sa[16];
    snprintf(sa, sizeof sa, "%u", c->number);
    kv[n++] = "sa"; kv[n++] = sa;
    kv[n++] = "side"; kv[n++] = c->is_server ? "server" : "client";
    va_list ap;
    va_start(ap, name);
    const char *k;
    while ((k = va_arg(ap, const char *)) && n < 30) {
        const char *v = va_arg(ap, const char *);
        if (!v) continue;
        kv[n++] = k; kv[n++] = v;
    }
    va_end(ap);
    kv[n] = NULL;
    timeline_add_at(c->tl, mono_now_ns() - c->tl->t0_ns, name, c->peer_str, kv);
}

static ssize_t push_fn(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    dtls_conn *c = ptr;
    ssize_t r = udp_send(c->sock, buf, len, &c->peer);
    c->last_tx_ns = mono_now_ns();
    if (c->state == DTLS_HANDSHAKING && !c->flight_ns) { c->flight_ns = c->last_tx_ns; c->flight_resent = 0; }
    if (r < 0) {
        gnutls_transport_set_errno(c->s, errno == EAGAIN ? EAGAIN : errno);
        return -1;
    }
    return r;
}

static ssize_t pull_fn(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    dtls_conn *c = ptr;
    if (c->rxn == 0) {
        gnutls_transport_set_errno(c->s, EAGAIN);
        return -1;
    }
    dgram d = c->rxq[0];
    memmove(c->rxq, c->rxq + 1, (c->rxn - 1) * sizeof *c->rxq);
    c->rxn--;
    size_t n = d.n < len ? d.n : len;
    memcpy(buf, d.p, n);
    free(d.p);
    return (ssize_t)n;
}

static int pull_timeout_fn(gnutls_transport_ptr_t ptr, unsigned ms)
{
    (void)ms; /* non-blocking: the event loop does the waiting */
    dtls_conn *c = ptr;
    return c->rxn > 0 ? 1 : 0;
}

static void queue_datagram(dtls_conn *c, const uint8_t *p, size_t n)
{
    /* Too short for a record header: an invalid record, discarded whole (RFC 6347 §4.1.2.7).
     * Handed on, GnuTLS would keep its bytes as the start of the next record's header and lose
     * that record. */
    if (n < DTLS_RECORD_HEADER_LEN) {
        dtls_record(c, "sae.bad_record", "reason", "datagram shorter than a DTLS record header", (const char *)NULL);
        return;
    }
    if (c->state == DTLS_HANDSHAKING && c->flight_ns) {   /* the first datagram of the peer's answer */
        if (!c->flight_resent) c->rtt_ns = mono_now_ns() - c->flight_ns;
        c->flight_ns = 0;
    }
    if (c->rxn == RXQ_MAX) {
        free(c->rxq[0].p);
        memmove(c->rxq, c->rxq + 1, (RXQ_MAX - 1) * sizeof *c->rxq);
        c->rxn--;
    }
    c->rxq[c->rxn].p = xmalloc(n ? n : 1);
    memcpy(c->rxq[c->rxn].p, p, n);
    c->rxq[c->rxn].n = n;
    c->rxn++;
}

static void set_state(dtls_conn *c, dtls_state st)
{
    c->state = st;
    if (c->hooks.on_state) c->hooks.on_state(c, st, c->hooks.ctx);
}

static void progress(dtls_conn *c);

static void server_settle(dtls_conn *c);

static void on_timer(evloop *l, void *ctx)
{
    (void)l;
    dtls_conn *c = ctx;
    c->timer = 0;
    if (c->flight_ns) c->flight_resent = 1;   /* GnuTLS retransmits the flight now */
    progress(c);
    server_settle(c);
}

static const char *alert_text(dtls_conn *c, int err)
{
    if (err == GNUTLS_E_WARNING_ALERT_RECEIVED || err == GNUTLS_E_FATAL_ALERT_RECEIVED)
        return gnutls_alert_get_name(gnutls_alert_get(c->s));
    return NULL;
}

/* A handshake we refuse ends on an alert to the peer (RFC 5246 §7.2), so it learns at once
 * instead of retransmitting until its timer gives up; GnuTLS leaves that to the caller. Not
 * after a timeout or an alert of the peer's own. Returns the alert's name, or NULL. */
static const char *send_refusal_alert(dtls_conn *c, int err)
{
    if (err == GNUTLS_E_TIMEDOUT || err == GNUTLS_E_WARNING_ALERT_RECEIVED || err == GNUTLS_E_FATAL_ALERT_RECEIVED)
        return NULL;
    int level = GNUTLS_AL_FATAL;   /* RFC 4279 §2: an identity we do not know has its own alert */
    int alert = c->psk_unknown ? GNUTLS_A_UNKNOWN_PSK_IDENTITY : gnutls_error_to_alert(err, &level);
    if (alert < 0 || level != GNUTLS_AL_FATAL || gnutls_alert_send(c->s, GNUTLS_AL_FATAL, (gnutls_alert_description_t)alert) < 0)
        return NULL;
    return gnutls_alert_get_name((gnutls_alert_description_t)alert);
}

static void fail(dtls_conn *c, int err, const char *stage)
{
    const char *alert = alert_text(c, err);
    const char *sent = send_refusal_alert(c, err);
    if (!c->cert_rejected)   /* else keep the verification's reason: GnuTLS's says only "Error in the certificate" */
        snprintf(c->fail_reason, sizeof c->fail_reason, "%s%s%s", gnutls_strerror(err),
                 alert ? ": " : "", alert ? alert : "");
    dtls_record(c, "sae.fail", "stage", stage, "reason", gnutls_strerror(err), "alert", alert,
           "alert_sent", sent, "identity", c->identity, (const char *)NULL);
    if (c->timer) loop_timer_cancel(c->loop, c->timer);
    c->timer = 0;
    set_state(c, DTLS_FAILED);
}

static void handshake_done(dtls_conn *c)
{
    const char *version = gnutls_protocol_get_name(gnutls_protocol_get_version(c->s));
    const char *suite = gnutls_ciphersuite_get(c->s);
    char sni[256] = "";
    if (c->is_server) {
        size_t len = sizeof sni - 1;
        unsigned type = 0;
        if (gnutls_server_name_get(c->s, sni, &len, &type, 0) != 0) sni[0] = '\0';
        sni[sizeof sni - 1] = '\0';
    } else if (c->params->sni) {
        snprintf(sni, sizeof sni, "%s", c->params->sni);
    }
    const char *ctype = gnutls_auth_get_type(c->s) != GNUTLS_CRD_CERTIFICATE ? NULL
                      : gnutls_certificate_type_get2(c->s, GNUTLS_CTYPE_PEERS) == GNUTLS_CRT_RAWPK ? "rpk" : "x509";
    /* a PSK identity is judged for its form: a KpsaID (TS-0003 §10.5), R-SAE-11 */
    const char *kpsaid = gnutls_auth_get_type(c->s) != GNUTLS_CRD_PSK ? NULL
                       : kpsaid_valid(c->identity, c->identity ? strlen(c->identity) : 0) ? "true" : "false";
    dtls_record(c, "sae.done", "version", version, "suite", suite, "ctype", ctype, "identity", c->identity,
           "kpsaid", kpsaid, "bound_id", c->bound_id, "sni", sni[0] ? sni : NULL, (const char *)NULL);
    set_state(c, DTLS_UP);
}

static void read_records(dtls_conn *c)
{
    uint8_t buf[DGRAM_MAX];
    for (;;) {
        ssize_t r = gnutls_record_recv(c->s, buf, sizeof buf);
        if (r > 0) {
            if (c->hooks.on_data) c->hooks.on_data(c, buf, (size_t)r, c->hooks.ctx);
            if (c->state != DTLS_UP) return;
            continue;
        }
        if (r == 0) {
            dtls_record(c, "sae.closed", "reason", "close_notify received", (const char *)NULL);
            set_state(c, DTLS_CLOSED);
            return;
        }
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) return;
        if (!gnutls_error_is_fatal((int)r)) {
            /* A bad record in DTLS is dropped, not fatal (RFC 6347 §4.1.2.7): note it. */
            dtls_record(c, "sae.bad_record", "reason", gnutls_strerror((int)r), (const char *)NULL);
            if (c->rxn == 0) return;
            continue;
        }
        const char *alert = alert_text(c, (int)r);
        dtls_record(c, "sae.closed", "reason", gnutls_strerror((int)r), "alert", alert, (const char *)NULL);
        set_state(c, DTLS_CLOSED);
        return;
    }
}

static void progress(dtls_conn *c)
{
    if (c->state == DTLS_HANDSHAKING) {
        int r = gnutls_handshake(c->s);
        if (r == GNUTLS_E_SUCCESS) {
            if (c->timer) loop_timer_cancel(c->loop, c->timer);
            c->timer = 0;
            handshake_done(c);
        } else if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(r)) {
            if (c->timer) loop_timer_cancel(c->loop, c->timer);
            c->timer = 0;
            /* GnuTLS checks its total timeout only when it retransmits, up to a doubled
             * interval late: a client's handshake ends at dtls-total here, whatever came. */
            int64_t left_ms = (int64_t)(c->params->total_ms ? c->params->total_ms : DTLS_GNUTLS_TOTAL_MS) -
                              ns_to_ms(mono_now_ns() - c->started_ns);
            if (!c->is_server && left_ms <= 0) { fail(c, GNUTLS_E_TIMEDOUT, "handshake"); return; }
            unsigned ms = gnutls_dtls_get_timeout(c->s);
            if (!c->is_server && (int64_t)ms > left_ms) ms = (unsigned)left_ms;
            c->timer = loop_timer_add(c->loop, ms_to_ns(ms ? ms : 1), on_timer, c);
            return;
        } else {
            fail(c, r, "handshake");
            return;
        }
    }
    if (c->state == DTLS_UP) read_records(c);
}

/* The priority string of p: a test's own suites still need the raw-key certificate types. */
static void priority_string(const dtls_params *p, char *prio, size_t len)
{
    int rpk = p->rpk_pub_file != NULL;
    snprintf(prio, len, "%s%s", p->priority ? p->priority
             : rpk ? DTLS_PRIORITY_RPK : p->cert_file ? DTLS_PRIORITY_CERT : DTLS_PRIORITY_PSK,
             rpk && p->priority ? DTLS_RPK_CTYPES : "");
}

static int session_common(dtls_conn *c, unsigned flags, char *err, size_t errlen)
{
    int rpk = c->params->rpk_pub_file != NULL;
    int r = gnutls_init(&c->s, flags | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK | (rpk ? GNUTLS_ENABLE_RAWPK : 0));
    if (r < 0) goto bad;
    const char *where = NULL;
    char prio[1024];
    priority_string(c->params, prio, sizeof prio);
    /* a server parses its string once (dtls_server_new); a string GnuTLS refused is parsed
     * again here, for the reason */
    r = c->srv && c->srv->prio ? gnutls_priority_set(c->s, c->srv->prio) : gnutls_priority_set_direct(c->s, prio, &where);
    if (r < 0) {
        snprintf(err, errlen, "priority string rejected at '%s': %s", where ? where : "?", gnutls_strerror(r));
        return -1;
    }
    gnutls_session_set_ptr(c->s, c);
    gnutls_session_set_keylog_function(c->s, keylog_fn);
    gnutls_transport_set_ptr(c->s, c);
    gnutls_transport_set_push_function(c->s, push_fn);
    gnutls_transport_set_pull_function(c->s, pull_fn);
    gnutls_transport_set_pull_timeout_function(c->s, pull_timeout_fn);
    gnutls_dtls_set_mtu(c->s, 1400);
    gnutls_dtls_set_timeouts(c->s, c->params->retrans_ms ? c->params->retrans_ms : DTLS_GNUTLS_RETRANS_MS,
                             c->params->total_ms ? c->params->total_ms : DTLS_GNUTLS_TOTAL_MS);
    return 0;
bad:
    snprintf(err, errlen, "gnutls: %s", gnutls_strerror(r));
    return -1;
}

/* What an association holds while it can still carry records: its timer, GnuTLS session,
 * credentials and queued datagrams. */
static void conn_release(dtls_conn *c)
{
    if (c->timer) loop_timer_cancel(c->loop, c->timer);
    c->timer = 0;
    if (c->s) gnutls_deinit(c->s);
    c->s = NULL;
    if (c->ccred) gnutls_psk_free_client_credentials(c->ccred);
    c->ccred = NULL;
    if (c->xcred) gnutls_certificate_free_credentials(c->xcred);
    c->xcred = NULL;
    for (size_t i = 0; i < c->rxn; i++) free(c->rxq[i].p);
    c->rxn = 0;
}

static void conn_free(dtls_conn *c)
{
    if (!c) return;
    conn_release(c);
    free(c->identity);
    free(c->bound_id);
    free(c);
}

static dtls_conn *conn_alloc(evloop *l, udp_sock *s, const net_addr *peer, const dtls_params *p,
                             timeline *tl, dtls_hooks hooks, int is_server)
{
    dtls_conn *c = xcalloc(1, sizeof *c);
    c->loop = l;
    c->sock = s;
    c->peer = *peer;
    net_addr_str(peer, c->peer_str, sizeof c->peer_str);
    c->params = p;
    c->tl = tl;
    c->hooks = hooks;
    c->is_server = is_server;
    c->state = DTLS_HANDSHAKING;
    c->started_ns = mono_now_ns();
    return c;
}

/* ---- server ---- */

/* A server's association that has ended (close_notify, an alert, a refused or timed-out
 * handshake) gives up its GnuTLS state at once; the record stays for the evidence of a peer
 * that goes on using it (sae.stale_record) and for the users' pointers. Called after the
 * GnuTLS call that ended it has returned. */
static void server_settle(dtls_conn *c)
{
    if (!c->is_server || !c->s || (c->state != DTLS_CLOSED && c->state != DTLS_FAILED)) return;
    conn_release(c);
    c->srv->nlive--;
}

static size_t bucket_of(const dtls_server *srv, const net_addr *a)
{
    return net_addr_hash(a) & (srv->nbuckets - 1);
}

/* Keeps the chains at about one association per bucket: the table doubles as they come. */
static void server_index(dtls_server *srv, dtls_conn *nc)
{
    if (srv->nconns + 1 > srv->nbuckets) {
        size_t nb = srv->nbuckets ? srv->nbuckets * 2 : 64;
        dtls_conn **b = xcalloc(nb, sizeof *b);
        size_t old = srv->nbuckets;
        dtls_conn **ob = srv->buckets;
        srv->buckets = b;
        srv->nbuckets = nb;
        /* rebuilt from the newest-first list, oldest first, so each chain stays newest first */
        dtls_conn **all = xcalloc(srv->nconns ? srv->nconns : 1, sizeof *all);
        size_t k = 0;
        for (dtls_conn *c = srv->conns; c; c = c->next) all[k++] = c;
        while (k-- > 0) {
            size_t i = bucket_of(srv, &all[k]->peer);
            all[k]->hnext = b[i];
            b[i] = all[k];
        }
        free(all);
        free(ob);
        (void)old;
    }
    size_t i = bucket_of(srv, &nc->peer);
    nc->hnext = srv->buckets[i];
    srv->buckets[i] = nc;
    nc->next = srv->conns;
    srv->conns = nc;
    srv->nconns++;
    srv->nlive++;
}

/* A DTLS record carrying a ClientHello in epoch 0: content type 22, epoch bytes 3..4 zero,
 * handshake type 1 right after the 13-byte record header. */
static int is_client_hello(const uint8_t *p, size_t n)
{
    return n >= 25 && p[0] == 22 && p[3] == 0 && p[4] == 0 && p[13] == 1;
}

static ssize_t cookie_push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    void **pair = ptr;   /* { server, peer } */
    dtls_server *srv = pair[0];
    return udp_send(srv->sock, buf, len, pair[1]);
}

static void stale_or_crossed(dtls_conn *c)
{
    if (!c->close_ns) {
        dtls_record(c, "sae.stale_record", "reason", "record for an association that has ended", (const char *)NULL);
        return;
    }
    int64_t since = mono_now_ns() - c->close_ns, grace = c->rtt_ns + DTLS_CROSSING_MARGIN_MS * NS_PER_MS;
    char s[24], r[24], g[24];
    snprintf(s, sizeof s, "%.3f", (double)since / 1e6);
    snprintf(r, sizeof r, "%.3f", (double)c->rtt_ns / 1e6);
    snprintf(g, sizeof g, "%.3f", (double)grace / 1e6);
    int crossed = since <= grace;
    dtls_record(c, crossed ? "sae.crossed_record" : "sae.stale_record", "reason",
                crossed ? "record the peer sent before it could have seen the harness's close_notify"
                        : "record for an association that has ended, after the peer could have seen the harness's close_notify",
                "since_close_ms", s, "rtt_ms", c->rtt_ns ? r : "unmeasured", "grace_ms", g, (const char *)NULL);
}

/* from and p are the reader's own buffers: GnuTLS's cookie functions take them as non-const. */
static void server_datagram(dtls_server *srv, net_addr *from, uint8_t *p, size_t n)
{
    dtls_conn *c = dtls_server_find(srv, from);
    char peer[64];   /* an association's peer has its text already */
    if (c) memcpy(peer, c->peer_str, sizeof peer);
    else net_addr_str(from, peer, sizeof peer);
    if (srv->hooks.on_datagram) srv->hooks.on_datagram(peer, p, n, srv->hooks.ctx);
    int hello = is_client_hello(p, n);
    if (c && !hello && (c->state == DTLS_CLOSED || c->state == DTLS_FAILED)) {
        /* A record for an association that has ended: the peer did not notice (or ignores)
         * the end. Evidence for "SAE again before the next primitive" (R-FLOW-06) — unless it
         * crossed the harness's close_notify in flight (dtls.h, dtls_close). */
        stale_or_crossed(c);
        return;
    }
    if (c && hello && c->state == DTLS_UP && srv->params->fault_ignore_rehello) return;   /* the fault */
    if (c && !(hello && c->state != DTLS_HANDSHAKING)) {
        queue_datagram(c, p, n);
        progress(c);
        server_settle(c);
        /* The fault: an older association from this address, replaced by a new handshake,
         * still gets the application records (those in its epoch decrypt and are served). */
        for (dtls_conn *o = c->hnext; srv->params->fault_serve_old_epoch && n && p[0] == 23 && o; o = o->hnext)
            if (o->state == DTLS_UP && net_addr_equal(&o->peer, from)) {
                queue_datagram(o, p, n);
                progress(o);
                server_settle(o);
            }
        return;
    }
    if (!hello) {
        if (srv->tl)
            timeline_add(srv->tl, "net.rx.ignored", peer, "port", "coaps",
                         "reason", "not a DTLS ClientHello from a peer without an association", (char *)NULL);
        return;
    }
    gnutls_dtls_prestate_st prestate;
    memset(&prestate, 0, sizeof prestate);
    int r = gnutls_dtls_cookie_verify(&srv->cookie_key, &from->ss, from->len, p, n, &prestate);
    if (r < 0) {
        /* First ClientHello: answer with a HelloVerifyRequest, keep no state (RFC 6347 §4.2.1). */
        if (srv->tl)
            timeline_add(srv->tl, "sae.start", peer, "side", "server", "stage", "client_hello",
                         "cookie", "requested", (char *)NULL);
        void *pair[2] = { srv, from };
        gnutls_dtls_cookie_send(&srv->cookie_key, &from->ss, from->len, &prestate, pair, cookie_push);
        return;
    }
    if (c) {
        /* A new handshake from an address that had an association: the peer lost its state. */
        if (c->state == DTLS_UP)
            dtls_record(c, "sae.closed", "reason", "peer started a new handshake", (const char *)NULL);
    }
    dtls_conn *nc = conn_alloc(srv->loop, srv->sock, from, srv->params, srv->tl, srv->hooks, 1);
    nc->number = ++srv->next_number;
    nc->srv = srv;
    char err[256];
    if (session_common(nc, GNUTLS_SERVER, err, sizeof err) < 0) {
        if (srv->tl) timeline_add(srv->tl, "sae.fail", peer, "reason", err, (char *)NULL);
        conn_free(nc);
        return;
    }
    gnutls_credentials_set(nc->s, GNUTLS_CRD_PSK, srv->cred);
    if (srv->xcred) {
        gnutls_credentials_set(nc->s, GNUTLS_CRD_CERTIFICATE, srv->xcred);
        gnutls_certificate_server_set_request(nc->s, GNUTLS_CERT_REQUIRE);   /* mutual (§8.2.2.2) */
    }
    gnutls_dtls_prestate_set(nc->s, &prestate);
    server_index(srv, nc);
    dtls_record(nc, "sae.start", "stage", "client_hello", "cookie", "verified", (const char *)NULL);
    queue_datagram(nc, p, n);
    progress(nc);
    server_settle(nc);
}

static void server_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)l; (void)fd; (void)revents;
    dtls_server *srv = ctx;
    uint8_t buf[DGRAM_MAX];
    for (int i = 0; i < 64; i++) {
        net_addr from;
        ssize_t n = udp_recv(srv->sock, buf, sizeof buf, &from);
        if (n < 0) return;
        server_datagram(srv, &from, buf, (size_t)n);
    }
}

dtls_server *dtls_server_new(evloop *l, udp_sock *s, const dtls_params *params, timeline *tl,
                             dtls_hooks hooks, char *err, size_t errlen)
{
    dtls_server *srv = xcalloc(1, sizeof *srv);
    srv->loop = l;
    srv->sock = s;
    srv->params = params;
    srv->tl = tl;
    srv->hooks = hooks;
    int r = gnutls_key_generate(&srv->cookie_key, GNUTLS_COOKIE_KEY_SIZE);
    if (r == 0) r = gnutls_psk_allocate_server_credentials(&srv->cred);
    if (r == 0) gnutls_psk_set_server_credentials_function(srv->cred, dtls_server_psk_cb);
    if (r == 0 && params->psk_hint) r = gnutls_psk_set_server_credentials_hint(srv->cred, params->psk_hint);
    if (r == 0) {
        char prio[1024];
        priority_string(params, prio, sizeof prio);
        if (gnutls_priority_init(&srv->prio, prio, NULL) < 0) srv->prio = NULL;
    }
    if (r < 0) {
        snprintf(err, errlen, "gnutls: %s", gnutls_strerror(r));
        dtls_server_free(srv);
        return NULL;
    }
    if ((params->cert_file || params->rpk_pub_file) && dtls_load_x509(params, &srv->xcred, err, errlen) < 0) {
        dtls_server_free(srv);
        return NULL;
    }
    loop_add_fd(l, s->fd, server_readable, srv);
    return srv;
}

void dtls_server_free(dtls_server *srv)
{
    if (!srv) return;
    loop_del_fd(srv->loop, srv->sock->fd);
    for (dtls_conn *c = srv->conns, *n; c; c = n) {
        n = c->next;
        conn_free(c);
    }
    free(srv->buckets);
    if (srv->prio) gnutls_priority_deinit(srv->prio);
    if (srv->cred) gnutls_psk_free_server_credentials(srv->cred);
    if (srv->xcred) gnutls_certificate_free_credentials(srv->xcred);
    gnutls_free(srv->cookie_key.data);
    free(srv);
}

dtls_conn *dtls_server_find(dtls_server *srv, const net_addr *peer)
{
    if (!srv->nbuckets) return NULL;
    for (dtls_conn *c = srv->buckets[bucket_of(srv, peer)]; c; c = c->hnext)
        if (net_addr_equal(&c->peer, peer)) return c;
    return NULL;
}

size_t dtls_server_count(const dtls_server *srv, size_t *live)
{
    if (live) *live = srv->nlive;
    return srv->nconns;
}

/* ---- client ---- */

/* An application record on the socket of a dropped association, tried with its old keys:
 * one that decrypts is the peer answering in the dead association's epoch. Those of the new
 * association do not decrypt there and are ignored quietly. */
static void shadow_read(dtls_conn *o, const uint8_t *p, size_t n)
{
    if (!o || n == 0 || p[0] != 23) return;
    queue_datagram(o, p, n);
    uint8_t buf[DGRAM_MAX];
    ssize_t r;
    while ((r = gnutls_record_recv(o->s, buf, sizeof buf)) > 0) {
        dtls_record(o, "sae.stale_record", "reason", "the peer answered in the epoch of the association the harness dropped",
               (const char *)NULL);
        if (o->hooks.on_data) o->hooks.on_data(o, buf, (size_t)r, o->hooks.ctx);
    }
    for (size_t i = 0; i < o->rxn; i++) free(o->rxq[i].p);
    o->rxn = 0;
}

void dtls_client_set_shadow(dtls_conn *c, dtls_conn *dropped) { c->shadow = dropped; }

static void client_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)l; (void)fd; (void)revents;
    dtls_conn *c = ctx;
    uint8_t buf[DGRAM_MAX];
    for (int i = 0; i < 64; i++) {
        net_addr from;
        ssize_t n = udp_recv(c->sock, buf, sizeof buf, &from);
        if (n < 0) {
            if (errno == ECONNREFUSED && c->state == DTLS_HANDSHAKING) {
                /* the real delay since our last datagram: an ICMP error comes back at once */
                char after[24], sa[16];
                snprintf(after, sizeof after, "%.3g", (double)(mono_now_ns() - c->last_tx_ns) / 1e6);
                snprintf(sa, sizeof sa, "%u", c->number);
                if (c->tl) timeline_add(c->tl, "net.unreachable", c->peer_str, "reason", "ICMP port unreachable",
                                        "after_ms", after, "side", "client", "sa", sa, (char *)NULL);
                snprintf(c->fail_reason, sizeof c->fail_reason, "ICMP port unreachable after %s ms", after);
                dtls_record(c, "sae.fail", "stage", "handshake", "reason", "ICMP port unreachable", (const char *)NULL);
                if (c->timer) loop_timer_cancel(c->loop, c->timer);
                c->timer = 0;
                set_state(c, DTLS_FAILED);
            }
            return;
        }
        if (c->hooks.on_datagram) c->hooks.on_datagram(c->peer_str, buf, (size_t)n, c->hooks.ctx);
        char why[160];
        if (c->tl && c->state == DTLS_HANDSHAKING && dtls_datagram_problem(buf, (size_t)n, why, sizeof why)) {
            char *hex = hex_encode(buf, n > 64 ? 64 : (size_t)n);
            timeline_add(c->tl, "net.rx.ignored", c->peer_str, "side", "client", "reason", why, "bytes", hex, (char *)NULL);
            free(hex);
        }
        shadow_read(c->shadow, buf, (size_t)n);
        if (c->state == DTLS_UP && (n = (ssize_t)dtls_strip_handshake_records(buf, (size_t)n)) == 0) continue;
        queue_datagram(c, buf, (size_t)n);
    }
}

static void client_readable_progress(evloop *l, int fd, short revents, void *ctx)
{
    dtls_conn *c = ctx;
    client_readable(l, fd, revents, ctx);
    if (c->rxn && (c->state == DTLS_HANDSHAKING || c->state == DTLS_UP)) progress(c);
}

dtls_conn *dtls_client_new(evloop *l, udp_sock *s, const net_addr *peer, const dtls_params *params,
                           timeline *tl, dtls_hooks hooks, char *err, size_t errlen)
{
    dtls_conn *c = conn_alloc(l, s, peer, params, tl, hooks, 0);
    c->number = params->client_number ? params->client_number : 1;
    if (connect(s->fd, (const struct sockaddr *)&peer->ss, peer->len) < 0) {
        snprintf(err, errlen, "connect %s: %s", c->peer_str, strerror(errno));
        conn_free(c);
        return NULL;
    }
    if (session_common(c, GNUTLS_CLIENT, err, errlen) < 0) { conn_free(c); return NULL; }
    if (params->cert_file || params->rpk_pub_file) {
        if (dtls_load_x509(params, &c->xcred, err, errlen) < 0 ||
            gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, c->xcred) < 0 ||
            (params->sni && gnutls_server_name_set(c->s, GNUTLS_NAME_DNS, params->sni, strlen(params->sni)) < 0)) {
            if (!*err) snprintf(err, errlen, "certificate credentials rejected");
            conn_free(c);
            return NULL;
        }
        c->owns_sock = 1;
        loop_add_fd(l, s->fd, client_readable_progress, c);
        dtls_record(c, "sae.start", "stage", "client_hello", "credential", params->rpk_pub_file ? "rpk" : "x509",
               "sni", params->sni, (const char *)NULL);
        progress(c);
        return c;
    }
    if (params->npsks < 1) {
        snprintf(err, errlen, "no PSK to offer");
        conn_free(c);
        return NULL;
    }
    const dtls_psk *p = &params->psks[0];
    /* GnuTLS takes the key in a non-const datum and keeps its own copy: lend it one. */
    gnutls_datum_t key = { xmalloc(p->key_len), (unsigned)p->key_len };
    if (p->key_len) memcpy(key.data, p->key, p->key_len);
    int r = gnutls_psk_allocate_client_credentials(&c->ccred);
    if (r == 0) r = gnutls_psk_set_client_credentials(c->ccred, p->identity, &key, GNUTLS_PSK_KEY_RAW);
    explicit_bzero(key.data, p->key_len);
    free(key.data);
    if (r == 0) r = gnutls_credentials_set(c->s, GNUTLS_CRD_PSK, c->ccred);
    if (r == 0 && params->sni) r = gnutls_server_name_set(c->s, GNUTLS_NAME_DNS, params->sni, strlen(params->sni));
    if (r < 0) {
        snprintf(err, errlen, "gnutls: %s", gnutls_strerror(r));
        conn_free(c);
        return NULL;
    }
    c->identity = xstrdup(p->identity);
    c->bound_id = xstrdup(p->bound_id);
    c->owns_sock = 1;
    loop_add_fd(l, s->fd, client_readable_progress, c);
    dtls_record(c, "sae.start", "stage", "client_hello", "identity", c->identity, "sni", params->sni, (const char *)NULL);
    progress(c);
    return c;
}

void dtls_client_release_socket(dtls_conn *c)
{
    if (!c || !c->owns_sock) return;
    loop_del_fd(c->loop, c->sock->fd);
    c->owns_sock = 0;
}

void dtls_client_free(dtls_conn *c)
{
    if (!c) return;
    if (c->owns_sock) loop_del_fd(c->loop, c->sock->fd);
    conn_free(c);
}

int dtls_send(dtls_conn *c, const void *buf, size_t len)
{
    if (c->state != DTLS_UP) return -1;
    ssize_t r;
    do r = gnutls_record_send(c->s, buf, len);
    while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
    return r < 0 ? -1 : 0;
}

int dtls_send_anyway(dtls_conn *c, const void *buf, size_t len)
{
    if (!c->s) return -1;   /* a server's ended association: nothing left to send with */
    ssize_t r = gnutls_record_send(c->s, buf, len);
    return r < 0 ? -1 : 0;
}

void dtls_close(dtls_conn *c)
{
    if (c->state != DTLS_UP) return;
    gnutls_bye(c->s, GNUTLS_SHUT_WR);
    c->close_ns = mono_now_ns();
    char r[24];
    snprintf(r, sizeof r, "%.3f", (double)c->rtt_ns / 1e6);
    dtls_record(c, "sae.closed", "reason", "closed by harness", "rtt_ms", c->rtt_ns ? r : "unmeasured", (const char *)NULL);
    set_state(c, DTLS_CLOSED);
}

void dtls_forget(dtls_conn *c)
{
    if (c->state != DTLS_UP) return;
    /* No close_notify: the peer is not told, as after a crash or a restart. */
    dtls_record(c, "sae.closed", "reason", "harness dropped its state", (const char *)NULL);
    set_state(c, DTLS_CLOSED);
}

dtls_state dtls_conn_state(const dtls_conn *c) { return c->state; }
const char *dtls_conn_peer(const dtls_conn *c) { return c->peer_str; }
const net_addr *dtls_conn_addr(const dtls_conn *c) { return &c->peer; }
const char *dtls_conn_identity(const dtls_conn *c) { return c->identity; }
const char *dtls_conn_bound_id(const dtls_conn *c) { return c->bound_id; }
const char *dtls_conn_fail_reason(const dtls_conn *c) { return c->fail_reason; }
unsigned dtls_conn_number(const dtls_conn *c) { return c->number; }
struct gnutls_session_int *dtls_conn_session(const dtls_conn *c) { return c->s; }
void dtls_conn_set_user(dtls_conn *c, void *user) { c->user = user; }
void *dtls_conn_user(const dtls_conn *c) { return c->user; }
