/* libFuzzer target for the Enrolment Exchange payloads the MEF and the enrolee read from
 * the wire (sec/mef_msg.h): an accepted request is built again and read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sec/mef_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    return 0;
}
