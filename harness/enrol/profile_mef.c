#include "profile_mef.h"
#include "../model/xmlload.h"
#include "../util/xmem.h"
#include "../util/hex.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int one_of(const char *v, const char *a, const char *b) { return !v || !strcmp(v, a) || !strcmp(v, b); }

profile_mef *profile_mef_parse(const xmlNode *n, char *err, size_t errlen)
{
    profile_mef *m = xcalloc(1, sizeof *m);
    m->fqdn = xml_attr(n, "fqdn");
    m->kpm_id = xml_attr(n, "kpm-id");
    m->path = xml_attr(n, "path");
    m->enrolee_id = xml_attr(n, "enrolee-id");
    m->context = xml_attr(n, "context");
    m->keid_case = xml_attr(n, "keid-case");
    m->derive = xml_attr(n, "derive");
    m->suid_encoding = xml_attr(n, "suid-encoding");
    m->suid = xml_attr(n, "suid");
    m->target_fqdn = xml_attr(n, "target-fqdn");
    char *rspf = xml_attr(n, "rspf"), *at = xml_attr(n, "at");
    m->at_iut = at && !strcmp(at, "iut");
    m->rspf_cert = rspf && !strcmp(rspf, "cert");
    m->enrolee_cert_id = xml_attr(n, "enrolee-cert-id");
    m->target_id = xml_attr(n, "target-id");
    m->target_psk_id = xml_attr(n, "target-psk-id");
    m->target_psk = xml_attr(n, "target-psk");
    char *life = xml_attr(n, "lifetime");
    m->lifetime_ns = life ? parse_duration_ns(life) : 0;
    char *port = xml_attr(n, "port"), *enc = xml_attr(n, "encoding"), *key = xml_attr(n, "kpm");
    err[0] = '\0';
    if (!m->fqdn || !*m->fqdn)
        snprintf(err, errlen, "<mef> needs fqdn");
    else if (!one_of(at, "harness", "iut"))
        snprintf(err, errlen, "<mef at=\"%s\">: expected harness or iut", at);
    else if (!one_of(rspf, "ppsk", "cert"))
        snprintf(err, errlen, "<mef rspf=\"%s\">: expected ppsk or cert", rspf);
    else if (!m->rspf_cert && (!m->kpm_id || !*m->kpm_id))
        snprintf(err, errlen, "<mef> needs kpm-id and kpm (pre-provisioned symmetric enrolee key)");
    else if (!m->target_id != !m->target_psk_id || !m->target_psk_id != !m->target_psk)
        snprintf(err, errlen, "<mef>: target-id, target-psk-id and target-psk go together");
    else if (m->rspf_cert && !m->enrolee_cert_id)
        snprintf(err, errlen, "<mef rspf=\"cert\"> needs enrolee-cert-id (and cert, key, trust)");
    else if (!one_of(m->context, "absent", "empty") || !one_of(m->keid_case, "lower", "upper") ||
             !one_of(m->derive, "kpsa", "usage-constrained") || !one_of(m->suid_encoding, "text", "byte"))
        snprintf(err, errlen, "<mef>: context absent|empty, keid-case lower|upper, derive kpsa|usage-constrained, "
                              "suid-encoding text|byte");
    else if (m->path && m->path[0] != '/')
        snprintf(err, errlen, "<mef path=\"%s\">: the path starts with /", m->path);
    else if (m->lifetime_ns < 0 || (life && m->lifetime_ns == 0))
        snprintf(err, errlen, "<mef lifetime=\"%s\">: expected a duration such as 30s or 1h", life);
    else if (port && (atoi(port) < 0 || atoi(port) > 65535))
        snprintf(err, errlen, "<mef port=\"%s\">: not a port", port);
    else if (m->rspf_cert && (!key || !*key))
        ;   /* no Kpm: the bootstrap handshake uses certificates */
    else if (!key || !*key)
        snprintf(err, errlen, "<mef>: kpm is empty");
    else if (enc && strcmp(enc, "hex") == 0) {
        if (hex_decode(key, &m->kpm, &m->kpm_len) < 0) snprintf(err, errlen, "<mef encoding=\"hex\">: kpm is not hex");
    } else if (enc && strcmp(enc, "ascii") != 0) {
        snprintf(err, errlen, "<mef encoding=\"%s\">: expected ascii or hex", enc);
    } else {
        m->kpm_len = strlen(key);
        m->kpm = (uint8_t *)xstrdup(key);
    }
    m->port = port ? atoi(port) : 0;
    free(port);
    free(life);
    free(rspf);
    free(at);
    free(enc);
    if (key) explicit_bzero(key, strlen(key));
    free(key);
    if (err[0]) {
        profile_mef_free(m);
        return NULL;
    }
    return m;
}

void profile_mef_free(profile_mef *m)
{
    if (!m) return;
    if (m->kpm) explicit_bzero(m->kpm, m->kpm_len);
    if (m->target_psk) explicit_bzero(m->target_psk, strlen(m->target_psk));
    free(m->kpm);
    char *s[] = { m->fqdn, m->kpm_id, m->path, m->enrolee_id, m->context, m->keid_case, m->derive,
                  m->suid_encoding, m->suid, m->target_fqdn, m->cert, m->key, m->trust, m->enrolee_cert_id,
                  m->target_id, m->target_psk_id, m->target_psk };
    for (size_t i = 0; i < sizeof s / sizeof *s; i++) free(s[i]);
    free(m);
}
