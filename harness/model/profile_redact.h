/* Secrets out of messages and reports: the profile's PSK and MEF keys never appear in a
 * diagnostic or in the copy of the profile written beside a run's report. */
#ifndef M2M_PROFILE_REDACT_H
#define M2M_PROFILE_REDACT_H
#include <stddef.h>
#include "../util/diag.h"

/* Replaces every occurrence of secret (len bytes, at least 4) in the messages d holds from
 * index from on with "<redacted>". */
void profile_redact_secret(diag *d, size_t from, const char *secret, size_t len);
/* The same for the raw text of every <psk key="..."> in the profile's bytes buf: when the
 * document does not even parse, that text is all that says what the secret is. */
void profile_redact_raw_keys(diag *d, size_t from, const char *buf, size_t len);

/* Copies the profile file at src to dst with every PSK key (and the MEF's Kpm and target
 * PSK) replaced by a marker, so the profile applied can go into reports without its
 * secret. Returns 0, -1 on I/O error. */
int profile_write_redacted(const char *src, const char *dst);
#define PROFILE_REDACTED_KEY "REDACTED-not-written-to-reports"

#endif
