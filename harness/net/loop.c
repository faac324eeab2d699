#include "loop.h"
#include "../util/xmem.h"
#include "../util/timeutil.h"
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

typedef struct fd_watch { int fd; loop_fd_cb cb; void *ctx; } fd_watch;
typedef struct timer { int64_t due; uint64_t id; loop_timer_cb cb; void *ctx; } timer;

struct evloop {
    fd_watch *fds;
    size_t nfds, capfds;
    timer *heap;           /* min-heap on (due, id): equal deadlines fire in creation order */
    size_t nheap, capheap;
    uint64_t next_id;
};

evloop *loop_new(void)
{
    evloop *l = xcalloc(1, sizeof *l);
    l->next_id = 1;
    return l;
}

void loop_free(evloop *l)
{
    if (!l) return;
    free(l->fds);
    free(l->heap);
    free(l);
}

int loop_add_fd(evloop *l, int fd, loop_fd_cb cb, void *ctx)
{
    xgrow((void **)&l->fds, &l->capfds, l->nfds + 1, sizeof *l->fds);
    l->fds[l->nfds++] = (fd_watch){ fd, cb, ctx };
    return 0;
}

void loop_del_fd(evloop *l, int fd)
{
    for (size_t i = 0; i < l->nfds; i++)
        if (l->fds[i].fd == fd) {
            l->fds[i] = l->fds[--l->nfds];
            return;
        }
}

static int earlier(const timer *a, const timer *b)
{
    return a->due < b->due || (a->due == b->due && a->id < b->id);
}

static void sift_up(timer *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!earlier(&h[i], &h[p])) break;
        timer t = h[i]; h[i] = h[p]; h[p] = t;
        i = p;
    }
}

static void sift_down(timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && earlier(&h[l], &h[m])) m = l;
        if (r < n && earlier(&h[r], &h[m])) m = r;
        if (m == i) return;
        timer t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

uint64_t loop_timer_add(evloop *l, int64_t delay_ns, loop_timer_cb cb, void *ctx)
{
    xgrow((void **)&l->heap, &l->capheap, l->nheap + 1, sizeof *l->heap);
    timer t = { mono_now_ns() + (delay_ns > 0 ? delay_ns : 0), l->next_id++, cb, ctx };
    l->heap[l->nheap] = t;
    sift_up(l->heap, l->nheap++);
    return t.id;
}

static void heap_remove_at(evloop *l, size_t i)
{
    l->heap[i] = l->heap[--l->nheap];
    if (i < l->nheap) {
        sift_down(l->heap, l->nheap, i);
        sift_up(l->heap, i);
    }
}

void loop_timer_cancel(evloop *l, uint64_t id)
{
    if (!id) return;
    for (size_t i = 0; i < l->nheap; i++)
        if (l->heap[i].id == id) {
            heap_remove_at(l, i);
            return;
        }
}

size_t loop_timer_count(const evloop *l) { return l->nheap; }

void loop_kick_fd(evloop *l, int fd)
{
    for (size_t j = 0; j < l->nfds; j++)
        if (l->fds[j].fd == fd) {
            l->fds[j].cb(l, fd, POLLIN, l->fds[j].ctx);
            return;
        }
}

static void fire_due_timers(evloop *l)
{
    int64_t now = mono_now_ns();
    /* Only timers due now; a callback that adds a zero-delay timer runs next round. */
    while (l->nheap && l->heap[0].due <= now) {
        timer t = l->heap[0];
        heap_remove_at(l, 0);
        t.cb(l, t.ctx);
    }
}

/* The kernel's receive time of the first datagram waiting on fd (a UDP socket with
 * SO_TIMESTAMPNS, net/udp.c), or -1 (not a socket, no timestamp). Peeked, never read. Linux
 * turns receive timestamps on for the whole system a moment after the first socket asks
 * (deferred work): a datagram that arrived before that is stamped when first read, so it
 * sorts late; only the first milliseconds after a process's first bind are concerned. */
static int64_t head_arrival_ns(int fd)
{
    char b;
    union { char buf[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } c;
    struct iovec iov = { &b, 1 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf };
    if (recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) < 0) return -1;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(h), sizeof ts);
            return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
        }
    return -1;
}

/* When datagrams wait on several sockets, they are handed on in the order they arrived, not in
 * the order of the watch list: a response and a ClientHello that the IUT sent in that order on
 * two associations reach the timeline in that order. Other ready fds (pipes, timers' wakeups)
 * go first, in their order; so does a socket with a pending error (POLLERR: peeking would
 * consume the error, an ICMP port unreachable its owner must see). A stable insertion sort:
 * a turn has a handful of ready fds. */
static void arrival_order(struct pollfd *pfd, size_t n)
{
    int64_t key[64];
    if (n > 64) return;
    size_t ready = 0;
    for (size_t i = 0; i < n; i++)
        if (pfd[i].revents) ready++;
    if (ready < 2) return;
    for (size_t i = 0; i < n; i++)
        key[i] = pfd[i].revents && !(pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL)) ? head_arrival_ns(pfd[i].fd) : -1;
    for (size_t i = 1; i < n; i++) {
        struct pollfd p = pfd[i];
        int64_t k = key[i];
        size_t j = i;
        for (; j > 0 && key[j - 1] > k; j--) {
            pfd[j] = pfd[j - 1];
            key[j] = key[j - 1];
        }
        pfd[j] = p;
        key[j] = k;
    }
}

void loop_run_once(evloop *l, int64_t max_wait_ns)
{
    int64_t wait = max_wait_ns < 0 ? 0 : max_wait_ns;
    if (l->nheap) {
        int64_t until = l->heap[0].due - mono_now_ns();
        if (until < wait) wait = until < 0 ? 0 : until;
    }
    size_t n = l->nfds;
    /* Per turn, not kept in the loop: a callback may run the loop again (nested waits). */
    struct pollfd *pfd = xmalloc((n ? n : 1) * sizeof *pfd);
    for (size_t i = 0; i < n; i++) pfd[i] = (struct pollfd){ l->fds[i].fd, POLLIN, 0 };
    int ms = (int)((wait + NS_PER_MS - 1) / NS_PER_MS);
    int r = poll(pfd, n, ms);
    if (r > 0) {
        arrival_order(pfd, n);
        /* Callbacks may add or remove watches: dispatch by fd against the current list. */
        for (size_t i = 0; i < n; i++) {
            if (!pfd[i].revents) continue;
            for (size_t j = 0; j < l->nfds; j++)
                if (l->fds[j].fd == pfd[i].fd) {
                    l->fds[j].cb(l, pfd[i].fd, pfd[i].revents, l->fds[j].ctx);
                    break;
                }
        }
    }
    free(pfd);
    fire_due_timers(l);
}

int loop_run_until(evloop *l, int64_t deadline_ns, int (*done)(void *ctx), void *ctx)
{
    for (;;) {
        if (done && done(ctx)) return 1;
        int64_t left = deadline_ns - mono_now_ns();
        if (left <= 0) return done ? done(ctx) : 0;
        loop_run_once(l, left);
    }
}
