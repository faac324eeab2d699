/* What a run's reports say about the run itself, the audit trail of a certification run:
 * harness version and build, the profile and its checksum, the test
 * suite's version, start and end times, the seed, the command, and the values of the
 * environment variables the profile's commands use (so a replay can set them again). */
#ifndef M2M_RUNINFO_H
#define M2M_RUNINFO_H
#include <stddef.h>
#include "../model/profile.h"
#include "../model/testcase.h"

typedef struct run_info {
    char *run_id;
    char *report_dir;
    char *harness_version, *harness_git, *build_type, *build_sanitize;
    char *harness_exe;          /* absolute path of the running binary */
    char *host;
    char *command;              /* argv, shell-quoted */
    char *cwd;
    char *profile_path;         /* absolute */
    char profile_sha256[65];
    char suite_sha256[65];      /* over the plan's test case files and their fragments, see runinfo.c */
    size_t suite_files;
    char started[32], ended[32];   /* RFC 3339, UTC */
    unsigned long long seed;
    int pcap;
    kvlist env;                 /* NAME -> value of each $NAME / ${NAME} in the profile (NULL: unset) */
    /* Tests of the other role among those selected: left out of the plan before it runs,
     * counted here (summary, JUnit property other_role_tests), listed nowhere. */
    size_t other_role;
    const char *other_role_name;   /* that role ("field" for an in-cse profile), NULL when none */
} run_info;

void run_info_init(run_info *ri, const char *run_id, const char *report_dir, int argc, char **argv,
                   const char *profile_path, testcase *const *plan, size_t nplan,
                   unsigned long long seed, int pcap);
void run_info_finish(run_info *ri);   /* the end time */
void run_info_free(run_info *ri);

/* Lower-case hex SHA-256 of a file (out: 65 bytes); "" when it cannot be read. */
void sha256_file(const char *path, char out[65]);
/* Single-quoted for a POSIX shell. */
char *shell_quote(const char *s);
/* RFC 3339 UTC time of now. */
void rfc3339_now(char out[32]);

#endif
