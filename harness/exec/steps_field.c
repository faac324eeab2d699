#include "steps_field.h"
#include "../net/udp.h"
#include "../util/xmem.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The kernel's ephemeral range (ports it hands to bind(0) and to unbound sends). */
static void ephemeral_range(int *lo, int *hi)
{
    *lo = 32768;
    *hi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (!f) return;
    int a, b;
    if (fscanf(f, "%d %d", &a, &b) == 2 && a > 0 && b >= a) {
        *lo = a;
        *hi = b;
    }
    fclose(f);
}

/* Two free adjacent ports (coap, coap + 1) chosen at random below the ephemeral range, or 0.
 * Why not bind(0): a port taken from the ephemeral range and released for the IUT to bind
 * is handed out again to any socket opened meanwhile (the harness's own, a parallel test's),
 * and the IUT then dies with "address in use" (seen about once per 500 tests under -j). */
static int pick_below_ephemeral(const char *addr)
{
    int lo, hi;
    ephemeral_range(&lo, &hi);
    (void)hi;
    const int first = 10000;
    int span = lo - 2 - first;
    if (span < 1000) return 0;
    static uint64_t state;
    if (!state) state = ((uint64_t)getpid() << 32) ^ (uint64_t)mono_now_ns() ^ 0x9e3779b97f4a7c15ULL;
    char err[256];
    for (int tries = 0; tries < 50; tries++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;   /* xorshift64 */
        int port = first + (int)(state % (uint64_t)span);
        udp_sock a = { .fd = -1 }, b = { .fd = -1 };
        int ok = udp_bind(&a, addr, port, err, sizeof err) == 0 && udp_bind(&b, addr, port + 1, err, sizeof err) == 0;
        udp_close(&a);
        udp_close(&b);
        if (ok) return port;
    }
    return 0;
}

int field_pick_ports(const profile *in, profile *out)
{
    if (!in->role || strcmp(in->role, "field") != 0 || (in->iut_coap_port > 0 && in->iut_coaps_port > 0))
        return 0;
    *out = *in;
    const char *addr = in->iut_address ? in->iut_address : "127.0.0.1";
    /* Both 0: adjacent, coaps = coap + 1, the layout of servers that take one port and put
     * DTLS on the next (libcoap's coap-server -p). Only one of them 0: that one from bind(0). */
    if (out->iut_coap_port <= 0 && out->iut_coaps_port <= 0) {
        int port = pick_below_ephemeral(addr);
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
