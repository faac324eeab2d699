/* The peer's credentials during the handshake: PSK identities (server), certificates with
 * their subjectAltName identity, and pinned raw public keys. A refusal here aborts the
 * handshake with an alert and names the reason (sae.cert_rejected, sae.unknown_identity). */
#include "dtls_int.h"
#include "dtls_rpk.h"
#include "../util/xmem.h"
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dtls_server_psk_cb(gnutls_session_t s, const char *username, gnutls_datum_t *key)
{
    dtls_conn *c = gnutls_session_get_ptr(s);
    free(c->identity);
    c->identity = xstrdup(username);
    for (size_t i = 0; i < c->params->npsks; i++) {
        const dtls_psk *p = &c->params->psks[i];
        if (p->identity && strcmp(p->identity, username) != 0) continue;   /* NULL: any (fault injection) */
        key->data = gnutls_malloc(p->key_len);
        if (!key->data) return -1;
        memcpy(key->data, p->key, p->key_len);
        key->size = (unsigned)p->key_len;
        free(c->bound_id);
        c->bound_id = xstrdup(p->bound_id);
        return 0;
    }
    dtls_psk dyn;
    if (c->params->psk_lookup && c->params->psk_lookup(username, &dyn, c->params->psk_lookup_ctx) == 0) {
        key->data = gnutls_malloc(dyn.key_len);
        if (!key->data) return -1;
        memcpy(key->data, dyn.key, dyn.key_len);
        key->size = (unsigned)dyn.key_len;
        free(c->bound_id);
        c->bound_id = xstrdup(dyn.bound_id);
        return 0;
    }
    dtls_record(c, "sae.unknown_identity", "identity", username, (const char *)NULL);
    c->psk_unknown = 1;
    return -1;
}

/* The identity in the peer certificate's subjectAltName: "dns:<name>" or "uri:<uri>",
 * the first such entry; NULL when there is none. Never the subject CN (TS-0003 §8.1.2). */
static char *peer_cert_identity(gnutls_session_t s)
{
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
    if (!chain || !n) return NULL;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0) return NULL;
    char *id = NULL;
    if (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) == 0) {
        for (unsigned i = 0; !id; i++) {
            char buf[512];
            size_t len = sizeof buf - 1;
            int t = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &len, NULL);
            if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE || t < 0) break;
            buf[len] = '\0';
            if (t == GNUTLS_SAN_DNSNAME) id = xasprintf("dns:%s", buf);
            else if (t == GNUTLS_SAN_URI) id = xasprintf("uri:%s", buf);
        }
    }
    gnutls_x509_crt_deinit(crt);
    return id;
}

/* Certificate verification during the handshake, so a bad certificate aborts it with an
 * alert: path to a trust anchor, validity, key purpose (serverAuth for a server,
 * clientAuth for a client), and the exact subjectAltName identity. */
static int verify_peer_rpk(dtls_conn *c, gnutls_session_t s);
static int verify_peer_cert(gnutls_session_t s)
{
    dtls_conn *c = gnutls_session_get_ptr(s);
    if (gnutls_certificate_type_get2(s, GNUTLS_CTYPE_PEERS) == GNUTLS_CRT_RAWPK) return verify_peer_rpk(c, s);
    if (c->params->skip_verify) return 0;
    /* GnuTLS takes the verification data as non-const bytes; it only reads them. */
    static unsigned char kp_client[] = GNUTLS_KP_TLS_WWW_CLIENT, kp_server[] = GNUTLS_KP_TLS_WWW_SERVER;
    char *name = NULL;
    gnutls_typed_vdata_st data[2];
    unsigned nd = 0;
    data[nd].type = GNUTLS_DT_KEY_PURPOSE_OID;
    data[nd].data = c->is_server ? kp_client : kp_server;
    data[nd++].size = 0;
    if (!c->is_server && c->params->verify_name) {
        name = xstrdup(c->params->verify_name);
        data[nd].type = GNUTLS_DT_DNS_HOSTNAME;
        data[nd].data = (unsigned char *)name;
        data[nd++].size = 0;
    }
    unsigned status = 0;
    c->cert_rejected = 1;   /* until the checks below pass */
    int r = gnutls_certificate_verify_peers(s, data, nd, &status);
    free(name);
    free(c->identity);
    c->identity = peer_cert_identity(s);
    if (r < 0 || status != 0) {
        gnutls_datum_t txt = { NULL, 0 };
        if (r >= 0) gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &txt, 0);
        snprintf(c->fail_reason, sizeof c->fail_reason, "peer certificate rejected: %s",
                 r < 0 ? gnutls_strerror(r) : (const char *)txt.data);
        dtls_record(c, "sae.cert_rejected", "reason", c->fail_reason, "identity", c->identity, (const char *)NULL);
        gnutls_free(txt.data);
        return -1;
    }
    if (c->params->peer_cert_id && (!c->identity || strcmp(c->identity, c->params->peer_cert_id) != 0)) {
        snprintf(c->fail_reason, sizeof c->fail_reason, "certificate identity %s is not %s",
                 c->identity ? c->identity : "(no dNSName or URI in subjectAltName)", c->params->peer_cert_id);
        dtls_record(c, "sae.cert_rejected", "reason", c->fail_reason, "identity", c->identity, (const char *)NULL);
        return -1;
    }
    free(c->bound_id);
    c->bound_id = xstrdup(c->params->peer_bound_id);
    c->cert_rejected = 0;
    return 0;
}

/* A raw public key binds the identity its pin names (dtls_rpk.h); the identity recorded is
 * the key's fingerprint "spki-sha256:<hex>". No pin, no association. */
static int verify_peer_rpk(dtls_conn *c, gnutls_session_t s)
{
    unsigned n = 0;
    const gnutls_datum_t *spki = gnutls_certificate_get_peers(s, &n);
    char hex[65] = "";
    if (spki && n) dtls_rpk_spki_sha256(spki[0].data, spki[0].size, hex);
    free(c->identity);
    c->identity = xasprintf("spki-sha256:%s", hex);
    const dtls_rpk_pin *pin = spki && n ? dtls_rpk_match(c->params->rpk_pins, c->params->nrpk_pins, hex) : NULL;
    c->cert_rejected = !pin && !c->params->skip_verify;
    if (c->cert_rejected) {
        snprintf(c->fail_reason, sizeof c->fail_reason, "raw public key %s is pinned for no identity", c->identity);
        dtls_record(c, "sae.cert_rejected", "ctype", "rpk", "reason", c->fail_reason, "identity", c->identity, (const char *)NULL);
        return -1;
    }
    free(c->bound_id);
    c->bound_id = pin ? xstrdup(pin->bound_id) : NULL;
    return 0;
}

int dtls_load_x509(const dtls_params *p, gnutls_certificate_credentials_t *out, char *err, size_t errlen)
{
    int r = gnutls_certificate_allocate_credentials(out);
    if (r == 0 && p->rpk_pub_file) {
        if (dtls_rpk_load(*out, p->rpk_pub_file, p->rpk_key_file, err, errlen) < 0) return -1;
        gnutls_certificate_set_verify_function(*out, verify_peer_cert);
        return 0;
    }
    if (r == 0) r = gnutls_certificate_set_x509_key_file(*out, p->cert_file, p->key_file, GNUTLS_X509_FMT_PEM);
    if (r < 0) {
        snprintf(err, errlen, "certificate %s / key %s: %s", p->cert_file, p->key_file, gnutls_strerror(r));
        return -1;
    }
    if (p->trust_file) {
        r = gnutls_certificate_set_x509_trust_file(*out, p->trust_file, GNUTLS_X509_FMT_PEM);
        if (r <= 0) {
            snprintf(err, errlen, "trust anchors %s: %s", p->trust_file, r < 0 ? gnutls_strerror(r) : "no certificate in it");
            return -1;
        }
    }
    gnutls_certificate_set_verify_function(*out, verify_peer_cert);
    return 0;
}
