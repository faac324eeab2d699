/* An ordered list of string pairs (attributes as written, variables, known failures): keys
 * may repeat, lookups return the first. */
#ifndef M2M_KVLIST_H
#define M2M_KVLIST_H
#include <stddef.h>

typedef struct kv { char *key; char *value; } kv;
typedef struct kvlist { kv *items; size_t n; } kvlist;
/* The value of the first pair with that key, or NULL. */
const char *kvlist_get(const kvlist *l, const char *key);
/* Appends copies of key and value (NULL value: ""). */
void kvlist_add(kvlist *l, const char *key, const char *value);
void kvlist_free(kvlist *l);

#endif
