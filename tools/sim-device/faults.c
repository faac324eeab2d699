/* The fault switches of sim-device (--fault=NAME): each breaks exactly one rule the suite
 * checks; tools/sim-device/faults.tsv lists the tests each one must fail. */
#include "faults.h"
#include <stddef.h>

const peer_fault sim_faults[] = {
    { "register-before-sae", "send the CSE registration over plain CoAP before any DTLS handshake" },
    { "no-ccm8", "offer no TLS_PSK_WITH_AES_128_CCM_8, only AES-128-GCM" },
    { "accept-dtls10", "accept a server that selects DTLS 1.0" },
    { "no-sni", "send no Server Name Indication" },
    { "wrong-fr", "register with a From that is not the identity bound to its credential" },
    { "retrieve-before-register", "retrieve the registrar's CSEBase before registering" },
    { "plain-after-sae-fail", "when the handshake fails, register over plain CoAP instead" },
    { "plain-after-close", "when the registrar closes the association, go on over plain CoAP" },
    { "no-sa2", "never accept the registrar's reverse association (SA2)" },
    { "no-rsc-option", "answer requests without the oneM2M-RSC option (the CoAP code alone)" },
    { "crash-on-missing-rqi", "crash on a request without rqi instead of refusing it" },
    { "no-sae", "never set up a security association: register over plain CoAP" },
    { "no-dtls-rst", "speak no DTLS: send the registration as plain CoAP to the registrar's coaps port; answer any datagram that is not CoAP (DTLS) with a CoAP RST" },
    { "no-dtls-silent", "speak no DTLS: send the registration as plain CoAP to the registrar's coaps port; drop any datagram that is not CoAP (DTLS), as RFC 7252 §3 says for version 0" },
    { "cert-cn-only", "present a certificate whose identity is only in the subject CN (no subjectAltName)" },
    { "accept-any-cert", "accept any server certificate: untrusted, expired, or not for serverAuth" },
    { "rpk-accept-any-key", "with raw public keys, accept any server key, pinned or not" },
    { "rpk-other-key", "with raw public keys, present a key the registrar has not pinned for this CSE-ID" },
    { "stale-after-close", "when the registrar closes the association, go on sending in it" },
    { "sa2-before-register", "accept the registrar's reverse association (SA2) before being registered" },
    { "ignore-critical-option", "answer a request with an unknown critical option as if it were not there" },
    { "reject-bad-elective", "refuse (4.02) a request with an elective option of a bad length instead of ignoring it" },
    { "accept-missing-rvi", "answer a request without rvi (Release 1) as one of its own release, not 4001" },
    { "retrieve-other-numbering", "send the first RETRIEVE with rqi and rvi in the other option numbering than the profile's" },
    { "retrieve-as-post", "send the RETRIEVE after registering as POST with op=2 in Uri-Query instead of GET" },
    { "ignore-accept", "answer a request whose Accept it cannot serve instead of refusing it with 4.06" },
    { "retry-after-deny", "send the refused CREATE under the CSEBase (4103) again" },
    { "retry-around-deny", "after the 4103, try the same CREATE under another form of the CSEBase's address" },
    /* network (testcases/network): */
    { "no-flight-retransmit", "never retransmit a lost handshake flight (retransmit timer = total timer)" },
    { "keep-dead-association", "after an unanswered request, go on in the same association instead of a new handshake" },
    { "reorder-intolerant", "give up a handshake when a message arrives ahead of its predecessor (a reordered or lost datagram)" },
    /* remote provisioning (--mef-port, profile <mef>): */
    { "skip-enrolment", "do not enrol with the MEF: go straight to SAE with the bootstrap KpmID/Kpm" },
    { "kpm-as-kpsa", "enrol, then present the KeID with Kpm as its key instead of the derived Kpsa" },
    { "wrong-keid", "enrol, then present a KeID whose RelativeKeID is off by one hex digit" },
    /* enrolment over the device's life (tools/sim-device/lifecycle.c): */
    { "resume-half-enrolment", "when the MEF drops the enrolment mid-exchange, use that session's KeID and key" },
    { "use-expired-key", "after Ke's lifetime (profile <mef lifetime>) associate with the expired KeID anyway" },
    { "reenrol-on-reboot", "enrol again after a plain reboot (SIGHUP)" },
    { "no-reenrol-on-provider-change", "keep the old enrolment after a change of service provider (SIGUSR2)" },
    { "enrol-cert-cn-only", "certificate-based enrolment with a certificate whose identity is only in the CN" },
    /* duplicates, identities and re-registration (tools/sim-device/devres.c, reassoc.c): */
    { "no-dedup", "no duplicate detection: a repeated CON is executed again and answered anew" },
    { "requests-in-ack", "a request carried in an ACK or an RST is executed and answered instead of ignored" },
    { "psk-identity-not-kpsaid", "present the PSK identity without its @Issuer-FQDN part (not a KpsaID)" },
    { "no-reregister", "after a new association, skip the registration and go on with other primitives" },
    { "ae-wrong-fr", "as an AE, after registering, send its primitives with another AE-ID as From" },
    /* an AE's registration and what it does with a refusal (tools/sim-device/sim_device.c): */
    { "ae-bad-app-id", "as an AE, register with an App-ID that starts with neither r, R nor N" },
    { "ae-no-rr", "as an AE, register without requestReachability (rr)" },
    { "ae-wrong-target", "as an AE, send the registration to a resource that is not the registrar's CSEBase" },
    { "ae-cf-text", "as an AE, send the registration as text/plain (0), a Content-Format TS-0008 §6.2.2.2 does not list" },
    { "ae-double-register", "as an AE, register a second time right after the registration succeeded" },
    { "ae-retry-after-4103", "as an AE, send a registration refused with 4103 again at once" },
    { "ae-plain-after-refusal", "as an AE, when the registration is refused with 4106 or 4107, send it over plain CoAP" },
    /* a device with two identities (--two-identities, tools/sim-device/modes.c): */
    { "mix-identities", "with two identities, register the second AE in its own association, then send its next CREATE in the first AE's association" },
    /* as an AE, the faults of the same name without "ae-" (their rows run the AE profile): */
    { "ae-plain-after-close", "as an AE, plain-after-close" },
    { "ae-stale-after-close", "as an AE, stale-after-close" },
    { "ae-keep-dead-association", "as an AE, keep-dead-association" },
    { NULL, NULL },
};
