/* Benchmark: DTLS-PSK handshake completion time, datagram and flight count under
 * 0 %, 10 % and 30 % loss, then under delay and reordering (no loss), through the harness's
 * own link control (harness/net/link.h) on real sockets on 127.0.0.1 with real GnuTLS.
 * Flights are bursts in one direction as the link counts them (lost ones included; six
 * when nothing is lost: ClientHello, HelloVerifyRequest, ClientHello+cookie, server flight,
 * client Finished flight, server Finished flight). Numbers are reported, never asserted.
 * Usage: net-bench [SEEDS] [RETRANS_MS] [TOTAL_MS]   (defaults 20 seeds, 500 ms, 20000 ms:
 * the profiles' retransmit timer, and a total long enough to measure rather than give up). */
#include <stdio.h>
#include <stdlib.h>
#include "net/dtls.h"
#include "net/link.h"
#include "net/loop.h"
#include "net/udp.h"
#include "util/timeutil.h"

static const uint8_t key[] = "m2m-harness-bench-psk";

typedef struct { dtls_conn *cli; } run;
typedef struct { const char *name; uint32_t ppm, delay_ms, reorder_ppm; } scenario;
static int settled(void *ctx) { return dtls_conn_state(((run *)ctx)->cli) != DTLS_HANDSHAKING; }

/* One handshake under loss (seed); fills ms and datagrams (both ways, lost ones included).
 * Returns 1 when it completed. */
static int one(const scenario *sc, uint64_t seed, unsigned retrans, unsigned total, double *ms, uint64_t *dgrams,
               uint64_t *flights)
{
    char err[256];
    dtls_psk psk = { "bench@in.m2m-harness.test", key, sizeof key - 1, "/bench" };
    dtls_params sp = { .psks = &psk, .npsks = 1, .retrans_ms = retrans, .total_ms = total };
    dtls_params cp = sp;
    evloop *l = loop_new();
    udp_sock ss, cs;
    if (udp_bind(&ss, "127.0.0.1", 0, err, sizeof err) < 0 || udp_bind(&cs, "127.0.0.1", 0, err, sizeof err) < 0) {
        fprintf(stderr, "net-bench: %s\n", err);
        exit(1);
    }
    net_link link;
    link_init(&link, NULL, 1);
    link_attach(&link, &ss);   /* the server socket plays the harness side */
    link_set_loss(&link, seed, sc->ppm, sc->ppm);
    link_set_loop(&link, l);
    if (link_set_shape(&link, sc->delay_ms, sc->reorder_ppm, 0, err, sizeof err) < 0) {
        fprintf(stderr, "net-bench: %s\n", err);
        exit(1);
    }
    dtls_hooks h = { NULL, NULL, NULL, NULL };
    dtls_server *srv = dtls_server_new(l, &ss, &sp, NULL, h, err, sizeof err);
    net_addr peer;
    net_addr_parse("127.0.0.1", udp_port(&ss), &peer);
    int64_t t0 = mono_now_ns();
    run r = { dtls_client_new(l, &cs, &peer, &cp, NULL, h, err, sizeof err) };
    if (!srv || !r.cli) {
        fprintf(stderr, "net-bench: %s\n", err);
        exit(1);
    }
    loop_run_until(l, t0 + (int64_t)total * NS_PER_MS + NS_PER_SEC, settled, &r);
    int up = dtls_conn_state(r.cli) == DTLS_UP;
    *ms = (double)(mono_now_ns() - t0) / 1e6;
    *dgrams = link.index[LINK_TO_IUT] + link.index[LINK_FROM_IUT];
    *flights = link.flights[LINK_TO_IUT] + link.flights[LINK_FROM_IUT];
    link_detach(&link);
    dtls_client_free(r.cli);
    dtls_server_free(srv);
    udp_close(&ss);
    udp_close(&cs);
    loop_free(l);
    return up;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void table(const scenario *sc, int n, int seeds, unsigned retrans, unsigned total)
{
    printf("%-28s %9s %11s %11s %11s %10s %10s\n", "condition", "completed", "median ms", "p90 ms", "max ms",
           "datagrams", "flights");
    for (int k = 0; k < n; k++) {
        double *t = calloc((size_t)seeds, sizeof *t);
        int done = 0;
        uint64_t dsum = 0, fsum = 0;
        for (int s = 1; s <= seeds; s++) {
            double ms;
            uint64_t d, f;
            if (one(&sc[k], (uint64_t)s, retrans, total, &ms, &d, &f)) {
                t[done++] = ms;
                dsum += d;
                fsum += f;
            }
        }
        qsort(t, (size_t)done, sizeof *t, cmp);
        if (done)
            printf("%-28s %5d/%-3d %11.1f %11.1f %11.1f %10.1f %10.1f\n", sc[k].name, done, seeds, t[done / 2],
                   t[(done * 9) / 10 < done ? (done * 9) / 10 : done - 1], t[done - 1], (double)dsum / done,
                   (double)fsum / done);
        else
            printf("%-28s %5d/%-3d (none completed)\n", sc[k].name, done, seeds);
        free(t);
    }
}

int main(int argc, char **argv)
{
    int seeds = argc > 1 ? atoi(argv[1]) : 20;
    unsigned retrans = argc > 2 ? (unsigned)atoi(argv[2]) : 500, total = argc > 3 ? (unsigned)atoi(argv[3]) : 20000;
    if (seeds < 1 || seeds > 1000) seeds = 20;
    dtls_global_init();
    printf("DTLS-PSK handshake over 127.0.0.1, seeds 1..%d, retransmit %u ms, total %u ms (means over completed runs)\n",
           seeds, retrans, total);
    static const scenario loss[] = {
        { "loss 0 %", 0, 0, 0 }, { "loss 10 %", 100000, 0, 0 }, { "loss 30 %", 300000, 0, 0 },
    };
    static const scenario shape[] = {
        { "delay 200 ms", 0, 200, 0 },
        { "reorder 30 %", 0, 0, 300000 },
        { "delay 200 ms + reorder 30 %", 0, 200, 300000 },
        { "delay 200 ms + loss 10 %", 100000, 200, 0 },
    };
    table(loss, 3, seeds, retrans, total);
    table(shape, 4, seeds, retrans, total);
    return 0;
}
