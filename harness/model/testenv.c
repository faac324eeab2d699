#include "testenv.h"
#include <string.h>

void test_env_init(test_env *e)
{
    memset(e, 0, sizeof *e);
}

const char *env_iut_address(const test_env *e, const profile *p)
{
    return e && e->iut_address ? e->iut_address : p->iut_address;
}

const char *env_harness_address(const test_env *e, const profile *p)
{
    return e && e->harness_address ? e->harness_address : p->harness_address;
}

int env_iut_coap_port(const test_env *e, const profile *p)
{
    return e && e->iut_coap_port > 0 ? e->iut_coap_port : p->iut_coap_port;
}

int env_iut_coaps_port(const test_env *e, const profile *p)
{
    /* <transport dtls="no">: the IUT has no coaps port; the harness offers its handshake on
     * the CoAP port, where a plain stack answers with an RST or stays silent */
    if (!p->transport_dtls) return env_iut_coap_port(e, p);
    return e && e->iut_coaps_port > 0 ? e->iut_coaps_port : p->iut_coaps_port;
}

int env_harness_coap_port(const test_env *e, const profile *p)
{
    return e && e->harness_coap_port > 0 ? e->harness_coap_port : p->listen_coap;
}

int env_harness_coaps_port(const test_env *e, const profile *p)
{
    return e && e->harness_coaps_port > 0 ? e->harness_coaps_port : p->listen_coaps;
}
