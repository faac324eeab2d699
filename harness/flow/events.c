/* The event vocabulary (events.h). Adding an event is one row of EVENTS; an attribute key
 * no event has used before also needs one line in MEANINGS (test_events checks both, and
 * that every event name written in the sources is a row here). */
#include "events.h"
#include "../util/nearest.h"
#include "../util/xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SA_SIDE "sa:int side:client|server "

static const ev_def EVENTS[] = {
    /* the link (net/link: under <link> control; exec/wire: inferred; exec/steps_iut: netns) */
    { "net.up", "net/link exec/wire exec/steps_iut",
      "the link toward the IUT is raised by the harness, or (without link control) the first datagram is exchanged with the peer",
      "inferred:first-datagram reason:step link" },
    { "net.down", "net/link exec/steps_iut", "the harness lowers the link toward the IUT",
      "reason:start|step link" },
    { "net.loss", "net/link", "<link loss=...>, drop=... or duplicate=...: the harness starts losing or duplicating datagrams",
      "seed:int to_iut_ppm:int from_iut_ppm:int drop duplicate" },
    { "net.drop", "net/link", "a datagram is dropped by the harness's link (down, loss, a listed index, a rebinding)",
      "dir:to-iut|from-iut index:int reason:down|list|loss|rebind to" },
    { "net.delay", "net/link_shape", "<link delay=... reorder=...>: the harness delays and reorders datagrams",
      "delay_ms:int reorder_ppm:int hold_ms:int seed:int" },
    { "net.reorder", "net/link_shape", "a datagram is held back and delivered after a later one",
      "dir:to-iut|from-iut index:int" },
    { "net.rebind", "net/link_shape", "<link rebind=...>: the IUT is seen from another address or port (as behind a NAT)",
      "address port_offset:int" },
    { "net.nat", "net/link_shape", "a datagram's source is rewritten by the rebinding",
      "internal external" },
    { "net.rx.ignored", "net/dtls", "a datagram on the coaps port that is not DTLS the harness can take (no ClientHello from a peer without an association; a malformed record during a handshake)",
      "port:coaps side:client reason bytes" },
    { "net.unreachable", "net/dtls", "an ICMP port unreachable answers the harness's handshake",
      SA_SIDE "reason after_ms" },
    /* the evidence of what the IUT speaks on a coaps port (exec/wire, enrol/field_enrol) */
    { "dtls.rx", "exec/wire enrol/field_enrol", "a datagram from the IUT that is DTLS by a strict reading (content type, version 254.253 or 254.255, record lengths filling the datagram)",
      SA_SIDE "port:mef type:handshake|alert|ccs|appdata hs:hello_request|client_hello|server_hello|hello_verify_request|new_session_ticket|certificate|server_key_exchange|certificate_request|server_hello_done|certificate_verify|client_key_exchange|finished|encrypted alert:close_notify|unexpected_message|bad_record_mac|handshake_failure|bad_certificate|unsupported_certificate|certificate_revoked|certificate_expired|certificate_unknown|illegal_parameter|unknown_ca|access_denied|decode_error|decrypt_error|protocol_version|insufficient_security|internal_error|user_canceled|no_renegotiation|unsupported_extension|unrecognized_name|unknown_psk_identity|other version:DTLS1.2|DTLS1.0 records:int" },
    { "net.notdtls", "exec/wire", "a datagram from the IUT on a coaps port that is not DTLS: a CoAP RST, another CoAP message, or garbage",
      SA_SIDE "port:coaps what:coap-rst|coap|garbage type:CON|NON|ACK|RST code length:int bytes" },
    /* security association establishment (net/dtls, net/dtls_verify) */
    { "sae.start", "net/dtls", "a DTLS handshake starts: the ClientHello is sent (client) or seen (server; cookie requested, then verified)",
      SA_SIDE "stage:client_hello cookie:requested|verified credential:x509|rpk identity sni" },
    { "sae.done", "net/dtls", "the DTLS handshake finished",
      SA_SIDE "version:DTLS1.0|DTLS1.2 suite ctype:x509|rpk identity kpsaid:bool bound_id sni" },
    { "sae.fail", "net/dtls", "the DTLS handshake failed: an alert, a timeout, an ICMP unreachable, a refused credential",
      SA_SIDE "stage:handshake reason alert alert_sent identity" },
    { "sae.closed", "net/dtls", "an association ended: close_notify, a fatal alert, a new handshake from the peer, or the harness closed or dropped it (closed: with the round trip measured in its handshake)",
      SA_SIDE "reason alert rtt_ms" },
    { "sae.bad_record", "net/dtls", "a record of an established association does not decrypt or parse",
      SA_SIDE "reason" },
    { "sae.stale_record", "net/dtls", "a record arrives for an association that has ended (the peer did not notice the end); after a close_notify of the harness's, only one that arrives later than the grace (one round trip of the association plus 50 ms)",
      SA_SIDE "reason since_close_ms rtt_ms grace_ms" },
    { "sae.crossed_record", "net/dtls", "a record arrives within the grace after the harness's close_notify (one round trip of the association, measured in its handshake, plus 50 ms): the peer sent it before it could have seen the close, so it crossed the close in flight and is no fault",
      SA_SIDE "reason since_close_ms rtt_ms grace_ms" },
    { "sae.unknown_identity", "net/dtls_verify", "the peer offers a PSK identity the harness does not know",
      SA_SIDE "identity" },
    { "sae.cert_rejected", "net/dtls_verify", "the harness refuses the peer's certificate or raw public key",
      SA_SIDE "ctype:rpk reason identity" },
    /* CoAP messages with their oneM2M primitive (exec/wire) */
    { "msg.rx", "exec/wire", "a CoAP message from the IUT, with its decoded primitive (in an association: the identity bound to it)",
      "secure:bool sa:int bound_id type:CON|NON|ACK|RST code mid:int token dup:identical|different "
      "op:create|retrieve|update|delete|notify|none to fr ty:int rsc:int rqi rvi pc cf:int accept:int "
      "problems rejected response:piggybacked|separate location ty_option:bool" },
    { "msg.tx", "exec/wire", "a CoAP message the harness sends, with its primitive",
      "secure:bool sa:int type:CON|NON|ACK|RST code mid:int token "
      "op:create|retrieve|update|delete|notify|none to fr ty:int rsc:int rqi rvi pc cf:int accept:int "
      "problems response:piggybacked|separate location ty_option:bool" },
    { "msg.rx.malformed", "exec/wire", "a datagram from the IUT with CoAP defects (fatal: it could not be decoded at all); mid when it has the 4-byte header",
      "secure:bool fatal:bool reason bytes mid:int" },
    { "msg.tx.malformed", "exec/wire", "a deliberately malformed datagram the harness sends; mid when it has the 4-byte header",
      "secure:bool fatal:bool reason bytes mid:int" },
    { "msg.rx.xcheck", "exec/wire", "libcoap's independent decoder disagrees with the harness's on a received datagram",
      "reason" },
    /* registration, receiver checks, resources, access control (cse/) */
    { "reg.done", "cse/registrar", "the registrar accepted a registration: an AE (ty=2) or a remoteCSE (ty=16)",
      "ty:2|16 fr aei ri" },
    { "reg.fail", "cse/registrar", "the registrar refused a registration",
      "rsc:int fr reason" },
    { "reg.forgotten", "exec/wire", "<drop-associations registrations=\"true\">: the registrar loses its registrations",
      "reason" },
    { "rcv.reject", "cse/registrar cse/hosted", "the harness's CSE refused a request as its receiver (originator, association, form)",
      "rsc:int fr reason" },
    { "acp.permit", "cse/hosted", "the harness's CSE granted an access by its access control policies",
      "op:CREATE|RETRIEVE|UPDATE|DELETE|NOTIFY|DISCOVERY|UNKNOWN target fr rule ty:int attr:acpi unresolved" },
    { "acp.deny", "cse/hosted", "the harness's CSE refused an access by its access control policies",
      "op:CREATE|RETRIEVE|UPDATE|DELETE|NOTIFY|DISCOVERY|UNKNOWN target fr rule ty:int attr:acpi unresolved" },
    { "res.created", "cse/hosted", "the harness's CSE created a resource",
      "ty:int fr ri path" },
    { "res.deleted", "cse/hosted cse/registrar", "the harness's CSE deleted a resource (a registration: by its registree)",
      "fr path" },
    /* security provisioning (exec/executor: pre-provisioned; enrol/: remote) */
    { "prov.start", "exec/executor enrol/mef", "provisioning starts: the pre-provisioned credentials are installed, or an enrolee's bootstrap handshake with the MEF finished",
      "method:pre-provisioned rspf:ppsk|cert stage enrolment:int identity version suite" },
    { "prov.done", "exec/executor enrol/mef enrol/field_enrol", "credentials are provisioned: pre-provisioned, or an enrolment finished (Ke, KeID)",
      "method:pre-provisioned identity rspf:ppsk|cert keid derive:usage-constrained|kpsa mef indications enrolment:int side:client mef_cert" },
    { "prov.fail", "enrol/mef enrol/field_enrol", "an enrolment failed",
      "rspf:ppsk|cert reason enrolment:int side:client keid" },
    { "prov.expire", "enrol/mef", "an enrolment's Ke reached its Enrolment Expiry", "rspf:ppsk|cert keid lifetime" },
    { "prov.fetch", "enrol/mef", "an enrolment target fetched a credential from the MEF (fetchCredentials)",
      "target keid suid status:bool reason" },
    { "prov.forgotten", "enrol/mef", "the MEF drops enrolments (<drop-associations of=\"mef\"/>, a change of service provider)",
      "rspf:ppsk|cert keid count:int reason" },
    { "prov.refused", "enrol/mef", "a credential derived from an expired Ke is refused", "rspf:ppsk|cert keid reason" },
    /* the IUT's process and triggers (exec/) */
    { "iut.trigger", "exec/steps_iut", "a trigger of the profile ran (a command, or an operator prompt)",
      "name by:operator answered:bool" },
    { "iut.ready", "exec/steps_iut", "the readiness probe answered", "ready:bool" },
    { "iut.exit", "exec/steps_iut", "the IUT's process ended during the test", "status" },
    { "iut.restart", "exec/steps_iut", "the IUT exited before it was ready and was started again on new ports",
      "reason status coaps-port:int" },
    { "iut.stop", "exec/executor", "the harness stopped the IUT's process at the end of the test", "status" },
    /* attach mode: an IUT the harness does not start (exec/attach) */
    { "iut.attached", "exec/attach", "attach mode: the start trigger found the IUT already running (no start command)",
      "ready:bool" },
    { "attach.cleanup", "exec/attach", "attach mode, end of a test: the harness deleted (or failed to delete) a resource it created on the IUT",
      "path fr ty:int rsc outcome:deleted|left" },
    { "attach.leftover", "exec/attach", "attach mode: a CREATE was refused because the resource is left over from an earlier run (4105/4117); the harness deleted it and sent the CREATE once more",
      "path fr ty:int rsc rqi outcome:retried|left" },
};

/* What each attribute key means; "event/key" overrides the general meaning for one event. */
static const struct { const char *key, *meaning; } MEANINGS[] = {
    { "accept", "the Accept option of a request (10001 JSON, 10014 XML)" },
    { "address", "the address the IUT is seen from after the rebinding (off: rebinding ended)" },
    { "aei", "the AE-ID the registrar assigned" },
    { "alert", "the DTLS alert received" },
    { "after_ms", "milliseconds (with decimals) from the harness's last send to the ICMP port unreachable" },
    { "alert_sent", "the fatal DTLS alert the harness sent with its refusal" },
    { "grace_ms", "milliseconds (with decimals) after the harness's close_notify within which a record of the peer crossed it in flight: rtt_ms plus 50 ms" },
    { "answered", "whether the operator confirmed the prompt in time" },
    { "attr", "the attribute the access concerns (acpi: an UPDATE of acpi, judged by selfPrivileges)" },
    { "bound_id", "the CSE-ID or AE-ID the association's credential is bound to" },
    { "by", "who carried out the trigger" },
    { "bytes", "the datagram, hex (at most 512 bytes)" },
    { "cf", "the Content-Format of the content (10001 or 50 JSON, 10014 or 41 XML)" },
    { "code", "the CoAP code, \"2.01\"" },
    { "coaps-port", "the IUT's new coaps port" },
    { "cookie", "the DTLS cookie exchange: requested (HelloVerifyRequest sent) or verified" },
    { "count", "how many enrolments were dropped" },
    { "credential", "the kind of credential offered" },
    { "ctype", "the peer's certificate type: x509 certificate or rpk raw public key" },
    { "delay_ms", "the added delay" },
    { "rtt_ms", "the association's round trip in milliseconds (with decimals), measured in its handshake from a flight of the harness's to the first datagram of the answer (a retransmitted flight gives none), or unmeasured" },
    { "since_close_ms", "milliseconds (with decimals) from the harness's close_notify to the record's arrival" },
    { "derive", "how Kpsa is derived from Ke" },
    { "dir", "the direction of the datagram" },
    { "drop", "the datagrams listed for dropping (to-iut:1,3;from-iut:2)" },
    { "dup", "the message repeats the message id of an earlier one: identical bytes or different" },
    { "duplicate", "the datagrams listed for duplication" },
    { "enrolment", "the number of the enrolment in this test (1, 2, ...)" },
    { "external", "the source address the harness presents" },
    { "fatal", "the datagram could not be decoded at all" },
    { "fr", "the originator (From)" },
    { "from_iut_ppm", "the share of datagrams from the IUT that are lost, per million" },
    { "hold_ms", "how long a reordered datagram is held" },
    { "hs", "the first handshake message type in the datagram (encrypted: after ChangeCipherSpec)" },
    { "identity", "the PSK identity, or the identity of the certificate or key" },
    { "index", "the number of the datagram in its direction (1 = first)" },
    { "indications", "the enrolment's indications" },
    { "inferred", "net.up was not raised by the harness but inferred from the first datagram" },
    { "internal", "the IUT's real source address" },
    { "keid", "the KeID of the enrolment" },
    { "kpsaid", "the PSK identity has the form of a KpsaID (relative@Issuer-FQDN)" },
    { "length", "the datagram's length in bytes" },
    { "lifetime", "the Enrolment Expiry of Ke" },
    { "link", "the host side of the IUT's network namespace link" },
    { "location", "a response's Location-Path, read as a To is read from Uri-Path (\"~\" SP-relative, \"_\" absolute): the address of what a CREATE made" },
    { "mef", "the MEF's FQDN" },
    { "mef_cert", "the identity of the MEF's certificate (certificate-based RSPF)" },
    { "method", "how the credentials were provisioned" },
    { "mid", "the CoAP message id" },
    { "name", "the trigger's name" },
    { "op", "the oneM2M operation" },
    { "outcome", "what became of it: deleted, retried, or left on the IUT" },
    { "path", "the resource's path" },
    { "pc", "the primitive content (JSON text)" },
    { "port", "the harness's port the datagram arrived on" },
    { "port_offset", "the port offset of the rebinding" },
    { "problems", "what the primitive decoder found wrong, in words" },
    { "ready", "whether the IUT is ready" },
    { "records", "how many DTLS records the datagram holds" },
    { "reason", "why, in words" },
    { "rejected", "why the harness's CoAP layer cannot take this response as an answer" },
    { "reorder_ppm", "the share of datagrams reordered, per million" },
    { "response", "how a response was carried: in the ACK (piggybacked) or in a message of its own (separate)" },
    { "ri", "the resource id" },
    { "rqi", "the request identifier" },
    { "rsc", "the oneM2M response status code" },
    { "rspf", "the remote security provisioning framework: ppsk (pre-provisioned symmetric key) or cert" },
    { "rule", "the policy rule that decided, in words" },
    { "rvi", "the release version indicator" },
    { "sa", "the number of the association on its endpoint (1, 2, ...)" },
    { "secure", "the message travelled inside a DTLS association" },
    { "seed", "the seed of the link's pseudo-random choices" },
    { "side", "the harness's side of the handshake" },
    { "sni", "the Server Name Indication" },
    { "stage", "the step of the exchange" },
    { "status", "how the IUT's process ended, in words (exited with status N, killed by signal N)" },
    { "prov.fetch/status", "whether the MEF served the credential" },
    { "suid", "the Security Usage Identifier asked for" },
    { "suite", "the cipher suite" },
    { "target", "the resource the access is to / the enrolment target" },
    { "to", "the target (To)" },
    { "to_iut_ppm", "the share of datagrams to the IUT that are lost, per million" },
    { "token", "the CoAP token, hex" },
    { "ty", "the resource type" },
    { "ty_option", "a request carries the oneM2M-TY option (an empty one too): only a CREATE does (TS-0004 Table 7.2.1.1-1)" },
    { "type", "the CoAP message type" },
    { "unresolved", "policies the decision could not read" },
    { "what", "what a datagram on a coaps port was instead of DTLS: a CoAP RST, another CoAP message, garbage" },
    { "version", "the DTLS version negotiated" },
    { "iut.restart/reason", "why the IUT was started again" },
};

#define NEVENTS (sizeof EVENTS / sizeof *EVENTS)

size_t events_count(void) { return NEVENTS; }
const ev_def *events_at(size_t i) { return i < NEVENTS ? &EVENTS[i] : NULL; }

const ev_def *events_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < NEVENTS; i++)
        if (strcmp(EVENTS[i].name, name) == 0) return &EVENTS[i];
    return NULL;
}

/* The i-th space-separated token of attrs into out. */
static int token(const char *attrs, size_t i, char *out, size_t outlen)
{
    const char *p = attrs;
    for (;;) {
        while (*p == ' ') p++;
        if (!*p) return 0;
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (i-- == 0) {
            snprintf(out, outlen, "%.*s", (int)n, p);
            return 1;
        }
        p += n;
    }
}

size_t events_nattrs(const ev_def *d)
{
    char t[1100];
    size_t n = 0;
    while (token(d->attrs, n, t, sizeof t)) n++;
    return n;
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int events_attr_at(const ev_def *d, size_t i, ev_attr *out)
{
    char t[1100];
    if (!token(d->attrs, i, t, sizeof t)) return 0;
    memset(out, 0, sizeof *out);
    char *colon = strchr(t, ':');
    if (colon) *colon = '\0';
    copy_trunc(out->key, sizeof out->key, t);
    const char *ty = colon ? colon + 1 : NULL;
    if (!ty) out->type = EVA_STRING;
    else if (!strcmp(ty, "int")) out->type = EVA_INT;
    else if (!strcmp(ty, "bool")) { out->type = EVA_BOOL; snprintf(out->values, sizeof out->values, "true|false"); }
    else {
        out->type = EVA_ENUM;
        if (strlen(ty) >= sizeof out->values) {   /* a table row too long: never cut a value set */
            fprintf(stderr, "m2m-harness: internal error: the value set of %s.%s is longer than %zu bytes\n",
                    d->name, out->key, sizeof out->values - 1);
            abort();
        }
        copy_trunc(out->values, sizeof out->values, ty);
    }
    return 1;
}

int events_attr(const ev_def *d, const char *key, ev_attr *out)
{
    ev_attr a;
    for (size_t i = 0; events_attr_at(d, i, &a); i++)
        if (!strcmp(a.key, key)) {
            if (out) *out = a;
            return 1;
        }
    return 0;
}

static int in_set(const char *set, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = set; *p;) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !strncmp(p, v, n)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

int events_value_ok(const ev_attr *a, const char *v)
{
    switch (a->type) {
    case EVA_STRING: return 1;
    case EVA_INT: {
        const char *p = v + (*v == '-');
        return *p && strspn(p, "0123456789") == strlen(p);
    }
    case EVA_BOOL:
    case EVA_ENUM: return in_set(a->values, v);
    }
    return 0;
}

const char *events_type_text(const ev_attr *a)
{
    switch (a->type) {
    case EVA_INT: return "int";
    case EVA_BOOL:
    case EVA_ENUM: return a->values;
    case EVA_STRING: break;
    }
    return "string";
}

const char *events_attr_meaning(const char *event, const char *key)
{
    size_t el = strlen(event);
    for (size_t i = 0; i < sizeof MEANINGS / sizeof *MEANINGS; i++) {
        const char *k = MEANINGS[i].key;
        if (!strncmp(k, event, el) && k[el] == '/' && !strcmp(k + el + 1, key)) return MEANINGS[i].meaning;
    }
    for (size_t i = 0; i < sizeof MEANINGS / sizeof *MEANINGS; i++)
        if (!strcmp(MEANINGS[i].key, key)) return MEANINGS[i].meaning;
    return NULL;
}

/* "; did you mean 'X'?" when a plausible nearest name exists, else "". */
static void hint(const nearest *n, char *buf, size_t len)
{
    const char *b = nearest_plausible(n);
    if (b) snprintf(buf, len, "; did you mean '%s'?", b);
    else buf[0] = '\0';
}

static void unknown_event(const char *name, char *err, size_t errlen)
{
    nearest n;
    nearest_init(&n, name);
    for (size_t i = 0; i < NEVENTS; i++) nearest_offer(&n, EVENTS[i].name);
    char h[96];
    hint(&n, h, sizeof h);
    snprintf(err, errlen, "unknown event '%s': the harness records no such event%s (the events are listed in docs/events.md)",
             name, h);
}

/* The attribute check for one event; value NULL or holding ${ is not checked. */
static int check_attr(const ev_def *d, const char *key, const char *value, char *err, size_t errlen)
{
    if (!strcmp(key, "peer")) return 0;
    ev_attr a;
    if (!events_attr(d, key, &a)) {
        char keys[64][sizeof a.key];
        size_t nk = 0;
        strbuf list;
        sb_init(&list);
        for (size_t i = 0; nk < 64 && events_attr_at(d, i, &a); i++) {
            copy_trunc(keys[nk], sizeof keys[nk], a.key);
            sb_addf(&list, "%s%s", nk ? ", " : "", a.key);
            nk++;
        }
        nearest n;
        nearest_init(&n, key);
        for (size_t i = 0; i < nk; i++) nearest_offer(&n, keys[i]);
        char h[96];
        hint(&n, h, sizeof h);
        snprintf(err, errlen, "event %s has no attribute '%s'%s (it has: %s; and peer)", d->name, key, h,
                 list.s ? list.s : "none");
        sb_free(&list);
        return -1;
    }
    if (!value || strstr(value, "${")) return 0;
    if (events_value_ok(&a, value)) return 0;
    if (a.type == EVA_INT) {
        snprintf(err, errlen, "%s's attribute %s is an integer, not '%s'", d->name, key, value);
        return -1;
    }
    nearest n;
    nearest_init(&n, value);
    char vals[sizeof a.values], *save = NULL;
    snprintf(vals, sizeof vals, "%s", a.values);
    for (char *t = strtok_r(vals, "|", &save); t; t = strtok_r(NULL, "|", &save)) nearest_offer(&n, t);
    char h[96];
    hint(&n, h, sizeof h);
    snprintf(err, errlen, "%s's attribute %s takes only %s, not '%s'%s", d->name, key, a.values, value, h);
    return -1;
}

int events_check_attr(const char *event, const char *key, const char *value, char *err, size_t errlen)
{
    const ev_def *d = events_find(event);
    if (!d) {
        unknown_event(event, err, errlen);
        return -1;
    }
    return check_attr(d, key, value, err, errlen);
}

int events_check_selector(const ev_sel *s, char *err, size_t errlen)
{
    size_t len = strlen(s->name);
    if (len && s->name[len - 1] == '*') {
        /* a prefix: some event has it, and each filter fits at least one of those */
        size_t matched = 0;
        for (size_t i = 0; i < NEVENTS; i++)
            if (!strncmp(EVENTS[i].name, s->name, len - 1)) matched++;
        if (!matched) {
            snprintf(err, errlen, "no event the harness records starts with '%.*s' (the events are listed in docs/events.md)",
                     (int)(len - 1), s->name);
            return -1;
        }
        for (size_t f = 0; f < s->nfilters; f++) {
            int fits = 0;
            char first[512] = "";
            for (size_t i = 0; i < NEVENTS && !fits; i++) {
                if (strncmp(EVENTS[i].name, s->name, len - 1)) continue;
                char e[512];
                if (check_attr(&EVENTS[i], s->filters[f].key, s->filters[f].value, e, sizeof e) == 0) fits = 1;
                else if (!first[0]) snprintf(first, sizeof first, "%s", e);
            }
            if (!fits) {
                snprintf(err, errlen, "no event matching %s can have %s=%s (%s)", s->name, s->filters[f].key,
                         s->filters[f].value, first);
                return -1;
            }
        }
        return 0;
    }
    const ev_def *d = events_find(s->name);
    if (!d) {
        unknown_event(s->name, err, errlen);
        return -1;
    }
    for (size_t f = 0; f < s->nfilters; f++)
        if (check_attr(d, s->filters[f].key, s->filters[f].value, err, errlen) < 0) return -1;
    return 0;
}

int events_check_emit(const char *name, const char *key, const char *value, char *err, size_t errlen)
{
    const ev_def *d = events_find(name);
    if (!d) {
        unknown_event(name, err, errlen);
        return -1;
    }
    if (!key) return 0;
    if (!strcmp(key, "peer")) {
        snprintf(err, errlen, "event %s: 'peer' is the event's peer, not an attribute", name);
        return -1;
    }
    ev_attr a;
    if (!events_attr(d, key, &a)) return check_attr(d, key, NULL, err, errlen);
    if (value && !events_value_ok(&a, value)) {
        snprintf(err, errlen, "event %s: attribute %s=%s is not of its registered type %s", name, key, value,
                 events_type_text(&a));
        return -1;
    }
    return 0;
}
