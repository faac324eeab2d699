/* libFuzzer target for the link-control settings a test case writes (<link drop=… duplicate=…
 * loss=…>, harness/net/link.h). Invariants: a refused list says why and changes nothing; an
 * accepted drop list drops exactly the indices it names (checked on the first 64). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    long share = link_parse_share(s);
    if (share < -1 || share > 1000000) abort();
    net_link l;
    udp_sock sock = { .fd = -1 };
    char err[256];
    link_attach(&l, &sock, NULL, 1);
    err[0] = '\0';
    if (link_set_list(&l, 'd', s, err, sizeof err) < 0) {
        if (!err[0] || l.nlist[0] || l.nlist[1]) abort();
    } else {
        for (int d = 0; d < 2; d++)
            for (uint64_t i = 0; i < 64; i++) {
                int listed = 0;
                for (size_t k = 0; k < l.nlist[d]; k++) listed |= l.list[d][k] == i;
                if ((link_decide(&l, &sock, d) == 0) != listed) abort();
            }
    }
    link_attach(NULL, NULL, NULL, 1);
    free(s);
    return 0;
}
