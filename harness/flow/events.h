/* The closed vocabulary of the timeline: every event name the harness records, its
 * attributes with their types (and the value set where it is closed), and the module that
 * records it. One table (events.c); docs/events.md is generated from it
 * (m2m-harness doc events). A test case's selector on a name, attribute or value outside
 * it is refused at load, and an executor's timeline refuses to record one (timeline.h
 * timeline_strict), so the table cannot drift from what the code records. */
#ifndef M2M_EVENTS_H
#define M2M_EVENTS_H
#include <stddef.h>
#include "timeline.h"

typedef struct ev_def {
    const char *name;     /* "sae.done" */
    const char *module;   /* who records it: "net/dtls" (several: "net/link exec/wire") */
    const char *when;     /* when it is recorded, for people */
    /* Attributes, space-separated: "key" (string), "key:int", "key:bool" (true|false) or
     * "key:a|b|c" (exactly one of those values). */
    const char *attrs;
} ev_def;

typedef enum { EVA_STRING, EVA_INT, EVA_BOOL, EVA_ENUM } ev_attr_type;

typedef struct ev_attr {
    char key[40];
    ev_attr_type type;
    char values[1024];    /* EVA_ENUM: "a|b|c"; EVA_BOOL: "true|false"; else "" */
} ev_attr;

size_t events_count(void);
const ev_def *events_at(size_t i);
const ev_def *events_find(const char *name);

/* Number of attributes of d; the i-th into *out. */
size_t events_nattrs(const ev_def *d);
int events_attr_at(const ev_def *d, size_t i, ev_attr *out);
/* 1 and *out when d records attribute key, else 0. ("peer" is not an attribute: it is the
 * event's peer, which every event may carry.) */
int events_attr(const ev_def *d, const char *key, ev_attr *out);
/* 1 if the attribute can take this value (an int, true/false, a member of the set). */
int events_value_ok(const ev_attr *a, const char *value);
/* What the attribute means, for the generated documentation. */
const char *events_attr_meaning(const char *event, const char *key);
/* "int", "true|false", "a|b|c" or "string", for messages and documentation. */
const char *events_type_text(const ev_attr *a);

/* Checks a selector against the vocabulary: its name is a recorded event (or, ending in
 * '*', the prefix of one), each filter key an attribute of it (of one of them for a prefix)
 * or "peer", each value possible for that attribute (a value holding ${VAR} is only known
 * at run time and is not checked). Returns 0, or -1 with a sentence in err naming what was
 * expected and the nearest valid name. */
int events_check_selector(const ev_sel *s, char *err, size_t errlen);
/* Same for one attribute of a named event (a <message> match key, a capture field);
 * value may be NULL. */
int events_check_attr(const char *event, const char *key, const char *value, char *err, size_t errlen);
/* Checks what a module is about to record: 0 if name, key and value are in the table,
 * -1 with a sentence in err. key and value may be NULL (name only). */
int events_check_emit(const char *name, const char *key, const char *value, char *err, size_t errlen);

#endif
