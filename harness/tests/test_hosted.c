/* Containers, contentInstances and policies at the registrar, with the access decision
 * before every access (TS-0003 §7.1, TS-0004 §7.3.3.15): acp.permit / acp.deny events
 * naming op, target, originator and rule; denial 4103. */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cse/registrar.h"
#include "onem2m/release.h"
#include "cse/hosted.h"
#include "util/xmem.h"
#include "m2m_test.h"

typedef struct fx {
    registrar *r;
    timeline tl;
    m2m_prim rsp;
} fx;

/* Sends one request from `fr` inside an association bound to fr; returns the rsc. */
static int send(fx *f, int op, int ty, const char *to, const char *fr, const char *pc)
{
    m2m_prim req;
    m2m_prim_init(&req);
    req.op = op;
    req.ty = ty;
    req.to = xstrdup(to);
    req.fr = xstrdup(fr);
    req.rqi = xstrdup("r1");
    req.rvi = xstrdup("3");
    if (pc) { req.pc = xstrdup(pc); req.pclen = strlen(pc); req.cf = M2M_CF_RES_JSON; }
    sa_info sa = { 1, 1, "psk-id", fr, NULL };
    m2m_prim_free(&f->rsp);
    registrar_handle(f->r, &req, &sa, &f->rsp, &f->tl, "127.0.0.1:5684");
    m2m_prim_free(&req);
    return f->rsp.rsc;
}

static void setup(fx *f)
{
    memset(f, 0, sizeof *f);
    f->r = registrar_new("/in-cse", "in-name", M2M_REL_3);
    timeline_init(&f->tl);
    m2m_prim_init(&f->rsp);
    CU_ASSERT_EQUAL(send(f, M2M_OP_CREATE, 2, "/in-cse/in-name", "Cdev", "{\"m2m:ae\":{\"rn\":\"dev\",\"api\":\"Ndev\",\"rr\":false,\"srv\":[\"3\"]}}"), 2001);
    CU_ASSERT_EQUAL(send(f, M2M_OP_CREATE, 2, "/in-cse/in-name", "Cother", "{\"m2m:ae\":{\"rn\":\"other\",\"api\":\"Nother\",\"rr\":false,\"srv\":[\"3\"]}}"), 2001);
}

static void teardown(fx *f)
{
    m2m_prim_free(&f->rsp);
    registrar_free(f->r);
    timeline_free(&f->tl);
}

/* The last event named name, or NULL. */
static const tl_event *last_named(const timeline *tl, const char *name)
{
    for (size_t i = tl->n; i-- > 0; )
        if (strcmp(tl->ev[i].name, name) == 0) return &tl->ev[i];
    return NULL;
}

static void test_own_container_and_instance(void)
{
    fx f;
    setup(&f);
    size_t before = f.tl.n;
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "in-name/dev", "Cdev", "{\"m2m:cnt\":{\"rn\":\"data\"}}"), 2001);
    CU_ASSERT_STRING_EQUAL(f.rsp.location, "in-name/dev/data");
    /* the decision comes first, then the resource */
    CU_ASSERT_EQUAL_FATAL(f.tl.n, before + 2);
    const tl_event *d = &f.tl.ev[before];
    CU_ASSERT_STRING_EQUAL(d->name, "acp.permit");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "op"), "CREATE");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "target"), "in-name/dev");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "fr"), "Cdev");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "rule"), "creator-only default");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "ty"), "3");
    CU_ASSERT_STRING_EQUAL(f.tl.ev[before + 1].name, "res.created");

    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 4, "/in-cse/in-name/dev/data", "Cdev", "{\"m2m:cin\":{\"rn\":\"v1\",\"con\":\"21.5\"}}"), 2001);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/data/v1", "Cdev", NULL), 2000);
    CU_ASSERT_PTR_NOT_NULL(f.rsp.pc && strstr(f.rsp.pc, "\"con\":\"21.5\"") ? f.rsp.pc : NULL);
    CU_ASSERT_PTR_NOT_NULL(f.rsp.pc && strstr(f.rsp.pc, "\"cr\":\"Cdev\"") ? f.rsp.pc : NULL);
    /* a contentInstance cannot be updated, and cannot sit directly under an AE */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_UPDATE, 0, "in-name/dev/data/v1", "Cdev", "{\"m2m:cin\":{\"con\":\"0\"}}"), 4005);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 4, "in-name/dev", "Cdev", "{\"m2m:cin\":{\"con\":\"1\"}}"), 4108);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "in-name/dev", "Cdev", "{\"m2m:cnt\":{\"rn\":\"data\"}}"), 4105);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "in-name/dev", "Cdev", "{\"m2m:cin\":{}}"), 4000);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_DELETE, 0, "in-name/dev/data", "Cdev", NULL), 2002);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/data/v1", "Cdev", NULL), 4004);
    teardown(&f);
}

static void test_other_originator_denied(void)
{
    fx f;
    setup(&f);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "in-name/dev", "Cdev", "{\"m2m:cnt\":{\"rn\":\"data\"}}"), 2001);
    size_t before = f.tl.n;
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 4, "in-name/dev/data", "Cother", "{\"m2m:cin\":{\"con\":\"x\"}}"), 4103);
    CU_ASSERT_EQUAL_FATAL(f.tl.n, before + 1);
    const tl_event *d = &f.tl.ev[before];
    CU_ASSERT_STRING_EQUAL(d->name, "acp.deny");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "op"), "CREATE");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "target"), "in-name/dev/data");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "fr"), "Cother");
    CU_ASSERT_STRING_EQUAL(tl_event_get(d, "rule"), "creator-only default");
    CU_ASSERT_PTR_NOT_NULL(f.rsp.pc && strstr(f.rsp.pc, "m2m:dbg") ? f.rsp.pc : NULL);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/data", "Cother", NULL), 4103);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_DELETE, 0, "in-name/dev/data", "Cother", NULL), 4103);
    /* the CSEBase without acpi: only the CSE itself may create there */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "/in-cse/in-name", "Cdev", "{\"m2m:cnt\":{\"rn\":\"top\"}}"), 4103);
    teardown(&f);
}

/* A harness-owned container the device may read but not write: a preset policy. */
static void test_preset_read_only_container(void)
{
    fx f;
    setup(&f);
    hosted *h = registrar_hosted(f.r);
    acp_policy *p = acp_policy_new("acpRO");
    acp_rule_add_originator(acp_policy_add_rule(p, 0, ACOP_RETRIEVE, 1), "C*");
    acp_rule_add_originator(acp_policy_add_rule(p, 1, ACOP_ALL, 0), "/in-cse");
    acp_store_put(hosted_policies(h), p);
    const char *acpi[] = { "acpRO" };
    CU_ASSERT_PTR_NOT_NULL(hosted_add(h, "in-name", 3, "config", NULL, "/in-cse", acpi, 1,
                                      "{\"m2m:cnt\":{\"rn\":\"config\"}}"));
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/config", "Cdev", NULL), 2000);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.permit"), "rule"), "acpRO pv[0]");
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 4, "in-name/config", "Cdev", "{\"m2m:cin\":{\"con\":\"x\"}}"), 4103);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.deny"), "rule"), "no matching rule");
    CU_ASSERT_EQUAL(send(&f, M2M_OP_UPDATE, 0, "in-name/config", "Cdev", "{\"m2m:cnt\":{\"lbl\":[\"x\"]}}"), 4103);
    teardown(&f);
}

static const char *ACP_BODY =
    "{\"m2m:acp\":{\"rn\":\"share\",\"pv\":{\"acr\":[{\"acor\":[\"Cother\"],\"acop\":2}]},"
    "\"pvs\":{\"acr\":[{\"acor\":[\"Cdev\"],\"acop\":63}]}}}";

static void test_policy_crud(void)
{
    fx f;
    setup(&f);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 1, "in-name/dev", "Cdev", ACP_BODY), 2001);
    /* the policy's resource ID, as the decisions name it */
    json_t *rep = json_loads(f.rsp.pc ? f.rsp.pc : "", 0, NULL);
    char ri[32], pv0[48], pvs0[48];
    const char *got = json_string_value(json_object_get(json_object_get(rep, "m2m:acp"), "ri"));
    snprintf(ri, sizeof ri, "%s", got ? got : "?");
    json_decref(rep);
    snprintf(pv0, sizeof pv0, "%s pv[0]", ri);
    snprintf(pvs0, sizeof pvs0, "%s pvs[0]", ri);
    CU_ASSERT_STRING_NOT_EQUAL(ri, "?");
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "in-name/dev", "Cdev",
                         "{\"m2m:cnt\":{\"rn\":\"shared\",\"acpi\":[\"in-name/dev/share\"]}}"), 2001);
    /* the policy's pv now decides for the container, pvs for the policy */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/shared", "Cother", NULL), 2000);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.permit"), "rule"), pv0);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_DELETE, 0, "in-name/dev/shared", "Cother", NULL), 4103);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/share", "Cother", NULL), 4103);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/share", "Cdev", NULL), 2000);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.permit"), "rule"), pvs0);
    /* the creator of the container has no rule in the linked policy any more */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/shared", "Cdev", NULL), 4103);
    /* changing acpi is judged by the linked policies' pvs (Cdev: all; Cother: none), and
     * must be alone in its UPDATE */
    static const char *ACPI_SAME = "{\"m2m:cnt\":{\"acpi\":[\"in-name/dev/share\"]}}";
    CU_ASSERT_EQUAL(send(&f, M2M_OP_UPDATE, 0, "in-name/dev/shared", "Cother", ACPI_SAME), 4103);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.deny"), "attr"), "acpi");
    CU_ASSERT_EQUAL(send(&f, M2M_OP_UPDATE, 0, "in-name/dev/shared", "Cdev",
                         "{\"m2m:cnt\":{\"acpi\":[\"in-name/dev/share\"],\"lbl\":[\"x\"]}}"), 4000);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_UPDATE, 0, "in-name/dev/shared", "Cdev", ACPI_SAME), 2004);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.permit"), "rule"), pvs0);
    /* widen pv by UPDATE, then Cother may delete */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_UPDATE, 0, "in-name/dev/share", "Cdev",
                         "{\"m2m:acp\":{\"pv\":{\"acr\":[{\"acor\":[\"Cother\"],\"acop\":10}]}}}"), 2004);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_DELETE, 0, "in-name/dev/shared", "Cother", NULL), 2002);
    /* malformed policies */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 1, "in-name/dev", "Cdev",
                         "{\"m2m:acp\":{\"pv\":{\"acr\":[]}}}"), 4000);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 1, "in-name/dev", "Cdev",
                         "{\"m2m:acp\":{\"pv\":{\"acr\":[]},\"pvs\":{\"acr\":[{\"acop\":99}]}}}"), 4000);
    /* deleting the policy leaves the acpi dangling: deny */
    CU_ASSERT_EQUAL(send(&f, M2M_OP_CREATE, 3, "in-name/dev", "Cdev",
                         "{\"m2m:cnt\":{\"rn\":\"s2\",\"acpi\":[\"in-name/dev/share\"]}}"), 2001);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_DELETE, 0, "in-name/dev/share", "Cdev", NULL), 2002);
    CU_ASSERT_EQUAL(send(&f, M2M_OP_RETRIEVE, 0, "in-name/dev/s2", "Cother", NULL), 4103);
    CU_ASSERT_STRING_EQUAL(tl_event_get(last_named(&f.tl, "acp.deny"), "unresolved"), ri);
    teardown(&f);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("hosted", NULL, NULL);
    CU_add_test(s, "own container + contentInstance: permit first, CRUD", test_own_container_and_instance);
    CU_add_test(s, "another originator: acp.deny and 4103", test_other_originator_denied);
    CU_add_test(s, "preset read-only container", test_preset_read_only_container);
    CU_add_test(s, "policy CRUD: pv for targets, pvs for itself", test_policy_crud);
}
