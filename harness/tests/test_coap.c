/* CoAP codec tests. Every expected byte string here is written by hand from RFC 7252 §3
 * (the comments show the arithmetic), never produced by the code under test: the
 * reference peers share this codec, so these vectors are the independent oracle. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/coap.h"
#include "m2m_test.h"

#define VEC(name, lit) static const uint8_t name[] = lit; enum { name##_len = sizeof(lit) - 1 }

/* RFC 7252 style CON GET /temperature, mid 0x7d34, token 71 84.
 * 0x42 = ver 01 | type CON 00 | TKL 0010; 0x01 = 0.01 GET; Uri-Path (11) of 11 bytes:
 * delta 11 and length 11 both fit the nibbles -> 0xBB. */
VEC(get_temperature, "\x42\x01\x7d\x34" "\x71\x84" "\xbb" "temperature");
/* Its piggybacked answer: 0x62 = ver 01 | ACK 10 | TKL 2; 2.05 = 2<<5|5 = 0x45. */
VEC(ack_content, "\x62\x45\x7d\x34" "\x71\x84" "\xff" "22.3 C");
/* The same with Content-Format text/plain (0): option 12, delta 12, zero length -> 0xC0. */
VEC(ack_content_cf, "\x62\x45\x7d\x34" "\x71\x84" "\xc0" "\xff" "22.3 C");
VEC(empty_con, "\x40\x00\x12\x34");
VEC(empty_rst, "\x70\x00\x12\x34");

/* Extended deltas. 13-form: nibble 13, one byte = delta - 13. 14-form: nibble 14, two
 * bytes = delta - 269. */
/* option 13, empty: delta 13 -> 0xD0, ext 13-13 = 0x00 */
VEC(opt13, "\x40\x01\x00\x01" "\xd0\x00");
/* option 268, value 01: delta 268 -> 0xD1, ext 268-13 = 255 = 0xFF (not a payload marker) */
VEC(opt268, "\x40\x01\x00\x01" "\xd1\xff" "\x01");
/* option 269, value 01: delta 269 -> 0xE1, ext 269-269 = 0x0000 */
VEC(opt269, "\x40\x01\x00\x01" "\xe1\x00\x00" "\x01");
/* option 279 (oneM2M-FR) "CAE1": delta 279 -> 0xE4, ext 279-269 = 10 = 0x000A;
 * then 283 (oneM2M-RQI) "r-01": delta 283-279 = 4, length 4 -> 0x44 */
VEC(opt279_283, "\x40\x02\x00\x01" "\xe4\x00\x0a" "CAE1" "\x44" "r-01");
/* option 283 alone, "r1": delta 283 -> 14-form, ext 283-269 = 14 = 0x000E, length 2 */
VEC(opt283, "\x40\x01\x00\x01" "\xe2\x00\x0e" "r1");
/* option 65535, empty: delta 65535 -> ext 65535-269 = 65266 = 0xFEF2 */
VEC(opt65535, "\x40\x01\x00\x01" "\xe0\xfe\xf2");

static void check_bytes(const uint8_t *got, size_t gotlen, const uint8_t *want, size_t wantlen)
{
    CU_ASSERT_EQUAL(gotlen, wantlen);
    if (gotlen == wantlen && memcmp(got, want, wantlen) == 0) {
        CU_PASS("bytes equal");
        return;
    }
    for (size_t i = 0; i < gotlen || i < wantlen; i++) {
        if (i >= gotlen || i >= wantlen || got[i] != want[i]) {
            fprintf(stderr, "\n  first difference at byte %zu\n", i);
            break;
        }
    }
    CU_FAIL("bytes differ");
}

/* Decodes, expects success without defects, re-encodes and expects the same bytes. */
static void roundtrip_clean(const uint8_t *v, size_t n, cm_msg *m)
{
    cm_defects d;
    CU_ASSERT_EQUAL_FATAL(cm_decode(v, n, m, &d), 0);
    CU_ASSERT_EQUAL(d.fatal, 0);
    CU_ASSERT_EQUAL(d.n, 0);
    uint8_t buf[2048];
    size_t len = cm_encode(m, buf, sizeof buf);
    check_bytes(buf, len, v, n);
}

static void test_rfc_get(void)
{
    cm_msg m;
    roundtrip_clean(get_temperature, get_temperature_len, &m);
    CU_ASSERT_EQUAL(m.ver, 1);
    CU_ASSERT_EQUAL(m.type, CM_CON);
    CU_ASSERT_EQUAL(m.code, CM_GET);
    CU_ASSERT_EQUAL(m.mid, 0x7d34);
    CU_ASSERT_EQUAL(m.tkl, 2);
    CU_ASSERT(m.token[0] == 0x71 && m.token[1] == 0x84);
    CU_ASSERT_EQUAL_FATAL(m.nopts, 1);
    CU_ASSERT_EQUAL(m.opts[0].num, CM_OPT_URI_PATH);
    CU_ASSERT_EQUAL(m.opts[0].len, 11);
    CU_ASSERT_NSTRING_EQUAL(m.opts[0].val, "temperature", 11);
    CU_ASSERT_EQUAL(m.plen, 0);
    CU_ASSERT_PTR_NULL(m.payload);
    cm_msg_free(&m);

    /* Built from scratch, the encoder must give the same bytes. */
    cm_msg_init(&m);
    m.type = CM_CON;
    m.code = CM_GET;
    m.mid = 0x7d34;
    m.tkl = 2;
    m.token[0] = 0x71;
    m.token[1] = 0x84;
    cm_msg_add_opt(&m, CM_OPT_URI_PATH, "temperature", 11);
    uint8_t buf[64];
    size_t n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, get_temperature, get_temperature_len);
    cm_msg_free(&m);
}

static void test_rfc_ack(void)
{
    cm_msg m;
    roundtrip_clean(ack_content, ack_content_len, &m);
    CU_ASSERT_EQUAL(m.type, CM_ACK);
    CU_ASSERT_EQUAL(m.code, CM_CODE(2, 5));
    CU_ASSERT_EQUAL(m.nopts, 0);
    CU_ASSERT_EQUAL(m.plen, 6);
    CU_ASSERT_NSTRING_EQUAL(m.payload, "22.3 C", 6);
    cm_msg_free(&m);

    roundtrip_clean(ack_content_cf, ack_content_cf_len, &m);
    CU_ASSERT_EQUAL_FATAL(m.nopts, 1);
    CU_ASSERT_EQUAL(m.opts[0].num, CM_OPT_CONTENT_FORMAT);
    CU_ASSERT_EQUAL(m.opts[0].len, 0);
    CU_ASSERT_EQUAL(cm_opt_uint(&m.opts[0]), 0);
    cm_msg_free(&m);

    cm_msg_init(&m);
    m.type = CM_ACK;
    m.code = CM_CODE(2, 5);
    m.mid = 0x7d34;
    m.tkl = 2;
    m.token[0] = 0x71;
    m.token[1] = 0x84;
    cm_msg_add_uint_opt(&m, CM_OPT_CONTENT_FORMAT, 0);
    cm_msg_set_payload(&m, "22.3 C", 6);
    uint8_t buf[64];
    size_t n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, ack_content_cf, ack_content_cf_len);
    cm_msg_free(&m);
}

static void test_empty(void)
{
    cm_msg m;
    roundtrip_clean(empty_con, empty_con_len, &m);
    CU_ASSERT_EQUAL(m.code, CM_EMPTY);
    CU_ASSERT_EQUAL(m.mid, 0x1234);
    cm_msg_free(&m);
    roundtrip_clean(empty_rst, empty_rst_len, &m);
    CU_ASSERT_EQUAL(m.type, CM_RST);
    cm_msg_free(&m);
}

static void expect_single_opt(const uint8_t *v, size_t n, uint16_t num, uint16_t len)
{
    cm_msg m;
    roundtrip_clean(v, n, &m);
    CU_ASSERT_EQUAL_FATAL(m.nopts, 1);
    CU_ASSERT_EQUAL(m.opts[0].num, num);
    CU_ASSERT_EQUAL(m.opts[0].len, len);
    cm_msg_free(&m);
}

static void test_extended_deltas(void)
{
    expect_single_opt(opt13, opt13_len, 13, 0);
    expect_single_opt(opt268, opt268_len, 268, 1);
    expect_single_opt(opt269, opt269_len, 269, 1);
    expect_single_opt(opt283, opt283_len, 283, 2);
    expect_single_opt(opt65535, opt65535_len, 65535, 0);

    cm_msg m;
    roundtrip_clean(opt279_283, opt279_283_len, &m);
    CU_ASSERT_EQUAL_FATAL(m.nopts, 2);
    CU_ASSERT_EQUAL(m.opts[0].num, 279);
    CU_ASSERT_NSTRING_EQUAL(m.opts[0].val, "CAE1", 4);
    CU_ASSERT_EQUAL(m.opts[1].num, 283);
    CU_ASSERT_NSTRING_EQUAL(m.opts[1].val, "r-01", 4);
    cm_msg_free(&m);
}

/* Builds header 40 01 00 01 + option header + len bytes of 'v'. */
static size_t with_value(uint8_t *buf, const uint8_t *hdr, size_t hlen, size_t vlen)
{
    memcpy(buf, "\x40\x01\x00\x01", 4);
    memcpy(buf + 4, hdr, hlen);
    memset(buf + 4 + hlen, 'v', vlen);
    return 4 + hlen + vlen;
}

static void test_extended_lengths(void)
{
    uint8_t buf[512];
    /* option 2 (unassigned, elective: no length rules), length 13: 0x2D, ext 13-13 = 0 */
    size_t n = with_value(buf, (const uint8_t *)"\x2d\x00", 2, 13);
    expect_single_opt(buf, n, 2, 13);
    /* length 268: 0x2D, ext 255 */
    n = with_value(buf, (const uint8_t *)"\x2d\xff", 2, 268);
    expect_single_opt(buf, n, 2, 268);
    /* length 269: 0x2E, ext 0x0000 */
    n = with_value(buf, (const uint8_t *)"\x2e\x00\x00", 3, 269);
    expect_single_opt(buf, n, 2, 269);
    /* option 13 with length 13: both extended, delta byte first: 0xDD 00 00 */
    n = with_value(buf, (const uint8_t *)"\xdd\x00\x00", 3, 13);
    expect_single_opt(buf, n, 13, 13);
    /* option 300 with length 300: 0xEE, delta 300-269 = 0x001F, length 0x001F */
    n = with_value(buf, (const uint8_t *)"\xee\x00\x1f\x00\x1f", 5, 300);
    expect_single_opt(buf, n, 300, 300);
    /* Uri-Path of 255 bytes (its maximum): 0xBD, ext 255-13 = 242 = 0xF2 */
    n = with_value(buf, (const uint8_t *)"\xbd\xf2", 2, 255);
    expect_single_opt(buf, n, CM_OPT_URI_PATH, 255);
}

/* ---- malformed input ---------------------------------------------------------------- */

static void expect_fatal(const char *raw, size_t n, size_t offset, const char *needle)
{
    cm_msg m;
    cm_defects d;
    int rc = cm_decode((const uint8_t *)raw, n, &m, &d);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(d.fatal, 1);
    CU_ASSERT_EQUAL_FATAL(d.n >= 1, 1);
    const cm_defect *last = &d.d[d.n - 1];
    CU_ASSERT_EQUAL(last->offset, offset);
    if (!strstr(last->reason, needle)) {
        fprintf(stderr, "\n  reason \"%s\" lacks \"%s\"\n", last->reason, needle);
        CU_FAIL("fatal reason");
    }
    /* A failed decode holds no memory. */
    CU_ASSERT_EQUAL(m.nopts, 0);
    CU_ASSERT_PTR_NULL(m.opts);
    CU_ASSERT_PTR_NULL(m.payload);
    cm_msg_free(&m);
}
#define FATAL(lit, off, needle) expect_fatal(lit, sizeof(lit) - 1, off, needle)

static void test_fatal(void)
{
    FATAL("", 0, "shorter than the 4-byte header");
    FATAL("\x40\x01\x12", 0, "3 bytes is shorter");
    FATAL("\x80\x01\x12\x34", 0, "version 2");
    FATAL("\x00\x01\x12\x34", 0, "version 0");
    FATAL("\xc0\x01\x12\x34", 0, "version 3");
    FATAL("\x49\x01\x12\x34" "123456789", 0, "token length 9");
    FATAL("\x4f\x01\x12\x34", 0, "token length 15");
    FATAL("\x42\x01\x12\x34" "\xaa", 4, "token of 2 bytes");
    /* 0xF1: delta nibble 15 but not 0xFF */
    FATAL("\x40\x01\x12\x34" "\xf1\x61", 4,
          "option delta nibble 15 at offset 4 without payload marker");
    /* after a token and an option: 0xB1 'a' is 2 bytes, so the bad byte is at 4+2+2 = 8 */
    FATAL("\x42\x01\x12\x34" "\xaa\xbb" "\xb1\x61" "\xf0", 8, "delta nibble 15 at offset 8");
    FATAL("\x40\x01\x12\x34" "\xbf\x61", 4, "length nibble 15 at offset 4");
    FATAL("\x40\x01\x12\x34" "\xd0", 5, "extended option delta");
    FATAL("\x40\x01\x12\x34" "\xe0\x00", 5, "extended option delta");
    FATAL("\x40\x01\x12\x34" "\x0d", 5, "extended option length");
    FATAL("\x40\x01\x12\x34" "\x0e\x00", 5, "extended option length");
    FATAL("\x40\x01\x12\x34" "\xb3\x61", 4, "value of 3 bytes at offset 5 runs past the end");
    FATAL("\x40\x01\x12\x34" "\xff", 4, "payload marker at offset 4 followed by no payload");
    FATAL("\x40\x01\x12\x34" "\xb1\x61\xff", 6, "followed by no payload");
    FATAL("\x41\x00\x12\x34" "\xaa", 4, "empty message (0.00) with a token");
    FATAL("\x40\x00\x12\x34" "\xb1\x61", 4, "empty message (0.00) with bytes");
    FATAL("\x40\x00\x12\x34" "\xff\x61", 4, "empty message (0.00) with bytes");
    /* 65535 (E0 FE F2) and then delta 1 (0x10) -> 65536 */
    FATAL("\x40\x01\x12\x34" "\xe0\xfe\xf2" "\x10", 7,
          "option number 65536 at offset 7 exceeds 65535");
}

static void expect_defect(const char *raw, size_t n, const char *needle)
{
    cm_msg m;
    cm_defects d;
    CU_ASSERT_EQUAL(cm_decode((const uint8_t *)raw, n, &m, &d), 0);
    CU_ASSERT_EQUAL(d.fatal, 0);
    int found = 0;
    for (size_t i = 0; i < d.n; i++)
        if (strstr(d.d[i].reason, needle)) found = 1;
    if (!found) {
        fprintf(stderr, "\n  no defect with \"%s\" (%zu defects%s%s)\n", needle, d.n,
                d.n ? ", first: " : "", d.n ? d.d[0].reason : "");
        CU_FAIL("defect missing");
    }
    cm_msg_free(&m);
}
#define DEFECT(lit, needle) expect_defect(lit, sizeof(lit) - 1, needle)

static void test_defects(void)
{
    /* Content-Format twice: C0 (delta 12), 00 (delta 0) */
    DEFECT("\x40\x02\x12\x34" "\xc0\x00",
           "repeated non-repeatable option Content-Format (12) at offset 5");
    /* Uri-Host twice: 31 'a' (delta 3, len 1), 01 'b' */
    DEFECT("\x40\x01\x12\x34" "\x31\x61\x01\x62",
           "repeated non-repeatable option Uri-Host (3) at offset 6");
    /* Uri-Port twice: 71 01, 01 02 */
    DEFECT("\x40\x01\x12\x34" "\x71\x01\x01\x02", "Uri-Port (7)");
    /* Max-Age twice: D1 01 3C (delta 13+1 = 14), 01 3C */
    DEFECT("\x40\x01\x12\x34" "\xd1\x01\x3c\x01\x3c", "Max-Age (14) at offset 7");
    /* Accept twice: D1 04 32 (delta 13+4 = 17), 01 32 */
    DEFECT("\x40\x01\x12\x34" "\xd1\x04\x32\x01\x32", "Accept (17)");
    /* Max-Age of 5 bytes: D5 01 + 5 bytes */
    DEFECT("\x40\x01\x12\x34" "\xd5\x01" "\x00\x00\x00\x00\x01",
           "uint option Max-Age (14) at offset 4 has 5 bytes, more than 4");
    /* Content-Format of 3 bytes */
    DEFECT("\x40\x02\x12\x34" "\xc3\x00\x27\x11",
           "Content-Format (12) at offset 4 has length 3 outside 0..2");
    /* Uri-Host of 0 bytes */
    DEFECT("\x40\x01\x12\x34" "\x30", "Uri-Host (3) at offset 4 has length 0 outside 1..255");
    /* If-None-Match with a value */
    DEFECT("\x40\x03\x12\x34" "\x51\x00",
           "If-None-Match (5) at offset 4 has length 1 outside 0..0");
    /* reserved code classes: 1.00 = 0x20, 6.00 = 0xC0, 7.00 = 0xE0 */
    DEFECT("\x40\x20\x12\x34", "reserved code class 1 (1.00) at offset 1");
    DEFECT("\x40\xc0\x12\x34", "reserved code class 6");
    DEFECT("\x40\xe5\x12\x34", "reserved code class 7 (7.05)");
    DEFECT("\x40\x60\x12\x34", "unassigned code class 3");
    /* type/code combinations of RFC 7252 §4.2/§4.3 */
    DEFECT("\x50\x00\x12\x34", "NON message with code 0.00");
    DEFECT("\x60\x01\x12\x34", "ACK carrying a request");
    DEFECT("\x70\x45\x12\x34", "RST message with code 2.05");
}

static void test_defects_bounded(void)
{
    /* 20 Content-Format options: 19 repeats, 16 recorded, 3 counted as omitted. */
    uint8_t buf[64] = {0x40, 0x02, 0x12, 0x34, 0xc0};
    memset(buf + 5, 0x00, 19);
    cm_msg m;
    cm_defects d;
    CU_ASSERT_EQUAL(cm_decode(buf, 24, &m, &d), 0);
    CU_ASSERT_EQUAL(m.nopts, 20);
    CU_ASSERT_EQUAL(d.n, CM_MAX_DEFECTS);
    CU_ASSERT_EQUAL(d.omitted, 3);
    cm_msg_free(&m);
    /* A fatal error after a full list still shows up, as the last entry. */
    buf[24] = 0xF1;
    CU_ASSERT_EQUAL(cm_decode(buf, 25, &m, &d), -1);
    CU_ASSERT_EQUAL(d.n, CM_MAX_DEFECTS);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.d[CM_MAX_DEFECTS - 1].reason, "delta nibble 15 at offset 24"));
    cm_msg_free(&m);
}

/* ---- encoder ------------------------------------------------------------------------ */

static void test_encoder_edges(void)
{
    cm_msg m;
    cm_msg_init(&m);
    m.code = CM_GET;
    m.mid = 0x0001;
    uint8_t buf[64];
    /* Options in the order given: 11 then 3 needs a negative delta: impossible. */
    m.opts = calloc(2, sizeof *m.opts);
    m.nopts = 2;
    m.opts[0].num = 11;
    m.opts[1].num = 3;
    CU_ASSERT_EQUAL(cm_encode(&m, buf, sizeof buf), 0);
    /* Repeated numbers are a zero delta: fine. */
    m.opts[1].num = 11;
    size_t n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, (const uint8_t *)"\x40\x01\x00\x01" "\xb0" "\x00", 6);
    cm_msg_free(&m);

    /* Short buffer: 0. Exactly enough: the length. */
    cm_msg_init(&m);
    m.code = CM_POST;
    cm_msg_set_payload(&m, "ab", 2);
    CU_ASSERT_EQUAL(cm_encode(&m, buf, 6), 0);
    n = cm_encode(&m, buf, 7);
    check_bytes(buf, n, (const uint8_t *)"\x40\x02\x00\x00" "\xff" "ab", 7);
    /* No payload: no marker. */
    cm_msg_set_payload(&m, NULL, 0);
    n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, (const uint8_t *)"\x40\x02\x00\x00", 4);
    /* Deliberate format errors: version 2, TKL 9 (no token bytes follow). */
    m.ver = 2;
    n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, (const uint8_t *)"\x80\x02\x00\x00", 4);
    m.ver = 1;
    m.tkl = 9;
    n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, (const uint8_t *)"\x49\x02\x00\x00", 4);
    m.tkl = 16;
    CU_ASSERT_EQUAL(cm_encode(&m, buf, sizeof buf), 0);
    cm_msg_free(&m);

    /* A zeroed struct encodes as version 1. */
    memset(&m, 0, sizeof m);
    n = cm_encode(&m, buf, sizeof buf);
    check_bytes(buf, n, (const uint8_t *)"\x40\x00\x00\x00", 4);
}

static void test_option_helpers(void)
{
    cm_msg m;
    cm_msg_init(&m);
    cm_msg_add_opt(&m, 283, "b", 1);
    cm_msg_add_opt(&m, 11, "x", 1);
    cm_msg_add_opt(&m, 283, "c", 1);
    cm_msg_add_opt(&m, 11, "y", 1);
    cm_msg_add_uint_opt(&m, 12, 10001);   /* 0x2711 */
    cm_msg_add_uint_opt(&m, 14, 0);       /* zero is zero bytes */
    cm_msg_add_uint_opt(&m, 60, 0x01000000);
    CU_ASSERT_EQUAL_FATAL(m.nopts, 7);
    const uint16_t order[] = {11, 11, 12, 14, 60, 283, 283};
    for (size_t i = 0; i < 7; i++) CU_ASSERT_EQUAL(m.opts[i].num, order[i]);
    CU_ASSERT_EQUAL(m.opts[0].val[0], 'x');   /* stable for equal numbers */
    CU_ASSERT_EQUAL(m.opts[1].val[0], 'y');
    CU_ASSERT_EQUAL(m.opts[5].val[0], 'b');
    CU_ASSERT_EQUAL(m.opts[2].len, 2);
    CU_ASSERT(m.opts[2].val[0] == 0x27 && m.opts[2].val[1] == 0x11);
    CU_ASSERT_EQUAL(m.opts[3].len, 0);
    CU_ASSERT_EQUAL(m.opts[4].len, 4);
    CU_ASSERT_EQUAL(cm_opt_uint(&m.opts[2]), 10001);
    CU_ASSERT_EQUAL(cm_opt_uint(&m.opts[4]), 0x01000000);
    CU_ASSERT_PTR_EQUAL(cm_msg_find_opt(&m, 283, 1), &m.opts[6]);
    CU_ASSERT_PTR_NULL(cm_msg_find_opt(&m, 283, 2));
    CU_ASSERT_PTR_NULL(cm_msg_find_opt(&m, 3, 0));
    uint8_t five[5] = {1, 2, 3, 4, 5};
    cm_option big = {.num = 14, .len = 5, .val = five};
    CU_ASSERT_EQUAL(cm_opt_uint(&big), UINT32_MAX);
    cm_msg_free(&m);
    CU_ASSERT_EQUAL(m.nopts, 0);
}

static void test_names(void)
{
    char b[8];
    cm_code_str(CM_CODE(2, 5), b);
    CU_ASSERT_STRING_EQUAL(b, "2.05");
    cm_code_str(CM_CODE(4, 15), b);
    CU_ASSERT_STRING_EQUAL(b, "4.15");
    cm_code_str(CM_POST, b);
    CU_ASSERT_STRING_EQUAL(b, "0.02");
    cm_code_str(0xFF, b);
    CU_ASSERT_STRING_EQUAL(b, "7.31");
    CU_ASSERT_EQUAL(cm_code_parse("2.01"), 0x41);
    CU_ASSERT_EQUAL(cm_code_parse("4.03"), 0x83);
    CU_ASSERT_EQUAL(cm_code_parse("0.00"), 0);
    CU_ASSERT_EQUAL(cm_code_parse("7.31"), 0xFF);
    CU_ASSERT_EQUAL(cm_code_parse("post"), 0x02);
    CU_ASSERT_EQUAL(cm_code_parse("GET"), 0x01);
    CU_ASSERT_EQUAL(cm_code_parse("8.00"), -1);
    CU_ASSERT_EQUAL(cm_code_parse("2.32"), -1);
    CU_ASSERT_EQUAL(cm_code_parse("2.1"), -1);
    CU_ASSERT_EQUAL(cm_code_parse("2.010"), -1);
    CU_ASSERT_EQUAL(cm_code_parse(""), -1);
    CU_ASSERT_EQUAL(cm_code_parse(NULL), -1);
    CU_ASSERT_STRING_EQUAL(cm_type_name(CM_CON), "CON");
    CU_ASSERT_STRING_EQUAL(cm_type_name(CM_NON), "NON");
    CU_ASSERT_STRING_EQUAL(cm_type_name(CM_ACK), "ACK");
    CU_ASSERT_STRING_EQUAL(cm_type_name(CM_RST), "RST");
    CU_ASSERT_STRING_EQUAL(cm_type_name(4), "?");
    CU_ASSERT_STRING_EQUAL(cm_opt_name(11), "Uri-Path");
    CU_ASSERT_PTR_NULL(cm_opt_name(279));
    CU_ASSERT_STRING_EQUAL(cm_method_name(CM_DELETE), "DELETE");
    CU_ASSERT_PTR_NULL(cm_method_name(CM_CODE(2, 1)));
}

static void test_describe(void)
{
    cm_msg m;
    cm_defects d;
    char buf[128];
    CU_ASSERT_EQUAL_FATAL(cm_decode(get_temperature, get_temperature_len, &m, &d), 0);
    cm_msg_describe(&m, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "CON GET mid=0x7d34 tok=7184 opts=11");
    cm_msg_free(&m);
    CU_ASSERT_EQUAL_FATAL(cm_decode(ack_content_cf, ack_content_cf_len, &m, &d), 0);
    cm_msg_describe(&m, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "ACK 2.05 mid=0x7d34 tok=7184 opts=12 plen=6");
    cm_msg_describe(&m, buf, 10);   /* truncates, stays terminated */
    CU_ASSERT_STRING_EQUAL(buf, "ACK 2.05 ");
    cm_msg_free(&m);
    CU_ASSERT_EQUAL_FATAL(cm_decode(empty_con, empty_con_len, &m, &d), 0);
    cm_msg_describe(&m, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "CON EMPTY mid=0x1234");
    cm_msg_free(&m);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("coap", NULL, NULL);
    CU_add_test(s, "RFC 7252 CON GET /temperature", test_rfc_get);
    CU_add_test(s, "RFC 7252 ACK 2.05 piggybacked", test_rfc_ack);
    CU_add_test(s, "empty CON and RST", test_empty);
    CU_add_test(s, "extended option deltas (13/14 forms)", test_extended_deltas);
    CU_add_test(s, "extended option lengths (13/14 forms)", test_extended_lengths);
    CU_add_test(s, "fatal format errors", test_fatal);
    CU_add_test(s, "non-fatal defects", test_defects);
    CU_add_test(s, "defect list is bounded", test_defects_bounded);
    CU_add_test(s, "encoder edges and deliberate errors", test_encoder_edges);
    CU_add_test(s, "option helpers", test_option_helpers);
    CU_add_test(s, "code and type names", test_names);
    CU_add_test(s, "one-line description", test_describe);
}
