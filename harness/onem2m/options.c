#include "options.h"
#include <stdlib.h>
#include <string.h>

static const char *const names[M2M_OPT__COUNT] = {
    [M2M_OPT_FR] = "fr", [M2M_OPT_RQI] = "rqi", [M2M_OPT_OT] = "ot", [M2M_OPT_RQET] = "rqet",
    [M2M_OPT_RSET] = "rset", [M2M_OPT_OET] = "oet", [M2M_OPT_RTURI] = "rturi", [M2M_OPT_EC] = "ec",
    [M2M_OPT_RSC] = "rsc", [M2M_OPT_GID] = "gid", [M2M_OPT_TY] = "ty", [M2M_OPT_CTO] = "cto",
    [M2M_OPT_CTS] = "cts", [M2M_OPT_ATI] = "ati", [M2M_OPT_RVI] = "rvi", [M2M_OPT_VSI] = "vsi",
    [M2M_OPT_GTM] = "gtm", [M2M_OPT_AUS] = "aus", [M2M_OPT_ASRI] = "asri",
};

/* TS-0008 V3.9.0 Table 6.2.2.4.0-1 (numbers registered with IANA since V3.7.0). */
static const m2m_optmap iana = { {
    [M2M_OPT_FR] = 279, [M2M_OPT_RQI] = 283, [M2M_OPT_OT] = 259, [M2M_OPT_RQET] = 291,
    [M2M_OPT_RSET] = 295, [M2M_OPT_OET] = 299, [M2M_OPT_RTURI] = 263, [M2M_OPT_EC] = 303,
    [M2M_OPT_RSC] = 307, [M2M_OPT_GID] = 311, [M2M_OPT_TY] = 267, [M2M_OPT_CTO] = 319,
    [M2M_OPT_CTS] = 323, [M2M_OPT_ATI] = 327, [M2M_OPT_RVI] = 271, [M2M_OPT_VSI] = 331,
    [M2M_OPT_GTM] = 335, [M2M_OPT_AUS] = 339, [M2M_OPT_ASRI] = 275,
} };

/* Pre-V3.7.0 numbers as OM2M, Mobius and oneM2MTester use them. No number is known for
 * rvi, vsi, gtm, aus, asri: they are not sent unless the profile gives one. */
static const m2m_optmap legacy = { {
    [M2M_OPT_FR] = 256, [M2M_OPT_RQI] = 257, [M2M_OPT_OT] = 259, [M2M_OPT_RQET] = 260,
    [M2M_OPT_RSET] = 261, [M2M_OPT_OET] = 262, [M2M_OPT_RTURI] = 263, [M2M_OPT_EC] = 264,
    [M2M_OPT_RSC] = 265, [M2M_OPT_GID] = 266, [M2M_OPT_TY] = 267, [M2M_OPT_CTO] = 268,
    [M2M_OPT_CTS] = 269, [M2M_OPT_ATI] = 270,
} };

const char *m2m_opt_name(m2m_opt o)
{
    return (o >= 0 && o < M2M_OPT__COUNT) ? names[o] : "?";
}

int m2m_opt_by_name(const char *name)
{
    for (int i = 0; i < M2M_OPT__COUNT; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

int m2m_optmap_preset(const char *preset, m2m_optmap *map)
{
    if (strcmp(preset, "iana") == 0) *map = iana;
    else if (strcmp(preset, "legacy") == 0) *map = legacy;
    else return -1;
    return 0;
}

int m2m_optmap_lookup(const m2m_optmap *map, uint16_t num)
{
    if (num == 0) return -1;
    for (int i = 0; i < M2M_OPT__COUNT; i++)
        if (map->num[i] == num) return i;
    return -1;
}

static const struct { int cf; const char *name; } formats[] = {
    { M2M_CF_RES_JSON, "onem2m-json" }, { M2M_CF_APP_JSON, "json" },
    { M2M_CF_RES_XML, "onem2m-xml" }, { M2M_CF_APP_XML, "xml" },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int m2m_cf_parse(const char *s)
{
    char *end = NULL;
    long n = s && *s ? strtol(s, &end, 10) : -1;
    for (size_t i = 0; s && i < NFORMATS; i++)
        if (strcmp(s, formats[i].name) == 0 || (end && !*end && n == formats[i].cf)) return formats[i].cf;
    return -1;
}

const char *m2m_cf_name(int cf)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i].cf == cf) return formats[i].name;
    return NULL;
}

int m2m_cf_is_json(int cf) { return cf == M2M_CF_RES_JSON || cf == M2M_CF_APP_JSON; }
int m2m_cf_is_xml(int cf) { return cf == M2M_CF_RES_XML || cf == M2M_CF_APP_XML; }
