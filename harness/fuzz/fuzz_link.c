/* libFuzzer target for the link-control settings a test case writes (<link drop=… duplicate=…
 * loss=… delay=… rebind=…>, harness/net/link.h). Invariants: a refused list says why and changes nothing; an
 * accepted drop list drops exactly the indices it names (checked on the first 64). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "net/link.h"
#include "fuzz_target.h"

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
    link_init(&l, NULL, 1);
    link_attach(&l, &sock);
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
    /* delay / reorder-hold durations, and rebind: a refused spec says why and leaves the
     * mapping as it was; an accepted one maps a sender out and its answers back */
    long ms = link_parse_ms(s);
    if (ms < -1 || ms > 60000) abort();
    int was = l.nat_on;
    err[0] = '\0';
    if (link_set_rebind(&l, s, err, sizeof err) < 0) {
        if (!err[0] || l.nat_on != was) abort();
    } else if (l.nat_on) {
        net_addr in, a;
        net_addr_parse(l.nat_addr.ss.ss_family == AF_INET ? "127.0.0.1" : "::1", 5000, &in);
        a = in;
        link_nat_in(&l, &sock, &a);
        if (net_addr_equal(&a, &in) && l.nat_port_off) abort();
        if (link_nat_out(&l, &sock, &a) < 0 || !net_addr_equal(&a, &in)) abort();
    }
    link_detach(&l);
    free(s);
    return 0;
}
