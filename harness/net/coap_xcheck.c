/* Cross-check of the harness's decoder against libcoap 4.3.1's coap_pdu_parse.
 *
 * Where libcoap 4.3.1 and RFC 7252 differ (found by experiment on Debian 12's
 * libcoap-3-notls 4.3.1; each one has a test in tests/test_xcheck.c):
 *  1. An option of a registered number whose length is outside the RFC 7252 §5.10 range
 *     (Content-Format of 3 bytes, Max-Age of 5, Uri-Host of 0, If-None-Match with a value,
 *     Proxy-Uri of 0 or 1035, ...) makes coap_pdu_parse reject the whole message. RFC 7252
 *     §5.4.3 says such an option is treated like an unrecognized one: an elective one is
 *     ignored, a critical one gets 4.02 (CON) — the message is not a format error. Ours
 *     accepts it and records a defect; the check reports "libcoap rejects, ours accepts".
 *  2. A Uri-Query option of length 0 is rejected (libcoap requires 1..255); RFC 7252 §5.10
 *     allows 0..255. Ours accepts it without a defect.
 *  3. A 14-form option delta is taken modulo 65536: extended bytes FE F3..FF FE (delta
 *     65536..65803) wrap, so "E0 FE FF" is accepted as option 12 (FF FF is rejected). The
 *     number is past 65535 (RFC 7252 §3.1 has 16-bit option numbers): ours rejects.
 *  4. For codes 7.xx libcoap applies RFC 8323's signaling option rules (7.01 CSM, 7.02 Ping,
 *     7.05 Abort: option 2 with a bad length rejects the message) and skips RFC 7252's
 *     option lengths, also over UDP, where RFC 7252 §4.2 calls class 7 reserved. Ours
 *     records a reserved-class defect and applies the RFC 7252 lengths.
 * And where they agree although one might expect otherwise:
 *  - an empty message (0.00) with a token, options or payload: both reject (RFC §4.1);
 *  - a payload marker followed by no payload: both reject (RFC §3);
 *  - an option number above 65535 after delta accumulation: both reject;
 *  - repeated non-repeatable options, reserved code classes 1/6/7, a NON or RST that breaks
 *    RFC §4.2/§4.3 Table 1: both accept (ours records a defect, libcoap says nothing).
 *  - libcoap's option iterator returns options 14, 28, 42... (no "fence-post" skipping). */
#include "coap_xcheck.h"
#include <coap3/coap.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int initialised;
static coap_log_t print_level = LOG_ERR;
static int capturing;
static char captured[120];

/* Quiet by default: errors only go to stderr. While a parse runs, the first message is kept
 * as libcoap's reason for rejecting. */
static void quiet_log(coap_log_t level, const char *message)
{
    if (capturing && captured[0] == '\0' && message && message[0] && message[0] != '\n') {
        snprintf(captured, sizeof captured, "%s", message);
        captured[strcspn(captured, "\r\n")] = '\0';
    }
    if (level <= print_level)
        fprintf(stderr, "libcoap: %s", message);
}

void cm_xcheck_init(void)
{
    if (initialised) return;
    initialised = 1;
    coap_startup();
    coap_set_log_handler(quiet_log);
    coap_set_log_level(print_level);
}

void cm_xcheck_set_log_level(int level)
{
    print_level = level;
    if (initialised) coap_set_log_level(print_level);
}

static void say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
    if (!why || whylen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

/* What our decoder says about buf, for the reason text: the known libcoap difference that
 * explains a disagreement (if any) and our defects, fatal one first. */
static void our_view(const uint8_t *buf, size_t len, int libcoap_ok, char *out, size_t outlen)
{
    cm_msg m;
    cm_defects d;
    int rc = cm_decode(buf, len, &m, &d);
    /* libcoap names the option it refused: "... option 12 has bad length 3". */
    unsigned num = 0, olen = 0;
    const char *at = strstr(captured, " option ");
    int refused = !libcoap_ok && rc == 0 && at &&
                  sscanf(at, " option %u has bad length %u", &num, &olen) == 2;
    const char *note = NULL;
    if (refused && (m.code >> 5) == 7)
        note = "libcoap checks RFC 8323 signaling options for 7.xx codes, also over UDP";
    else if (refused && num == CM_OPT_URI_QUERY && olen == 0)
        note = "libcoap rejects an empty Uri-Query, RFC 7252 §5.10 allows length 0";
    else if (refused && num <= UINT16_MAX && !cm_opt_length_ok((uint16_t)num, olen))
        note = "libcoap rejects an out-of-range option length, RFC 7252 §5.4.3 treats the "
               "option as unrecognized";
    else if (libcoap_ok && rc != 0 && d.n && strstr(d.d[d.n - 1].reason, "exceeds 65535"))
        note = "libcoap takes a 14-form option delta modulo 65536 and accepts the wrapped "
               "option number";
    size_t pos = 0;
    out[0] = '\0';
#define ADD(...)                                                                   \
    do {                                                                           \
        if (pos < outlen) {                                                        \
            int n_ = snprintf(out + pos, outlen - pos, __VA_ARGS__);               \
            if (n_ > 0) pos += (size_t)n_;                                         \
        }                                                                          \
    } while (0)
    if (note) ADD("[known libcoap 4.3.1 difference: %s] ", note);
    if (rc != 0 && d.n) ADD("%s", d.d[d.n - 1].reason);
    for (size_t i = 0; i + (rc != 0) < d.n; i++)
        ADD("%s%s", (i || rc != 0) ? "; " : "", d.d[i].reason);
    if (d.n == 0) ADD("no defects");
#undef ADD
    cm_msg_free(&m);
}

static int compare(const coap_pdu_t *pdu, const cm_msg *ours, char *why, size_t whylen)
{
    if (coap_pdu_get_type(pdu) != ours->type) {
        say(why, whylen, "type differs: libcoap %d, ours %u", (int)coap_pdu_get_type(pdu),
            ours->type);
        return 0;
    }
    if ((int)coap_pdu_get_code(pdu) != ours->code) {
        say(why, whylen, "code differs: libcoap 0x%02x, ours 0x%02x",
            (unsigned)coap_pdu_get_code(pdu), ours->code);
        return 0;
    }
    if (coap_pdu_get_mid(pdu) != ours->mid) {
        say(why, whylen, "mid differs: libcoap 0x%04x, ours 0x%04x",
            (unsigned)coap_pdu_get_mid(pdu), ours->mid);
        return 0;
    }
    coap_bin_const_t tok = coap_pdu_get_token(pdu);
    if (tok.length != ours->tkl || (tok.length && memcmp(tok.s, ours->token, tok.length))) {
        say(why, whylen, "token differs: libcoap %zu bytes, ours %u bytes", tok.length,
            ours->tkl);
        return 0;
    }
    coap_opt_iterator_t oi;
    size_t k = 0;
    if (coap_option_iterator_init(pdu, &oi, COAP_OPT_ALL)) {
        coap_opt_t *opt;
        while ((opt = coap_option_next(&oi))) {
            if (k >= ours->nopts) {
                say(why, whylen, "libcoap has more options: #%zu is %u, ours has %zu", k,
                    (unsigned)oi.number, ours->nopts);
                return 0;
            }
            const cm_option *o = &ours->opts[k];
            uint32_t olen = coap_opt_length(opt);
            if (oi.number != o->num || olen != o->len ||
                (olen && memcmp(coap_opt_value(opt), o->val, olen))) {
                say(why, whylen, "option #%zu differs: libcoap %u (%u bytes), ours %u (%u bytes)",
                    k, (unsigned)oi.number, olen, o->num, o->len);
                return 0;
            }
            k++;
        }
    }
    if (k != ours->nopts) {
        say(why, whylen, "ours has more options: %zu, libcoap %zu", ours->nopts, k);
        return 0;
    }
    size_t dlen = 0;
    const uint8_t *data = NULL;
    if (!coap_get_data(pdu, &dlen, &data)) dlen = 0;
    if (dlen != ours->plen || (dlen && memcmp(data, ours->payload, dlen))) {
        say(why, whylen, "payload differs: libcoap %zu bytes, ours %zu bytes", dlen, ours->plen);
        return 0;
    }
    say(why, whylen, "both accept and agree");
    return 1;
}

int cm_xcheck(const uint8_t *buf, size_t len, const cm_msg *ours, int our_rc,
              char *why, size_t whylen)
{
    cm_xcheck_init();
    if (why && whylen) why[0] = '\0';
    /* coap_pdu_parse resizes within the maximum given here; a little slack for tiny inputs. */
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_EMPTY_CODE, 0, len + 16);
    if (!pdu) {
        say(why, whylen, "libcoap could not allocate a PDU of %zu bytes", len + 16);
        return 0;
    }
    captured[0] = '\0';
    capturing = 1;
    coap_set_log_level(LOG_DEBUG);
    int ok = coap_pdu_parse(COAP_PROTO_UDP, buf, len, pdu);
    coap_set_log_level(print_level);
    capturing = 0;

    int agree;
    char defects[400];
    if (!ok && our_rc != 0) {
        say(why, whylen, "both reject");
        agree = 1;
    } else if (!ok) {
        our_view(buf, len, ok, defects, sizeof defects);
        say(why, whylen, "libcoap rejects (%s), ours accepts (%s)",
            captured[0] ? captured : "no reason logged", defects);
        agree = 0;
    } else if (our_rc != 0) {
        our_view(buf, len, ok, defects, sizeof defects);
        say(why, whylen, "ours rejects (%s), libcoap accepts", defects);
        agree = 0;
    } else {
        agree = compare(pdu, ours, why, whylen);
    }
    coap_delete_pdu(pdu);
    return agree;
}
