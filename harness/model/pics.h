/* The closed vocabulary of PICS items: what an IUT profile may claim (<pics>) and a test
 * case may require (<requires pics>). One table (pics.c); docs/pics.md is generated from it
 * and from the test cases that require each item (m2m-harness doc pics). A profile claiming,
 * or a test case requiring, an item outside it is refused at load: a misspelled claim would
 * otherwise only skip tests, and a run could end "no test was executed". */
#ifndef M2M_PICS_H
#define M2M_PICS_H
#include <stddef.h>

typedef struct pics_def {
    const char *name;     /* "SAE_PSK" */
    const char *meaning;  /* what claiming it says, for people */
} pics_def;

size_t pics_count(void);
const pics_def *pics_at(size_t i);
const pics_def *pics_find(const char *name);
/* 0 if item is a PICS item, else -1 with "unknown PICS item 'X'; did you mean 'Y'?" in err. */
int pics_check(const char *item, char *err, size_t errlen);

#endif
