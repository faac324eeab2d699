/* The nearest valid name to a misspelled one, for "did you mean" hints: a closed vocabulary
 * (events, attributes, PICS items, variables) refuses a word it does not know and names the
 * closest word it does. Distance is Damerau-Levenshtein (optimal string alignment): one
 * insertion, deletion, substitution or swap of neighbours counts 1, and so does a word that
 * differs only in the case of its letters. */
#ifndef M2M_NEAREST_H
#define M2M_NEAREST_H
#include <stddef.h>

typedef struct nearest {
    const char *word;     /* what was written */
    const char *best;     /* closest candidate so far (borrowed), NULL if none offered */
    size_t dist;
} nearest;

void nearest_init(nearest *n, const char *word);
/* Considers one candidate; the first of equally close ones wins. */
void nearest_offer(nearest *n, const char *candidate);
/* The best candidate if it is close enough to be a plausible typo (distance at most a third
 * of the longer word, at least 2), else NULL. */
const char *nearest_plausible(const nearest *n);
size_t edit_distance(const char *a, const char *b);

#endif
