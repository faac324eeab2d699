/* The Enrolment Exchange payloads (TS-0003 §8.3.2.1, tables 8.3.2.1-1..4). The spec leaves
 * the serialisation open ("for example XML or JSON") and TS-0032's names are unknown to us,
 * so the member names are settings; the defaults (docs/mef.md) are the table entries in
 * lowerCamelCase, JSON. Parsing reads bytes from the wire: fuzz target harness/fuzz/fuzz_mef_msg.c. */
#ifndef M2M_MEF_MSG_H
#define M2M_MEF_MSG_H
#include <stddef.h>
#include <stdint.h>

typedef struct mef_names {
    const char *cert;       /* Certificate Enrolment Indication */
    const char *maf;        /* MAF Enrolment Indication */
    const char *rmgmt;      /* Remote Management Indication */
    const char *end;        /* the MEF's "end of exchange" */
} mef_names;

extern const mef_names MEF_NAMES_DEFAULT;

typedef struct mef_indications { int cert, maf, rmgmt; } mef_indications;

/* Parses the enrolee's request: a JSON object with the three indications, each a boolean
 * (all three required, other members ignored). Returns 0, or -1 with the reason in err. */
int mef_parse_indications(const uint8_t *p, size_t n, const mef_names *names, mef_indications *out,
                          char *err, size_t errlen);
/* The enrolee's request body (caller frees). */
char *mef_build_indications(const mef_names *names, const mef_indications *in);
/* The MEF's final answer: {"<end>": true}, no instructions (caller frees). */
char *mef_build_end(const mef_names *names);
/* 1 when p is that final answer, 0 otherwise. */
int mef_is_end(const uint8_t *p, size_t n, const mef_names *names);

#endif
