/* libFuzzer target for pinned raw public keys (RFC 7250), which a profile names by file:
 * the bytes go to dtls_rpk_pubkey_sha256 as a PEM or DER public key. Invariants: a refusal
 * says why; an accepted key has a 64-hex-digit fingerprint that dtls_rpk_match finds by
 * that fingerprint and no other. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/dtls.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) { dtls_global_init(); ready = 1; }
    char hex[65], err[256];
    err[0] = '\0';
    if (dtls_rpk_pubkey_sha256(data, size, hex, err, sizeof err) < 0) {
        if (!err[0]) abort();
        return 0;
    }
    if (!dtls_rpk_hex_ok(hex)) abort();
    dtls_rpk_pin pin = { "/fuzz", hex, NULL };
    if (dtls_rpk_match(&pin, 1, hex) != &pin) abort();
    char other[65];
    memcpy(other, hex, sizeof other);
    other[0] = other[0] == '0' ? '1' : '0';
    if (dtls_rpk_match(&pin, 1, other)) abort();
    return 0;
}
