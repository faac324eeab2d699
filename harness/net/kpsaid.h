/* The form of a PSK identity presented in SAE (TS-0003 §10.5):
 * Issuer_Relative_KpsaID@Issuer-FQDN, the relative part of letters, digits, '.', '_' and
 * '-', the FQDN of dot-separated host-name labels (RFC 1123: letters, digits, '-' inside). */
#ifndef M2M_KPSAID_H
#define M2M_KPSAID_H
#include <stddef.h>

/* 1 when id (len bytes, no NUL needed) is a KpsaID, else 0 (NULL, empty, bare, bad characters). */
int kpsaid_valid(const char *id, size_t len);

#endif
