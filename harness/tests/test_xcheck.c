/* Cross-check of our decoder with libcoap 4.3.1: agreement on good messages and on the
 * format errors both reject, and each known difference between libcoap and RFC 7252
 * pinned down (see the list in net/coap_xcheck.c). Vectors are written by hand. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include "net/coap.h"
#include "net/coap_xcheck.h"
#include "m2m_test.h"

/* Decodes with ours, cross-checks, returns the verdict; why receives the reason. */
static int xcheck_raw(const char *raw, size_t n, char *why, size_t whylen)
{
    cm_msg m;
    cm_defects d;
    int rc = cm_decode((const uint8_t *)raw, n, &m, &d);
    int agree = cm_xcheck((const uint8_t *)raw, n, &m, rc, why, whylen);
    cm_msg_free(&m);
    return agree;
}

static void expect(const char *raw, size_t n, int want_agree, const char *needle)
{
    char why[600];
    int agree = xcheck_raw(raw, n, why, sizeof why);
    CU_ASSERT_EQUAL(agree, want_agree);
    if (needle && !strstr(why, needle)) {
        fprintf(stderr, "\n  reason \"%s\" lacks \"%s\"\n", why, needle);
        CU_FAIL("reason");
    }
}
#define AGREE(lit, needle) expect(lit, sizeof(lit) - 1, 1, needle)
#define DISAGREE(lit, needle) expect(lit, sizeof(lit) - 1, 0, needle)

static void test_agree_good(void)
{
    AGREE("\x42\x01\x7d\x34" "\x71\x84" "\xbb" "temperature", "both accept and agree");
    AGREE("\x62\x45\x7d\x34" "\x71\x84" "\xc0" "\xff" "22.3 C", "both accept and agree");
    AGREE("\x40\x00\x12\x34", "both accept and agree");
    /* oneM2M options with 13- and 14-form deltas: 267 (D1 F2 after 12), 271, 279, 283 */
    AGREE("\x42\x02\x12\x34" "\xa1\xb2" "\xb1\x7e" "\x06" "in-cse" "\x12\x27\x11" "\xd1\xf2\x10"
          "\x41" "3" "\x87" "/mn-cse" "\x48" "req-0001" "\xff" "{}", "both accept and agree");
    /* option 65535; Max-Age (14) and Size2 (28) are returned by the iterator (no skipping) */
    AGREE("\x40\x01\x00\x01" "\xe0\xfe\xf2", "both accept and agree");
    AGREE("\x40\x01\x00\x01" "\xd1\x01\x3c" "\xd1\x01\x05", "both accept and agree");
}

static void test_agree_reject(void)
{
    AGREE("\x40\x01\x12", "both reject");
    AGREE("\x80\x01\x12\x34", "both reject");
    AGREE("\x49\x01\x12\x34" "123456789", "both reject");
    AGREE("\x42\x01\x12\x34" "\xaa", "both reject");
    AGREE("\x40\x01\x12\x34" "\xf1\x61", "both reject");
    AGREE("\x40\x01\x12\x34" "\xbf\x61", "both reject");
    AGREE("\x40\x01\x12\x34" "\xd0", "both reject");
    AGREE("\x40\x01\x12\x34" "\xb3\x61", "both reject");
    AGREE("\x40\x01\x12\x34" "\xe0\xfe\xf2" "\x10", "both reject");
}

/* Cases where one might expect libcoap to differ from RFC 7252, and it does not. */
static void test_libcoap_follows_rfc(void)
{
    /* §4.1: an empty message with a token, options or payload is a format error. */
    AGREE("\x41\x00\x12\x34" "\xaa", "both reject");
    AGREE("\x40\x00\x12\x34" "\xb1\x61", "both reject");
    AGREE("\x40\x00\x12\x34" "\xff\x61", "both reject");
    /* §3: a payload marker followed by a zero-length payload is a format error. */
    AGREE("\x40\x01\x12\x34" "\xff", "both reject");
    AGREE("\x40\x01\x12\x34" "\xb1\x61" "\xff", "both reject");
    /* Accepted by both; ours records a defect, libcoap is silent. */
    AGREE("\x40\x02\x12\x34" "\xc0\x00", "both accept");       /* Content-Format twice */
    AGREE("\x40\x20\x12\x34", "both accept");                  /* reserved class 1 */
    AGREE("\x40\xe0\x12\x34", "both accept");                  /* reserved class 7 */
    AGREE("\x50\x00\x12\x34", "both accept");                  /* empty NON */
    AGREE("\x70\x45\x12\x34", "both accept");                  /* RST with a response code */
}

/* Known difference 1: an option length outside the RFC range rejects the whole message in
 * libcoap; RFC 7252 §5.4.3 treats the option as unrecognized (ours: a defect). */
static void test_known_bad_length(void)
{
    DISAGREE("\x40\x02\x12\x34" "\xc3\x00\x27\x11", "libcoap rejects");
    DISAGREE("\x40\x02\x12\x34" "\xc3\x00\x27\x11", "known libcoap 4.3.1 difference");
    DISAGREE("\x40\x02\x12\x34" "\xc3\x00\x27\x11", "Content-Format (12) at offset 4 has length 3");
    DISAGREE("\x40\x01\x12\x34" "\xd5\x01" "\x00\x00\x00\x00\x01", "more than 4");   /* Max-Age */
    DISAGREE("\x40\x01\x12\x34" "\x30", "Uri-Host (3)");                             /* empty */
    DISAGREE("\x40\x03\x12\x34" "\x51\x00", "If-None-Match (5)");                    /* value */
    DISAGREE("\x40\x01\x12\x34" "\xd3\x04" "\x00\x00\x01", "Accept (17)");           /* 3 bytes */
}

/* Known difference 2: libcoap rejects a zero-length Uri-Query; RFC 7252 §5.10 allows it. */
static void test_known_empty_query(void)
{
    /* Uri-Query (15): delta 15 -> 13-form, ext 2: D0 02 */
    DISAGREE("\x40\x01\x12\x34" "\xd0\x02", "libcoap rejects");
    DISAGREE("\x40\x01\x12\x34" "\xd0\x02", "empty Uri-Query");
    /* One byte is fine for both. */
    AGREE("\x40\x01\x12\x34" "\xd1\x02" "a", "both accept and agree");
}

/* Known difference 3: a 14-form delta past 65535 wraps in libcoap; ours rejects.
 * E0 FE FF: delta 269 + 0xFEFF = 65548 -> libcoap option 12. */
static void test_known_delta_wrap(void)
{
    DISAGREE("\x40\x01\x12\x34" "\xe0\xfe\xff", "option number 65548 at offset 4 exceeds 65535");
    DISAGREE("\x40\x01\x12\x34" "\xe0\xfe\xff", "modulo 65536");
    /* FF FF (65804) is too much for libcoap as well; 65535 + 1 accumulated too. */
    AGREE("\x40\x01\x12\x34" "\xe0\xff\xff", "both reject");
    AGREE("\x40\x01\x12\x34" "\xe0\xfe\xf2" "\x10", "both reject");
}

/* Known difference 4: RFC 8323 signaling option rules applied to 7.xx over UDP.
 * 7.05 (Abort) = 0xE5; option 2 (Bad-CSM-Option, uint 0..2) of 5 bytes: 25 + 5 bytes. */
static void test_known_signaling(void)
{
    DISAGREE("\x40\xe5\x12\x34" "\x25" "\x01\x02\x03\x04\x05", "RFC 8323 signaling");
    DISAGREE("\x40\xe1\x12\x34" "\x25" "\x01\x02\x03\x04\x05", "reserved code class 7");
    /* ... and RFC 7252's lengths are not checked there: both accept a 3-byte
     * Content-Format under 7.05 (ours with defects). */
    AGREE("\x40\xe5\x12\x34" "\xc3\x01\x02\x03", "both accept");
    /* Under 6.05 the same option is rejected again (difference 1). */
    DISAGREE("\x40\xc5\x12\x34" "\xc3\x01\x02\x03", "out-of-range option length");
}

/* The comparison itself notices a wrong decode on our side. */
static void test_detects_field_mismatch(void)
{
    static const char raw[] = "\x42\x01\x7d\x34" "\x71\x84" "\xbb" "temperature" "\xff" "x";
    const size_t n = sizeof raw - 1;
    cm_msg m;
    cm_defects d;
    char why[300];
    CU_ASSERT_EQUAL_FATAL(cm_decode((const uint8_t *)raw, n, &m, &d), 0);
    m.mid = 0x7d35;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "mid differs"));
    m.mid = 0x7d34;
    m.opts[0].num = 12;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "option #0 differs"));
    m.opts[0].num = 11;
    m.payload[0] = 'y';
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "payload differs"));
    m.payload[0] = 'x';
    m.token[1] = 0;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "token differs"));
    m.token[1] = 0x84;
    m.type = CM_NON;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "type differs"));
    m.type = CM_CON;
    m.code = CM_POST;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "code differs"));
    m.code = CM_GET;
    size_t saved = m.nopts;
    m.nopts = 0;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "libcoap has more options"));
    m.nopts = saved;
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, 0, why, sizeof why), 1);
    /* Ours claiming a rejection of a good message. */
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, n, &m, -1, why, sizeof why), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "ours rejects"));
    cm_msg_free(&m);
    /* A NULL or zero-sized reason buffer is allowed. */
    CU_ASSERT_EQUAL(cm_xcheck((const uint8_t *)raw, 3, &m, -1, NULL, 0), 1);
}

static int init_xcheck(void)
{
    cm_xcheck_init();
    cm_xcheck_init();   /* idempotent */
    return 0;
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("xcheck", init_xcheck, NULL);
    CU_add_test(s, "agree on good messages", test_agree_good);
    CU_add_test(s, "agree on format errors", test_agree_reject);
    CU_add_test(s, "libcoap follows the RFC on empty messages and payload markers",
                test_libcoap_follows_rfc);
    CU_add_test(s, "known difference: out-of-range option length", test_known_bad_length);
    CU_add_test(s, "known difference: empty Uri-Query", test_known_empty_query);
    CU_add_test(s, "known difference: 14-form delta wraps", test_known_delta_wrap);
    CU_add_test(s, "known difference: RFC 8323 signaling rules on UDP", test_known_signaling);
    CU_add_test(s, "detects a field mismatch", test_detects_field_mismatch);
}
