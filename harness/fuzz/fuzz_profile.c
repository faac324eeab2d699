/* libFuzzer target for IUT profiles (a vendor writes them). The bytes go through
 * profile_load_mem with the real schema and without it (so the loader's own checks meet
 * every well-formed shape); a loaded profile feeds vars_from_profile and the expansion of
 * its trigger commands. Invariants: a refusal says why, what the schema accepts the
 * loader alone accepts too, and a key the loader could read never appears in a message.
 * Bytes from memory read no base: <profile extends> is refused there, so fuzz input
 * cannot make the loader open a file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "model/profile.h"
#include "model/vars.h"
#include "fuzz_target.h"

#define SCHEMA M2M_DATA_DIR "/fixtures/schema/profile.xsd"

static void use(const profile *p)
{
    vars v;
    vars_init(&v);
    vars_from_profile(&v, p);
    for (size_t i = 0; i < p->ntriggers; i++) {
        char err[128];
        free(vars_expand(&v, p->triggers[i].command, err, sizeof err));
        (void)profile_trigger_find(p, p->triggers[i].name);
    }
    for (size_t i = 0; i < p->npics; i++)
        if (!profile_has_pics(p, p->pics[i])) abort();
    vars_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int without = profile_load_mem("fuzz.xml", buf, size, NULL, &p, &d);
    if (without == 0) {
        use(p);
    } else if (p || diag_count(&d) == 0) {
        abort();
    }
    /* The key as the loader read it: it must not leak through the schema's messages. */
    char *key = NULL;
    if (p && p->psk_key && p->psk_key_len >= 4 && !memchr(p->psk_key, 0, p->psk_key_len))
        key = strndup((const char *)p->psk_key, p->psk_key_len);
    profile_free(p);
    diag_free(&d);

    diag_init(&d);
    p = NULL;
    int with_schema = profile_load_mem("fuzz.xml", buf, size, SCHEMA, &p, &d);
    if (with_schema == 0) {
        if (without != 0) abort();
        use(p);
    } else if (p || diag_count(&d) == 0) {
        abort();
    }
    if (key && diag_contains(&d, key)) abort();
    free(key);
    profile_free(p);
    diag_free(&d);
    return 0;
}
