#include "kvlist.h"
#include "xmem.h"
#include <stdlib.h>
#include <string.h>

const char *kvlist_get(const kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0) return l->items[i].value;
    return NULL;
}

/* Appends (keys may repeat; kvlist_get returns the first). */
void kvlist_add(kvlist *l, const char *key, const char *value)
{
    l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n].key = xstrdup(key);
    l->items[l->n].value = xstrdup(value ? value : "");
    l->n++;
}

void kvlist_free(kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
