#include "steps_field.h"
#include "../net/ports.h"
#include "../net/udp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int field_pick_ports(const profile *p, test_env *env)
{
    if (!p->role || strcmp(p->role, "field") != 0 || (p->iut_coap_port > 0 && p->iut_coaps_port > 0))
        return 0;
    /* Only what the profile leaves open is picked; a fixed port stays the profile's. */
    int coap = p->iut_coap_port, coaps = p->iut_coaps_port;
    const char *addr = p->iut_address;
    /* Both 0: adjacent, coaps = coap + 1, the layout of servers that take one port and put
     * DTLS on the next (libcoap's coap-server -p). Only one of them 0: that one from bind(0). */
    if (coap <= 0 && coaps <= 0) {
        int port = ports_pick_below_ephemeral(addr, 2);
        if (port > 0) {
            coap = port;
            coaps = port + 1;
        }
    }
    udp_sock a = { .fd = -1 }, b = { .fd = -1 };
    char err[256];
    /* No room below the ephemeral range: an adjacent pair from bind(0). */
    for (int tries = 0; tries < 20 && coap <= 0 && coaps <= 0; tries++) {
        if (udp_bind(&b, addr, 0, err, sizeof err) < 0) break;
        int port = udp_port(&b);
        if (port < 65535 && udp_bind(&a, addr, port + 1, err, sizeof err) == 0) {
            coap = port;
            coaps = port + 1;
        }
        udp_close(&a);
        udp_close(&b);
    }
    if (coaps <= 0 && udp_bind(&a, addr, 0, err, sizeof err) == 0) coaps = udp_port(&a);
    if (coap <= 0 && udp_bind(&b, addr, 0, err, sizeof err) == 0) coap = udp_port(&b);
    udp_close(&a);
    udp_close(&b);
    env->iut_coap_port = coap;
    env->iut_coaps_port = coaps;
    return 1;
}
