/* Shared by the profile loader's modules (profile.c, profile_creds.c); not for other users. */
#ifndef M2M_PROFILE_INT_H
#define M2M_PROFILE_INT_H
#include "profile.h"
#include "xmlload.h"
#include <stdarg.h>

typedef struct pctx {
    const char *file;
    diag *d;
    int errors;
} pctx;

/* An input error at file:line (or, with src, at line of the base profile src); counts towards
 * the load's failure. */
void profile_verr(pctx *c, const xml_origin *src, int line, const char *fmt, va_list ap);

/* The index-th <psk> of <credentials> (0: the harness's own, 1: a second registree's). */
void profile_parse_psk(pctx *c, const xmlNode *n, profile *p, int index);
/* Checks between the credentials and the rest of the profile (role, the harness's CSE-ID,
 * PICS CFG_SECOND_REGISTREE, whose <pics> is the element pics). */
void profile_check_creds(pctx *c, const profile *p, const xmlNode *pics);

#endif
