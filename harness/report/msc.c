#include "msc.h"
#include "junit.h"
#include "../util/timeutil.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 960
#define X_H 250          /* harness lane */
#define X_I 790          /* IUT lane */
#define TOP 56
#define ROW 30
#define LABEL_MAX 110

void sb_add_xml(strbuf *b, const char *s)
{
    if (!s) return;
    char *e = xml_escape_text(s, strlen(s));
    if (e) sb_add(b, e);
    free(e);
}

void sb_add_xml_cut(strbuf *b, const char *s, size_t max)
{
    if (!s) return;
    size_t n = strlen(s), i = 0, chars = 0;
    while (i < n && chars < max) {
        size_t len = utf8_decode((const unsigned char *)s + i, n - i, NULL);
        i += len ? len : 1;
        chars++;
    }
    char *e = xml_escape_text(s, i);
    if (e) sb_add(b, e);
    free(e);
    if (i < n) sb_add(b, "\xe2\x80\xa6");
}

char *msc_violations(const char *output)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, " ");
    for (const char *line = output; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *l = xstrndup(line, len);
        if (strstr(l, "VIOLATED"))
            for (const char *p = l; (p = strchr(p, '#'));) {
                p++;
                if (!isdigit((unsigned char)*p)) continue;
                sb_addf(&b, "%lu ", strtoul(p, NULL, 10));
            }
        free(l);
        line = end ? end + 1 : NULL;
    }
    return sb_take(&b);
}

static int marked(const char *violations, uint64_t seq)
{
    if (!violations) return 0;
    char key[32];
    snprintf(key, sizeof key, " %llu ", (unsigned long long)seq);
    return strstr(violations, key) != NULL;
}

static void add_attr_list(strbuf *s, const tl_event *e, const char *const *keys)
{
    for (size_t k = 0; keys[k]; k++) {
        const char *v = tl_event_get(e, keys[k]);
        if (v && *v) sb_addf(s, " %s=%s", keys[k], v);
    }
}

/* The label of an event, as plain text (escaped when drawn). */
static char *label_of(const tl_event *e)
{
    static const char *const prim[] = { "op", "to", "fr", "rqi", "ty", "rsc", NULL };
    static const char *const sae[] = { "sa", "stage", "version", "suite", "identity", "sni", "reason", "alert", NULL };
    strbuf s;
    sb_init(&s);
    if (!strcmp(e->name, "msg.rx") || !strcmp(e->name, "msg.tx")) {
        const char *type = tl_event_get(e, "type"), *code = tl_event_get(e, "code");
        sb_addf(&s, "%s %s", type ? type : "?", code ? code : "?");
        add_attr_list(&s, e, prim);
        const char *sec = tl_event_get(e, "secure"), *sa = tl_event_get(e, "sa");
        if (sec && !strcmp(sec, "true")) sb_addf(&s, "  [DTLS sa=%s]", sa ? sa : "?");
        else sb_add(&s, "  [plain]");
    } else if (!strncmp(e->name, "msg.", 4) && strstr(e->name, "malformed")) {
        const char *why = tl_event_get(e, "reason");
        sb_addf(&s, "malformed: %s", why ? why : "?");
    } else if (!strcmp(e->name, "sae.start")) {
        sb_add(&s, "DTLS ClientHello");
        add_attr_list(&s, e, sae);
    } else {
        sb_add(&s, e->name);
        for (size_t k = 0; k < e->nattrs; k++)
            if (strcmp(e->attrs[k].key, "bytes") && strcmp(e->attrs[k].key, "pc"))
                sb_addf(&s, " %s=%s", e->attrs[k].key, e->attrs[k].value);
    }
    return sb_take(&s);
}

typedef enum { SHAPE_ARROW, SHAPE_NOTE_H, SHAPE_SPAN } shape;

static void row_text(strbuf *b, int x, int y, const char *anchor, const char *cls, const char *label)
{
    sb_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" class=\"%s\"><title>", x, y, anchor, cls);
    sb_add_xml(b, label);
    sb_add(b, "</title>");
    sb_add_xml_cut(b, label, LABEL_MAX);
    sb_add(b, "</text>\n");
}

static void draw_event(strbuf *b, const tl_event *e, int y, int bad, unsigned uid)
{
    char *label = label_of(e);
    const char *side = tl_event_get(e, "side"), *sec = tl_event_get(e, "secure");
    int rx = !strcmp(e->name, "msg.rx") || !strcmp(e->name, "msg.rx.malformed") ||
             (!strcmp(e->name, "sae.start") && (!side || strcmp(side, "client")));
    int tx = !strcmp(e->name, "msg.tx") || !strcmp(e->name, "msg.tx.malformed") ||
             (!strcmp(e->name, "sae.start") && side && !strcmp(side, "client"));
    const char *cls = bad ? "bad" : strstr(e->name, "malformed") || !strcmp(e->name, "sae.fail") ? "warn"
                    : !strncmp(e->name, "sae.", 4) ? "sae" : !strncmp(e->name, "net.", 4) ? "net" : "ev";
    sb_addf(b, "<g class=\"row %s\" data-seq=\"%llu\">", cls, (unsigned long long)e->seq);
    sb_addf(b, "<text x=\"8\" y=\"%d\" class=\"t\">%.3f</text>", y + 4, ns_to_sec(e->t_ns));
    if (bad) sb_addf(b, "<circle cx=\"92\" cy=\"%d\" r=\"6\" class=\"mark\"><title>named by a violated order rule</title></circle>", y);
    if (rx || tx) {
        int x1 = rx ? X_I : X_H, x2 = rx ? X_H : X_I;
        int plain = sec && strcmp(sec, "true") != 0;
        sb_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"msg%s\" marker-end=\"url(#arrow%u)\"/>",
                x1, y + 6, x2, y + 6, plain ? " plain" : "", uid);
        row_text(b, (X_H + X_I) / 2, y, "middle", cls, label);
    } else if (!strncmp(e->name, "net.", 4) || !strcmp(e->name, "sae.done") || !strcmp(e->name, "sae.fail") ||
               !strcmp(e->name, "sae.closed")) {
        sb_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" class=\"span %s\"/>",
                X_H - 40, y - 13, X_I - X_H + 80, ROW - 6, cls);
        row_text(b, (X_H + X_I) / 2, y + 4, "middle", cls, label);
    } else {
        sb_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" class=\"note %s\"/>",
                X_H - 140, y - 13, 280, ROW - 6, cls);
        row_text(b, X_H - 132, y + 4, "start", cls, label);
    }
    sb_add(b, "</g>\n");
    free(label);
}

void msc_svg(strbuf *b, const timeline *tl, size_t total, const char *violations,
             const char *harness_label, const char *iut_label, unsigned uid)
{
    size_t rows = tl->n < MSC_MAX_ROWS ? tl->n : MSC_MAX_ROWS;
    if (total < tl->n) total = tl->n;
    int more = total > rows;
    int h = TOP + (int)(rows + (size_t)more) * ROW + 20;
    sb_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"msc\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\">\n", W, h, W, h);
    sb_addf(b, "<defs><marker id=\"arrow%u\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
              "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n", uid);
    const int lanes[2] = { X_H, X_I };
    const char *names[2] = { harness_label, iut_label };
    for (int i = 0; i < 2; i++) {
        sb_addf(b, "<rect x=\"%d\" y=\"8\" width=\"220\" height=\"26\" rx=\"4\" class=\"lane\"/>", lanes[i] - 110);
        sb_addf(b, "<text x=\"%d\" y=\"26\" text-anchor=\"middle\" class=\"lanename\">", lanes[i]);
        sb_add_xml_cut(b, names[i], 32);
        sb_addf(b, "</text><line x1=\"%d\" y1=\"34\" x2=\"%d\" y2=\"%d\" class=\"life\"/>\n", lanes[i], lanes[i], h - 8);
    }
    sb_addf(b, "<text x=\"8\" y=\"%d\" class=\"t\">time (s)</text>\n", TOP - 10);
    for (size_t i = 0; i < rows; i++)
        draw_event(b, &tl->ev[i], TOP + 10 + (int)i * ROW, marked(violations, tl->ev[i].seq), uid);
    if (more)
        sb_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"ev\">%zu more events: see the timeline</text>\n",
                W / 2, TOP + 10 + (int)rows * ROW, total - rows);
    sb_add(b, "</svg>\n");
}
