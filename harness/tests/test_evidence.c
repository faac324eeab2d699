/* The evidence that an IUT speaks DTLS on a coaps port (net/dgram_class.c, a strict reading
 * of a datagram) and the words the executor's inconclusive verdicts take from the timeline
 * (exec/evidence.c): a first-byte test or "any datagram" must not count as DTLS. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net/dgram_class.h"
#include "exec/evidence.h"
#include "m2m_test.h"

/* A HelloVerifyRequest as GnuTLS sends it: record header (22, 254.255, epoch 0, seq 0, length
 * 35) and the handshake (type 3, length 23, seq 0, fragment 0/23, server_version 254.255,
 * cookie length 20). */
static const uint8_t hvr[] = {
    22, 254, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 35,
    3, 0, 0, 23, 0, 0, 0, 0, 0, 0, 0, 23, 254, 255, 20,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
};

static void test_classify(void)
{
    dgram_class c;
    CU_ASSERT_EQUAL(dgram_classify(hvr, sizeof hvr, &c), DGRAM_DTLS);
    CU_ASSERT_STRING_EQUAL(c.type, "handshake");
    CU_ASSERT_STRING_EQUAL(c.hs, "hello_verify_request");
    CU_ASSERT_STRING_EQUAL(c.version, "DTLS1.0");
    CU_ASSERT_EQUAL(c.records, 1);
    /* a ClientHello header with DTLS 1.2 */
    uint8_t ch[sizeof hvr];
    memcpy(ch, hvr, sizeof ch);
    ch[2] = 253;
    ch[13] = 1;
    CU_ASSERT_EQUAL(dgram_classify(ch, sizeof ch, &c), DGRAM_DTLS);
    CU_ASSERT_STRING_EQUAL(c.hs, "client_hello");
    CU_ASSERT_STRING_EQUAL(c.version, "DTLS1.2");
    /* two records: an alert after it; the alert's name is read */
    uint8_t two[sizeof hvr + 15];
    memcpy(two, hvr, sizeof hvr);
    const uint8_t alert[] = { 21, 254, 253, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 2, 115 };
    memcpy(two + sizeof hvr, alert, sizeof alert);
    CU_ASSERT_EQUAL(dgram_classify(two, sizeof two, &c), DGRAM_DTLS);
    CU_ASSERT_EQUAL(c.records, 2);
    CU_ASSERT_STRING_EQUAL(c.alert, "unknown_psk_identity");
    /* an encrypted handshake record (epoch 1): its type is not readable */
    uint8_t enc[] = { 22, 254, 253, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc };
    CU_ASSERT_EQUAL(dgram_classify(enc, sizeof enc, &c), DGRAM_DTLS);
    CU_ASSERT_STRING_EQUAL(c.hs, "encrypted");
    /* what is not DTLS though it starts like it: every byte must belong to a record */
    uint8_t bad[sizeof hvr + 1];
    memcpy(bad, hvr, sizeof hvr);
    bad[sizeof hvr] = 0;                                           /* a trailing byte */
    CU_ASSERT_EQUAL(dgram_classify(bad, sizeof bad, &c), DGRAM_GARBAGE);
    memcpy(bad, hvr, sizeof hvr);
    bad[2] = 254;                                                  /* version 254.254 */
    CU_ASSERT_EQUAL(dgram_classify(bad, sizeof hvr, &c), DGRAM_GARBAGE);
    bad[2] = 255;
    bad[12] = 36;                                                  /* length past the end */
    CU_ASSERT_EQUAL(dgram_classify(bad, sizeof hvr, &c), DGRAM_GARBAGE);
    bad[12] = 35;
    bad[13] = 99;                                                  /* no such handshake type */
    CU_ASSERT_EQUAL(dgram_classify(bad, sizeof hvr, &c), DGRAM_GARBAGE);
    bad[0] = 24;                                                   /* heartbeat: not 20..23 */
    bad[13] = 3;
    CU_ASSERT_EQUAL(dgram_classify(bad, sizeof hvr, &c), DGRAM_GARBAGE);
    const uint8_t first_byte_only[] = { 22, 254, 253, 0 };
    CU_ASSERT_EQUAL(dgram_classify(first_byte_only, sizeof first_byte_only, &c), DGRAM_GARBAGE);
    /* CoAP: an RST (empty, 4 bytes), a CON POST with a token */
    const uint8_t rst[] = { 0x70, 0x00, 0x12, 0x34 };
    CU_ASSERT_EQUAL(dgram_classify(rst, sizeof rst, &c), DGRAM_COAP);
    CU_ASSERT_STRING_EQUAL(c.what, "coap-rst");
    const uint8_t con[] = { 0x42, 0x02, 0x00, 0x01, 0xab, 0xcd };
    CU_ASSERT_EQUAL(dgram_classify(con, sizeof con, &c), DGRAM_COAP);
    CU_ASSERT_STRING_EQUAL(c.what, "coap");
    CU_ASSERT_STRING_EQUAL(c.coap_type, "CON");
    CU_ASSERT_STRING_EQUAL(c.code, "0.02");
    const uint8_t cut_token[] = { 0x48, 0x02, 0x00, 0x01, 0xab };   /* TKL 8, one byte of it */
    CU_ASSERT_EQUAL(dgram_classify(cut_token, sizeof cut_token, &c), DGRAM_GARBAGE);
    CU_ASSERT_EQUAL(dgram_classify(NULL, 0, &c), DGRAM_GARBAGE);
}

static void test_evidence_words(void)
{
    timeline tl;
    timeline_init(&tl);
    char buf[300];
    /* nothing at all */
    evidence_no_dtls(&tl, 0, tl.n, 4000000000LL, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "no datagram from the IUT within 4 s: cannot tell a refusal from an IUT that does not speak DTLS");
    CU_ASSERT_FALSE(evidence_dtls(&tl, 0, tl.n, 0));
    /* an ICMP port unreachable, with its delay */
    timeline_add(&tl, "net.unreachable", "127.0.0.1:5684", "reason", "ICMP port unreachable", "after_ms", "0.4", (char *)NULL);
    evidence_no_dtls(&tl, 0, tl.n, 4000000000LL, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "nothing listens on the coaps port: ICMP port unreachable 0.4 ms after the harness's datagram");
    /* a CoAP RST is named first */
    timeline_add(&tl, "net.notdtls", "127.0.0.1:5684", "side", "client", "sa", "1", "what", "coap-rst", "type", "RST",
                 "code", "0.00", (char *)NULL);
    evidence_no_dtls(&tl, 0, tl.n, 4000000000LL, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "the coaps port answered with a CoAP RST: it does not speak DTLS");
    /* a device's plain CoAP to the harness's coaps port */
    timeline tl2;
    timeline_init(&tl2);
    timeline_add(&tl2, "net.notdtls", "127.0.0.1:40000", "side", "server", "what", "coap", "type", "CON", "code", "0.02", (char *)NULL);
    evidence_no_dtls(&tl2, 0, tl2.n, 1, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "the IUT sent a CoAP CON 0.02 to the harness's coaps port: it does not speak DTLS");
    /* dtls.rx: on the association asked for, or any */
    timeline_add(&tl, "dtls.rx", "127.0.0.1:5684", "side", "client", "sa", "2", "type", "handshake", (char *)NULL);
    CU_ASSERT_TRUE(evidence_dtls(&tl, 0, tl.n, 0));
    CU_ASSERT_TRUE(evidence_dtls(&tl, 0, tl.n, 2));
    CU_ASSERT_FALSE(evidence_dtls(&tl, 0, tl.n, 1));
    CU_ASSERT_FALSE(evidence_dtls(&tl, tl.n, tl.n, 0));   /* not in the window */
    CU_ASSERT_FALSE(evidence_secure_message(&tl, tl.n));
    timeline_add(&tl, "msg.rx", "127.0.0.1:5684", "secure", "true", (char *)NULL);
    CU_ASSERT_TRUE(evidence_secure_message(&tl, tl.n));
    /* a failure message shows what the event carried */
    tl_event *e = timeline_add(&tl, "msg.rx", "127.0.0.1:5684", "secure", "true", "type", "ACK", "code", "4.03", "rsc", "4103",
                               "rqi", "q-1", "pc", "{}", (char *)NULL);
    evidence_describe(e, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "msg.rx #"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(type=ACK, code=4.03, rsc=4103, rqi=q-1, secure=true)"));
    CU_ASSERT_PTR_NULL(strstr(buf, "pc="));
    timeline_free(&tl);
    timeline_free(&tl2);
}

/* Silence to a request counts only with proof that the IUT answers requests of its shape. */
static void test_requests(void)
{
    timeline tl;
    timeline_init(&tl);
    CU_ASSERT_EQUAL(evidence_last_request(&tl, tl.n), -1);
    timeline_add(&tl, "msg.tx", "127.0.0.1:5683", "secure", "false", "type", "CON", "token", "aa", "op", "create", "ty", "16",
                 "to", "/in-cse/in-name", "rqi", "plain-1", "cf", "10001", (char *)NULL);
    CU_ASSERT_EQUAL(evidence_last_request(&tl, tl.n), 0);
    CU_ASSERT_FALSE(evidence_answered(&tl, 0, tl.n));
    CU_ASSERT_FALSE(evidence_shape_answered(&tl, 0, tl.n));
    /* a request of another format, answered: no proof for 10001 */
    timeline_add(&tl, "msg.tx", "127.0.0.1:5684", "secure", "true", "token", "bb", "op", "create", "rqi", "j-1", "cf", "50", (char *)NULL);
    timeline_add(&tl, "msg.rx", "127.0.0.1:5684", "secure", "true", "type", "ACK", "token", "bb", "rsc", "2001", (char *)NULL);
    CU_ASSERT_TRUE(evidence_answered(&tl, 1, tl.n));
    CU_ASSERT_FALSE(evidence_shape_answered(&tl, 0, tl.n));
    CU_ASSERT_TRUE(evidence_shape_answered(&tl, 1, tl.n));
    /* a request of its own from the IUT with the same token is no answer */
    timeline_add(&tl, "msg.rx", "127.0.0.1:5684", "secure", "true", "type", "CON", "token", "aa", "op", "notify", (char *)NULL);
    CU_ASSERT_FALSE(evidence_answered(&tl, 0, tl.n));
    /* the same format answered (by rqi): proof */
    timeline_add(&tl, "msg.tx", "127.0.0.1:5684", "secure", "true", "token", "cc", "op", "create", "rqi", "reg-1", "cf", "10001", (char *)NULL);
    timeline_add(&tl, "msg.rx", "127.0.0.1:5684", "secure", "true", "type", "CON", "token", "dd", "rqi", "reg-1", "rsc", "2001", (char *)NULL);
    CU_ASSERT_TRUE(evidence_shape_answered(&tl, 0, tl.n));
    CU_ASSERT_EQUAL(evidence_last_request(&tl, tl.n), 4);
    /* a response the harness rejects, or one it cannot decode, is an answer all the same */
    timeline_add(&tl, "msg.tx", "127.0.0.1:5684", "secure", "true", "token", "ee", "op", "retrieve", "rqi", "r-2", (char *)NULL);
    timeline_add(&tl, "msg.rx", "127.0.0.1:5684", "secure", "true", "type", "ACK", "token", "ee",
                 "rejected", "unrecognized critical option 257 in a response (RFC 7252 5.4.1)", (char *)NULL);
    CU_ASSERT_TRUE(evidence_answered(&tl, 6, tl.n));
    timeline_add(&tl, "msg.tx", "127.0.0.1:5684", "secure", "true", "token", "ff", "op", "retrieve", "rqi", "r-3", (char *)NULL);
    CU_ASSERT_FALSE(evidence_answered(&tl, 8, tl.n));
    timeline_add(&tl, "msg.rx.malformed", "127.0.0.1:5684", "secure", "true", "fatal", "true", "reason", "truncated", (char *)NULL);
    CU_ASSERT_TRUE(evidence_answered(&tl, 8, tl.n));
    char buf[400];
    evidence_request_describe(&tl.ev[0], buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "CREATE ty=16 to /in-cse/in-name rqi=plain-1, Content-Format 10001, over plain CoAP"));
    timeline_free(&tl);
}

/* The IUT's output: its error lines, not a runtime's trailer. */
static void test_error_lines(void)
{
    char path[] = "/tmp/m2m-evidence-XXXXXX", buf[400];
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("listening on 5684\nTypeError: Cannot read properties of undefined (reading 'rqi')\n"
          "    at handle (/srv/cse.js:12:3)\n\nNode.js v20.11.1\n", f);
    fclose(f);
    evidence_error_lines(path, 3, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "TypeError: Cannot read properties of undefined (reading 'rqi')");
    f = fopen(path, "w");
    fputs("starting\ncannot bind 5684\nNode.js v20.11.1\n", f);
    fclose(f);
    evidence_error_lines(path, 3, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "cannot bind 5684");
    f = fopen(path, "w");
    fputs("error one\nok\nerror two\nFATAL three\nerror four\n", f);
    fclose(f);
    evidence_error_lines(path, 3, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "error two | FATAL three | error four");
    unlink(path);
    evidence_error_lines(path, 3, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "");
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("evidence", NULL, NULL);
    CU_add_test(s, "a datagram is DTLS only by a strict reading", test_classify);
    CU_add_test(s, "what the timeline says instead of DTLS", test_evidence_words);
    CU_add_test(s, "requests, their answers and their shape", test_requests);
    CU_add_test(s, "the IUT's error lines, not its trailer", test_error_lines);
}
