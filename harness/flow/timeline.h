/* The timeline: every observation of one test, in the order it was recorded.
 * Verdicts about order are computed from it, never from ad-hoc flags. */
#ifndef M2M_TIMELINE_H
#define M2M_TIMELINE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The strings of an event (name, peer, keys, values) are interned in its timeline's string
 * pool: each distinct string is stored once per timeline, however many events carry it (the
 * peer of every event of an association, the vocabulary's names and keys, "server", "true",
 * a suite name...). They live until timeline_free; never free or modify them. A fleet of
 * thousands of associations in one test costs a few hundred bytes per event. */
typedef struct tl_attr { char *key; char *value; } tl_attr;

typedef struct tl_event {
    uint64_t seq;     /* 1, 2, 3 ... in recording order; breaks timestamp ties */
    int64_t t_ns;     /* monotonic, relative to the timeline's start */
    char *name;       /* "net.up", "sae.done", "msg.rx", ... */
    char *peer;       /* "127.0.0.1:40000" or NULL */
    tl_attr *attrs;
    uint32_t nattrs;
    uint16_t acap;    /* attrs allocated */
    uint16_t strict;  /* recorded on a strict timeline: tl_event_set checks keys too */
    struct tl_pool *pool;   /* the timeline's string pool (tl_event_set interns into it) */
} tl_event;

typedef struct timeline {
    tl_event *ev;
    size_t n, cap;
    int64_t t0_ns;    /* mono_now_ns() at timeline_init */
    int strict;       /* timeline_strict */
    struct tl_pool *pool;   /* interned strings, created with the first event */
} timeline;

void timeline_init(timeline *tl);
/* A strict timeline records only what the event vocabulary (events.h) registers: an
 * unregistered name, attribute key or value is a bug in the module recording it. Built
 * without NDEBUG (the default debugoptimized build, so every test) the process aborts
 * naming it; with NDEBUG the event is recorded as it is. The executor's timeline is strict;
 * replayed timelines and unit tests of the checker are not. */
void timeline_strict(timeline *tl, int on);
void timeline_free(timeline *tl);
/* Bytes the timeline holds: its event array, attribute arrays and interned strings (for the
 * load benchmark and its unit test). */
size_t timeline_bytes(const timeline *tl);
/* Records an event now. The variadic part is key, value pairs ending with NULL;
 * a NULL value is skipped. Returns the stored event (valid until the next add). */
tl_event *timeline_add(timeline *tl, const char *name, const char *peer, ...)
    __attribute__((sentinel));
/* Same with an explicit timestamp and a NULL-terminated key/value array (for tests and replay). */
tl_event *timeline_add_at(timeline *tl, int64_t t_ns, const char *name, const char *peer,
                          const char *const *kv);
void tl_event_set(tl_event *e, const char *key, const char *value);
const char *tl_event_get(const tl_event *e, const char *key);

/* One line per event: "  0.012345 #3 sae.done peer=127.0.0.1:4000 suite=... ".
 * Values are printed escaped (no control bytes, no newlines). */
void timeline_write_text(const timeline *tl, FILE *f);
/* The same for the first max events only. */
void timeline_write_text_head(const timeline *tl, FILE *f, size_t max);
/* Short form of one event for messages: "sae.done #3 at 0.012 s". */
void tl_event_describe(const tl_event *e, char *buf, size_t len);

/* An event selector: "msg.rx[op=create,secure=false]" or "sae.*".
 * name matches exactly, or as a prefix when it ends with '*';
 * each filter key=value must equal the event's attribute (key!=value: must differ or be absent). */
typedef struct ev_filter { char *key; char *value; int negate; } ev_filter;
typedef struct ev_sel {
    char *text;       /* as written, for messages */
    char *name;
    ev_filter *filters;
    size_t nfilters;
} ev_sel;

/* Returns 0 on success, -1 with a reason in err on a syntax error.
 * Syntax: name['*'] ['[' key ('='|'!=') value (',' key ('='|'!=') value)* ']'], spaces
 * allowed between tokens; a value is bare (no space , [ ] ") or "quoted" with \" and \\.
 * The key "peer" also matches the event's peer. */
int ev_sel_parse(const char *text, ev_sel *out, char *err, size_t errlen);
void ev_sel_free(ev_sel *s);
int ev_sel_match(const ev_sel *s, const tl_event *e);
/* First event at index >= from that matches, or -1. */
long timeline_find(const timeline *tl, const ev_sel *s, size_t from);

/* Length (1..4) of the valid, shortest-form UTF-8 sequence at p (at most n bytes), its
 * code point in *cp (may be NULL); 0 if the bytes are not valid UTF-8. Shared by every
 * writer that must keep IUT-supplied bytes out of text (timeline, JUnit, console). */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

#endif
