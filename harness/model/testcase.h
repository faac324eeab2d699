/* A test case as loaded from testcases/<area>/<ID>.xml, after validation
 * against testcases/schema/testcase.xsd. Values keep their ${VAR} references; they are
 * substituted at execution time (captures are only known then), but every reference is
 * checked before anything runs (vars.h). */
#ifndef M2M_TESTCASE_H
#define M2M_TESTCASE_H
#include "window.h"
#include <stddef.h>
#include <stdint.h>
#include "../flow/order.h"
#include "../flow/verdict.h"
#include "../util/diag.h"
#include "../util/kvlist.h"

/* What the harness answers to a matched request (overrides the registrar's answer). */
typedef struct tc_respond {
    int present;
    int rsc;            /* oneM2M response status code; 0 = the registrar's answer (with carry) */
    char *content;      /* JSON text for pc, may hold ${VAR}; NULL = none */
    int separate_twice; /* carry="separate-twice": an empty ACK, then the response in a CON of
                         * its own sent twice, as a retransmission whose ACK was lost */
} tc_respond;

typedef enum { ALT_MSG, ALT_EVENT, ALT_SILENCE } tc_alt_kind;

/* One alternative of an <expect>; the first alternative that matches ends the step.
 * on_match says what matching it means: pass (the default), or fail/inconc with reason
 * (an inverse template, as TTCN-3 alt branches). ALT_SILENCE matches when the step's
 * window ends with no other alternative matched. */
struct xml_origin;

/* Where a step or alternative was written: line is in the test case's file (for one that a
 * fragment brought in, the line of the <include>); src, when not NULL, is the fragment and
 * src_line the line in it (xmlload.h: xml_diag names both). */
typedef struct tc_alt {
    tc_alt_kind kind;
    int line;
    const struct xml_origin *src;
    int src_line;
    /* ALT_MSG: fields that must match. Keys: dir (rx|tx, default rx), op, ty, fr, to, rqi,
     * rsc, rvi, secure (true|false), type (CON|NON|ACK|RST), code ("2.01"), and content
     * paths "pc:m2m:csr/csi". Values may hold ${VAR}. */
    kvlist match;
    kvlist capture;     /* VAR -> field name (same names as match), set on match */
    kvlist shape;       /* VAR -> "last", "swapped" or "last swapped": the captured value cut
                           to its part after the last '/', its letters' case swapped */
    tc_respond respond;
    char *event;        /* ALT_EVENT: event selector text, e.g. "sae.fail" */
    verdict on_match;   /* VERDICT_PASS unless the file says otherwise */
    char *reason;       /* for on_match != pass */
} tc_alt;

/* STEP_CLOSE: the harness ends the IUT's security associations (close_notify), as when the
 * registrar restarts: the IUT must run SAE again before its next primitive. */
/* STEP_REVERSE: the harness opens a reverse association SA2 toward the IUT's point of
 * access (TS-0003 §8.2.1), with SA1's credentials; the step passes when it is established. */
/* STEP_ASSOC (role field): the harness opens its own association toward the IUT as DTLS
 * client with the test's <harness> choices; like STEP_REVERSE it expects established or refused. */
/* STEP_LINK: link control (net/link.h): attributes state, loss, seed, drop, duplicate in `net`.
 * STEP_DROP_STATE: the harness forgets its associations silently, as after a crash. */
typedef enum { STEP_SEND, STEP_EXPECT, STEP_AWAIT, STEP_TRIGGER, STEP_WAIT, STEP_CLOSE, STEP_REVERSE, STEP_ASSOC,
               STEP_LINK, STEP_DROP_STATE } tc_step_kind;

typedef struct tc_step {
    tc_step_kind kind;
    int line;
    const struct xml_origin *src;
    int src_line;
    /* EXPECT/AWAIT/REVERSE: window ("within"); WAIT: duration; TRIGGER: hook timeout. A window
     * may follow a profile timer: the window is then that timer plus timeout_ns (window.h). */
    int64_t timeout_ns;
    tc_timer timer, timer2;
    /* SEND: a request primitive to send: op, to, fr, ty, rqi, rvi, secure, content (JSON) */
    kvlist send;
    /* EXPECT */
    tc_alt *alts;
    size_t nalts;
    /* AWAIT: one event selector that must be recorded within timeout_ns */
    char *event;
    /* TRIGGER: the profile's named trigger ("start", "reset", "register", ...) */
    char *trigger;
    /* REVERSE: the IUT's point of access, "coaps://address:port", may hold ${VAR} */
    char *poa;
    /* REVERSE, ASSOC: expect="refused": the step passes when the IUT does not let the association
     * complete within the window (an alert, or silence), fails when it does */
    int expect_refused;
    /* ASSOC: credential="second": the profile's second registree credential (profile_creds.h)
     * instead of the harness's own */
    int second_registree;
    /* ASSOC with <mef at="iut">: enrol="again" discards the harness's enrolment first, so it
     * enrols with the IUT's MEF anew; by default (reuse) a finished enrolment's KeID is kept */
    int enrol_again;
    kvlist net;         /* LINK: the <link> attributes as written */
    /* ASSOC: credential="profile": the profile's own credential, suites and versions without
     * the test's <harness> variations: the positive control of a refused handshake */
    int cred_profile;
    /* Inside <check> (only in <steps>): the step is what the test checks. Only a check fails
     * the test; any other step that does not work makes it inconc (it only sets the stage). */
    int in_check;
    /* <check without-dtls="fail" reason="...">: when the IUT has shown no DTLS at all and this
     * check needs it, the test fails with this reason (the requirement is that it does SAE);
     * by default it is inconc (the check cannot be judged). */
    int check_without_dtls_fail;
    char *check_reason;
    /* control="dtls handshake message": the evidence a negative step (a refusal or silence
     * that passes) needs before its pass counts (TC_CONTROL_* bits); 0 = none given */
    unsigned control;
    /* SEND, EXPECT: mode="secure|plain-coap": the step runs only outside, or only in, the
     * plain-CoAP run mode (TC_MODE_*; 0 = in both) */
    int run_mode;
} tc_step;

enum { TC_MODE_ANY = 0, TC_MODE_SECURE, TC_MODE_PLAIN_COAP };

/* The positive controls of a negative step (control="..."):
 *   dtls       a DTLS record from the IUT (strictly parsed: dtls.rx), on the association the
 *              step opened when it opens one, else anywhere in the test up to the step's end;
 *   handshake  (role field) an association with an unaltered credential completed in the same
 *              test, before or after the step (<open-association credential="profile">);
 *   message    a CoAP message from the IUT inside a security association before the step's end. */
enum { TC_CONTROL_DTLS = 1, TC_CONTROL_HANDSHAKE = 2, TC_CONTROL_MESSAGE = 4 };
/* 1 when the step can pass because the IUT refused or stayed silent: an association expected
 * refused, or an <expect> with a passing <silence> or refusal event (sae.fail, sae.closed,
 * sae.cert_rejected, iut.exit, prov.fail, net.unreachable). */
int tc_step_negative(const struct tc_step *s);
/* 1 when matching alternative a is a refusal or silence (for the executor's controls). */
int tc_alt_negative(const struct tc_alt *a);

typedef struct tc_steps { tc_step *items; size_t n; } tc_steps;

/* The step's window as written (a duration or a profile timer plus one). */
static inline tc_window tc_step_window(const tc_step *s) { return (tc_window){ s->timer, s->timeout_ns, s->timer2 }; }

/* How the harness sets up its side of the association for this test (<harness .../>):
 * what it accepts, so a test can ask whether the IUT supports a suite, or refuses an old
 * version or a wrong key. NULL/0 = the profile's defaults. */
/* other-issuer: the profile's key under "<relative part>@other-issuer.m2m-harness.invalid" */
typedef enum { TC_PSK_PROFILE = 0, TC_PSK_WRONG_KEY, TC_PSK_UNKNOWN_IDENTITY, TC_PSK_OTHER_ISSUER } tc_psk_variant;
typedef struct tc_harness {
    char **suites;       /* IANA names: TLS_PSK_WITH_AES_128_CCM_8, ... */
    size_t nsuites;
    char **versions;     /* DTLS1.2, DTLS1.0 */
    size_t nversions;
    tc_psk_variant psk;
    char *certificate;   /* a harness certificate variant of the profile (untrusted, ...) */
} tc_harness;

typedef struct testcase {
    char *file;
    struct xml_origin *origins;   /* the fragments its steps come from (owned) */
    char *id;            /* TC_SEC_SAE_PSK_001 */
    char *role;          /* "in-cse" | "field" */
    char *area;          /* folder-level group: sae, ordering, registration, ... */
    char *title;
    char *requirement;   /* paraphrased requirement text */
    char **references;   /* "TS-0003 §6.1.2.2.1", ... */
    size_t nreferences;
    char **covers;       /* requirement ids: R-FLOW-03, ... */
    size_t ncovers;
    char **requires;     /* PICS items that must all be in the profile */
    size_t nrequires;
    int64_t deadline_ns; /* hard deadline of the whole test (child is killed after it); 0 = profile default */
    tc_harness harness;
    tc_steps preamble, body, postamble;
    order_rule *order;
    size_t norder;
} testcase;

/* 1 when step s of tc opens an association with a credential the test's <harness> does not
 * alter (credential="profile" or "second", or no variation): what control="handshake" needs. */
int tc_step_control_assoc(const testcase *tc, const tc_step *s);

/* Loads and validates one file. schema_path: the XSD (testcases/schema/testcase.xsd).
 * The file may <include href="..."/> fragments (xmlload.h) that lie inside the folder above
 * its own (testcases/ for testcases/<area>/<ID>.xml: the shared ones are in testcases/include/).
 * On failure returns -1 and appends file:line messages to d; *out is NULL. */
int testcase_load(const char *path, const char *schema_path, testcase **out, diag *d);
/* Writes the test case at src to dst with its includes expanded, so a copy (a report's replay
 * bundle) stands alone. 0 when written, 1 when src includes nothing (the caller copies it as
 * is), -1 when it cannot be read or written. */
int testcase_write_expanded(const char *src, const char *dst);
/* The folder the includes of the test case at path may read: the one above its folder. */
char *testcase_include_root(const char *path);
/* Same from memory (fuzzing, unit tests); name is used in messages. No <include>: there is no
 * folder to read from, so one is an error. */
int testcase_load_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                      testcase **out, diag *d);
void testcase_free(testcase *tc);

/* Collects *.xml below path (a file or a folder, recursively, sorted by path) into a list.
 * Folders named schema (the XSD) and include (fragments) are not test cases and are skipped. */
int testcase_collect(const char *path, char ***files, size_t *nfiles, diag *d);

#endif
