#include "steps_field.h"
#include "../net/ports.h"
#include "../net/udp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int field_pick_ports(const profile *in, profile *out)
{
    if (!in->role || strcmp(in->role, "field") != 0 || (in->iut_coap_port > 0 && in->iut_coaps_port > 0))
        return 0;
    *out = *in;
    const char *addr = in->iut_address ? in->iut_address : "127.0.0.1";
    /* Both 0: adjacent, coaps = coap + 1, the layout of servers that take one port and put
     * DTLS on the next (libcoap's coap-server -p). Only one of them 0: that one from bind(0). */
    if (out->iut_coap_port <= 0 && out->iut_coaps_port <= 0) {
        int port = ports_pick_below_ephemeral(addr, 2);
        if (port > 0) {
            out->iut_coap_port = port;
            out->iut_coaps_port = port + 1;
        }
    }
    udp_sock a = { .fd = -1 }, b = { .fd = -1 };
    char err[256];
    /* No room below the ephemeral range: an adjacent pair from bind(0). */
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
