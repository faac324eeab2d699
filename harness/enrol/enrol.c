#include "enrol.h"
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void enrol_settings_default(enrol_settings *s)
{
    memset(s, 0, sizeof *s);
    s->label = ENROL_LABEL_BOOTSTRAP;
}

int enrol_export(struct gnutls_session_int *s, const enrol_settings *st,
                 uint8_t out[ENROL_EXPORT_LEN], char *err, size_t errlen)
{
    gnutls_protocol_t v = gnutls_protocol_get_version(s);
    if (v != GNUTLS_DTLS1_2 && v != GNUTLS_TLS1_2) {
        /* §10.2.1: the exporter is defined for (D)TLS 1.2 only. */
        snprintf(err, errlen, "exporter needs (D)TLS 1.2, session is %s", gnutls_protocol_get_name(v));
        return -1;
    }
    const char *label = st->label ? st->label : ENROL_LABEL_BOOTSTRAP;
    /* GnuTLS: a NULL context means "no context" (RFC 5705 without the length-prefixed
     * context in the PRF seed); a non-NULL zero-length one is the empty context. */
    static const char empty[1] = "";
    const char *ctx = st->context == ENROL_CTX_EMPTY ? empty : NULL;
    int r = gnutls_prf_rfc5705(s, strlen(label), label, 0, ctx, ENROL_EXPORT_LEN, (char *)out);
    if (r < 0) {
        snprintf(err, errlen, "RFC 5705 exporter: %s", gnutls_strerror(r));
        return -1;
    }
    return 0;
}

int enrol_split(const uint8_t exported[ENROL_EXPORT_LEN], const char *mef_fqdn,
                const enrol_settings *st, enrol_keys *k, char *err, size_t errlen)
{
    if (!mef_fqdn || !*mef_fqdn || strlen(mef_fqdn) > 253) {
        snprintf(err, errlen, "MEF-FQDN missing or longer than 253 characters");
        return -1;
    }
    memcpy(k->exported, exported, ENROL_EXPORT_LEN);
    memcpy(k->rel_keid, exported, ENROL_RELKEID_LEN);
    memcpy(k->ke, exported + ENROL_RELKEID_LEN, ENROL_KE_LEN);
    const char *digits = st->keid_upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *o = k->keid;
    for (size_t i = 0; i < ENROL_RELKEID_LEN; i++) {
        *o++ = digits[k->rel_keid[i] >> 4];
        *o++ = digits[k->rel_keid[i] & 15];
    }
    snprintf(o, sizeof k->keid - 2 * ENROL_RELKEID_LEN, "@%s", mef_fqdn);
    return 0;
}

int enrol_bootstrap(struct gnutls_session_int *s, const char *mef_fqdn, const enrol_settings *st,
                    enrol_keys *k, char *err, size_t errlen)
{
    uint8_t out[ENROL_EXPORT_LEN];
    if (enrol_export(s, st, out, err, errlen) < 0) return -1;
    return enrol_split(out, mef_fqdn, st, k, err, errlen);
}

static int ascii_id(const char *what, const char *id, char *err, size_t errlen)
{
    if (!id || !*id) {
        snprintf(err, errlen, "%s is empty", what);
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p < 0x20 || *p > 0x7e) {
            snprintf(err, errlen, "%s has a non-ASCII or control byte 0x%02x (NFKC not available)", what, *p);
            return -1;
        }
    return 0;
}

/* HMAC-SHA-256(key, label || a || b), the parts concatenated with nothing in between. */
static int hmac3(const uint8_t *key, size_t keylen, const char *label, const void *a, size_t an,
                 const void *b, size_t bn, uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen)
{
    gnutls_hmac_hd_t h = NULL;
    int r = gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, key, keylen);
    if (r == 0) r = gnutls_hmac(h, label, strlen(label));
    if (r == 0 && an) r = gnutls_hmac(h, a, an);
    if (r == 0 && bn) r = gnutls_hmac(h, b, bn);
    if (r < 0) {
        snprintf(err, errlen, "HMAC-SHA-256: %s", gnutls_strerror(r));
        if (h) gnutls_hmac_deinit(h, NULL);
        return -1;
    }
    gnutls_hmac_deinit(h, out);
    return 0;
}

int enrol_kpsa(const uint8_t ke[ENROL_KE_LEN], const char *enrolee_b_id,
               uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen)
{
    if (ascii_id("Enrolee-B-ID", enrolee_b_id, err, errlen) < 0) return -1;
    return hmac3(ke, ENROL_KE_LEN, ENROL_KPSA_LABEL, enrolee_b_id, strlen(enrolee_b_id), NULL, 0, out, err, errlen);
}

int enrol_km(const uint8_t ke[ENROL_KE_LEN], const char *maf_id,
             uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen)
{
    if (ascii_id("MAF-ID", maf_id, err, errlen) < 0) return -1;
    return hmac3(ke, ENROL_KE_LEN, ENROL_KM_LABEL, maf_id, strlen(maf_id), NULL, 0, out, err, errlen);
}

int enrol_usage_key(const uint8_t ke[ENROL_KE_LEN], const char *suid, const char *target_fqdn,
                    const enrol_settings *st, uint8_t out[ENROL_KEY_LEN], char *err, size_t errlen)
{
    if (ascii_id("Enrolment-Target-ID", target_fqdn, err, errlen) < 0) return -1;
    char *end = NULL;
    long v = suid ? strtol(suid, &end, 10) : -1;
    if (!suid || !*suid || *end || v < 0 || v > 255) {
        snprintf(err, errlen, "SUID '%s' is not a number 0..255", suid ? suid : "");
        return -1;
    }
    uint8_t byte = (uint8_t)v;
    const void *s = st->suid == ENROL_SUID_BYTE ? (const void *)&byte : (const void *)suid;
    size_t sn = st->suid == ENROL_SUID_BYTE ? 1 : strlen(suid);
    return hmac3(ke, ENROL_KE_LEN, ENROL_UCK_LABEL, s, sn, target_fqdn, strlen(target_fqdn), out, err, errlen);
}

int enrol_sae_key(const enrol_keys *k, const enrol_settings *st, const char *enrolee_b_id,
                  const char *suid, const char *target_fqdn, uint8_t out[ENROL_KEY_LEN],
                  char *err, size_t errlen)
{
    if (st->derive == ENROL_DERIVE_USAGE)
        return enrol_usage_key(k->ke, suid, target_fqdn, st, out, err, errlen);
    return enrol_kpsa(k->ke, enrolee_b_id, out, err, errlen);
}

static int pick(const char *w, const char *a, const char *b, int *out)
{
    if (w && strcmp(w, a) == 0) { *out = 0; return 0; }
    if (w && strcmp(w, b) == 0) { *out = 1; return 0; }
    return -1;
}

int enrol_parse_context(const char *w, enrol_ctx_mode *out)
{
    int v;
    if (pick(w, "absent", "empty", &v) < 0) return -1;
    *out = v ? ENROL_CTX_EMPTY : ENROL_CTX_ABSENT;
    return 0;
}

int enrol_parse_case(const char *w, int *upper) { return pick(w, "lower", "upper", upper); }

int enrol_parse_suid(const char *w, enrol_suid_mode *out)
{
    int v;
    if (pick(w, "text", "byte", &v) < 0) return -1;
    *out = v ? ENROL_SUID_BYTE : ENROL_SUID_TEXT;
    return 0;
}

int enrol_parse_derive(const char *w, enrol_derive_mode *out)
{
    int v;
    if (pick(w, "kpsa", "usage-constrained", &v) < 0) return -1;
    *out = v ? ENROL_DERIVE_USAGE : ENROL_DERIVE_KPSA;
    return 0;
}
