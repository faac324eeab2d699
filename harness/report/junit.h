/* JUnit XML in the de-facto format CI tools read:
 * `testsuites` root, one `testsuite` per role, classname <role>.<area>, name = test id,
 * failure/error/skipped each with a message, counts equal to the children, per-case
 * system-out capped. The file is rewritten whole and atomically (temp + rename) after
 * every test, so it is complete at any moment, also after SIGINT. */
#ifndef M2M_JUNIT_H
#define M2M_JUNIT_H
#include <stddef.h>
#include "../flow/result.h"

#define JUNIT_SYSTEM_OUT_CAP 16384

typedef struct junit_run {
    const char *name;        /* testsuites name, e.g. "m2m-harness" */
    const char *timestamp;   /* ISO 8601 start time, no zone */
    const char *hostname;
    const char *profile;     /* profile file: a property */
    const char *profile_name;
    /* More suite properties, name/value pairs ending with NULL (the audit trail: build,
     * profile checksum, suite version, seed, start and end); may be NULL. */
    const char *const *properties;
} junit_run;

/* Writes results[0..n) to path atomically. Returns 0, -1 on I/O error (errno set). */
int junit_write(const char *path, const junit_run *run, const test_result *results, size_t n);

/* A run over several profiles: one testsuite per profile, named after it (run->profile_name),
 * with that profile's suite properties; each test case keeps classname <role>.<area> and is
 * named "<ID>@<profile>", so every name in the file is unique. The testsuites root counts
 * all of them. (Each profile's own folder also gets the plain junit_write report.) */
typedef struct junit_part {
    const junit_run *run;           /* profile, profile_name and properties of this suite */
    const test_result *results;
    size_t n;
} junit_part;
int junit_write_profiles(const char *path, const junit_run *run, const junit_part *parts, size_t nparts);

/* Escapes text for XML character data / attributes: & < > " ' escaped; control bytes
 * other than \t \n \r and invalid UTF-8 become "\xHH". Returns a new string. */
char *xml_escape_text(const char *s, size_t len);

#endif
