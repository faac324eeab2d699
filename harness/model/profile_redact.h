/* Secrets out of messages and reports: the profile's PSK and MEF keys never appear in a
 * diagnostic or in the copy of the profile written beside a run's report. */
#ifndef M2M_PROFILE_REDACT_H
#define M2M_PROFILE_REDACT_H
#include <stddef.h>
#include <stdint.h>
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
/* The forms a PSK can take in what an IUT writes: its bytes (when at least 4), in hex (lower
 * and upper case) and in base64. */
typedef struct secret_forms { char *form[4]; size_t n; } secret_forms;
void secret_forms_of(const uint8_t *key, size_t len, secret_forms *out);
void secret_forms_free(secret_forms *f);
/* A copy of s with every form replaced by "<redacted>". */
char *secret_redact(const secret_forms *f, const char *s);
/* Rewrites the file at path with every form replaced (an IUT's output, which may echo the
 * key its start command was given). 0, or -1 on I/O error; a missing file is 0. */
int secret_redact_file(const secret_forms *f, const char *path);
#define PROFILE_REDACTED_KEY "REDACTED-not-written-to-reports"

#endif
