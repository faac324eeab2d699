/* The KpsaID form (TS-0003 §10.5) judged on sae.done (R-SAE-11), and the duplicate
 * detector behind msg.rx dup=identical|different (R-BIND-05, exec/rxdup.h). */
#include <CUnit/CUnit.h>
#include <string.h>
#include "exec/rxdup.h"
#include "net/kpsaid.h"
#include "m2m_test.h"

static int ok(const char *s) { return kpsaid_valid(s, s ? strlen(s) : 0); }

static void test_kpsaid_forms(void)
{
    CU_ASSERT_TRUE(ok("asn-cse-1@in.m2m-harness.test"));
    CU_ASSERT_TRUE(ok("test@onem2m.com"));                       /* TS-0013 TD_M2M_SE_01 */
    CU_ASSERT_TRUE(ok("0123456789abcdef0123456789abcdef@mef.example"));   /* a KeID */
    CU_ASSERT_TRUE(ok("a.b_c-d@host"));
    CU_ASSERT_FALSE(ok("asn-cse-1"));                            /* bare: no issuer */
    CU_ASSERT_FALSE(ok("@in.example"));                          /* no relative part */
    CU_ASSERT_FALSE(ok("x@"));                                   /* no FQDN */
    CU_ASSERT_FALSE(ok("x@a..b"));                               /* empty label */
    CU_ASSERT_FALSE(ok("x@a.b."));
    CU_ASSERT_FALSE(ok("x@-a.b"));                               /* label starts with '-' */
    CU_ASSERT_FALSE(ok("x@a-.b"));
    CU_ASSERT_FALSE(ok("x y@a.b"));                              /* space in the relative part */
    CU_ASSERT_FALSE(ok("x@y@a.b"));                              /* two '@' */
    CU_ASSERT_FALSE(ok("x@a_b.c"));                              /* '_' is not a host-name character */
    CU_ASSERT_FALSE(ok(""));
    CU_ASSERT_FALSE(kpsaid_valid(NULL, 0));
    /* only len bytes count */
    CU_ASSERT_TRUE(kpsaid_valid("ab@host.x trailing", 9));
    CU_ASSERT_FALSE(kpsaid_valid("ab@host.x", 3));
    char label[80];
    memset(label, 'a', sizeof label);
    char id[100] = "x@";
    memcpy(id + 2, label, 63);
    id[65] = '\0';
    CU_ASSERT_TRUE(ok(id));                                      /* a 63-character label */
    memcpy(id + 2, label, 64);
    id[66] = '\0';
    CU_ASSERT_FALSE(ok(id));                                     /* 64 is too long */
}

static void test_rxdup(void)
{
    rxdup *r = rxdup_new();
    const uint8_t a[] = { 0x60, 0x41, 0x12, 0x34, 0xaa }, b[] = { 0x60, 0x41, 0x12, 0x34, 0xbb };
    CU_ASSERT_PTR_NULL(rxdup_note(r, "p:1", 2, 0x1234, a, sizeof a));          /* first */
    CU_ASSERT_STRING_EQUAL(rxdup_note(r, "p:1", 2, 0x1234, a, sizeof a), "identical");
    CU_ASSERT_STRING_EQUAL(rxdup_note(r, "p:1", 2, 0x1234, b, sizeof b), "different");
    CU_ASSERT_STRING_EQUAL(rxdup_note(r, "p:1", 2, 0x1234, a, 4), "different");   /* shorter */
    CU_ASSERT_PTR_NULL(rxdup_note(r, "p:2", 2, 0x1234, b, sizeof b));          /* another peer */
    CU_ASSERT_PTR_NULL(rxdup_note(r, "p:1", 0, 0x1234, b, sizeof b));          /* another type */
    CU_ASSERT_PTR_NULL(rxdup_note(r, "p:1", 2, 0x1235, b, sizeof b));          /* another mid */
    /* old entries make room: after many others the first is forgotten */
    for (uint16_t m = 0; m < 100; m++) rxdup_note(r, "p:3", 2, m, a, sizeof a);
    CU_ASSERT_PTR_NULL(rxdup_note(r, "p:1", 2, 0x1234, a, sizeof a));
    rxdup_free(r);
    rxdup_free(NULL);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("kpsaid", NULL, NULL);
    CU_add_test(s, "KpsaID forms", test_kpsaid_forms);
    CU_add_test(s, "duplicate detector", test_rxdup);
}
