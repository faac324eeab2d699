#include "rxdup.h"
#include "../util/xmem.h"
#include <stdlib.h>
#include <string.h>

#define RXDUP_SLOTS 32

typedef struct seen {
    char peer[64];
    int type;
    uint16_t mid;
    uint8_t *bytes;
    size_t n;
} seen;

struct rxdup {
    seen s[RXDUP_SLOTS];
    size_t next;
};

rxdup *rxdup_new(void) { return xcalloc(1, sizeof(rxdup)); }

void rxdup_free(rxdup *r)
{
    if (!r) return;
    for (size_t i = 0; i < RXDUP_SLOTS; i++) free(r->s[i].bytes);
    free(r);
}

const char *rxdup_note(rxdup *r, const char *peer, int type, uint16_t mid, const uint8_t *raw, size_t n)
{
    for (size_t i = 0; i < RXDUP_SLOTS; i++) {
        const seen *e = &r->s[i];
        if (e->bytes && e->type == type && e->mid == mid && strcmp(e->peer, peer) == 0)
            return e->n == n && memcmp(e->bytes, raw, n) == 0 ? "identical" : "different";
    }
    seen *e = &r->s[r->next];
    r->next = (r->next + 1) % RXDUP_SLOTS;
    free(e->bytes);
    memset(e, 0, sizeof *e);
    size_t l = strlen(peer);
    if (l >= sizeof e->peer) l = sizeof e->peer - 1;
    memcpy(e->peer, peer, l);
    e->type = type;
    e->mid = mid;
    e->bytes = xmalloc(n ? n : 1);
    if (n) memcpy(e->bytes, raw, n);
    e->n = n;
    return NULL;
}
