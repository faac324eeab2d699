/* Priority strings for GnuTLS from what a test asks for: IANA cipher suite names and
 * DTLS versions (TS-0003 §10.2), so a test can say "only TLS_PSK_WITH_AES_128_CCM_8". */
#include "dtls.h"
#include <stdio.h>
#include <string.h>

/* IANA suite name -> GnuTLS key exchange, cipher and MAC tokens. Only suites a oneM2M
 * peer may meet (TS-0003 §10.2) and their common relatives; never CHACHA20. */
static const struct { const char *iana, *kx, *cipher, *mac; } suite_map[] = {
    { "TLS_PSK_WITH_AES_128_CCM_8", "PSK", "AES-128-CCM-8", "AEAD" },
    { "TLS_PSK_WITH_AES_128_CCM", "PSK", "AES-128-CCM", "AEAD" },
    { "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK", "AES-128-GCM", "AEAD" },
    { "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK", "AES-128-CBC", "SHA256" },
    { "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK", "AES-128-CBC", "SHA1" },   /* the DTLS 1.0 kind */
    { "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK", "AES-128-CBC", "SHA256" },
    { "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA", "AES-128-CCM-8", "AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256" },
};

static void add_token(char *out, size_t len, const char *prefix, const char *tok)
{
    char want[64];
    snprintf(want, sizeof want, ":%s%s", prefix, tok);
    for (const char *p = out; (p = strstr(p, want)); p++)   /* each token once */
        if (p[strlen(want)] == ':' || p[strlen(want)] == '\0') return;
    size_t l = strlen(out);
    snprintf(out + l, len - l, ":%s%s", prefix, tok);
}

int dtls_priority_for(char *const *suites, size_t nsuites, char *const *versions, size_t nversions,
                      char *out, size_t outlen, char *err, size_t errlen)
{
    snprintf(out, outlen, "NORMAL:-VERS-ALL");
    if (!nversions) add_token(out, outlen, "+VERS-", "DTLS1.2");
    for (size_t i = 0; i < nversions; i++) {
        if (strcmp(versions[i], "DTLS1.2") && strcmp(versions[i], "DTLS1.0")) {
            snprintf(err, errlen, "unknown DTLS version '%s' (expected DTLS1.2 or DTLS1.0)", versions[i]);
            return -1;
        }
        add_token(out, outlen, "+VERS-", versions[i]);
    }
    if (!nsuites) {
        size_t l = strlen(out);
        snprintf(out + l, outlen - l, "%s", DTLS_PRIORITY_PSK + strlen("NORMAL:-VERS-ALL:+VERS-DTLS1.2"));
        return 0;
    }
    char kx[256] = "", ciph[256] = "", mac[256] = "";
    for (size_t i = 0; i < nsuites; i++) {
        size_t j = 0;
        while (j < sizeof suite_map / sizeof *suite_map && strcmp(suite_map[j].iana, suites[i])) j++;
        if (j == sizeof suite_map / sizeof *suite_map) {
            snprintf(err, errlen, "unknown cipher suite '%s'", suites[i]);
            return -1;
        }
        add_token(kx, sizeof kx, "+", suite_map[j].kx);
        add_token(ciph, sizeof ciph, "+", suite_map[j].cipher);
        add_token(mac, sizeof mac, "+", suite_map[j].mac);
    }
    size_t l = strlen(out);
    snprintf(out + l, outlen - l, ":-KX-ALL%s:-CIPHER-ALL%s:-MAC-ALL%s", kx, ciph, mac);
    return 0;
}
