#include "requirements.h"
#include "xmlload.h"
#include "../util/xmem.h"
#include <stdlib.h>
#include <string.h>

static const char *const role_names[REQ_NROLES] = { "D", "C", "A" };

static int role_index(const char *s)
{
    for (int r = 0; r < REQ_NROLES; r++)
        if (s && strcmp(s, role_names[r]) == 0) return r;
    return -1;
}

int requirements_role_of(const char *testcase_role)
{
    if (!testcase_role) return -1;
    if (!strcmp(testcase_role, "in-cse")) return REQ_D;
    if (!strcmp(testcase_role, "field")) return REQ_C;
    return -1;
}

static int is_kind_item(const char *s, size_t n)
{
    static const char *const kinds[] = { "IUT_ASN_CSE", "IUT_MN_CSE", "IUT_IN_CSE", "IUT_AE" };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strlen(kinds[i]) == n && strncmp(s, kinds[i], n) == 0) return 1;
    return 0;
}

int requirements_admits_ae(const testcase *tc)
{
    for (size_t i = 0; i < tc->nrequires; i++) {
        /* an item "A|B|C" shuts an AE out when every alternative is another IUT kind */
        int shut = 1;
        for (const char *a = tc->requires[i]; *a;) {
            size_t n = strcspn(a, "|");
            if (!is_kind_item(a, n) || (n == 6 && strncmp(a, "IUT_AE", 6) == 0)) shut = 0;
            a += n;
            if (*a == '|') a++;
        }
        if (shut) return 0;
    }
    return 1;
}

static void free_item(req_item *it)
{
    free(it->id);
    free(it->group);
    free(it->text);
    for (int r = 0; r < REQ_NROLES; r++) free(it->planned[r]);
}

void requirements_free(req_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) free_item(&l->items[i]);
    free(l->items);
    free(l->file);
    memset(l, 0, sizeof *l);
}

const req_item *requirements_find(const req_list *l, const char *id)
{
    for (size_t i = 0; id && i < l->n; i++)
        if (strcmp(l->items[i].id, id) == 0) return &l->items[i];
    return NULL;
}

/* roles="D C": each a known role, at least one, none twice. */
static int parse_roles(const char *s, int roles[REQ_NROLES])
{
    int any = 0;
    while (s && *s) {
        s += strspn(s, " \t\r\n");
        size_t len = strcspn(s, " \t\r\n");
        if (!len) break;
        char word[8];
        if (len >= sizeof word) return -1;
        memcpy(word, s, len);
        word[len] = '\0';
        int r = role_index(word);
        if (r < 0 || roles[r]) return -1;
        roles[r] = any = 1;
        s += len;
    }
    return any ? 0 : -1;
}

static int parse_requirement(const char *file, const xmlNode *n, const char *group, req_list *l, diag *d)
{
    int errors = 0;
    req_item it;
    memset(&it, 0, sizeof it);
    it.line = xml_line(n);
    it.id = xml_attr(n, "id");
    char *roles = xml_attr(n, "roles");
    if (!it.id || strncmp(it.id, "R-", 2) != 0 || strlen(it.id) > 32) {
        diag_error(d, file, it.line, "<requirement> needs id=\"R-AREA-NN\"");
        errors++;
    } else if (requirements_find(l, it.id)) {
        diag_error(d, file, it.line, "requirement %s is listed twice", it.id);
        errors++;
    }
    if (parse_roles(roles, it.roles) < 0) {
        diag_error(d, file, it.line, "<requirement roles=\"%s\">: expected D, C, A (an AE held to a D rule) or a list of them", roles ? roles : "");
        errors++;
    }
    free(roles);
    for (const xmlNode *ch = xml_first_elem(n); ch; ch = xml_next_elem(ch)) {
        if (xml_is(ch, "text") && !it.text) {
            it.text = xml_text_folded(ch);
        } else if (xml_is(ch, "planned")) {
            char *role = xml_attr(ch, "role");
            int r = role_index(role);
            char *why = xml_text_folded(ch);
            if (r < 0 || !it.roles[r]) {
                diag_error(d, file, xml_line(ch), "<planned role=\"%s\">: not one of the requirement's roles", role ? role : "");
                errors++;
            } else if (it.planned[r]) {
                diag_error(d, file, xml_line(ch), "<planned role=\"%s\"> given twice", role);
                errors++;
            } else if (!why) {
                diag_error(d, file, xml_line(ch), "<planned role=\"%s\"> needs the reason as its text", role);
                errors++;
            } else {
                it.planned[r] = why;
                why = NULL;
            }
            free(why);
            free(role);
        } else {
            diag_error(d, file, xml_line(ch), "unexpected <%s> in <requirement>", (const char *)ch->name);
            errors++;
        }
    }
    if (!it.text) {
        diag_error(d, file, it.line, "<requirement> needs a <text>");
        errors++;
    }
    if (errors) {
        free_item(&it);
        return -1;
    }
    it.group = xstrdup(group ? group : "");
    l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = it;
    return 0;
}

int requirements_load_mem(const char *name, const char *buf, size_t len, const char *schema_path,
                          req_list *out, diag *d)
{
    memset(out, 0, sizeof *out);
    if (!name) name = "<memory>";
    xmlDocPtr doc = xmlload_mem(name, buf, len, schema_path, d);
    if (!doc) return -1;
    int errors = 0;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !xml_is(root, "requirements")) {
        diag_error(d, name, root ? xml_line(root) : 0, "the root element is not <requirements>");
        errors++;
    }
    for (const xmlNode *g = root ? xml_first_elem(root) : NULL; !errors && g; g = xml_next_elem(g)) {
        if (!xml_is(g, "group")) {
            diag_error(d, name, xml_line(g), "unexpected <%s> in <requirements>", (const char *)g->name);
            errors++;
            continue;
        }
        char *title = xml_attr(g, "title");
        for (const xmlNode *n = xml_first_elem(g); n; n = xml_next_elem(n)) {
            if (xml_is(n, "requirement")) errors += parse_requirement(name, n, title, out, d) < 0;
            else {
                diag_error(d, name, xml_line(n), "unexpected <%s> in <group>", (const char *)n->name);
                errors++;
            }
        }
        free(title);
    }
    xmlFreeDoc(doc);
    if (!errors && !out->n) {
        diag_error(d, name, 0, "no <requirement> in the list");
        errors++;
    }
    if (errors) {
        requirements_free(out);
        return -1;
    }
    out->file = xstrdup(name);
    return 0;
}

int requirements_load(const char *path, const char *schema_path, req_list *out, diag *d)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    char *buf = xmlload_read_file(path, &len, d);
    if (!buf) return -1;
    int rc = requirements_load_mem(path, buf, len, schema_path, out, d);
    free(buf);
    return rc;
}

static void add_unknown(coverage *c, const char *fmt_id, const char *req, const char *why)
{
    c->unknown = xrealloc(c->unknown, (c->nunknown + 1) * sizeof *c->unknown);
    c->unknown[c->nunknown++] = xasprintf("%s: %s (%s)", fmt_id, req, why);
}

void coverage_compute(const req_list *l, testcase *const *tcs, size_t n, coverage *c)
{
    memset(c, 0, sizeof *c);
    c->n = l->n;
    c->cells = xcalloc(l->n ? l->n : 1, sizeof *c->cells);
    for (size_t t = 0; t < n; t++) {
        int role = requirements_role_of(tcs[t]->role);
        for (size_t k = 0; k < tcs[t]->ncovers; k++) {
            const char *id = tcs[t]->covers[k];
            const req_item *it = requirements_find(l, id);
            if (!it) { add_unknown(c, tcs[t]->id, id, "not in the requirement list"); continue; }
            if (role < 0 || !it->roles[role]) {
                add_unknown(c, tcs[t]->id, id, role < 0 ? "unknown role" : "the id does not apply to the test's role");
                continue;
            }
            for (int r = role; r >= 0; r = r == REQ_D && it->roles[REQ_A] && requirements_admits_ae(tcs[t]) ? REQ_A : -1) {
                cov_cell *cell = &c->cells[it - l->items][r];
                size_t j = 0;
                while (j < cell->n && strcmp(cell->tests[j], tcs[t]->id)) j++;
                if (j < cell->n) break;   /* named twice in one covers="" */
                cell->tests = xrealloc(cell->tests, (cell->n + 1) * sizeof *cell->tests);
                cell->tests[cell->n++] = tcs[t]->id;
            }
        }
    }
    for (size_t i = 0; i < l->n; i++)
        for (int r = 0; r < REQ_NROLES; r++) {
            cov_cell *cell = &c->cells[i][r];
            if (!l->items[i].roles[r]) { cell->state = COV_NOT_APPLICABLE; continue; }
            if (cell->n) {
                cell->state = COV_COVERED;
                c->covered++;
                if (l->items[i].planned[r]) { cell->stale_plan = 1; c->stale++; }
            } else if (l->items[i].planned[r]) {
                cell->state = COV_PLANNED;
                c->planned++;
            } else {
                cell->state = COV_UNCOVERED;
                c->uncovered++;
            }
        }
}

void coverage_free(coverage *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++)
        for (int r = 0; r < REQ_NROLES; r++) free(c->cells[i][r].tests);
    free(c->cells);
    for (size_t i = 0; i < c->nunknown; i++) free(c->unknown[i]);
    free(c->unknown);
    memset(c, 0, sizeof *c);
}

int coverage_gate(const coverage *c)
{
    return c->uncovered || c->nunknown ? 1 : 0;
}
