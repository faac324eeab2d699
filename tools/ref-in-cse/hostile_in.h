/* ref-in-cse --hostile=NAME: a hostile IN-CSE toward the harness's field role. */
#ifndef M2M_REF_HOSTILE_IN_H
#define M2M_REF_HOSTILE_IN_H
#include "net/coap.h"
#include "net/coap_ep.h"
#include "net/loop.h"
#include "net/udp.h"
#include "onem2m/options.h"
#include <stdio.h>

int hostile_in_known(const char *name);
void hostile_in_usage(FILE *f);
/* 1 when the switch replaces the DTLS server: the handshake itself is hostile. */
int hostile_in_dtls(const char *name);
/* Serves the coaps socket as that hostile DTLS server, on loop, until the process ends. */
void hostile_in_dtls_serve(evloop *loop, udp_sock *s, const char *name);
/* The response out to req on link l, as the switch has it: changes out and returns 0 (the
 * caller then answers with it as usual), or sends what it wants itself and returns 1. */
int hostile_in_respond(const char *name, const cm_link *l, const cm_msg *req, cm_msg *out, const m2m_optmap *opts);

#endif
