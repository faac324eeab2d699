/* DTLS 1.2 through GnuTLS directly, over the harness's own UDP sockets and
 * event loop: custom push/pull, cookie exchange on the server side, PSK credentials, a
 * priority string per use so the offered and accepted suites are chosen. Every handshake
 * step the harness can see becomes a timeline event:
 *   sae.start  (ClientHello seen / handshake begun)   sae.done (version, suite, identity, sni)
 *   sae.fail   (reason, alert)                         sae.closed (reason) */
#ifndef M2M_DTLS_H
#define M2M_DTLS_H
#include <stddef.h>
#include <stdint.h>
#include "loop.h"
#include "udp.h"
#include "../flow/timeline.h"
#include "dtls_rpk.h"

typedef enum { DTLS_HANDSHAKING, DTLS_UP, DTLS_FAILED, DTLS_CLOSED } dtls_state;

/* One accepted PSK: identity, key, and the oneM2M identity (CSE-ID / AE-ID) it binds.
 * Server: identity NULL accepts any identity with this key (reference-peer faults only). */
typedef struct dtls_psk {
    const char *identity;
    const uint8_t *key;
    size_t key_len;
    const char *bound_id;
} dtls_psk;

/* What GnuTLS itself uses when given no DTLS timeouts (gnutls_dtls_set_timeouts): a
 * dtls_params with 0 gets these. The harness's callers pass the profile's timers instead
 * (model/defaults.h). */
#define DTLS_GNUTLS_RETRANS_MS 1000u
#define DTLS_GNUTLS_TOTAL_MS 60000u
/* A DTLS record header: type, version, epoch, sequence number, length (RFC 6347 §4.1). */
#define DTLS_RECORD_HEADER_LEN 13u

typedef struct dtls_params {
    const char *priority;        /* GnuTLS priority string; NULL = the module default */
    const dtls_psk *psks;        /* server: accepted identities; client: psks[0] is offered */
    size_t npsks;
    const char *psk_hint;        /* server: identity hint, NULL = none (some clients crash on one) */
    const char *sni;             /* client: server name to send, NULL = none */
    /* X.509 (TS-0003 §8.2.2.2): our certificate and key (PEM), the trust anchors for the
     * peer's; NULL cert_file = no certificate credentials. */
    const char *cert_file, *key_file, *trust_file;
    /* The identity the peer's certificate must carry in subjectAltName, exactly:
     * "dns:<FQDN>" (a CSE-ID's public domain name) or "uri:<absolute AE-ID>" (§8.1.2.5);
     * NULL = any. The CN is never looked at. */
    const char *peer_cert_id;
    const char *peer_bound_id;   /* oneM2M identity the association binds when it matches */
    const char *verify_name;     /* client: host name the server's certificate must name */
    int skip_verify;             /* reference-peer fault injection only: accept any certificate */
    /* Reference-peer fault injection only (server): ignore a ClientHello from a peer
     * that has an established association (a rebooted client never gets a new one); or go
     * on feeding an older association from the same address its records (records of the
     * old epoch still served after the peer's new handshake). */
    int fault_ignore_rehello, fault_serve_old_epoch;
    /* Raw public keys (RFC 7250, dtls_rpk.h): our public key and private key (PEM); the
     * peer's key must match one of the pins, which names the identity it binds. Set
     * instead of cert_file; NULL rpk_pub_file = no raw public keys. */
    const char *rpk_pub_file, *rpk_key_file;
    const dtls_rpk_pin *rpk_pins;
    size_t nrpk_pins;
    unsigned client_number;      /* client: the "sa" number of its events (default 1) */
    unsigned retrans_ms;         /* initial retransmission timeout, 0 = DTLS_GNUTLS_RETRANS_MS */
    unsigned total_ms;           /* handshake total timeout, 0 = DTLS_GNUTLS_TOTAL_MS */
    /* Server: PSKs that appear at run time (a remotely provisioned KeID/Kpsa, harness/exec/
     * mef.h), asked after psks[] finds no match: fill *out (key copied at once) and return
     * 0, or return -1 for "unknown identity". NULL = none. */
    int (*psk_lookup)(const char *identity, dtls_psk *out, void *ctx);
    void *psk_lookup_ctx;
} dtls_params;

typedef struct dtls_conn dtls_conn;

typedef struct dtls_hooks {
    void (*on_data)(dtls_conn *c, const uint8_t *p, size_t n, void *ctx);
    void (*on_state)(dtls_conn *c, dtls_state st, void *ctx);
    /* every datagram that arrives (server: on its port; client: from its peer), before the
     * DTLS layer looks at it (may be NULL) */
    void (*on_datagram)(const char *peer, const uint8_t *p, size_t n, void *ctx);
    void *ctx;
} dtls_hooks;

/* Default priority: DTLS 1.2 only, PSK, AES-128-CCM-8 first, never CHACHA20 (tshark cannot
 * decrypt it). The certificate default adds ECDHE-ECDSA (TS-0003 §10.2.3). */
extern const char *const DTLS_PRIORITY_PSK;
extern const char *const DTLS_PRIORITY_CERT;

/* Builds a GnuTLS priority string that allows exactly the given suites (IANA names) and
 * DTLS versions ("DTLS1.2", "DTLS1.0"); an empty list keeps the default for that part.
 * Returns 0, or -1 naming the unknown suite or version in err. */
int dtls_priority_for(char *const *suites, size_t nsuites, char *const *versions, size_t nversions,
                      char *out, size_t outlen, char *err, size_t errlen);

typedef struct dtls_server dtls_server;
/* Serves every peer that sends a ClientHello to s; registers s on the loop.
 * params (and what it points to) must outlive the server. */
dtls_server *dtls_server_new(evloop *l, udp_sock *s, const dtls_params *params, timeline *tl,
                             dtls_hooks hooks, char *err, size_t errlen);
void dtls_server_free(dtls_server *srv);
/* The newest association with this peer address, or NULL (a hash lookup: the cost does not
 * grow with the number of associations). */
dtls_conn *dtls_server_find(dtls_server *srv, const net_addr *peer);
/* Associations the server has had, and those of them whose GnuTLS state is still held (an
 * association that has ended, by close_notify, an alert, a failed or timed-out handshake,
 * keeps only what its evidence needs: its address, number and state). */
size_t dtls_server_count(const dtls_server *srv, size_t *live);

/* Client: connects s to peer and starts the handshake; registers s on the loop. */
dtls_conn *dtls_client_new(evloop *l, udp_sock *s, const net_addr *peer, const dtls_params *params,
                           timeline *tl, dtls_hooks hooks, char *err, size_t errlen);
void dtls_client_free(dtls_conn *c);
/* Client: stops reading its socket (the loop watch goes), so a new association can run on
 * the same socket — the same address and port, as a node that rebooted. The conn
 * can still send (dtls_send_anyway: records in its epoch, the evidence of a stale peer). */
void dtls_client_release_socket(dtls_conn *c);
/* Client c runs on the socket the dropped association released: application records that
 * decrypt with the dropped one's keys are delivered to its on_data, as sae.stale_record. */
void dtls_client_set_shadow(dtls_conn *c, dtls_conn *dropped);

int dtls_send(dtls_conn *c, const void *buf, size_t len);   /* 0 ok, -1 not up / error */
/* Fault injection for reference peers: sends a record with the session's keys whatever the
 * association's state (after a close_notify, say). */
int dtls_send_anyway(dtls_conn *c, const void *buf, size_t len);
/* close_notify. A record of the peer that arrives afterwards was sent before it could have
 * seen the close when it comes within one round trip of the association (measured in its
 * handshake: from a flight of ours to the first datagram of the answer, the last such sample
 * before the handshake finished) plus DTLS_CROSSING_MARGIN_MS of the close: it crossed the
 * close in flight (sae.crossed_record, no fault of the peer's); a later one is
 * sae.stale_record. Both carry since_close_ms, rtt_ms and grace_ms. */
void dtls_close(dtls_conn *c);
#define DTLS_CROSSING_MARGIN_MS 50
/* Ends an association silently, as a peer that lost its state: later records in it are
 * sae.stale_record, never data; a new ClientHello starts a new one. */
void dtls_forget(dtls_conn *c);
dtls_state dtls_conn_state(const dtls_conn *c);
const char *dtls_conn_peer(const dtls_conn *c);             /* "127.0.0.1:40001" */
const net_addr *dtls_conn_addr(const dtls_conn *c);
const char *dtls_conn_identity(const dtls_conn *c);         /* PSK identity, the certificate's "dns:..."/"uri:...", or a raw key's "spki-sha256:<hex>" */
const char *dtls_conn_bound_id(const dtls_conn *c);         /* oneM2M identity bound to it, or NULL */
const char *dtls_conn_fail_reason(const dtls_conn *c);
unsigned dtls_conn_number(const dtls_conn *c);              /* 1, 2, ... per endpoint: "sa" attribute */
/* One pointer of the user's per association (node.c: its record of the peer), NULL at first. */
void dtls_conn_set_user(dtls_conn *c, void *user);
void *dtls_conn_user(const dtls_conn *c);
/* The GnuTLS session under the association, for the RFC 5705 exporter (harness/sec/enrol.h);
 * NULL once a server's association has ended (its GnuTLS state is freed then). */
struct gnutls_session_int *dtls_conn_session(const dtls_conn *c);


/* A process-wide hook that receives every session's secrets as NSS key log lines
 * ("CLIENT_RANDOM <client random hex> <master secret hex>"), so a capture can carry them
 * (report/capture.h). Captures and key logs hold secrets: set only when asked. */
typedef void (*dtls_keylog_fn)(const char *line, void *ctx);
void dtls_set_keylog_hook(dtls_keylog_fn fn, void *ctx);

/* Call once per process (global GnuTLS init is otherwise implicit). */
void dtls_global_init(void);
/* NULL when the datagram is a sequence of well-framed DTLS records (RFC 6347 §4.1), else
 * why not, written to buf (dtls_check.c). The client notes what GnuTLS would drop silently. */
const char *dtls_datagram_problem(const uint8_t *p, size_t n, char *buf, size_t len);
/* Removes the ChangeCipherSpec and Handshake records from a well-framed datagram in place and
 * returns the new length (n unchanged when it is not well framed). A client whose handshake
 * is done uses it: a server that repeats its last flight (it missed our Finished, RFC 6347
 * §4.2.4) needs no answer from us, and GnuTLS's client, handed that flight after the
 * handshake, waits for a handshake that never comes and ends the session (E_TIMEDOUT). */
size_t dtls_strip_handshake_records(uint8_t *p, size_t n);

#endif
