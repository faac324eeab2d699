/* One event loop per process: poll over non-blocking sockets and a timer heap
 * for retransmissions, handshake flights and step deadlines. Nothing blocks on one peer. */
#ifndef M2M_LOOP_H
#define M2M_LOOP_H
#include <stddef.h>
#include <stdint.h>

typedef struct evloop evloop;
typedef void (*loop_fd_cb)(evloop *l, int fd, short revents, void *ctx);
typedef void (*loop_timer_cb)(evloop *l, void *ctx);

evloop *loop_new(void);
void loop_free(evloop *l);
int loop_add_fd(evloop *l, int fd, loop_fd_cb cb, void *ctx);   /* watches POLLIN */
void loop_del_fd(evloop *l, int fd);
/* Fires cb once after delay_ns. Returns an id > 0 for loop_timer_cancel. */
uint64_t loop_timer_add(evloop *l, int64_t delay_ns, loop_timer_cb cb, void *ctx);
void loop_timer_cancel(evloop *l, uint64_t id);
/* Waits at most max_wait_ns for I/O, then dispatches I/O and due timers. */
void loop_run_once(evloop *l, int64_t max_wait_ns);
/* Runs until done(ctx) is true (returns 1) or the absolute monotonic deadline passes (0). */
int loop_run_until(evloop *l, int64_t deadline_ns, int (*done)(void *ctx), void *ctx);
size_t loop_timer_count(const evloop *l);
/* Calls fd's watch callback now as if fd were readable (link control hands back a datagram
 * it held: the socket itself shows nothing). No watch: nothing happens. */
void loop_kick_fd(evloop *l, int fd);

#endif
