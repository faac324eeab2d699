/* See dgram_class.h: a strict reading of what arrived on a coaps port. */
#include "dgram_class.h"
#include <stdio.h>
#include <string.h>

static const char *record_type(uint8_t t)
{
    switch (t) {
    case 20: return "ccs";
    case 21: return "alert";
    case 22: return "handshake";
    case 23: return "appdata";
    default: return NULL;
    }
}

static const char *hs_name(uint8_t t)
{
    switch (t) {
    case 0: return "hello_request";
    case 1: return "client_hello";
    case 2: return "server_hello";
    case 3: return "hello_verify_request";
    case 4: return "new_session_ticket";
    case 11: return "certificate";
    case 12: return "server_key_exchange";
    case 13: return "certificate_request";
    case 14: return "server_hello_done";
    case 15: return "certificate_verify";
    case 16: return "client_key_exchange";
    case 20: return "finished";
    default: return NULL;
    }
}

/* RFC 5246 §7.2 and RFC 4279 §2: the descriptions a refusal carries. */
static const char *alert_name(uint8_t d)
{
    switch (d) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 115: return "unknown_psk_identity";
    default: return "other";
    }
}

static int dtls_strict(const uint8_t *p, size_t n, dgram_class *out)
{
    unsigned records = 0;
    size_t off = 0;
    while (off < n) {
        size_t left = n - off;
        const uint8_t *r = p + off;
        if (left < 13 || !record_type(r[0]) || r[1] != 254 || (r[2] != 253 && r[2] != 255)) return 0;
        size_t len = (size_t)r[11] << 8 | r[12];
        if (len > left - 13) return 0;
        int epoch0 = r[3] == 0 && r[4] == 0;
        if (r[0] == 22 && epoch0 && (len < 12 || !hs_name(r[13]))) return 0;
        if (r[0] == 21 && epoch0 && len != 2) return 0;
        if (r[0] == 20 && epoch0 && (len != 1 || r[13] != 1)) return 0;
        if (records == 0) {
            out->type = record_type(r[0]);
            out->version = r[2] == 253 ? "DTLS1.2" : "DTLS1.0";
        }
        if (r[0] == 22 && !out->hs) out->hs = epoch0 ? hs_name(r[13]) : "encrypted";
        if (r[0] == 21 && epoch0 && !out->alert) out->alert = alert_name(r[14]);
        records++;
        off += 13 + len;
    }
    out->records = records;
    return records > 0;
}

static const char *const coap_types[] = { "CON", "NON", "ACK", "RST" };

dgram_kind dgram_classify(const uint8_t *p, size_t n, dgram_class *out)
{
    memset(out, 0, sizeof *out);
    if (dtls_strict(p, n, out)) {
        out->kind = DGRAM_DTLS;
        out->what = "dtls";
        return out->kind;
    }
    memset(out, 0, sizeof *out);
    if (n >= 4 && p[0] >> 6 == 1 && (p[0] & 0x0f) <= 8 && n >= 4u + (p[0] & 0x0f)) {
        unsigned type = p[0] >> 4 & 3;
        out->kind = DGRAM_COAP;
        out->coap_type = coap_types[type];
        snprintf(out->code, sizeof out->code, "%u.%02u", p[1] >> 5, p[1] & 31u);
        /* RFC 7252 §4.3: an RST is an empty message (code 0.00, nothing after the header) */
        out->what = type == 3 && p[1] == 0 && n == 4 ? "coap-rst" : "coap";
        return out->kind;
    }
    out->kind = DGRAM_GARBAGE;
    out->what = "garbage";
    return out->kind;
}
