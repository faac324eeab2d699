/* What dtls.c and dtls_verify.c share: the association's state and the event recorder.
 * Internal to harness/net; users see dtls.h. */
#ifndef M2M_DTLS_INT_H
#define M2M_DTLS_INT_H
#include "dtls.h"
#include <gnutls/gnutls.h>

#define RXQ_MAX 16          /* datagrams queued for GnuTLS's pull before the oldest is dropped */
#define DGRAM_MAX 2048

typedef struct dgram { uint8_t *p; size_t n; } dgram;

struct dtls_conn {
    evloop *loop;
    udp_sock *sock;
    net_addr peer;
    char peer_str[64];
    int is_server;
    gnutls_session_t s;
    gnutls_psk_server_credentials_t scred;
    gnutls_psk_client_credentials_t ccred;
    gnutls_certificate_credentials_t xcred;   /* client-side X.509 credentials */
    const dtls_params *params;
    timeline *tl;
    dtls_hooks hooks;
    dtls_state state;
    dgram rxq[RXQ_MAX];
    size_t rxn;
    uint64_t timer;
    int64_t started_ns;     /* the handshake's start: dtls-total bounds it (progress) */
    int64_t last_tx_ns;     /* the last datagram sent: an ICMP error's delay is measured from it */
    /* The association's round trip, measured during its handshake (dtls.h, DTLS_CROSSING_MARGIN_MS):
     * from the first datagram of a flight of ours to the first datagram of the peer's answer;
     * a flight that was retransmitted gives no sample (Karn). rtt_ns 0 = none measured. */
    int64_t flight_ns, rtt_ns;
    int flight_resent;
    int64_t close_ns;       /* when the harness sent its close_notify (dtls_close), 0 = it did not */
    unsigned number;
    char *identity;         /* identity the client offered / we offered */
    char *bound_id;
    char fail_reason[256];
    int psk_unknown;        /* server: the client's PSK identity is none of ours */
    int cert_rejected;      /* fail_reason says why our verification refused the peer's certificate */
    int owns_sock;          /* client: loop watch registered by this conn */
    struct dtls_conn *shadow;   /* client: a dropped association on the same socket */
    void *user;             /* dtls_conn_set_user */
    struct dtls_server *srv;    /* server: the server it belongs to */
    struct dtls_conn *next; /* server's list, newest first */
    struct dtls_conn *hnext;    /* server: the next in its address bucket, newest first */
};

/* An sae.* event for c with its sa number and side, then key/value pairs up to NULL (a NULL
 * value skips its key). */
void dtls_record(dtls_conn *c, const char *name, ...) __attribute__((sentinel));
/* GnuTLS's server PSK callback: the profile's identities, then the params' lookup. */
int dtls_server_psk_cb(gnutls_session_t s, const char *username, gnutls_datum_t *key);
/* X.509 or raw-public-key credentials of p, with the peer verification of dtls_verify.c. */
int dtls_load_x509(const dtls_params *p, gnutls_certificate_credentials_t *out, char *err, size_t errlen);

#endif
