/* Raw public keys (RFC 7250), the third SAE framework beside PSK and X.509 (TS-0003 §8.2.1,
 * §10.2.3): no certificate, so the peer's oneM2M identity (CSE-ID / AE-ID) is bound by
 * pinning its key. A pin names the key by the SHA-256 of its DER SubjectPublicKeyInfo
 * (64 hex digits, what `openssl pkey -pubin -outform DER | sha256sum` prints) or by a PEM
 * public-key file. A key that matches no pin gets no association. */
#ifndef M2M_DTLS_RPK_H
#define M2M_DTLS_RPK_H
#include <stddef.h>
#include <stdint.h>

typedef struct dtls_rpk_pin {
    const char *bound_id;     /* the identity the key binds: "/asn-cse-1", "Cae-1", ... */
    const char *spki_sha256;  /* 64 hex digits, or NULL when pub_file is given */
    const char *pub_file;     /* PEM public key (or certificate-less SubjectPublicKeyInfo) */
} dtls_rpk_pin;

/* The GnuTLS priority additions that allow only raw public keys, both directions. */
#define DTLS_RPK_CTYPES ":-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK"
/* The oneM2M mandatory suite for raw keys (TS-0003 §10.2.3): ECDHE-ECDSA with CCM-8. */
extern const char *const DTLS_PRIORITY_RPK;

struct gnutls_certificate_credentials_st;
/* Installs our raw public key (PEM public key and PEM private key) in cred. */
int dtls_rpk_load(struct gnutls_certificate_credentials_st *cred, const char *pub_file,
                  const char *key_file, char *err, size_t errlen);

/* SHA-256 of a DER SubjectPublicKeyInfo as 64 lowercase hex digits. */
void dtls_rpk_spki_sha256(const uint8_t *der, size_t n, char hex[65]);
/* The same for a PEM (or DER) public key held in memory; 0, or -1 with the reason. */
int dtls_rpk_pubkey_sha256(const uint8_t *buf, size_t n, char hex[65], char *err, size_t errlen);
/* The first pin naming the key with this fingerprint, or NULL. A pin whose file cannot be
 * read matches nothing. */
const dtls_rpk_pin *dtls_rpk_match(const dtls_rpk_pin *pins, size_t npins, const char *hex);
/* 1 when s is 64 hex digits (either case), else 0. */
int dtls_rpk_hex_ok(const char *s);

#endif
