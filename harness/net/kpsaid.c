#include "kpsaid.h"
#include <string.h>

static int is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* RFC 1123 host name: labels of 1..63 letters, digits and inner '-', at most 253 in all. */
static int fqdn_valid(const char *s, size_t len)
{
    if (len == 0 || len > 253) return 0;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') return 0;
            label = 0;
        } else if (is_alnum(c) || (c == '-' && label > 0)) {
            if (++label > 63) return 0;
        } else {
            return 0;
        }
    }
    return label > 0 && s[len - 1] != '-';
}

int kpsaid_valid(const char *id, size_t len)
{
    if (!id || len == 0) return 0;
    const char *at = memchr(id, '@', len);
    if (!at || at == id) return 0;
    for (const char *p = id; p < at; p++)
        if (!is_alnum(*p) && *p != '.' && *p != '_' && *p != '-') return 0;
    return fqdn_valid(at + 1, len - (size_t)(at + 1 - id));
}
