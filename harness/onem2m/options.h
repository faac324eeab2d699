/* oneM2M CoAP options (TS-0008 Table 6.2.2.4.0-1) and the two numberings in use:
 * "iana" (TS-0008 >= V3.7.0) and "legacy" (256..270, OM2M/Mobius/oneM2MTester era). */
#ifndef M2M_OPTIONS_H
#define M2M_OPTIONS_H
#include <stdint.h>

typedef enum {
    M2M_OPT_FR, M2M_OPT_RQI, M2M_OPT_OT, M2M_OPT_RQET, M2M_OPT_RSET, M2M_OPT_OET,
    M2M_OPT_RTURI, M2M_OPT_EC, M2M_OPT_RSC, M2M_OPT_GID, M2M_OPT_TY, M2M_OPT_CTO,
    M2M_OPT_CTS, M2M_OPT_ATI, M2M_OPT_RVI, M2M_OPT_VSI, M2M_OPT_GTM, M2M_OPT_AUS,
    M2M_OPT_ASRI,
    M2M_OPT__COUNT
} m2m_opt;

typedef struct m2m_optmap { uint16_t num[M2M_OPT__COUNT]; } m2m_optmap; /* 0 = not sent */

/* "fr", "rqi", ... (short names as in the profile and in match fields) */
const char *m2m_opt_name(m2m_opt o);
int m2m_opt_by_name(const char *name);        /* -1 if unknown */
/* Fills map from a preset; returns -1 for an unknown preset name. */
int m2m_optmap_preset(const char *preset, m2m_optmap *map);
/* The logical option for a number under map, or -1. */
int m2m_optmap_lookup(const m2m_optmap *map, uint16_t num);

/* TS-0008 Table 6.2.2.2-1 */
enum {
    M2M_CF_RES_JSON = 10001, M2M_CF_RES_XML = 10014, M2M_CF_RES_CBOR = 10010,
    M2M_CF_APP_JSON = 50, M2M_CF_APP_XML = 41,
};

/* The Content-Formats the harness reads and writes: the oneM2M ones (TS-0008 Table
 * 6.2.2.2-1) and the plain media types (RFC 7252 §12.3) that CSEs of the legacy numbering's
 * era take instead. A name ("onem2m-json", "json", "onem2m-xml", "xml") or its number ->
 * the number, -1 for anything else. */
int m2m_cf_parse(const char *s);
/* The name of one of those four, NULL for any other number. */
const char *m2m_cf_name(int cf);
/* 1 when cf carries JSON (10001, 50) or XML (10014, 41) content. */
int m2m_cf_is_json(int cf);
int m2m_cf_is_xml(int cf);

#endif
