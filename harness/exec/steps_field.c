#include "steps_field.h"
#include "../net/udp.h"
#include <string.h>

int field_pick_ports(const profile *in, profile *out)
{
    if (!in->role || strcmp(in->role, "field") != 0 || (in->iut_coap_port > 0 && in->iut_coaps_port > 0))
        return 0;
    *out = *in;
    const char *addr = in->iut_address ? in->iut_address : "127.0.0.1";
    /* Both bound at once so they differ, then released for the IUT to bind. No socket here
     * uses SO_REUSEADDR, so a port taken meanwhile shows as the IUT's bind error, never as
     * two servers on one port. */
    udp_sock a = { .fd = -1 }, b = { .fd = -1 };
    char err[256];
    /* Both 0: adjacent, coaps = coap + 1, the layout of servers that take one port and put
     * DTLS on the next (libcoap's coap-server -p). */
    for (int tries = 0; tries < 20 && out->iut_coap_port <= 0 && out->iut_coaps_port <= 0; tries++) {
        if (udp_bind(&b, addr, 0, err, sizeof err) < 0) break;
        int port = udp_port(&b);
        if (port < 65535 && udp_bind(&a, addr, port + 1, err, sizeof err) == 0) {
            out->iut_coap_port = port;
            out->iut_coaps_port = port + 1;
        }
        udp_close(&a);
        udp_close(&b);
    }
    if (out->iut_coaps_port <= 0 && udp_bind(&a, addr, 0, err, sizeof err) == 0) out->iut_coaps_port = udp_port(&a);
    if (out->iut_coap_port <= 0 && udp_bind(&b, addr, 0, err, sizeof err) == 0) out->iut_coap_port = udp_port(&b);
    udp_close(&a);
    udp_close(&b);
    return 1;
}
