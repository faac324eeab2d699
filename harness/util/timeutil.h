/* Time in the harness: int64_t nanoseconds on the monotonic clock, the unit constants every
 * conversion goes through (no bare 1000000000LL), and duration parsing ("250ms", "5s"). */
#ifndef M2M_TIMEUTIL_H
#define M2M_TIMEUTIL_H
#include <stdint.h>

#define NS_PER_US 1000LL
#define NS_PER_MS 1000000LL
#define NS_PER_SEC 1000000000LL
#define US_PER_SEC 1000000LL
#define MS_PER_SEC 1000LL

static inline int64_t ms_to_ns(int64_t ms) { return ms * NS_PER_MS; }
static inline int64_t sec_to_ns(int64_t s) { return s * NS_PER_SEC; }
/* Whole milliseconds, rounded down. */
static inline int64_t ns_to_ms(int64_t ns) { return ns / NS_PER_MS; }
/* Seconds as a double, for messages and reports. */
static inline double ns_to_sec(int64_t ns) { return (double)ns / (double)NS_PER_SEC; }

/* Monotonic clock in nanoseconds. */
int64_t mono_now_ns(void);

/* Parses a duration such as "250ms", "5s", "1.5s", "2m"; returns -1 on bad input. */
int64_t parse_duration_ns(const char *text);

#endif
