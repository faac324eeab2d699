/* libFuzzer target for timeline JSON (timelines/<ID>.json), which the parent reads back
 * from a child that may have been killed mid-write: a document that parses is drawn as a
 * sequence chart and written out again as JSON, so the chart's escaping and the writer run
 * on every accepted shape too. */
#include <stdint.h>
#include <stdlib.h>
#include "report/msc.h"
#include "report/tljson.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    timeline tl;
    timeline_init(&tl);
    char err[256], *id = NULL;
    if (tljson_parse((const char *)data, size, &tl, &id, err, sizeof err) == 0) {
        strbuf b;
        sb_init(&b);
        msc_svg(&b, &tl, 0, " 1 2 ", "harness", id ? id : "IUT", 0);
        sb_free(&b);
        json_t *j = tljson_events(&tl);
        char *s = json_dumps(j, 0);
        free(s);
        json_decref(j);
    }
    free(id);
    timeline_free(&tl);
    return 0;
}
