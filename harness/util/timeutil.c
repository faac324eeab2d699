#include "timeutil.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t mono_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t parse_duration_ns(const char *text)
{
    if (!text || !*text) return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || v < 0 || v > 86400.0 * 365) return -1;
    double mult;
    if (strcmp(end, "ms") == 0) mult = (double)NS_PER_MS;
    else if (strcmp(end, "s") == 0) mult = (double)NS_PER_SEC;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) mult = 60.0 * (double)NS_PER_SEC;
    else if (strcmp(end, "us") == 0) mult = (double)NS_PER_US;
    else return -1;
    return (int64_t)(v * mult + 0.5);
}
