/* A test's timeline as JSON (timelines/<ID>.json beside the .txt): written by the test's
 * process, read back by the parent, which merges it into results.json and draws the
 * sequence chart from it. The file crosses a process boundary and may be damaged (a test
 * killed while writing it), so the reader checks every type and is fuzzed
 * (harness/fuzz/fuzz_tljson.c).
 *   { "test": "TC_X", "events": [ { "seq": 1, "t": 0.000123, "name": "net.up",
 *                                   "peer": "127.0.0.1:4000" | null, "attrs": { "k": "v" } } ] } */
#ifndef M2M_TLJSON_H
#define M2M_TLJSON_H
#include <jansson.h>
#include "../flow/timeline.h"

/* The events as a JSON array (attrs in recording order). */
json_t *tljson_events(const timeline *tl);
/* The same written to out, sep between two events: 0, or -1 on an I/O error. */
int tljson_put_events(FILE *out, const timeline *tl, const char *sep);
/* Writes the file atomically, one event per line, in constant memory. Returns 0, -1 on an
 * I/O error. */
int tljson_write(const char *path, const char *test_id, const timeline *tl);
/* Writes path through a temporary file renamed into place (a reader never sees half a
 * file): fill writes the content and returns 0, or -1 on an error. 0 or -1. */
int tljson_write_atomic(const char *path, int (*fill)(FILE *f, const void *ctx), const void *ctx);
/* Writes doc (its reference taken) to path, indented, through a temporary file renamed into
 * place; 0 or -1 (also for doc NULL). */
int json_write_file(const char *path, json_t *doc);
/* Parses a document into tl (initialised by the caller, events appended) and, when
 * test_id is not NULL, the test id (caller frees; NULL when absent). Returns 0, or -1 with
 * the reason in err (tl may then hold the events before the damage: the caller frees it).
 * At most TLJSON_MAX_EVENTS events: a bound on what a damaged file can make a reader go
 * through, far above a test with a fleet of 10,000 associations (~100,000 events). The
 * document is read event by event: memory is bounded by the largest event, plus what tl
 * keeps. */
#define TLJSON_MAX_EVENTS 2000000
int tljson_parse(const char *buf, size_t len, timeline *tl, char **test_id, char *err, size_t errlen);
int tljson_read(const char *path, timeline *tl, char **test_id, char *err, size_t errlen);
/* Reads the whole file at path, checking every event, and keeps only its first keep events
 * in tl: what a report draws of a timeline too long to show whole. Returns the number of
 * events in the file, or -1 with the reason in err. */
long tljson_read_head(const char *path, timeline *tl, size_t keep, char **test_id, char *err, size_t errlen);
/* Writes the file's events to out as one JSON array, event by event in bounded memory,
 * each as tljson_events would write it once read back (seq from 1, the time in whole
 * nanoseconds), sep between two events (",\n" for one a line). The array is closed also on
 * an error, so the document around it stays JSON. Returns the number of events, or -1 with
 * the reason in err. */
long tljson_copy_events(const char *path, FILE *out, const char *sep, char *err, size_t errlen);
/* A JSON string of s that is always valid UTF-8: bytes that are not, and control bytes
 * other than \t \n, become the text "\xHH" (as in the text timeline). NULL -> JSON null. */
json_t *tljson_str(const char *s);

#endif
