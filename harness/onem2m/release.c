#include "release.h"
#include <string.h>

static const struct { int code; const char *name; } rels[] = {
    { M2M_REL_1, "1" }, { M2M_REL_2, "2" }, { M2M_REL_2A, "2a" },
    { M2M_REL_3, "3" }, { M2M_REL_4, "4" }, { M2M_REL_5, "5" },
};
#define NRELS (sizeof rels / sizeof rels[0])

int m2m_release_parse(const char *s)
{
    for (size_t i = 0; s && i < NRELS; i++)
        if (strcmp(s, rels[i].name) == 0) return rels[i].code;
    return 0;
}

const char *m2m_release_name(int rel)
{
    for (size_t i = 0; i < NRELS; i++)
        if (rels[i].code == rel) return rels[i].name;
    return NULL;
}

const char *m2m_release_rvi(int rel)
{
    return rel == M2M_REL_1 ? NULL : m2m_release_name(rel);
}

int m2m_release_of_rvi(const char *rvi)
{
    return rvi ? m2m_release_parse(rvi) : M2M_REL_1;
}

unsigned m2m_release_bit(int rel)
{
    for (size_t i = 0; i < NRELS; i++)
        if (rels[i].code == rel) return 1u << i;
    return 0;
}

unsigned m2m_release_default_set(int rel)
{
    unsigned set = m2m_release_bit(rel);
    for (size_t i = 0; i < NRELS; i++)
        if (rels[i].code >= M2M_REL_2A && rels[i].code <= rel) set |= 1u << i;
    return set;
}
