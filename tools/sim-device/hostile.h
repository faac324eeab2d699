/* Hostile-peer switches of sim-device (see hostile.c). */
#ifndef M2M_SIM_HOSTILE_H
#define M2M_SIM_HOSTILE_H
#include "model/profile.h"
#include "net/loop.h"
#include "net/udp.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int hostile_known(const char *name);
/* 1 when the switch acts inside the association, 0 when before it. */
int hostile_inside_sa(const char *name);
void hostile_usage(FILE *f);
/* Before the device's handshake: raw datagrams from a side socket to the harness. */
void hostile_outside(const char *name, const char *bind_addr, const char *harness_addr, int coap_port, int coaps_port,
                     const profile *p);
/* In the association, before registering: raw CoAP through send(ctx, ...). */
void hostile_inside(const char *name, evloop *loop, int (*send)(void *ctx, const uint8_t *b, size_t n),
                    void *ctx, const profile *p);

#endif
