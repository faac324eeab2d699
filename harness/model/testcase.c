/* The test case loader: XML (testcases/schema/testcase.xsd) into a testcase. Steps and
 * order rules are read in tc_steps.c. */
#include "pics.h"
#include "testcase.h"
#include "tc_parse.h"
#include "xmlload.h"
#include "../util/xmem.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static void free_words(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++) free(w[i]);
    free(w);
}

void testcase_free(testcase *tc)
{
    if (!tc) return;
    free(tc->file);
    xml_origins_free(tc->origins);
    free(tc->id);
    free(tc->role);
    free(tc->area);
    free(tc->title);
    free(tc->requirement);
    free_words(tc->references, tc->nreferences);
    free_words(tc->covers, tc->ncovers);
    free_words(tc->requires, tc->nrequires);
    free_words(tc->harness.suites, tc->harness.nsuites);
    free_words(tc->harness.versions, tc->harness.nversions);
    free(tc->harness.certificate);
    tc_steps_free(&tc->preamble);
    tc_steps_free(&tc->body);
    tc_steps_free(&tc->postamble);
    for (size_t i = 0; i < tc->norder; i++) order_rule_free(&tc->order[i]);
    free(tc->order);
    free(tc);
}

/* Splits a space-separated attribute (covers, pics) into words. */
static void split_words(const char *s, char ***out, size_t *n)
{
    while (s && *s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
        size_t len = strcspn(s, " \t\n\r");
        if (!len) break;
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = xstrndup(s, len);
        s += len;
    }
}

static int all_of(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT "0123456789"

/* ^TC_[A-Z0-9_]+$ */
static int id_ok(const char *id)
{
    return strncmp(id, "TC_", 3) == 0 && all_of(id + 3, UPPER DIGIT "_");
}

/* ^R-[A-Z]+-[0-9]{2}$ */
static int req_ok(const char *r)
{
    if (strncmp(r, "R-", 2) != 0) return 0;
    const char *p = r + 2;
    size_t letters = strspn(p, UPPER);
    if (!letters || p[letters] != '-') return 0;
    p += letters + 1;
    return strlen(p) == 2 && all_of(p, DIGIT);
}

/* The attributes of <testcase>. The schema checks them too; these checks keep the loader
 * honest when it runs without one. */
static void parse_root_attrs(tc_ctx *c, const xmlNode *root, testcase *tc)
{
    tc->id = xml_attr(root, "id");
    tc->role = xml_attr(root, "role");
    tc->area = xml_attr(root, "area");
    if (!tc->id || !id_ok(tc->id))
        tc_err(c, root, "<testcase id=\"%s\">: expected TC_ followed by A-Z, 0-9 or _",
               tc->id ? tc->id : "");
    if (!tc->role || (strcmp(tc->role, "in-cse") != 0 && strcmp(tc->role, "field") != 0))
        tc_err(c, root, "<testcase role=\"%s\">: expected in-cse or field", tc->role ? tc->role : "");
    if (!tc->area || !*tc->area) tc_err(c, root, "<testcase> needs area=\"...\"");
    char *covers = xml_attr(root, "covers");
    split_words(covers, &tc->covers, &tc->ncovers);
    free(covers);
    if (!xmlHasProp(root, (const xmlChar *)"covers"))
        tc_err(c, root, "<testcase> needs covers=\"R-...\" (requirement ids; empty for a self-test)");
    for (size_t i = 0; i < tc->ncovers; i++) {
        if (!req_ok(tc->covers[i]))
            tc_err(c, root, "covers: '%s' is not a requirement id (R-AREA-NN)", tc->covers[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(tc->covers[i], tc->covers[j]) == 0)
                tc_err(c, root, "covers: '%s' is listed twice", tc->covers[i]);
    }
    if (xml_attr_duration(root, "deadline", 1, c->file, c->d, &tc->deadline_ns) < 0) c->errors++;
}

static char *required_text(tc_ctx *c, const xmlNode *n)
{
    char *s = xml_text_folded(n);
    if (!s) tc_err(c, n, "<%s> is empty", (const char *)n->name);
    return s;
}

static void parse_harness(tc_ctx *c, const xmlNode *n, tc_harness *h)
{
    char *v = xml_attr(n, "suites");
    split_words(v, &h->suites, &h->nsuites);
    free(v);
    v = xml_attr(n, "versions");
    split_words(v, &h->versions, &h->nversions);
    free(v);
    h->certificate = xml_attr(n, "certificate");
    v = xml_attr(n, "psk");
    if (!v || !strcmp(v, "profile")) h->psk = TC_PSK_PROFILE;
    else if (!strcmp(v, "wrong-key")) h->psk = TC_PSK_WRONG_KEY;
    else if (!strcmp(v, "unknown-identity")) h->psk = TC_PSK_UNKNOWN_IDENTITY;
    else if (!strcmp(v, "other-issuer")) h->psk = TC_PSK_OTHER_ISSUER;
    else tc_err(c, n, "psk=\"%s\": expected profile, wrong-key, unknown-identity or other-issuer", v);
    free(v);
}

static void build(tc_ctx *c, const xmlNode *root, testcase *tc)
{
    if (!xml_is(root, "testcase")) {
        tc_err(c, root, "the root element is <%s>, expected <testcase>", (const char *)root->name);
        return;
    }
    parse_root_attrs(c, root, tc);
    int have_steps = 0;
    for (const xmlNode *n = xml_first_elem(root); n; n = xml_next_elem(n)) {
        if (xml_is(n, "title") && !tc->title) {
            tc->title = required_text(c, n);
        } else if (xml_is(n, "requirement") && !tc->requirement) {
            tc->requirement = required_text(c, n);
        } else if (xml_is(n, "reference")) {
            char *r = required_text(c, n);
            if (!r) continue;
            tc->references = xrealloc(tc->references, (tc->nreferences + 1) * sizeof *tc->references);
            tc->references[tc->nreferences++] = r;
        } else if (xml_is(n, "requires") && !tc->nrequires) {
            char *pics = xml_attr(n, "pics");
            split_words(pics, &tc->requires, &tc->nrequires);
            free(pics);
            if (!tc->nrequires) tc_err(c, n, "<requires> needs pics=\"ITEM ...\"");
            for (size_t i = 0; i < tc->nrequires; i++) {
                char err[256];
                for (const char *a = tc->requires[i]; *a;) {   /* "A|B": each alternative checked */
                    size_t len = strcspn(a, "|");
                    char *one = xstrndup(a, len);
                    if (pics_check(one, err, sizeof err) < 0) tc_err(c, n, "<requires pics>: %s", err);
                    free(one);
                    a += len;
                    if (*a == '|') a++;
                }
            }
        } else if (xml_is(n, "harness")) {
            parse_harness(c, n, &tc->harness);
        } else if (xml_is(n, "preamble") && !tc->preamble.n) {
            tc_parse_steps(c, n, &tc->preamble);
        } else if (xml_is(n, "steps") && !have_steps) {
            tc_parse_steps(c, n, &tc->body);
            have_steps = 1;
        } else if (xml_is(n, "postamble") && !tc->postamble.n) {
            tc_parse_steps(c, n, &tc->postamble);
        } else if (xml_is(n, "order") && !tc->norder) {
            tc_parse_order(c, n, tc);
        } else {
            tc_err(c, n, "unexpected <%s> in <testcase>", (const char *)n->name);
        }
    }
    if (!tc->title) tc_err(c, root, "<testcase> needs a <title>");
    if (!tc->requirement) tc_err(c, root, "<testcase> needs a <requirement>");
    if (!tc->nreferences) tc_err(c, root, "<testcase> needs at least one <reference>");
    if (!have_steps) tc_err(c, root, "<testcase> needs <steps>");
}

/* An association the harness opens with a credential the test's <harness> does not alter:
 * the right-credential handshake that control="handshake" needs. */
int tc_step_control_assoc(const testcase *tc, const tc_step *s)
{
    if (s->kind != STEP_ASSOC || s->expect_refused) return 0;
    const tc_harness *h = &tc->harness;
    int varied = h->psk != TC_PSK_PROFILE || h->nsuites || h->nversions || h->certificate;
    return s->cred_profile || s->second_registree || !varied;
}

static void step_err(tc_ctx *c, const tc_step *s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void step_err(tc_ctx *c, const tc_step *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    va_end(ap);
    xml_diag(c->d, c->file, s->line, s->src, s->src_line, "%s", msg);
    free(msg);
    c->errors++;
}

/* What a schema cannot say about checks and controls (the rules: one rule decides fail against
 * inconc; no negative verdict without a positive control):
 * - a failing alternative, or an association expected refused, is a check: inside <check>;
 * - a negative step names its control, and only a negative step has one;
 * - control="handshake" is role field's, and the test has the association it names;
 * - in role field a refused handshake always has the right-credential handshake as control. */
static void check_controls(tc_ctx *c, const testcase *tc)
{
    const tc_steps *all[3] = { &tc->preamble, &tc->body, &tc->postamble };
    int have_control_assoc = 0, field = tc->role && !strcmp(tc->role, "field");
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < all[k]->n; i++) have_control_assoc |= tc_step_control_assoc(tc, &all[k]->items[i]);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < all[k]->n; i++) {
            const tc_step *s = &all[k]->items[i];
            for (size_t j = 0; j < s->nalts; j++)
                if (s->alts[j].on_match == VERDICT_FAIL && !s->in_check)
                    xml_diag(c->d, c->file, s->alts[j].line, s->alts[j].src, s->alts[j].src_line,
                               "a verdict=\"fail\" alternative outside <check>: only a check fails a test (put the step in <check>, or make it inconc)"),
                    c->errors++;
            if (s->expect_refused && !s->in_check)
                step_err(c, s, "an association expected refused fails when it is established: it is a check and belongs in <check>");
            int neg = tc_step_negative(s);
            if (neg && !s->control)
                step_err(c, s, "this step passes on a refusal or silence: it needs its positive control, control=\"dtls\", \"handshake\" or \"message\" (no negative verdict without one)");
            if (!neg && s->control)
                step_err(c, s, "control=\"...\" backs a step that passes on a refusal or silence; this one cannot");
            if ((s->control & TC_CONTROL_HANDSHAKE) && !field)
                step_err(c, s, "control=\"handshake\" is for role field, where the harness opens the association; in role in-cse use dtls or message");
            else if ((s->control & TC_CONTROL_HANDSHAKE) && !have_control_assoc)
                step_err(c, s, "control=\"handshake\" needs an <open-association> in the same test that completes with the profile's credential (credential=\"profile\", or no <harness> variation)");
            if (field && s->kind == STEP_ASSOC && s->expect_refused && !(s->control & TC_CONTROL_HANDSHAKE))
                step_err(c, s, "a refused handshake in role field needs control=\"handshake\": the same test completes one with the right credential");
        }
}

static int load_doc(const char *name, xmlDocPtr doc, testcase **out, diag *d)
{
    *out = NULL;
    if (!doc) return -1;
    tc_ctx c = { .file = name, .d = d };
    testcase *tc = xcalloc(1, sizeof *tc);
    tc->file = xstrdup(name);
    tc->origins = xml_origins_take(doc);
    build(&c, xmlDocGetRootElement(doc), tc);
    if (!c.errors) check_controls(&c, tc);
    xmlFreeDoc(doc);
    if (c.errors) {
        testcase_free(tc);
        return -1;
    }
    *out = tc;
    return 0;
}

int testcase_load_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                      testcase **out, diag *d)
{
    if (!name) name = "<memory>";
    /* Bytes from memory have no folder to include from: an <include> there is refused. */
    xmlDocPtr doc = xmlload_parse_mem(name, buf, len, d);
    if (doc && xmlload_expand(doc, name, NULL, d) < 0) {
        xmlload_free_doc(doc);
        doc = NULL;
    }
    if (doc && schema_path && xmlload_validate(doc, name, schema_path, d) < 0) {
        xmlload_free_doc(doc);
        doc = NULL;
    }
    return load_doc(name, doc, out, d);
}

char *testcase_include_root(const char *path)
{
    /* testcases/<area>/<ID>.xml: the suite's folder is the one above the test's own */
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        free(dir);
        return xstrdup("..");
    }
    *slash = '\0';
    char *root = xasprintf("%s/..", *dir ? dir : "/");
    free(dir);
    return root;
}

int testcase_load(const char *path, const char *schema_path, testcase **out, diag *d)
{
    char *root = testcase_include_root(path);
    xmlDocPtr doc = xmlload_file_inc(path, root, schema_path, d);
    free(root);
    if (load_doc(path, doc, out, d) < 0) return -1;
    /* Files are named after their id (testcases/<area>/<ID>.xml): one place to look for
     * a test, and no two files can claim the same test by accident. */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t idlen = strlen((*out)->id);
    if (strncmp(base, (*out)->id, idlen) != 0 || strcmp(base + idlen, ".xml") != 0) {
        diag_error(d, path, 0, "the file of test case %s must be named %s.xml", (*out)->id,
                   (*out)->id);
        testcase_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int testcase_write_expanded(const char *src, const char *dst)
{
    diag d;
    diag_init(&d);
    char *root = testcase_include_root(src);
    xmlDocPtr doc = xmlload_file_inc(src, root, NULL, &d);
    free(root);
    diag_free(&d);
    if (!doc) return -1;
    int rc = 1;
    if (doc->_private) {   /* something was included */
        xmlNode *r = xmlDocGetRootElement(doc);
        xmlNode *c = xmlNewDocComment(doc, (const xmlChar *)" The test case with its <include>s replaced by the fragments' steps: this copy stands alone. ");
        if (r && c) xmlAddPrevSibling(r, c);
        rc = xmlSaveFormatFileEnc(dst, doc, "UTF-8", 1) < 0 ? -1 : 0;
    }
    xmlload_free_doc(doc);
    return rc;
}

/* ---- collecting files ---- */

typedef struct pathlist { char **v; size_t n, cap; } pathlist;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Folders are walked without following symbolic links to folders (no loops); the depth
 * bound is a second guard. The schema folder holds the XSD, never test cases. */
static int walk(const char *dir, int depth, pathlist *out, diag *d)
{
    if (depth > 32) {
        diag_error(d, dir, 0, "folders nested too deeply");
        return -1;
    }
    DIR *dp = opendir(dir);
    if (!dp) {
        diag_error(d, dir, 0, "cannot read the folder: %s", strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ., .., hidden files and editor droppings */
        char *p = ends_with(dir, "/") ? xasprintf("%s%s", dir, e->d_name)
                                      : xasprintf("%s/%s", dir, e->d_name);
        struct stat lst, st;
        if (lstat(p, &lst) != 0) {
            diag_error(d, p, 0, "cannot stat: %s", strerror(errno));
            rc = -1;
        } else if (S_ISDIR(lst.st_mode)) {
            /* schema/ holds the XSD, include/ the fragments test cases include: neither is a test */
            if (strcmp(e->d_name, "schema") != 0 && strcmp(e->d_name, "include") != 0) rc = walk(p, depth + 1, out, d);
        } else if (ends_with(e->d_name, ".xml") && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
            out->v[out->n++] = p;
            p = NULL;
        }
        free(p);
    }
    closedir(dp);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int testcase_collect(const char *path, char ***files, size_t *nfiles, diag *d)
{
    *files = NULL;
    *nfiles = 0;
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_error(d, path, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    pathlist l = { 0 };
    if (S_ISDIR(st.st_mode)) {
        if (walk(path, 0, &l, d) < 0) {
            free_words(l.v, l.n);
            return -1;
        }
        qsort(l.v, l.n, sizeof *l.v, cmp_str);
    } else {
        /* A file named on purpose is taken whatever its extension. */
        l.v = xmalloc(sizeof *l.v);
        l.v[l.n++] = xstrdup(path);
    }
    *files = l.v;
    *nfiles = l.n;
    return 0;
}
