/* Certification mode (run --certify): the profile must be complete and free of
 * contradictions before anything runs; every applicable test runs (no --filter, no
 * --shard, no --retry, the known-failures list is not applied); the report says it is a
 * certification run, keeps the profile applied (profile.xml) and lists every skipped test
 * with its reason (skipped.txt).
 *
 * "Complete" (both roles): the file gives the IUT's release and host name explicitly (the
 * loader would default them), PICS are not empty, the IUT's kind is claimed in PICS and
 * no other kind is (IUT_ASN_CSE, IUT_MN_CSE, IUT_AE, IUT_IN_CSE), at most one registrar
 * configuration (CFG_REGISTRAR_*) and at most one registree configuration (CFG_REGISTREE_CSE
 * with <harness><cse-id>, or CFG_REGISTREE_AE with <ae-id>, app-id and denied-app-id), SAE claimed with its framework (SAE_PSK or SAE_CERT)
 * and the credentials each claimed framework needs (PSK identity and key; certificate,
 * key, trust anchors and the IUT's expected identity), a command or operator prompt for
 * every trigger an applicable test uses, timers that agree (DTLS retransmit below DTLS
 * total, step timeout below the test deadline), and at least one applicable test.
 * Role in-cse (the IUT is a field node): the harness's host name (the SNI the IUT must
 * send), the IUT's CSE-ID or AE-ID, and listen ports the IUT can know: fixed ports, or
 * ephemeral ones handed to the start command as ${HARNESS_COAPS_PORT}.
 * Role field (the IUT is an IN-CSE): the IUT's address and coaps port, its CSE-ID, the
 * identity the harness registers with.
 * Attach mode (no start command: the IUT runs already) is accepted: the start trigger needs
 * no command; an attached IN-CSE without a <ready> probe needs its <cse-base> (the built-in
 * readiness check RETRIEVEs it); tests that need a restart or another trigger are skipped with
 * that reason and the requirements left unproven are listed (certify_attach_summary). */
#ifndef M2M_CERTIFY_H
#define M2M_CERTIFY_H
#include <stddef.h>
#include <stdio.h>
#include "../flow/result.h"
#include "../model/profile.h"
#include "../model/testcase.h"

/* Appends one diag entry (naming the profile file) per problem; returns their number. */
size_t certify_check(const profile *p, testcase *const *tcs, size_t n, diag *d);

/* Attach mode (profile_attached) in a certification run: the tests not run because they need a
 * restart or a trigger the profile lacks, and the requirements that only such tests cover and
 * that no test of the run proved (passed or warned): printed on out and written to
 * unproven.txt in dir ("R-ID<TAB>the skipped tests that cover it"). Returns how many. */
size_t certify_attach_summary(const profile *p, testcase *const *plan, const char *dir, const test_result *rs,
                              size_t n, FILE *out);

/* skipped.txt in dir: "ID<TAB>reason" per skipped test, in plan order. 0 or -1. */
int certify_write_skipped(const char *dir, const test_result *rs, size_t n);

/* SAE where TS-0003 §6.1.2.2.1 makes it mandatory: between a field-domain node and the
 * IN-CSE (an IN-CSE IUT, or the harness as IN-CSE registrar of a field CSE or AE). Returns 2
 * when the profile claims no SAE there (<transport dtls="no">, or no PICS SAE): a
 * certification run cannot be green; 1 when it lacks SAE only between an AE and a
 * field-domain CSE (strongly recommended: a warning); 0 else. why says it. */
int certify_sae_rule(const profile *p, char *why, size_t len);

#endif
