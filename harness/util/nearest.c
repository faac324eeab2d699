#include "nearest.h"
#include "xmem.h"
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

static int lc(char c) { return tolower((unsigned char)c); }

size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 256) la = 256;   /* names are short; cap the work on hostile input */
    if (lb > 256) lb = 256;
    size_t w = lb + 1;
    size_t *d = xmalloc((la + 1) * w * sizeof *d);
#define D(i, j) d[(i) * w + (j)]
    for (size_t i = 0; i <= la; i++) D(i, 0) = i;
    for (size_t j = 0; j <= lb; j++) D(0, j) = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = lc(a[i - 1]) != lc(b[j - 1]);
            size_t v = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < v) v = D(i, j - 1) + 1;
            if (D(i - 1, j - 1) + cost < v) v = D(i - 1, j - 1) + cost;
            if (i > 1 && j > 1 && lc(a[i - 1]) == lc(b[j - 2]) && lc(a[i - 2]) == lc(b[j - 1]) && D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    size_t r = D(la, lb);
#undef D
    free(d);
    /* letters that differ only in case are one mistake, not one per letter */
    return r == 0 && strcmp(a, b) != 0 ? 1 : r;
}

void nearest_init(nearest *n, const char *word)
{
    n->word = word ? word : "";
    n->best = NULL;
    n->dist = (size_t)-1;
}

void nearest_offer(nearest *n, const char *candidate)
{
    if (!candidate) return;
    size_t d = edit_distance(n->word, candidate);
    if (!n->best || d < n->dist) {
        n->best = candidate;
        n->dist = d;
    }
}

const char *nearest_plausible(const nearest *n)
{
    if (!n->best) return NULL;
    size_t la = strlen(n->word), lb = strlen(n->best), l = la > lb ? la : lb;
    size_t limit = l / 3 < 2 ? 2 : l / 3;
    return n->dist <= limit ? n->best : NULL;
}
