/* Load client: N sessions against one DTLS-PSK CoAP server on 127.0.0.1, K of them in flight.
 * Each session is a fresh DTLS 1.2 handshake from its own UDP socket (its own source port),
 * one CoAP CON request inside it (a oneM2M RETRIEVE with --from, else a plain GET of --path),
 * the wait for its response, and a close_notify. It prints sessions per second, the failures
 * and, when told the server's process, that process's peak resident memory (VmHWM).
 * Numbers are reported, never asserted. Built on GnuTLS and plain sockets only: nothing of the
 * harness, so the same client measures the harness and a third-party server alike.
 *
 *   load-bench --port P --identity ID --key KEY [--sessions N] [--inflight K]
 *              [--from CSE-ID [--to PATH]] [--path PATH] [--priority STRING]
 *              [--server-pid PID|parent] [--label NAME] [--out FILE] [--timeout-ms MS]
 *
 * --server-pid parent: the process that started this one (a harness test that runs it as its
 * IUT's start command with `exec`). --out appends one line of key=value pairs (the wrapper
 * tools/bench/load-bench.sh reads it). Exit status 0 when every session succeeded, 1 when
 * some failed, 2 on a bad invocation. */
#include <errno.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Plain PSK with the oneM2M suite first (TS-0003): what both servers measured accept, and no
 * ephemeral Diffie-Hellman, so the cost measured is the server's and not the curve's. */
#define DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CCM-8:+AES-128-GCM"

/* CoAP request retransmission (RFC 7252 §4.8 defaults, without the random factor). */
#define COAP_ACK_TIMEOUT_MS 2000
#define COAP_MAX_RETRANSMIT 4

typedef enum { S_FREE, S_HANDSHAKE, S_REQUEST } sstate;

typedef struct sess {
    sstate st;
    int fd;
    gnutls_session_t s;
    int64_t start_ms;       /* the session's start: --timeout-ms bounds it */
    int64_t due_ms;         /* next retransmission (handshake flight or CoAP request), 0 = none */
    int tries;
    uint16_t mid;
    uint8_t token[4];
    uint8_t req[256];
    size_t reqlen;
    int no_data;            /* pull_timeout said "nothing to read" during this GnuTLS call */
} sess;

typedef struct opts {
    const char *host, *identity, *key, *from, *to, *path, *priority, *server_pid, *label, *out;
    int port;
    long sessions, inflight, timeout_ms;
} opts;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: load-bench --port P --identity ID --key KEY [--sessions N] [--inflight K]\n"
            "                  [--from CSE-ID [--to PATH]] [--path PATH] [--priority STRING]\n"
            "                  [--server-pid PID|parent] [--label NAME] [--out FILE] [--timeout-ms MS]\n");
}

/* ---- CoAP: just what one request and its response need (RFC 7252 §3) ---- */

static size_t put_opt(uint8_t *b, size_t at, size_t cap, unsigned *last, unsigned num, const void *val, size_t len)
{
    unsigned delta = num - *last;
    *last = num;
    uint8_t ext[4];
    size_t ne = 0;
    unsigned dn, ln;
    if (delta < 13) dn = delta;
    else if (delta < 269) { dn = 13; ext[ne++] = (uint8_t)(delta - 13); }
    else { dn = 14; ext[ne++] = (uint8_t)((delta - 269) >> 8); ext[ne++] = (uint8_t)(delta - 269); }
    if (len < 13) ln = (unsigned)len;
    else if (len < 269) { ln = 13; ext[ne++] = (uint8_t)(len - 13); }
    else return 0;
    if (at + 1 + ne + len > cap) return 0;
    b[at++] = (uint8_t)(dn << 4 | ln);
    memcpy(b + at, ext, ne);
    at += ne;
    memcpy(b + at, val, len);
    return at + len;
}

/* A CON GET: Uri-Path segments of path; with from, the oneM2M RETRIEVE options of TS-0008's
 * IANA numbering (rvi 271, fr 279, rqi 283). */
static size_t build_request(const opts *o, sess *x, unsigned n)
{
    uint8_t *b = x->req;
    size_t cap = sizeof x->req, at = 0;
    b[at++] = 0x40 | 4;            /* ver 1, CON, token length 4 */
    b[at++] = 0x01;                /* 0.01 GET */
    b[at++] = (uint8_t)(x->mid >> 8);
    b[at++] = (uint8_t)x->mid;
    memcpy(b + at, x->token, 4);
    at += 4;
    unsigned last = 0;
    const char *p = o->from ? o->to : o->path;
    while (p && *p) {
        while (*p == '/') p++;
        size_t len = strcspn(p, "/");
        if (len && !(at = put_opt(b, at, cap, &last, 11, p, len))) return 0;
        p += len;
    }
    if (o->from) {
        char rqi[32];
        int rl = snprintf(rqi, sizeof rqi, "load-%u", n);
        if (!(at = put_opt(b, at, cap, &last, 271, "3", 1)) ||
            !(at = put_opt(b, at, cap, &last, 279, o->from, strlen(o->from))) ||
            !(at = put_opt(b, at, cap, &last, 283, rqi, (size_t)rl)))
            return 0;
    }
    return at;
}

/* 1: the response to x's request (piggybacked, or a separate one: then acknowledged),
 * 0: not yet (an empty ACK: a separate response follows), -1: a reset. */
static int take_response(sess *x, const uint8_t *b, size_t n)
{
    if (n < 4 || (b[0] >> 6) != 1) return 0;
    unsigned type = (b[0] >> 4) & 3, tkl = b[0] & 15, code = b[1];
    uint16_t mid = (uint16_t)(b[2] << 8 | b[3]);
    if (type == 3 && mid == x->mid) return -1;
    if (type == 2 && mid == x->mid && code == 0) { x->due_ms = 0; return 0; }
    if (code < 0x40 || tkl != 4 || n < 8 || memcmp(b + 4, x->token, 4) != 0) return 0;
    if (type == 0) {   /* a separate response in a CON: acknowledge it */
        uint8_t ack[4] = { 0x60, 0x00, b[2], b[3] };
        gnutls_record_send(x->s, ack, sizeof ack);
    }
    return 1;
}

/* ---- sessions ---- */

/* The transport. pull_timeout never blocks (the loop below waits), and once it has said
 * "nothing to read" it says so until the GnuTLS call returns: GnuTLS 3.7 asks twice while it
 * waits for the server's Finished (non-blocking DTLS), and a Finished that arrives between the
 * two questions is read into its handshake buffer while the flight state is reset, after
 * which the handshake never looks at it again. The harness's own DTLS layer has the same
 * snapshot semantics: its queue only changes between GnuTLS calls. */
static ssize_t push_fn(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
    const sess *x = ptr;
    return send(x->fd, buf, len, 0);
}

static ssize_t pull_fn(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    sess *x = ptr;
    if (x->no_data) { errno = EAGAIN; return -1; }
    return recv(x->fd, buf, len, 0);
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms)
{
    (void)ms;
    sess *x = ptr;
    if (x->no_data) return 0;
    struct pollfd p = { x->fd, POLLIN, 0 };
    int r = poll(&p, 1, 0);
    if (r == 0) x->no_data = 1;
    return r;
}

static struct {
    const opts *o;
    gnutls_psk_client_credentials_t cred;
    gnutls_priority_t prio;
    struct sockaddr_in srv;
    int ep;
    long started, done, ok, failed;
    long fail_handshake, fail_response, fail_timeout, fail_setup;
    uint8_t used[65536 / 8];   /* source ports this run has used: each session gets a new one */
    unsigned next_mid;
    char first_error[200];
} g;

static void note_error(const char *fmt, const char *what)
{
    if (!g.first_error[0]) snprintf(g.first_error, sizeof g.first_error, fmt, what);
}

static void end_session(sess *x, int ok)
{
    if (x->s) {
        if (ok) gnutls_bye(x->s, GNUTLS_SHUT_WR);   /* close_notify */
        gnutls_deinit(x->s);
    }
    if (x->fd >= 0) {
        epoll_ctl(g.ep, EPOLL_CTL_DEL, x->fd, NULL);
        close(x->fd);
    }
    memset(x, 0, sizeof *x);
    x->fd = -1;
    x->st = S_FREE;
    g.done++;
    if (ok) g.ok++;
    else g.failed++;
}

static void send_request(sess *x)
{
    ssize_t r;
    do r = gnutls_record_send(x->s, x->req, x->reqlen);
    while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
    x->due_ms = now_ms() + (COAP_ACK_TIMEOUT_MS << x->tries);
}

static void step(sess *x)
{
    if (x->st == S_HANDSHAKE) {
        x->no_data = 0;
        int r = gnutls_handshake(x->s);
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
            x->due_ms = now_ms() + gnutls_dtls_get_timeout(x->s);
            return;
        }
        if (r < 0) {
            g.fail_handshake++;
            note_error("handshake: %s", gnutls_strerror(r));
            end_session(x, 0);
            return;
        }
        x->st = S_REQUEST;
        x->tries = 0;
        send_request(x);
    }
    uint8_t buf[2048];
    for (;;) {
        x->no_data = 0;
        ssize_t r = gnutls_record_recv(x->s, buf, sizeof buf);
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) return;
        if (r < 0 && !gnutls_error_is_fatal((int)r)) continue;
        if (r <= 0) {
            g.fail_response++;
            note_error("no response: %s", r == 0 ? "close_notify from the server" : gnutls_strerror((int)r));
            end_session(x, 0);
            return;
        }
        int t = take_response(x, buf, (size_t)r);
        if (t == 0) continue;
        if (t < 0) {
            g.fail_response++;
            note_error("%s", "the request was reset");
        }
        end_session(x, t > 0);
        return;
    }
}

static void on_due(sess *x)
{
    if (now_ms() - x->start_ms > g.o->timeout_ms) {
        g.fail_timeout++;

        note_error("%s", x->st == S_HANDSHAKE ? "handshake timed out" : "response timed out");
        end_session(x, 0);
        return;
    }
    if (x->st == S_HANDSHAKE) { step(x); return; }
    if (x->tries >= COAP_MAX_RETRANSMIT) {
        g.fail_timeout++;
        note_error("%s", "no response to the request after its retransmissions");
        end_session(x, 0);
        return;
    }
    x->tries++;
    send_request(x);
}

/* A socket on a source port no earlier session of this run had: a server that keeps some
 * state of an ended association by its address would otherwise see a new session as the old
 * one's peer. The kernel's ephemeral range is tried a few times; then any port will do. */
static int open_socket(sess *x)
{
    for (int tries = 0; tries < 64; tries++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct sockaddr_in me = { .sin_family = AF_INET };
        me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t ml = sizeof me;
        if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0 || getsockname(fd, (struct sockaddr *)&me, &ml) < 0) {
            if (fd >= 0) close(fd);
            return -1;
        }
        unsigned port = ntohs(me.sin_port);
        if (g.used[port / 8] & (1u << (port % 8)) && tries < 63) { close(fd); continue; }
        g.used[port / 8] |= (uint8_t)(1u << (port % 8));
        x->fd = fd;
        return connect(fd, (const struct sockaddr *)&g.srv, sizeof g.srv);
    }
    return -1;
}

static void start_session(sess *x)
{
    memset(x, 0, sizeof *x);
    x->fd = -1;
    unsigned n = (unsigned)g.started++;
    x->start_ms = now_ms();
    if (open_socket(x) < 0) {
        g.fail_setup++;
        note_error("socket: %s", strerror(errno));
        end_session(x, 0);
        return;
    }
    int r = gnutls_init(&x->s, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK);
    if (r == 0) r = gnutls_priority_set(x->s, g.prio);
    if (r == 0) r = gnutls_credentials_set(x->s, GNUTLS_CRD_PSK, g.cred);
    if (r < 0) {
        g.fail_setup++;
        note_error("gnutls: %s", gnutls_strerror(r));
        end_session(x, 0);
        return;
    }
    gnutls_transport_set_ptr(x->s, x);
    gnutls_transport_set_push_function(x->s, push_fn);
    gnutls_transport_set_pull_function(x->s, pull_fn);
    gnutls_transport_set_pull_timeout_function(x->s, pull_timeout);
    gnutls_dtls_set_mtu(x->s, 1400);
    gnutls_dtls_set_timeouts(x->s, 1000, (unsigned)g.o->timeout_ms);
    x->mid = (uint16_t)g.next_mid++;
    memcpy(x->token, &n, 4);
    x->reqlen = build_request(g.o, x, n);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = x };
    epoll_ctl(g.ep, EPOLL_CTL_ADD, x->fd, &ev);
    x->st = S_HANDSHAKE;
    step(x);
}

/* kB of "Key:" in /proc/PID/status, or -1. */
static long proc_status_kb(long pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') { v = strtol(line + kl + 1, NULL, 10); break; }
    fclose(f);
    return v;
}

/* CPU seconds (user + system) the process has used, from /proc/PID/stat, or -1. */
static double proc_cpu_s(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');   /* the command name may hold spaces */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->path = "";
    o->to = "";
    o->priority = DEFAULT_PRIORITY;
    o->sessions = 1000;
    o->inflight = 32;
    o->timeout_ms = 20000;
    o->label = "server";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(); exit(0); }
        if (!v) { fprintf(stderr, "load-bench: %s needs a value\n", a); return -1; }
        i++;
        if (!strcmp(a, "--port")) o->port = atoi(v);
        else if (!strcmp(a, "--host")) o->host = v;
        else if (!strcmp(a, "--identity")) o->identity = v;
        else if (!strcmp(a, "--key")) o->key = v;
        else if (!strcmp(a, "--sessions")) o->sessions = atol(v);
        else if (!strcmp(a, "--inflight")) o->inflight = atol(v);
        else if (!strcmp(a, "--from")) o->from = v;
        else if (!strcmp(a, "--to")) o->to = v;
        else if (!strcmp(a, "--path")) o->path = v;
        else if (!strcmp(a, "--priority")) o->priority = v;
        else if (!strcmp(a, "--server-pid")) o->server_pid = v;
        else if (!strcmp(a, "--label")) o->label = v;
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--timeout-ms")) o->timeout_ms = atol(v);
        else { fprintf(stderr, "load-bench: unknown option %s\n", a); return -1; }
    }
    if (o->port <= 0 || o->port > 65535 || !o->identity || !o->key || o->sessions < 1 || o->inflight < 1 ||
        o->timeout_ms < 100) {
        usage();
        return -1;
    }
    /* Loopback only: a load test never leaves this machine. */
    struct in_addr a;
    if (inet_pton(AF_INET, o->host, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
        fprintf(stderr, "load-bench: --host must be an IPv4 loopback address (127.x.y.z), not %s\n", o->host);
        return -1;
    }
    if (o->inflight > o->sessions) o->inflight = o->sessions;
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o) < 0) return 2;
    g.o = &o;
    long spid = !o.server_pid ? 0 : !strcmp(o.server_pid, "parent") ? (long)getppid() : atol(o.server_pid);
    g.srv.sin_family = AF_INET;
    g.srv.sin_port = htons((uint16_t)o.port);
    inet_pton(AF_INET, o.host, &g.srv.sin_addr);
    gnutls_global_init();
    const char *where = NULL;
    gnutls_datum_t key = { (unsigned char *)(uintptr_t)o.key, (unsigned)strlen(o.key) };
    if (gnutls_psk_allocate_client_credentials(&g.cred) < 0 ||
        gnutls_psk_set_client_credentials(g.cred, o.identity, &key, GNUTLS_PSK_KEY_RAW) < 0 ||
        gnutls_priority_init(&g.prio, o.priority, &where) < 0) {
        fprintf(stderr, "load-bench: GnuTLS refused the credential or the priority string (at '%s')\n",
                where ? where : "");
        return 2;
    }
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    sess *ss = calloc((size_t)o.inflight, sizeof *ss);
    if (!ss || g.ep < 0) return 2;
    for (long i = 0; i < o.inflight; i++) { ss[i].fd = -1; ss[i].st = S_FREE; }
    double cpu0 = spid ? proc_cpu_s(spid) : -1, mycpu0 = proc_cpu_s((long)getpid());
    double t0 = now_s();
    while (g.done < o.sessions) {
        for (long i = 0; i < o.inflight && g.started < o.sessions; i++)
            if (ss[i].st == S_FREE) start_session(&ss[i]);
        int64_t now = now_ms(), next = now + 1000;
        for (long i = 0; i < o.inflight; i++)
            if (ss[i].st != S_FREE && ss[i].due_ms && ss[i].due_ms < next) next = ss[i].due_ms;
        struct epoll_event evs[64];
        int n = epoll_wait(g.ep, evs, 64, next > now ? (int)(next - now) : 0);
        for (int k = 0; k < n; k++) {
            sess *x = evs[k].data.ptr;
            if (x->st != S_FREE) step(x);
        }
        now = now_ms();
        for (long i = 0; i < o.inflight; i++)
            if (ss[i].st != S_FREE && ss[i].due_ms && ss[i].due_ms <= now) on_due(&ss[i]);
    }
    double secs = now_s() - t0;
    double cpu1 = spid ? proc_cpu_s(spid) : -1, mycpu1 = proc_cpu_s((long)getpid());
    /* the server's CPU time per session: what the rate would be on a core of its own */
    double srv_us = cpu0 >= 0 && cpu1 >= 0 && g.ok ? (cpu1 - cpu0) * 1e6 / (double)g.ok : -1;
    double cli_us = mycpu0 >= 0 && mycpu1 >= 0 && g.ok ? (mycpu1 - mycpu0) * 1e6 / (double)g.ok : -1;
    long hwm = spid ? proc_status_kb(spid, "VmHWM") : -1, rss = spid ? proc_status_kb(spid, "VmRSS") : -1;
    double rate = secs > 0 ? (double)g.ok / secs : 0;
    char line[800];
    snprintf(line, sizeof line,
             "label=%s sessions=%ld inflight=%ld ok=%ld failed=%ld seconds=%.3f rate=%.1f server_pid=%ld "
             "vmhwm_kb=%ld vmrss_kb=%ld server_cpu_us=%.0f client_cpu_us=%.0f fail_handshake=%ld fail_response=%ld fail_timeout=%ld fail_setup=%ld",
             o.label, o.sessions, o.inflight, g.ok, g.failed, secs, rate, spid, hwm, rss, srv_us, cli_us, g.fail_handshake,
             g.fail_response, g.fail_timeout, g.fail_setup);
    printf("load-bench: %s\n", line);
    if (g.first_error[0]) printf("load-bench: first failure: %s\n", g.first_error);
    fflush(stdout);
    if (o.out) {
        FILE *f = fopen(o.out, "a");
        if (!f) { fprintf(stderr, "load-bench: %s: %s\n", o.out, strerror(errno)); return 2; }
        fprintf(f, "%s\n", line);
        fclose(f);
    }
    free(ss);
    gnutls_priority_deinit(g.prio);
    gnutls_psk_free_client_credentials(g.cred);
    gnutls_global_deinit();
    return g.failed ? 1 : 0;
}
