/* Raw public keys for DTLS (RFC 7250) with GnuTLS: loading our key and binding the peer's
 * to a oneM2M identity by its pinned SubjectPublicKeyInfo hash. */
#include "dtls.h"
#include "dtls_rpk.h"
#include "../util/xmem.h"
#include <ctype.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const DTLS_PRIORITY_RPK =
    "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:"
    "-CIPHER-ALL:+AES-128-CCM-8:+AES-128-GCM:+AES-128-CBC" DTLS_RPK_CTYPES;

int dtls_rpk_load(struct gnutls_certificate_credentials_st *cred, const char *pub_file,
                  const char *key_file, char *err, size_t errlen)
{
    int r = gnutls_certificate_set_rawpk_key_file(cred, pub_file, key_file, GNUTLS_X509_FMT_PEM,
                                                  NULL, 0, NULL, 0, 0, 0);
    if (r < 0) {
        snprintf(err, errlen, "raw public key %s / key %s: %s", pub_file, key_file, gnutls_strerror(r));
        return -1;
    }
    return 0;
}

void dtls_rpk_spki_sha256(const uint8_t *der, size_t n, char hex[65])
{
    uint8_t md[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, n, md) < 0) memset(md, 0, sizeof md);
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", md[i]);
    hex[64] = '\0';
}

int dtls_rpk_pubkey_sha256(const uint8_t *buf, size_t n, char hex[65], char *err, size_t errlen)
{
    gnutls_pubkey_t pk;
    gnutls_datum_t der = { NULL, 0 };
    int r = gnutls_pubkey_init(&pk);
    if (r < 0) goto bad;
    /* GnuTLS reads the key from a non-const datum: give it a copy. */
    gnutls_datum_t in = { xmalloc(n), (unsigned)n };
    if (n) memcpy(in.data, buf, n);
    /* PEM if it says so, else DER: a pinned key may be written either way. */
    r = gnutls_pubkey_import(pk, &in, memmem(buf, n, "-----BEGIN", 10) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
    free(in.data);
    if (r == 0) r = gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER, &der);
    gnutls_pubkey_deinit(pk);
    if (r < 0) goto bad;
    dtls_rpk_spki_sha256(der.data, der.size, hex);
    gnutls_free(der.data);
    return 0;
bad:
    snprintf(err, errlen, "not a public key: %s", gnutls_strerror(r));
    return -1;
}

static int file_sha256(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t buf[16384];
    size_t n = fread(buf, 1, sizeof buf, f);
    int big = !feof(f);
    fclose(f);
    char err[128];
    return big ? -1 : dtls_rpk_pubkey_sha256(buf, n, hex, err, sizeof err);
}

int dtls_rpk_hex_ok(const char *s)
{
    size_t i = 0;
    for (; s && s[i]; i++)
        if (!isxdigit((unsigned char)s[i])) return 0;
    return i == 64;
}

const dtls_rpk_pin *dtls_rpk_match(const dtls_rpk_pin *pins, size_t npins, const char *hex)
{
    for (size_t i = 0; i < npins; i++) {
        char fp[65];
        const char *want = pins[i].spki_sha256;
        if (!want && pins[i].pub_file && file_sha256(pins[i].pub_file, fp) == 0) want = fp;
        if (want && dtls_rpk_hex_ok(want) && strcasecmp(want, hex) == 0) return &pins[i];
    }
    return NULL;
}
