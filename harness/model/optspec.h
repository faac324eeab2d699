/* An extra CoAP option written in a test case as "NUM" or "NUM:HEX" (<send option="65001:78">),
 * so a test can send what a normal stack never would: an unknown critical option, an
 * elective one with a bad length (RFC 7252 §5.4.1). */
#ifndef M2M_OPTSPEC_H
#define M2M_OPTSPEC_H
#include <stddef.h>
#include <stdint.h>

/* 0 and *val (owned, may be NULL when *len is 0) on success; -1 with a reason in err. */
int cm_optspec_parse(const char *spec, uint16_t *num, uint8_t **val, size_t *len, char *err, size_t errlen);

/* The most options one <send option=…> may list. */
#define CM_OPTSPEC_MAX 4

/* Several of them separated by single spaces (<send option="17: 17:2711">: a second Accept),
 * at most max, kept in order: *n of them in nums, vals (each owned) and lens, and 0; -1 with
 * a reason in err and nothing left to free. */
int cm_optspec_parse_list(const char *spec, size_t max, uint16_t *nums, uint8_t **vals, size_t *lens, size_t *n,
                          char *err, size_t errlen);

#endif
