/* See plain_only.h. */
#include "plain_only.h"
#include "net/coap.h"
#include "net/udp.h"
#include "onem2m/options.h"
#include "onem2m/primitive.h"
#include "onem2m/release.h"
#include "util/timeutil.h"
#include "util/xmem.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ref_plain {
    node *n;
    int rst;
    int64_t ready_ns;    /* monotonic time from which requests are served */
    uint8_t buf[65536];
};

static void plain_readable(evloop *l, int fd, short revents, void *ctx)
{
    (void)l; (void)fd; (void)revents;
    ref_plain *rp = ctx;
    udp_sock *s = node_plain_sock(rp->n);
    net_addr from;
    ssize_t got;
    while ((got = udp_recv(s, rp->buf, sizeof rp->buf, &from)) >= 0) {
        const uint8_t *b = rp->buf;
        if (got < 4 || (b[0] >> 6) != 1) {
            /* not CoAP version 1: a DTLS record (0x16 ...), or noise */
            if (rp->rst) {
                uint8_t rst[4] = { 0x70, 0x00, got >= 4 ? b[2] : 0, got >= 4 ? b[3] : 0 };
                udp_send(s, rst, sizeof rst, &from);
            }
            continue;
        }
        if (mono_now_ns() < rp->ready_ns) {
            /* bound, not serving yet: a CON request gets an ACK 4.00 without a oneM2M answer */
            uint8_t type = (b[0] >> 4) & 3, tkl = b[0] & 0x0f;
            if (type == CM_CON && b[1] && (b[1] >> 5) == 0 && tkl <= 8 && (size_t)got >= 4u + tkl) {
                uint8_t ack[12] = { (uint8_t)(0x60 | tkl), 0x80, b[2], b[3] };
                memcpy(ack + 4, b + 4, tkl);
                udp_send(s, ack, 4u + tkl, &from);
            }
            continue;
        }
        coap_ep_input(node_ep(rp->n), &node_plain_peer(rp->n, &from)->link, rp->buf, (size_t)got);
    }
}

ref_plain *ref_plain_only(node *n, int rst, int64_t not_ready_ms)
{
    ref_plain *rp = xcalloc(1, sizeof *rp);
    rp->n = n;
    rp->rst = rst;
    rp->ready_ns = mono_now_ns() + not_ready_ms * NS_PER_MS;
    int fd = node_plain_sock(n)->fd;
    loop_del_fd(node_loop(n), fd);   /* the node's own reader: this one filters first */
    loop_add_fd(node_loop(n), fd, plain_readable, rp);
    return rp;
}

void ref_plain_free(ref_plain *rp) { free(rp); }

int ref_plain_probe(const profile *p, const char *addr, int port)
{
    udp_sock s = { .fd = -1 };
    char err[256];
    net_addr to;
    if (udp_bind(&s, addr, 0, err, sizeof err) < 0 || net_addr_parse(addr, port, &to) < 0) return 1;
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = M2M_OP_RETRIEVE;
    req.to = xasprintf("%s/%s", p->iut_cse_id ? p->iut_cse_id : "", p->iut_cse_base_name ? p->iut_cse_base_name : "");
    req.fr = xstrdup("Cm2mh-probe");
    req.rqi = xstrdup("ready-probe");
    const char *rvi = m2m_release_rvi(p->release);
    req.rvi = rvi ? xstrdup(rvi) : NULL;
    cm_msg m;
    cm_msg_init(&m);
    int rc = 1;
    uint8_t out[1024], in[4096];
    if (m2m_request_to_coap(&req, &p->options, &m) == 0) {
        m.type = CM_CON;
        m.mid = (uint16_t)(getpid() ^ (int)(mono_now_ns() / 1000));
        m.tkl = 4;
        memcpy(m.token, "prob", 4);
        size_t n = cm_encode(&m, out, sizeof out);
        if (n && udp_send(&s, out, n, &to) >= 0) {
            struct pollfd pfd = { s.fd, POLLIN, 0 };
            int64_t end = mono_now_ns() + 500 * NS_PER_MS;
            while (rc && mono_now_ns() < end && poll(&pfd, 1, (int)((end - mono_now_ns()) / NS_PER_MS) + 1) > 0) {
                net_addr from;
                ssize_t got = udp_recv(&s, in, sizeof in, &from);
                cm_msg r;
                cm_defects d;
                cm_msg_init(&r);
                if (got > 0 && cm_decode(in, (size_t)got, &r, &d) == 0 && r.mid == m.mid) {
                    /* the oneM2M layer answered: a response with oneM2M-RSC */
                    if (p->options.num[M2M_OPT_RSC] && cm_msg_find_opt(&r, p->options.num[M2M_OPT_RSC], 0)) rc = 0;
                    else {
                        char code[8];
                        cm_code_str(r.code, code);
                        fprintf(stderr, "ref-in-cse --probe-cse: %s %s without oneM2M-RSC: not serving yet\n",
                                cm_type_name(r.type), code);
                        end = 0;
                    }
                }
                cm_msg_free(&r);
            }
        }
    }
    cm_msg_free(&m);
    m2m_prim_free(&req);
    udp_close(&s);
    return rc;
}
