/* Shared parts: test case fragments (<include href>) and profile inheritance (<profile
 * extends>): what is spliced in, where messages about it point (into the fragment or base,
 * naming the including file:line), and what is refused (loops, paths leaving the suite,
 * includes in bytes from no file). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model/testcase.h"
#include "model/profile.h"
#include "model/profile_extends.h"
#include "model/profile_redact.h"
#include "model/xmlload.h"
#include "util/xmem.h"
#include "m2m_test.h"

#define SCHEMA M2M_DATA_DIR "/testcases/schema/testcase.xsd"
#define PSCHEMA M2M_DATA_DIR "/fixtures/schema/profile.xsd"

static char *root;   /* a suite: root/area/TC_x.xml, root/include/x.xml */

static void put(const char *rel, const char *text)
{
    char *p = xasprintf("%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static char *at(const char *rel) { return xasprintf("%s/%s", root, rel); }

/* Lines: the <include> (or first step) is on line 7 of the test file. */
#define TC(id, steps)                                                                        \
    "<?xml version=\"1.0\"?>\n"                                                              \
    "<testcase id=\"" id "\" role=\"in-cse\" area=\"sae\" covers=\"R-SAE-01\">\n"             \
    "  <title>t</title>\n"                                                                   \
    "  <requirement>r</requirement>\n"                                                       \
    "  <reference>TS-0003</reference>\n"                                                     \
    "  <steps>\n" steps "  </steps>\n</testcase>\n"

static int setup(void)
{
    root = xstrdup("/tmp/m2m-test-frag-XXXXXX");
    if (!mkdtemp(root)) return -1;
    char *a = xasprintf("%s/sae", root), *i = xasprintf("%s/include", root), *p = xasprintf("%s/p", root);
    int rc = mkdir(a, 0755) | mkdir(i, 0755) | mkdir(p, 0755);
    free(a);
    free(i);
    free(p);
    return rc ? -1 : 0;
}

static int cleanup(void)
{
    char *cmd = xasprintf("rm -rf '%s'", root);
    int rc = system(cmd);
    free(cmd);
    free(root);
    xmlload_cleanup();
    return rc == 0 ? 0 : -1;
}

/* Some entry names file (ending) and line and holds both needles. */
static int has(const diag *d, const char *file_end, int line, const char *n1, const char *n2)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag_entry *e = &d->items[i];
        size_t fl = e->file ? strlen(e->file) : 0, nl = strlen(file_end);
        if (fl >= nl && !strcmp(e->file + fl - nl, file_end) && e->line == line && strstr(e->message, n1) &&
            (!n2 || strstr(e->message, n2)))
            return 1;
    }
    fprintf(stderr, "\nexpected %s:%d with '%s' '%s'; got:\n", file_end, line, n1, n2 ? n2 : "");
    diag_print(d, stderr);
    return 0;
}

static void test_include_splices_steps(void)
{
    put("include/start.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <trigger name=\"start\"/>\n"
                             "  <await event=\"sae.done\" within=\"5s\"/>\n</fragment>\n");
    put("sae/TC_F_001.xml", TC("TC_F_001", "    <include href=\"../include/start.xml\"/>\n    <wait for=\"1s\"/>\n"));
    char *path = at("sae/TC_F_001.xml");
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL_FATAL(testcase_load(path, SCHEMA, &tc, &d), 0);
    CU_ASSERT_EQUAL_FATAL(tc->body.n, 3);
    CU_ASSERT_EQUAL(tc->body.items[0].kind, STEP_TRIGGER);
    CU_ASSERT_EQUAL(tc->body.items[1].kind, STEP_AWAIT);
    CU_ASSERT_EQUAL(tc->body.items[2].kind, STEP_WAIT);
    /* steps from the fragment: the include's line in the test, and their own in the fragment */
    CU_ASSERT_EQUAL(tc->body.items[0].line, 7);
    CU_ASSERT_EQUAL(tc->body.items[1].line, 7);
    CU_ASSERT_EQUAL(tc->body.items[1].src_line, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tc->body.items[1].src);
    CU_ASSERT_PTR_NOT_NULL(strstr(tc->body.items[1].src->file, "/include/start.xml"));
    CU_ASSERT_PTR_NULL(strstr(tc->body.items[1].src->file, ".."));   /* named as a person would */
    CU_ASSERT_PTR_NULL(tc->body.items[2].src);
    CU_ASSERT_EQUAL(tc->body.items[2].line, 8);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    testcase_free(tc);
    /* The copy a bundle keeps stands alone: the fragment's steps are in it. */
    char *copy = at("copy.xml");
    CU_ASSERT_EQUAL(testcase_write_expanded(path, copy), 0);
    CU_ASSERT_EQUAL_FATAL(testcase_load_mem("copy.xml", NULL, 0, NULL, &tc, &d), -1);   /* empty: sanity */
    diag_free(&d);
    diag_init(&d);
    size_t len = 0;
    char *buf = xmlload_read_file(copy, &len, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_PTR_NULL(strstr(buf, "<include href"));
    CU_ASSERT_EQUAL(testcase_load_mem("copy.xml", buf, len, SCHEMA, &tc, &d), 0);
    CU_ASSERT_EQUAL(tc ? tc->body.n : 0, 3);
    testcase_free(tc);
    /* A test without includes: the caller copies it as it is. */
    put("sae/TC_F_009.xml", TC("TC_F_009", "    <wait for=\"1s\"/>\n"));
    char *plain = at("sae/TC_F_009.xml");
    CU_ASSERT_EQUAL(testcase_write_expanded(plain, copy), 1);
    free(plain);
    free(buf);
    free(copy);
    free(path);
    diag_free(&d);
}

static void test_error_in_fragment_points_into_it(void)
{
    /* a schema error (line 3 of the fragment) and a loader error (line 4) */
    put("include/bad.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <wait for=\"1s\" bogus=\"x\"/>\n"
                           "  <await event=\"sae.done\" within=\"5s\"/>\n</fragment>\n");
    put("sae/TC_F_002.xml", TC("TC_F_002", "    <include href=\"../include/bad.xml\"/>\n"));
    char *path = at("sae/TC_F_002.xml");
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/include/bad.xml", 3, "bogus", "included from"));
    CU_ASSERT_TRUE(has(&d, "/include/bad.xml", 3, "bogus", "TC_F_002.xml:7"));
    diag_free(&d);
    /* without the schema, the loader's own check (a duration) is reported there too */
    put("include/bad2.xml", "<?xml version=\"1.0\"?>\n<fragment>\n\n  <wait for=\"soon\"/>\n</fragment>\n");
    put("sae/TC_F_002.xml", TC("TC_F_002", "    <wait for=\"1s\"/>\n    <include href=\"../include/bad2.xml\"/>\n"));
    diag_init(&d);
    CU_ASSERT_EQUAL(testcase_load(path, NULL, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/include/bad2.xml", 4, "not a duration", "included from"));
    CU_ASSERT_TRUE(has(&d, "/include/bad2.xml", 4, "not a duration", "TC_F_002.xml:8"));
    diag_free(&d);
    /* a fragment that is not well-formed: its own line, and who included it */
    put("include/broken.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <wait for=\"1s\">\n</fragment>\n");
    put("sae/TC_F_002.xml", TC("TC_F_002", "    <include href=\"../include/broken.xml\"/>\n"));
    diag_init(&d);
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/include/broken.xml", 4, "mismatch", "TC_F_002.xml:7"));
    diag_free(&d);
    /* nested: the chain of includes is named */
    put("include/outer.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <include href=\"bad.xml\"/>\n</fragment>\n");
    put("sae/TC_F_002.xml", TC("TC_F_002", "    <include href=\"../include/outer.xml\"/>\n"));
    diag_init(&d);
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/include/bad.xml", 3, "included from", "outer.xml:3, included from"));
    CU_ASSERT_TRUE(has(&d, "/include/bad.xml", 3, "bogus", "TC_F_002.xml:7"));
    diag_free(&d);
    free(path);
}

/* <param name="X" value="..."/> inside an include: ${X} in the fragment's attributes and
 * text takes the value; a parameter the fragment never uses, or anything else inside the
 * include, is an error at the include's line. */
static void test_include_params(void)
{
    put("include/refuse.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <trigger name=\"start\"/>\n"
                              "  <check><expect within=\"5s\" control=\"dtls\"><silence/>"
                              "<event name=\"sae.done\" verdict=\"fail\" reason=\"accepted ${WHAT} (${IUT_CSE_ID})\"/>"
                              "</expect></check>\n</fragment>\n");
    put("sae/TC_F_020.xml", TC("TC_F_020", "    <include href=\"../include/refuse.xml\"><param name=\"WHAT\" "
                                            "value=\"an expired certificate\"/></include>\n"));
    char *path = at("sae/TC_F_020.xml");
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL_FATAL(testcase_load(path, SCHEMA, &tc, &d), 0);
    CU_ASSERT_EQUAL_FATAL(tc->body.n, 2);
    const tc_step *e = &tc->body.items[1];
    CU_ASSERT_EQUAL_FATAL(e->nalts, 2);
    CU_ASSERT_STRING_EQUAL(e->alts[1].reason, "accepted an expired certificate (${IUT_CSE_ID})");   /* others stay */
    testcase_free(tc);
    free(path);
    /* a parameter the fragment has no ${} for: a misspelt name */
    put("sae/TC_F_021.xml", TC("TC_F_021", "    <include href=\"../include/refuse.xml\"><param name=\"WAHT\" "
                                            "value=\"x\"/></include>\n"));
    path = at("sae/TC_F_021.xml");
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "sae/TC_F_021.xml", 7, "<param name=\"WAHT\">", "has no ${WAHT}"));
    free(path);
    diag_free(&d);
    diag_init(&d);
    /* anything but <param> inside an include; a lower-case name */
    put("sae/TC_F_022.xml", TC("TC_F_022", "    <include href=\"../include/refuse.xml\"><wait for=\"1s\"/></include>\n"));
    path = at("sae/TC_F_022.xml");
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "sae/TC_F_022.xml", 7, "takes only <param", NULL));
    free(path);
    put("sae/TC_F_023.xml", TC("TC_F_023", "    <include href=\"../include/refuse.xml\"><param name=\"what\" value=\"x\"/></include>\n"));
    path = at("sae/TC_F_023.xml");
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "sae/TC_F_023.xml", 7, "upper-case", NULL));
    free(path);
    diag_free(&d);
}

static void test_include_loop_refused(void)
{
    put("include/a.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <include href=\"b.xml\"/>\n</fragment>\n");
    put("include/b.xml", "<?xml version=\"1.0\"?>\n<fragment>\n  <wait for=\"1s\"/>\n  <include href=\"a.xml\"/>\n</fragment>\n");
    put("sae/TC_F_003.xml", TC("TC_F_003", "    <include href=\"../include/a.xml\"/>\n"));
    char *path = at("sae/TC_F_003.xml");
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_PTR_NULL(tc);
    CU_ASSERT_TRUE(has(&d, "/include/b.xml", 4, "an include loop", "a.xml -> "));
    diag_free(&d);
    /* a test that includes itself */
    put("sae/TC_F_003.xml", TC("TC_F_003", "    <include href=\"TC_F_003.xml\"/>\n"));
    diag_init(&d);
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "TC_F_003.xml", 7, "an include loop", NULL));
    diag_free(&d);
    free(path);
}

static void test_include_outside_refused(void)
{
    char *path = at("sae/TC_F_004.xml");
    const char *bad[] = { "../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "http://127.0.0.1/x.xml",
                          "../../outside.xml" };
    const char *why[] = { "outside the folder", "relative to this file", "relative to this file",
                          "relative to this file", "outside the folder" };
    /* a file beside the suite root, reachable with .. */
    char *outside = xasprintf("%s-outside.xml", root);
    FILE *f = fopen(outside, "w");
    if (f) { fputs("<fragment><wait for=\"1s\"/></fragment>", f); fclose(f); }
    char *rel = xasprintf("../../%s", strrchr(outside, '/') + 1);
    bad[4] = rel;
    for (size_t i = 0; i < 5; i++) {
        char *steps = xasprintf("    <include href=\"%s\"/>\n", bad[i]);
        char *text = xasprintf(TC("TC_F_004", "%s"), steps);
        put("sae/TC_F_004.xml", text);
        diag d;
        diag_init(&d);
        testcase *tc = NULL;
        CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
        CU_ASSERT_TRUE(has(&d, "TC_F_004.xml", 7, why[i], NULL));
        diag_free(&d);
        free(text);
        free(steps);
    }
    /* a symbolic link inside the suite that points out of it */
    char *link = at("include/link.xml");
    CU_ASSERT_EQUAL(symlink(outside, link), 0);
    put("sae/TC_F_004.xml", TC("TC_F_004", "    <include href=\"../include/link.xml\"/>\n"));
    diag d;
    diag_init(&d);
    testcase *tc = NULL;
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "TC_F_004.xml", 7, "outside the folder", NULL));
    diag_free(&d);
    /* bytes from memory (fuzz input) have no folder: any include is refused */
    const char *mem = TC("TC_F_004", "    <include href=\"../include/start.xml\"/>\n");
    diag_init(&d);
    CU_ASSERT_EQUAL(testcase_load_mem("m.xml", mem, strlen(mem), SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "m.xml", 7, "not available here", NULL));
    diag_free(&d);
    /* a fragment's root must be <fragment> */
    put("include/notfrag.xml", "<?xml version=\"1.0\"?>\n<steps><wait for=\"1s\"/></steps>\n");
    put("sae/TC_F_004.xml", TC("TC_F_004", "    <include href=\"../include/notfrag.xml\"/>\n"));
    diag_init(&d);
    CU_ASSERT_EQUAL(testcase_load(path, SCHEMA, &tc, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/include/notfrag.xml", 2, "expected <fragment>", "TC_F_004.xml:7"));
    diag_free(&d);
    unlink(outside);
    free(outside);
    free(rel);
    free(link);
    free(path);
}

/* ---- profiles ---- */

#define BASE                                                                                          \
    "<?xml version=\"1.0\"?>\n"                                                                       \
    "<profile name=\"base\" role=\"in-cse\">\n"                                                       \
    "  <iut kind=\"asn-cse\" release=\"3\" address=\"127.0.0.1\"><cse-id>/asn-cse-1</cse-id></iut>\n"  \
    "  <harness address=\"127.0.0.1\" coap-port=\"0\" coaps-port=\"0\"><cse-id>/in-cse</cse-id><cse-base>in</cse-base></harness>\n" \
    "  <credentials><psk identity=\"asn-cse-1@in.example\" key=\"base-secret-key-1\" encoding=\"ascii\"/></credentials>\n" \
    "  <pics>IUT_ASN_CSE SAE SAE_PSK</pics>\n"                                                        \
    "  <coap options=\"iana\" serialization=\"json\"/>\n"                                            \
    "  <control>\n    <start timeout=\"5s\">true ${NOPE_VAR}</start>\n  </control>\n"                 \
    "</profile>\n"

static void test_profile_extends_overrides(void)
{
    put("p/base.xml", BASE);
    put("p/child.xml", "<?xml version=\"1.0\"?>\n<profile name=\"child\" extends=\"base.xml\">\n"
                       "  <coap options=\"iana\" serialization=\"xml\"/>\n"
                       "  <control><start>true</start></control>\n</profile>\n");
    char *path = at("p/child.xml");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    int loaded = profile_load(path, PSCHEMA, &p, &d);
    if (loaded) diag_print(&d, stderr);
    CU_ASSERT_EQUAL_FATAL(loaded, 0);
    CU_ASSERT_STRING_EQUAL(p->name, "child");               /* the child's attribute */
    CU_ASSERT_STRING_EQUAL(p->role, "in-cse");              /* the base's */
    CU_ASSERT_STRING_EQUAL(p->iut_cse_id, "/asn-cse-1");    /* elements the child does not give */
    CU_ASSERT_TRUE(profile_has_pics(p, "SAE_PSK"));
    CU_ASSERT_EQUAL(p->psk_key_len, strlen("base-secret-key-1"));
    CU_ASSERT_STRING_EQUAL(p->serialization, "xml");        /* <coap> replaced */
    CU_ASSERT_EQUAL(p->ntriggers, 1);                       /* <control> replaced wholesale */
    CU_ASSERT_STRING_EQUAL(p->triggers[0].command, "true");
    CU_ASSERT_PTR_NULL(p->triggers[0].src);
    profile_free(p);
    diag_free(&d);
    /* An error in the base's part: base.xml's line, extended by child.xml:2 (the base's
     * start names an unknown variable; the child keeps the base's <control>). */
    put("p/child.xml", "<?xml version=\"1.0\"?>\n<profile name=\"child\" extends=\"base.xml\">\n"
                       "  <coap options=\"legacy\"/>\n</profile>\n");
    diag_init(&d);
    CU_ASSERT_EQUAL(profile_load(path, PSCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/p/base.xml", 9, "NOPE_VAR", "extended by"));
    CU_ASSERT_TRUE(has(&d, "/p/base.xml", 9, "NOPE_VAR", "child.xml:2"));
    diag_free(&d);
    /* a schema error in the base: its line, and who extended it */
    put("p/base2.xml", "<?xml version=\"1.0\"?>\n<profile name=\"b\" role=\"in-cse\">\n  <bogus/>\n</profile>\n");
    put("p/child2.xml", "<?xml version=\"1.0\"?>\n<profile name=\"c\" extends=\"base2.xml\"/>\n");
    char *path2 = at("p/child2.xml");
    diag_init(&d);
    CU_ASSERT_EQUAL(profile_load(path2, PSCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/p/base2.xml", 3, "bogus", "extended by"));
    diag_free(&d);
    /* The report's copy is the effective profile: the base's parts, no extends, no key. */
    put("p/child.xml", "<?xml version=\"1.0\"?>\n<profile name=\"child\" extends=\"base.xml\">\n"
                       "  <control><start>true</start></control>\n</profile>\n");
    char *copy = at("p/copy.xml");
    CU_ASSERT_EQUAL(profile_write_redacted(path, copy), 0);
    diag_init(&d);
    size_t len = 0;
    char *buf = xmlload_read_file(copy, &len, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_PTR_NULL(strstr(buf, "extends="));
    CU_ASSERT_PTR_NULL(strstr(buf, "base-secret-key-1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "asn-cse-1@in.example"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<pics>"));
    free(buf);
    diag_free(&d);
    free(copy);
    free(path2);
    free(path);
}

static void test_profile_extends_loop_refused(void)
{
    put("p/l1.xml", "<?xml version=\"1.0\"?>\n<profile name=\"l1\" extends=\"l2.xml\"/>\n");
    put("p/l2.xml", "<?xml version=\"1.0\"?>\n\n<profile name=\"l2\" extends=\"l1.xml\"/>\n");
    char *path = at("p/l1.xml");
    diag d;
    diag_init(&d);
    profile *p = NULL;
    CU_ASSERT_EQUAL(profile_load(path, PSCHEMA, &p, &d), -1);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_TRUE(has(&d, "/p/l2.xml", 3, "a loop", "l1.xml extends"));
    diag_free(&d);
    /* itself */
    put("p/self.xml", "<?xml version=\"1.0\"?>\n<profile name=\"s\" extends=\"self.xml\"/>\n");
    char *self = at("p/self.xml");
    diag_init(&d);
    CU_ASSERT_EQUAL(profile_load(self, PSCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/p/self.xml", 2, "a loop", NULL));
    diag_free(&d);
    /* bytes from memory (fuzz input): no extends, so no file is read */
    const char *mem = "<profile name=\"m\" extends=\"/etc/passwd\"/>";
    diag_init(&d);
    CU_ASSERT_EQUAL(profile_load_mem("m.xml", mem, strlen(mem), PSCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(has(&d, "m.xml", 1, "only for a profile read from a file", NULL));
    diag_free(&d);
    /* absolute paths and URLs are refused; a missing base is named */
    put("p/abs.xml", "<?xml version=\"1.0\"?>\n<profile name=\"a\" extends=\"/etc/hostname\"/>\n");
    char *abs = at("p/abs.xml");
    diag_init(&d);
    CU_ASSERT_EQUAL(profile_load(abs, PSCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/p/abs.xml", 2, "relative to this file's folder", NULL));
    diag_free(&d);
    put("p/abs.xml", "<?xml version=\"1.0\"?>\n<profile name=\"a\" extends=\"missing.xml\"/>\n");
    diag_init(&d);
    CU_ASSERT_EQUAL(profile_load(abs, PSCHEMA, &p, &d), -1);
    CU_ASSERT_TRUE(has(&d, "/p/abs.xml", 2, "cannot open", "missing.xml"));
    diag_free(&d);
    free(abs);
    free(self);
    free(path);
}

/* The repository's profiles that extend another load to what their full text gave. */
static void test_repository_extends(void)
{
    diag d;
    diag_init(&d);
    profile *base = NULL, *xml = NULL;
    CU_ASSERT_EQUAL_FATAL(profile_load(M2M_DATA_DIR "/fixtures/profiles/ref-in-cse.xml", PSCHEMA, &base, &d), 0);
    CU_ASSERT_EQUAL_FATAL(profile_load(M2M_DATA_DIR "/fixtures/profiles/ref-in-cse-xml.xml", PSCHEMA, &xml, &d), 0);
    CU_ASSERT_STRING_EQUAL(xml->name, "ref-in-cse-xml");
    CU_ASSERT_STRING_EQUAL(xml->role, base->role);
    CU_ASSERT_STRING_EQUAL(xml->iut_cse_id, base->iut_cse_id);
    CU_ASSERT_STRING_EQUAL(xml->psk_identity, base->psk_identity);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml->second_registree);
    CU_ASSERT_EQUAL(xml->ntriggers, base->ntriggers);
    CU_ASSERT_STRING_EQUAL(xml->triggers[0].command, base->triggers[0].command);
    CU_ASSERT_STRING_EQUAL(xml->serialization, "xml");
    CU_ASSERT_STRING_EQUAL(base->serialization, "json");
    CU_ASSERT_FALSE(profile_has_pics(xml, "ACAF_PLAIN_AE_NOT_AUTHENTICATED"));
    CU_ASSERT_TRUE(profile_has_pics(base, "ACAF_PLAIN_AE_NOT_AUTHENTICATED"));
    profile_free(base);
    profile_free(xml);
    CU_ASSERT_EQUAL(diag_count(&d), 0);
    diag_free(&d);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("fragments", setup, cleanup);
    CU_add_test(s, "an include splices the fragment's steps; the bundle copy stands alone", test_include_splices_steps);
    CU_add_test(s, "an error in a fragment: its file:line, included from the test's", test_error_in_fragment_points_into_it);
    CU_add_test(s, "an include loop is refused", test_include_loop_refused);
    CU_add_test(s, "an include's parameters fill the fragment's ${NAME}", test_include_params);
    CU_add_test(s, "includes cannot leave the suite (.., absolute, URL, symlink, memory)", test_include_outside_refused);
    CU_add_test(s, "profile extends: the child's elements override the base's", test_profile_extends_overrides);
    CU_add_test(s, "profile extends: loops, memory input, bad paths", test_profile_extends_loop_refused);
    CU_add_test(s, "the repository's profiles that extend one", test_repository_extends);
}
