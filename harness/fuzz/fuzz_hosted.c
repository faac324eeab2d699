/* libFuzzer target for the registrar's hosted resources (cse/hosted.c, cse/acp_json.c):
 * the input is a series of requests, one per line: a control byte (operation, type, path,
 * originator), then the JSON content. Invariants: every request gets a response code; an
 * acp.deny event comes only with 4103, and every 4103 is explained in the timeline: by an
 * acp.deny, or by the registrar's own refusal (rcv.reject / reg.fail with rsc 4103, e.g. a
 * DELETE of another registree's registration). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cse/registrar.h"
#include "onem2m/release.h"
#include "util/xmem.h"
#include "fuzz_target.h"

static const char *const paths[] = { "in-name", "in-name/dev", "in-name/dev/a", "in-name/dev/a/b",
                                     "in-name/dev/p", "/in-cse/in-name/dev/a", "acp1", "cnt2" };
static const int types[] = { 1, 3, 4, 2 };

static void one(registrar *r, timeline *tl, uint8_t c, const char *pc, size_t pclen)
{
    m2m_prim req, rsp;
    m2m_prim_init(&req);
    req.op = 1 + (c & 3);
    req.ty = req.op == M2M_OP_CREATE ? types[(c >> 2) & 3] : 0;
    req.to = xstrdup(paths[(c >> 4) & 7]);
    req.fr = xstrdup(c & 0x80 ? "Cother" : "Cdev");
    req.rqi = xstrdup("f");
    req.rvi = xstrdup("3");
    if (pclen) { req.pc = xstrndup(pc, pclen); req.pclen = pclen; req.cf = M2M_CF_RES_JSON; }
    sa_info sa = { 1, 1, "id", req.fr, NULL };
    size_t before = tl->n;
    registrar_handle(r, &req, &sa, &rsp, tl, "127.0.0.1:1");
    if (rsp.rsc == 0) abort();
    int denied = 0, explained = 0;
    for (size_t i = before; i < tl->n; i++) {
        const tl_event *e = &tl->ev[i];
        denied |= strcmp(e->name, "acp.deny") == 0;
        explained |= (strcmp(e->name, "rcv.reject") == 0 || strcmp(e->name, "reg.fail") == 0) &&
                     tl_event_get(e, "rsc") && strcmp(tl_event_get(e, "rsc"), "4103") == 0;
    }
    if (denied && rsp.rsc != 4103) abort();
    if (rsp.rsc == 4103 && !denied && !explained) abort();
    m2m_prim_free(&req);
    m2m_prim_free(&rsp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    registrar *r = registrar_new("/in-cse", "in-name", M2M_REL_3);
    timeline tl;
    timeline_init(&tl);
    static const char ae[] = "{\"m2m:ae\":{\"rn\":\"dev\",\"api\":\"Ndev\",\"rr\":false,\"srv\":[\"3\"]}}";
    one(r, &tl, 0x0c | 0x00, ae, sizeof ae - 1);   /* CREATE AE "dev" at the CSEBase, from Cdev */
    const char *p = (const char *)data, *end = p + size;
    for (int n = 0; p < end && n < 16; n++) {
        /* the control byte may itself be '\n'; the content runs from p + 1 */
        const char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
        const char *stop = nl ? nl : end;
        one(r, &tl, (uint8_t)p[0], p + 1, (size_t)(stop - p - 1));
        p = stop + (nl != NULL);
    }
    registrar_free(r);
    timeline_free(&tl);
    return 0;
}
