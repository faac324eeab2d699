/* libFuzzer target for the Enrolment Exchange payloads the MEF and the enrolee read from
 * the wire (sec/mef_msg.h): an accepted request is built again and read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "enrol/mef_msg.h"
#include "enrol/mef_cred.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mef_indications in;
    char err[256];
    if (mef_parse_indications(data, size, &MEF_NAMES_DEFAULT, &in, err, sizeof err) == 0) {
        char *s = mef_build_indications(&MEF_NAMES_DEFAULT, &in);
        mef_indications again;
        if (mef_parse_indications((const uint8_t *)s, strlen(s), &MEF_NAMES_DEFAULT, &again, err, sizeof err) != 0 ||
            again.cert != in.cert || again.maf != in.maf || again.rmgmt != in.rmgmt)
            abort();
        free(s);
    }
    (void)mef_is_end(data, size, &MEF_NAMES_DEFAULT);
    /* The credential answer to fetchCredentials (sec/mef_cred.h), read back the same way. */
    uint8_t key[MEF_CRED_MAX], key2[MEF_CRED_MAX];
    size_t kl = 0, kl2 = 0;
    char id[128], id2[128];
    long lt = 0, lt2 = 0;
    if (mef_parse_credential(data, size, key, &kl, id, sizeof id, &lt, err, sizeof err) == 1 && strlen(id) + 1 < sizeof id) {
        char *s = mef_build_credential(key, kl, id, lt);
        if (mef_parse_credential((const uint8_t *)s, strlen(s), key2, &kl2, id2, sizeof id2, &lt2, err, sizeof err) != 1 ||
            kl2 != kl || memcmp(key, key2, kl) != 0 || strcmp(id, id2) != 0 || lt != lt2)
            abort();
        free(s);
    }
    return 0;
}
