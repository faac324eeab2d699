/* What the timeline says about whether the IUT speaks DTLS on its coaps port (the rule: no
 * negative verdict without a positive control): the dtls.rx events of a strictly parsed DTLS
 * record from it, or what came instead (net.notdtls: a CoAP RST, another CoAP message,
 * garbage; net.unreachable: an ICMP port unreachable), or nothing at all. Internal to exec/. */
#ifndef M2M_EVIDENCE_H
#define M2M_EVIDENCE_H
#include "../flow/timeline.h"
#include "../model/testcase.h"

/* 1 when a dtls.rx event is in tl[from, to); sa > 0: only one of the harness's client
 * association with that number. */
int evidence_dtls(const timeline *tl, size_t from, size_t to, unsigned sa);
/* 1 when tl[0, to) shows the coaps port answered with something else than DTLS (net.notdtls)
 * or not at all (net.unreachable). */
int evidence_not_dtls(const timeline *tl, size_t to);
/* 1 when the harness's own link control dropped datagrams from the IUT in tl[0, to) (net.drop
 * dir=from-iut): a missing dtls.rx is then the test's doing, not evidence of an IUT without DTLS. */
int evidence_link_withheld(const timeline *tl, size_t to);
/* 1 when a msg.rx inside a security association (secure=true) is in tl[0, to). */
int evidence_secure_message(const timeline *tl, size_t to);
/* In words, what the IUT did on the coaps port in tl[from, to) instead of DTLS, for a reason:
 * "the coaps port answered with a CoAP RST: it does not speak DTLS", "nothing answered on the
 * coaps port: ICMP port unreachable after 0.4 ms", "no datagram from the IUT within 4 s:
 * cannot tell a refusal from an IUT that does not speak DTLS". window_ns: how long the step
 * waited (for the last one). */
void evidence_no_dtls(const timeline *tl, size_t from, size_t to, int64_t window_ns, char *buf, size_t len);
/* The event as observed, for a failure message: its name, number and time, and the attributes
 * that say what it was (CoAP type and code, rsc, rqi, op; the suite, version, identity; the
 * reason and alerts of a handshake that failed; what came instead of DTLS). */
void evidence_describe(const tl_event *e, char *buf, size_t len);
/* 1 when the step can only work with DTLS: an association, an await or expect of sae.* or
 * dtls.* events, a message expected inside an association. */
int evidence_step_needs_dtls(const tc_step *s);

/* Requests the harness sent and what became of them (the rule applied to CoAP: silence is
 * evidence of nothing by itself). */
/* The last request the harness sent (msg.tx with an op) in tl[0, to), or -1. */
long evidence_last_request(const timeline *tl, size_t to);
/* 1 when the IUT answered request tl->ev[req] in tl(req, to): a msg.rx response with its token
 * or rqi (also one the harness rejects), or a datagram that could not be decoded. */
int evidence_answered(const timeline *tl, size_t req, size_t to);
/* 1 when, in tl[0, to), the IUT answered some request of the same shape as tl->ev[req]: one
 * with the same Content-Format (or, for a request without content, any request): the proof
 * that it takes requests in that format at all. */
int evidence_shape_answered(const timeline *tl, size_t req, size_t to);
/* The request in words: "CREATE ty=16 to /in-cse/in-name rqi=nocred-1, Content-Format 10001,
 * over plain CoAP". */
void evidence_request_describe(const tl_event *e, char *buf, size_t len);
/* The lines of the IUT's output file that say what went wrong (error, fatal, panic, abort,
 * exception, assertion, segmentation fault, traceback), the last `max` of them joined with
 * " | ", else its last non-empty line that is not a runtime's trailer ("Node.js v20.1.0").
 * Empty when the file has neither. */
void evidence_error_lines(const char *path, int max, char *buf, size_t len);

#endif
