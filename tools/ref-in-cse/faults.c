/* The fault switches of ref-in-cse (--fault=NAME): each breaks exactly one rule the field
 * suite checks; tools/ref-in-cse/faults.tsv lists the tests each one must fail. */
#include "faults.h"
#include "cse/acp.h"
#include <stddef.h>
#include <string.h>

const peer_fault ref_faults[] = {
    { "plain-coap", "serve Mcc primitives that arrive over plain CoAP as if they came in an association" },
    { "ignore-fr", "ignore the binding of From to the association's identity (no 4106)" },
    { "fr-any-registree", "inside an association accept any From that names a registered CSE, not only its own identity" },
    { "no-fetch-credentials", "as enrolment target, never fetch an unknown KeID's credential from the MEF" },
    { "fetch-wrong-suid", "as enrolment target, fetch the credential with SUID 12 instead of 22" },
    { "mef-any-kpm", "own MEF (<mef at=\"iut\">): accept any bootstrap PSK identity that has Kpm" },
    { "mef-wrong-label", "own MEF: derive Ke/KeID with the exporter label EXPORTER-oneM2M-Connection" },
    { "accept-half-enrolled", "own MEF: keep the keys at the bootstrap handshake, before the enrolment exchange" },
    { "accept-expired-keid", "own MEF: accept a KeID whose Ke is past its lifetime" },
    { "forget-enrolment-on-close", "own MEF: forget a KeID when its association ends (the field node must enrol again)" },
    { "keep-enrolment-on-provider-change", "own MEF: keep the former provider's enrolments after a change of service provider (SIGUSR2)" },
    { "mef-cert-wrong-name", "own MEF, rspf cert: present the IN-CSE's certificate (SAN in-cse.m2m-harness.test), not one naming the MEF-FQDN" },
    { "mef-cert-cn-only", "own MEF, rspf cert: present a certificate naming the MEF-FQDN only in its CN, without subjectAltName" },
    { "accept-any-psk", "accept any PSK identity, with the key of the profile's identity" },
    { "accept-dtls10", "accept DTLS 1.0 (with TLS_PSK_WITH_AES_128_CBC_SHA) besides DTLS 1.2" },
    { "no-ccm8", "lack TLS_PSK_WITH_AES_128_CCM_8: only TLS_PSK_WITH_AES_128_GCM_SHA256" },
    { "wrong-rsc-code", "answer every response with CoAP 2.05 whatever its RSC (TS-0008 Table 6.2.4-1)" },
    { "no-4117", "accept a duplicate remoteCSE: 2001 instead of 4117" },
    { "no-4005", "let an AE-ID create a remoteCSE, as if its hosting CSE had (no 4005)" },
    { "accept-any-cert", "with X.509, accept any client certificate: expired, not for clientAuth, any identity" },
    { "trust-other-ca", "with X.509, also trust other-ca.crt beside the trust file (a CA outside the PKI)" },
    { "ignore-rehello", "ignore a ClientHello from a field node that has an association: after it rebooted, it never gets a new one" },
    { "serve-old-epoch", "after a field node's new handshake from the same address, go on serving records of the old association" },
    { "skip-acp", "no access decision at all: every request on hosted resources is permitted" },
    { "deny-overrides", "every linked policy must permit, instead of any one (permit-overrides)" },
    { "ignore-self-privileges", "requests on a policy judged by its privileges, not its selfPrivileges" },
    { "swap-update-delete", "UPDATE checked against acop bit 8 and DELETE against bit 4" },
    { "no-wildcards", "acor entries compared as literal IDs: neither 'all' nor '*' match others" },
    { "open-default", "a resource without acpi is open to every originator, not its creator only" },
    { "cin-own-default", "a contentInstance judged by its own creator-only default, not its parent's acpi" },
    { "ignore-time-window", "accessControlTimeWindow (actw) ignored: a rule applies at any time" },
    { "lenient-schedule", "a time window of 6 fields (the year left out) taken at policy CREATE instead of 4000" },
    { "ignore-ip-context", "accessControlIpAddresses (acip) ignored: a rule applies from any address" },
    { "ignore-acaf", "accessControlAuthenticationFlag ignored: a rule applies to unauthenticated originators" },
    { "no-dtls-rst", "no DTLS at all: the coaps port answers every datagram with a CoAP RST (as some plain-CoAP CSEs do); plain CoAP served as usual" },
    { "no-dtls-silent", "no DTLS at all: the coaps port drops every datagram (a DTLS record reads as CoAP version 0, RFC 7252 §3); plain CoAP served as usual" },
    { "acpi-update-unchecked", "an acpi UPDATE judged by privileges like any UPDATE, not the policies' selfPrivileges" },
    { "acpi-with-others", "an acpi UPDATE may carry other attributes too" },
    { "acp-pvs-optional", "a policy CREATE without privileges or with empty selfPrivileges is taken" },
    { "replay-outside-session", "answer a duplicate CON (the cached response) in a clear datagram, outside the DTLS session" },
    { "kpsaid-relative-only", "look PSK identities up by the relative part of the KpsaID, ignoring the Issuer-FQDN" },
    { "no-dedup", "no duplicate detection: a repeated CON (same Message ID) is executed again" },
    { "requests-in-ack", "a request carried in an ACK or an RST is executed and answered instead of ignored" },
    { "ignore-non", "leave a NON request unanswered (only CON requests are served)" },
    { "sa2-before-register", "open the reverse association (SA2) on the registration request, before answering it" },
    { "sa2-other-credentials", "open SA2 under another PSK identity than SA1's" },
    { "wildcard-spans-slash", "a '*' in acor also matches across '/' (an AE-ID below the CSE-ID pattern)" },
    { "deny-rsc-4000", "a denial answered 4000 BAD_REQUEST (4.00) instead of 4103 (4.03)" },
    { "any-app-id", "register an AE whatever its App-ID (no 4000 for one not starting with r, R or N)" },
    { "reuse-ae-stem", "register an AE again under an AE-ID stem that is still registered (no 4117)" },
    { "plain-ae-unchecked", "outside an association, serve an AE-ID that is not registered here (no 4106)" },
    { "no-mandatory-check", "serve a request without rqi (no 4000) or without rvi (no 4001) as if they were there" },
    { "post-is-create", "take a POST without oneM2M-TY whose content is a remoteCSE for a CREATE of it" },
    { "no-credential-4106", "refuse a primitive without an association with 4106 instead of 4107" },
    { "legacy-options", "answer RETRIEVEs in the legacy option numbering (256..270) whatever the profile's" },
    { "coaps-dies-after-probe", "the coaps port is held until its first datagram, then closed unread: the readiness probe succeeds, every handshake meets an ICMP port unreachable" },
    { "exit-on-first-request", "the process exits (status 70, an error line on stderr) on the first request it receives" },
    { "exit-on-missing-rqi", "the process exits (status 70, an error line on stderr) on a request without rqi, instead of refusing it with 4000" },
    { "ignore-accept", "ignore Accept: an unsupported format gets JSON (no 4.06), XML is never served" },
    { "ae-plain-coap", "without PICS MCA_PLAIN, still register an AE over plain CoAP (Mca without SAE)" },
    { "skip-app-rule", "register an AE without checking its service subscription (any App-ID, no 4126/4107)" },
    { "ae-create-from-unchecked", "inside an AE's association, serve an AE CREATE whose From is not the bound AE-ID (no 4106)" },
    { "ae-from-any-format", "inside an AE's association, take a From that is not an AE-ID-Stem (no 4000)" },
    { "authn-by-hop", "count every originator inside a DTLS association as authenticated for acaf, also an AE-ID below the registree CSE" },
    { "any-cse-id", "do not compare the CSE-ID in To: a registration addressed to another CSE-ID registers here, a RETRIEVE of its CSEBase gets this one (no 4000, no 4004)" },
    { "acp-on-ae-create", "also judge an AE registration by access control: CREATE on the CSEBase for the association's identity only (4103)" },
    { NULL, NULL },
};

/* The faults in access control: what each sets in the hosted resources' decisions. */
static const struct { const char *name; unsigned bits; } acp_faults[] = {
    { "skip-acp", ACP_FAULT_SKIP },
    { "deny-overrides", ACP_FAULT_DENY_OVERRIDES },
    { "ignore-self-privileges", ACP_FAULT_IGNORE_PVS },
    { "swap-update-delete", ACP_FAULT_SWAP_UD },
    { "no-wildcards", ACP_FAULT_NO_WILDCARDS },
    { "open-default", ACP_FAULT_OPEN_DEFAULT },
    { "cin-own-default", ACP_FAULT_CIN_OWN },
    { "ignore-time-window", ACP_FAULT_NO_ACTW },
    { "lenient-schedule", ACP_FAULT_LOOSE_SCHEDULE },
    { "ignore-ip-context", ACP_FAULT_NO_ACIP },
    { "ignore-acaf", ACP_FAULT_NO_ACAF },
    { "acpi-update-unchecked", ACP_FAULT_ACPI_UNCHECKED },
    { "acpi-with-others", ACP_FAULT_ACPI_MIXED },
    { "acp-pvs-optional", ACP_FAULT_PVS_OPTIONAL },
    { "wildcard-spans-slash", ACP_FAULT_WILDCARD_SPAN },
    { "deny-rsc-4000", ACP_FAULT_DENY_4000 },
};

unsigned ref_fault_acp_bits(const char *fault)
{
    for (size_t i = 0; fault && i < sizeof acp_faults / sizeof acp_faults[0]; i++)
        if (!strcmp(acp_faults[i].name, fault)) return acp_faults[i].bits;
    return 0;
}
