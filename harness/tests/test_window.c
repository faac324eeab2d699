/* Step windows that follow the profile's timers: parsing, the values they resolve to for a
 * profile, and that a bad window is an input error with the reason. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "model/profile.h"
#include "model/window.h"
#include "m2m_test.h"
#include "util/timeutil.h"

#define MS NS_PER_MS
#define S NS_PER_SEC

/* The timers of a profile, filled in place (a profile is never copied). */
static void prof(profile *p)
{
    memset(p, 0, sizeof *p);
    p->ack_timeout_ns = 1 * S;
    p->max_retransmit = 4;
    p->dtls_retrans_ns = 500 * MS;
    p->dtls_total_ns = 4 * S;
    p->step_timeout_ns = 5 * S;
}

static void test_plain_duration(void)
{
    tc_window w;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("1500ms", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(w.timer, TC_TIMER_NONE);
    CU_ASSERT_EQUAL(w.ns, 1500 * MS);
    profile p;
    prof(&p);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 1500 * MS);
}

static void test_timer_plus_duration(void)
{
    tc_window w;
    char err[256];
    profile p;
    prof(&p);
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("dtls-total+2s", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(w.timer, TC_TIMER_DTLS_TOTAL);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 6 * S);
    p.dtls_total_ns = 10 * S; /* the window follows the profile, not the file */
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 12 * S);
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("dtls-retransmit", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 500 * MS);
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("step-timeout+250ms", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 5250 * MS);
}

static void test_max_transmit_wait(void)
{
    /* RFC 7252 §4.8.2: ACK_TIMEOUT * (2^(MAX_RETRANSMIT+1) - 1) * 1.5; with 2 s and 4: 93 s */
    tc_window w;
    char err[256];
    profile p;
    prof(&p);
    p.ack_timeout_ns = 2 * S;
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("max-transmit-wait", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 93 * S);
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("ack-timeout+1s", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 3 * S);
}

static void test_two_timers(void)
{
    /* give up an unanswered request (46.5 s with 1 s and 4), then hand-shake (4 s) */
    tc_window w;
    char err[256], buf[64];
    profile p;
    prof(&p);
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("max-transmit-wait+dtls-total", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(w.timer, TC_TIMER_MAX_TRANSMIT_WAIT);
    CU_ASSERT_EQUAL(w.timer2, TC_TIMER_DTLS_TOTAL);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 46500 * MS + 4 * S);
    CU_ASSERT_STRING_EQUAL(tc_window_text(&w, buf, sizeof buf), "max-transmit-wait+dtls-total");
    CU_ASSERT_EQUAL_FATAL(tc_window_parse("dtls-total+step-timeout+1s", &w, err, sizeof err), 0);
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 10 * S);
    CU_ASSERT_STRING_EQUAL(tc_window_text(&w, buf, sizeof buf), "dtls-total+step-timeout+1s");
    p.step_timeout_ns = 7 * S; /* each timer follows the profile */
    CU_ASSERT_EQUAL(tc_window_ns(&w, &p), 12 * S);
    /* three timers, or a misspelt second one, are refused */
    CU_ASSERT_EQUAL(tc_window_parse("dtls-total+step-timeout+ack-timeout", &w, err, sizeof err), -1);
    CU_ASSERT_EQUAL(tc_window_parse("dtls-total+step-timout", &w, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'step-timout' is not a duration"));
}

static void test_bad_windows(void)
{
    tc_window w = { TC_TIMER_NONE, 77, TC_TIMER_NONE };
    char err[256] = "";
    CU_ASSERT_EQUAL(tc_window_parse("dtls-totl+2s", &w, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'dtls-totl' is not a duration (250ms, 5s) nor a profile timer"));
    CU_ASSERT_EQUAL(tc_window_parse("dtls-total+", &w, err, sizeof err), -1);
    CU_ASSERT_EQUAL(tc_window_parse("dtls-total-1s", &w, err, sizeof err), -1);
    CU_ASSERT_EQUAL(tc_window_parse("0s", &w, err, sizeof err), -1);
    CU_ASSERT_EQUAL(tc_window_parse("5 parsecs", &w, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a duration (a number and a unit"));
    CU_ASSERT_EQUAL(w.ns, 77); /* untouched on error */
}

static void test_text_and_default(void)
{
    char buf[64];
    tc_window a = { TC_TIMER_DTLS_TOTAL, 2 * S, TC_TIMER_NONE }, b = { TC_TIMER_NONE, 250 * MS, TC_TIMER_NONE },
              c = { TC_TIMER_ACK_TIMEOUT, 0, TC_TIMER_NONE };
    CU_ASSERT_STRING_EQUAL(tc_window_text(&a, buf, sizeof buf), "dtls-total+2s");
    CU_ASSERT_STRING_EQUAL(tc_window_text(&b, buf, sizeof buf), "250ms");
    CU_ASSERT_STRING_EQUAL(tc_window_text(&c, buf, sizeof buf), "ack-timeout");
    profile p;
    prof(&p);
    tc_window unset = { TC_TIMER_NONE, 0, TC_TIMER_NONE };
    CU_ASSERT_EQUAL(tc_window_or(&unset, &p, 42), 42);
    CU_ASSERT_EQUAL(tc_window_or(&c, &p, 42), 1 * S);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("window", NULL, NULL);
    CU_add_test(s, "a plain duration", test_plain_duration);
    CU_add_test(s, "a profile timer plus a duration follows the profile", test_timer_plus_duration);
    CU_add_test(s, "max-transmit-wait per RFC 7252 4.8.2", test_max_transmit_wait);
    CU_add_test(s, "two timers added, each following the profile", test_two_timers);
    CU_add_test(s, "bad windows are refused with the reason", test_bad_windows);
    CU_add_test(s, "text form and the default", test_text_and_default);
}
