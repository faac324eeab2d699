#include "capture.h"
#include "pcapng.h"
#include "../net/dtls.h"
#include "../net/udp.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A runaway peer must not exhaust memory: past this the rest is counted, not kept. */
#define CAPTURE_MAX_BYTES (64u << 20)

typedef struct capture {
    int on;
    pcapng_pkt *pkts;
    size_t n, cap, bytes, dropped;
    strbuf keylog;
} capture;

static capture cap;

static int port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port);
    if (ss->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->sin6_port);
    return 0;
}

static void on_datagram(const udp_sock *s, int tx, const net_addr *peer, const void *buf, size_t len, void *ctx)
{
    (void)ctx;
    if (!cap.on) return;
    if (cap.bytes + len > CAPTURE_MAX_BYTES) { cap.dropped++; return; }
    int lport = port_of(&s->local.ss), shown = pcapng_presented_port(buf, len, lport);
    const struct sockaddr *la = (const struct sockaddr *)&s->local.ss, *pa = (const struct sockaddr *)&peer->ss;
    size_t flen = 0;
    uint8_t *frame = tx ? pcapng_ip_udp(la, shown, pa, port_of(&peer->ss), buf, len, &flen)
                        : pcapng_ip_udp(pa, port_of(&peer->ss), la, shown, buf, len, &flen);
    if (!frame) { cap.dropped++; return; }
    char l[64], p[64];
    net_addr_str(&s->local, l, sizeof l);
    net_addr_str(peer, p, sizeof p);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    xgrow((void **)&cap.pkts, &cap.cap, cap.n + 1, sizeof *cap.pkts);
    pcapng_pkt *k = &cap.pkts[cap.n++];
    k->ts_us = (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / NS_PER_US;
    k->frame = frame;
    k->len = flen;
    /* The truth the synthetic ports hide. */
    k->comment = xasprintf("m2m-harness %s: %s -> %s (real addresses; harness port shown as %d)",
                           tx ? "sent" : "received", tx ? l : p, tx ? p : l, shown);
    cap.bytes += len;
}

static void on_secret(const char *line, void *ctx)
{
    (void)ctx;
    if (cap.on) sb_addf(&cap.keylog, "%s\n", line);
}

static void reset(void)
{
    for (size_t i = 0; i < cap.n; i++) {
        free(cap.pkts[i].frame);
        free(cap.pkts[i].comment);
    }
    free(cap.pkts);
    sb_free(&cap.keylog);
    memset(&cap, 0, sizeof cap);
}

void capture_begin(void)
{
    reset();
    sb_init(&cap.keylog);
    cap.on = 1;
    udp_set_tap(on_datagram, NULL);
    dtls_set_keylog_hook(on_secret, NULL);
}

const char *capture_keylog(void) { return cap.keylog.s ? cap.keylog.s : ""; }

long capture_end(const char *path)
{
    udp_set_tap(NULL, NULL);
    dtls_set_keylog_hook(NULL, NULL);
    cap.on = 0;
    long rc = -1;
    char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f) {
        int w = pcapng_write(f, cap.keylog.s, cap.pkts, cap.n);
        if (fclose(f) == 0 && w == 0 && rename(tmp, path) == 0) rc = (long)cap.n;
        else unlink(tmp);
    }
    if (cap.dropped) fprintf(stderr, "capture %s: %zu datagram(s) not kept (over %u MB)\n", path, cap.dropped, CAPTURE_MAX_BYTES >> 20);
    free(tmp);
    int e = errno;
    reset();
    errno = e;
    return rc;
}
