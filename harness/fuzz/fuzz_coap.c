/* libFuzzer target for the CoAP codec: the tolerant decoder on arbitrary bytes, the
 * libcoap cross-check on the same bytes, and for every accepted message an encode that must
 * give back exactly the input (RFC 7252's option encoding has one form per value, so a
 * message our decoder accepts has a single encoding) and re-decode to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/coap.h"
#include "net/coap_xcheck.h"
#include "fuzz_target.h"

static int same_fields(const cm_msg *a, const cm_msg *b)
{
    if (a->ver != b->ver || a->type != b->type || a->tkl != b->tkl || a->code != b->code ||
        a->mid != b->mid || memcmp(a->token, b->token, a->tkl) != 0 || a->nopts != b->nopts ||
        a->plen != b->plen || (a->plen && memcmp(a->payload, b->payload, a->plen) != 0))
        return 0;
    for (size_t i = 0; i < a->nopts; i++) {
        const cm_option *x = &a->opts[i], *y = &b->opts[i];
        if (x->num != y->num || x->len != y->len || (x->len && memcmp(x->val, y->val, x->len)))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised) {
        cm_xcheck_init();
        initialised = 1;
    }
    cm_msg m;
    cm_defects d;
    int rc = cm_decode(data, size, &m, &d);
    if ((rc != 0) != (d.fatal != 0) || d.n > CM_MAX_DEFECTS) __builtin_trap();
    for (size_t i = 0; i < d.n; i++)
        if (memchr(d.d[i].reason, '\0', sizeof d.d[i].reason) == NULL) __builtin_trap();
    char why[512];
    cm_xcheck(data, size, &m, rc, why, sizeof why);
    char desc[200];
    cm_msg_describe(&m, desc, sizeof desc);

    if (rc == 0) {
        size_t cap = size + 16;
        uint8_t *buf = malloc(cap);
        size_t n = cm_encode(&m, buf, cap);
        if (n != size || memcmp(buf, data, size) != 0) __builtin_trap();
        cm_msg again;
        cm_defects d2;
        if (cm_decode(buf, n, &again, &d2) != 0 || !same_fields(&m, &again) || d2.n != d.n)
            __builtin_trap();
        /* One byte short must fail cleanly, not write past the end. */
        if (n > 0 && cm_encode(&m, buf, n - 1) != 0) __builtin_trap();
        cm_msg_free(&again);
        free(buf);
    }
    cm_msg_free(&m);
    return 0;
}
