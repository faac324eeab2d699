#include "merge.h"
#include "../model/xmlload.h"
#include "../util/xmem.h"
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mcase {
    char *file, *classname, *name;
    size_t seq;            /* arrival order, the last tie-break */
    xmlNodePtr node;       /* a copy owned by the merge's document */
} mcase;

typedef struct msuite {
    char *name, *timestamp, *hostname;
    xmlNodePtr properties; /* copy of the first input's, NULL if none */
    mcase *cases;
    size_t n;
} msuite;

struct junit_merge {
    xmlDocPtr doc;         /* owns every copied node */
    msuite *suites;
    size_t nsuites;
    char *shards;          /* "1/2 2/2" */
    size_t inputs, seq;
};

junit_merge *junit_merge_new(void)
{
    junit_merge *m = xcalloc(1, sizeof *m);
    m->doc = xmlNewDoc(xml_cstr("1.0"));
    return m;
}

void junit_merge_free(junit_merge *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nsuites; i++) {
        msuite *s = &m->suites[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->cases[j].file);
            free(s->cases[j].classname);
            free(s->cases[j].name);
            xmlFreeNode(s->cases[j].node);
        }
        free(s->cases);
        if (s->properties) xmlFreeNode(s->properties);
        free(s->name);
        free(s->timestamp);
        free(s->hostname);
    }
    free(m->suites);
    free(m->shards);
    xmlFreeDoc(m->doc);
    free(m);
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static int seen_case(const junit_merge *m, const char *classname, const char *name)
{
    for (size_t i = 0; i < m->nsuites; i++)
        for (size_t j = 0; j < m->suites[i].n; j++)
            if (!strcmp(m->suites[i].cases[j].name, name) && !strcmp(or_empty(m->suites[i].cases[j].classname), or_empty(classname)))
                return 1;
    return 0;
}

/* The shard a report says it is (suite property "shard"), or NULL. */
static char *shard_of(const xmlNode *suite)
{
    const xmlNode *props = xml_child(suite, "properties");
    for (const xmlNode *p = props ? xml_first_elem(props) : NULL; p; p = xml_next_elem(p)) {
        char *n = xml_attr(p, "name");
        int is = n && !strcmp(n, "shard");
        free(n);
        if (is) return xml_attr(p, "value");
    }
    return NULL;
}

/* Checks one input completely before anything is taken from it. */
static int check_input(const char *name, const xmlNode *root, junit_merge *m, diag *d)
{
    int errors = 0;
    if (!root || !xml_is(root, "testsuites")) {
        diag_error(d, name, root ? xml_line(root) : 0, "not a JUnit report: the root element must be <testsuites>");
        return 1;
    }
    char **keys = NULL;
    size_t nkeys = 0;
    for (const xmlNode *s = xml_first_elem(root); s; s = xml_next_elem(s)) {
        if (!xml_is(s, "testsuite")) continue;
        char *sname = xml_attr(s, "name");
        if (!sname || !*sname) { diag_error(d, name, xml_line(s), "<testsuite> without a name"); errors++; }
        free(sname);
        for (const xmlNode *c = xml_first_elem(s); c; c = xml_next_elem(c)) {
            if (!xml_is(c, "testcase")) continue;
            char *cn = xml_attr(c, "classname"), *tn = xml_attr(c, "name");
            if (!tn || !*tn) {
                diag_error(d, name, xml_line(c), "<testcase> without a name");
                errors++;
            } else if (seen_case(m, cn, tn)) {
                diag_error(d, name, xml_line(c), "test %s.%s is already in another report: shards never overlap",
                           or_empty(cn), tn);
                errors++;
            } else {
                char *key = xasprintf("%s\n%s", or_empty(cn), tn);
                for (size_t k = 0; k < nkeys && key; k++)
                    if (!strcmp(keys[k], key)) {
                        diag_error(d, name, xml_line(c), "test %s.%s is in this report twice", or_empty(cn), tn);
                        errors++;
                        free(key);
                        key = NULL;
                    }
                if (key) { keys = xrealloc(keys, (nkeys + 1) * sizeof *keys); keys[nkeys++] = key; }
            }
            free(cn);
            free(tn);
        }
    }
    for (size_t k = 0; k < nkeys; k++) free(keys[k]);
    free(keys);
    return errors;
}

static msuite *suite_for(junit_merge *m, const xmlNode *s, const char *sname)
{
    for (size_t i = 0; i < m->nsuites; i++)
        if (!strcmp(m->suites[i].name, sname)) return &m->suites[i];
    m->suites = xrealloc(m->suites, (m->nsuites + 1) * sizeof *m->suites);
    msuite *ms = &m->suites[m->nsuites++];
    memset(ms, 0, sizeof *ms);
    ms->name = xstrdup(sname);
    ms->timestamp = xml_attr(s, "timestamp");
    ms->hostname = xml_attr(s, "hostname");
    xmlNode *props = xml_child(s, "properties");
    if (props) ms->properties = xmlDocCopyNode(props, m->doc, 1);
    return ms;
}

int junit_merge_add_mem(junit_merge *m, const char *name, const char *buf, size_t len, diag *d)
{
    xmlDocPtr in = xmlload_parse_mem(name, buf, len, d);
    if (!in) return -1;
    const xmlNode *root = xmlDocGetRootElement(in);
    if (check_input(name, root, m, d)) {
        xmlFreeDoc(in);
        return -1;
    }
    char *shard = NULL;
    for (const xmlNode *s = xml_first_elem(root); s; s = xml_next_elem(s)) {
        if (!xml_is(s, "testsuite")) continue;
        char *sname = xml_attr(s, "name");
        if (!shard) shard = shard_of(s);
        msuite *ms = suite_for(m, s, sname);
        free(sname);
        for (xmlNode *c = xml_first_elem(s); c; c = xml_next_elem(c)) {
            if (!xml_is(c, "testcase")) continue;
            ms->cases = xrealloc(ms->cases, (ms->n + 1) * sizeof *ms->cases);
            mcase *mc = &ms->cases[ms->n++];
            mc->file = xml_attr(c, "file");
            mc->classname = xml_attr(c, "classname");
            mc->name = xml_attr(c, "name");
            mc->seq = m->seq++;
            mc->node = xmlDocCopyNode(c, m->doc, 1);
        }
    }
    char *list = m->shards ? xasprintf("%s %s", m->shards, shard ? shard : "?") : xstrdup(shard ? shard : "?");
    free(m->shards);
    m->shards = list;
    free(shard);
    m->inputs++;
    xmlFreeDoc(in);
    return 0;
}

int junit_merge_add_file(junit_merge *m, const char *path, diag *d)
{
    size_t len = 0;
    char *buf = xmlload_read_file(path, &len, d);
    if (!buf) return -1;
    int rc = junit_merge_add_mem(m, path, buf, len, d);
    free(buf);
    return rc;
}

static int by_file_name(const void *a, const void *b)
{
    const mcase *x = a, *y = b;
    int c = strcmp(or_empty(x->file), or_empty(y->file));
    if (!c) c = strcmp(x->name, y->name);
    if (!c) c = x->seq < y->seq ? -1 : x->seq > y->seq;
    return c;
}

static const char *outcome(const xmlNode *c)
{
    for (const xmlNode *k = xml_first_elem(c); k; k = xml_next_elem(k))
        if (xml_is(k, "failure") || xml_is(k, "error") || xml_is(k, "skipped")) return (const char *)k->name;
    return NULL;
}

/* Milliseconds of a time="1.234" attribute, by hand so no locale gets a say. */
static unsigned long long time_ms(const xmlNode *c)
{
    char *t = xml_attr(c, "time");
    unsigned long long s = 0, frac = 0, scale = 1000;
    const char *p = t ? t : "";
    while (*p >= '0' && *p <= '9' && s < 1000000000ULL) s = s * 10 + (unsigned long long)(*p++ - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1) { scale /= 10; frac += (unsigned long long)(*p - '0') * scale; }
    free(t);
    return s * 1000 + frac;
}

static void set_counts(xmlNodePtr n, const junit_counts *c, unsigned long long ms)
{
    char buf[64];
    const struct { const char *k; size_t v; } kv[] = {
        { "tests", c->tests }, { "failures", c->failures }, { "errors", c->errors }, { "skipped", c->skipped } };
    for (size_t i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "%zu", kv[i].v);
        xmlSetProp(n, xml_cstr(kv[i].k), xml_cstr(buf));
    }
    snprintf(buf, sizeof buf, "%llu.%03llu", ms / 1000, ms % 1000);
    xmlSetProp(n, xml_cstr("time"), xml_cstr(buf));
}

static void set_shard_property(junit_merge *m, xmlNodePtr props)
{
    for (xmlNodePtr p = props->children; p; p = p->next) {
        if (p->type != XML_ELEMENT_NODE) continue;
        xmlChar *n = xmlGetProp(p, xml_cstr("name"));
        int is = n && !xmlStrcmp(n, xml_cstr("shard"));
        xmlFree(n);
        if (is) { xmlSetProp(p, xml_cstr("value"), xml_cstr(m->shards)); return; }
    }
    xmlNodePtr p = xmlNewChild(props, NULL, xml_cstr("property"), NULL);
    xmlSetProp(p, xml_cstr("name"), xml_cstr("shard"));
    xmlSetProp(p, xml_cstr("value"), xml_cstr(m->shards ? m->shards : ""));
}

char *junit_merge_render(junit_merge *m, junit_counts *total)
{
    xmlDocPtr out = xmlNewDoc(xml_cstr("1.0"));
    xmlNodePtr root = xmlNewNode(NULL, xml_cstr("testsuites"));
    xmlDocSetRootElement(out, root);
    xmlSetProp(root, xml_cstr("name"), xml_cstr("m2m-harness"));
    junit_counts all = { 0 };
    unsigned long long all_ms = 0;
    for (size_t i = 0; i < m->nsuites; i++) {
        msuite *s = &m->suites[i];
        qsort(s->cases, s->n, sizeof *s->cases, by_file_name);
        xmlNodePtr sn = xmlNewChild(root, NULL, xml_cstr("testsuite"), NULL);
        xmlSetProp(sn, xml_cstr("name"), xml_cstr(s->name));
        junit_counts c = { 0 };
        unsigned long long ms = 0;
        for (size_t j = 0; j < s->n; j++) {
            const char *o = outcome(s->cases[j].node);
            c.tests++;
            c.failures += o && !strcmp(o, "failure");
            c.errors += o && !strcmp(o, "error");
            c.skipped += o && !strcmp(o, "skipped");
            ms += time_ms(s->cases[j].node);
        }
        set_counts(sn, &c, ms);
        if (s->timestamp) xmlSetProp(sn, xml_cstr("timestamp"), xml_cstr(s->timestamp));
        if (s->hostname) xmlSetProp(sn, xml_cstr("hostname"), xml_cstr(s->hostname));
        xmlNodePtr props = s->properties ? xmlDocCopyNode(s->properties, out, 1)
                                         : xmlNewNode(NULL, xml_cstr("properties"));
        xmlAddChild(sn, props);
        set_shard_property(m, props);
        for (size_t j = 0; j < s->n; j++) xmlAddChild(sn, xmlDocCopyNode(s->cases[j].node, out, 1));
        all.tests += c.tests;
        all.failures += c.failures;
        all.errors += c.errors;
        all.skipped += c.skipped;
        all_ms += ms;
    }
    set_counts(root, &all, all_ms);
    xmlChar *mem = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc(out, &mem, &len, "UTF-8", 1);
    char *s = xstrndup(mem ? (const char *)mem : "", mem ? (size_t)len : 0);
    xmlFree(mem);
    xmlFreeDoc(out);
    if (total) *total = all;
    return s;
}
