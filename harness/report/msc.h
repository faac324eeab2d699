/* A message sequence chart of one test as inline SVG, drawn by the harness from the
 * timeline: two lanes, harness and IUT; CoAP messages as arrows labelled with their
 * decoded primitive (op, to, fr, rqi, ty, rsc), plain ones dashed; DTLS handshakes from
 * the sae.* events; malformed messages, network events and everything else as notes; the
 * events an order rule names as violated drawn in red. Every string from the timeline is
 * escaped: the IUT chooses many of them. */
#ifndef M2M_MSC_H
#define M2M_MSC_H
#include "../flow/timeline.h"
#include "../util/xmem.h"

#define MSC_MAX_ROWS 400   /* past this the chart says how many events it left out */

/* Appends the SVG element to b. violations: " 3 7 " (the seqs to mark), may be NULL;
 * uid makes its element ids unique among the charts of one page. total: the events of the
 * whole timeline when tl holds only its first events (a number below tl->n is read as
 * tl->n), for the line that says how many the chart left out. */
void msc_svg(strbuf *b, const timeline *tl, size_t total, const char *violations,
             const char *harness_label, const char *iut_label, unsigned uid);

/* Appends s escaped for XML text and attributes (& < > " ' and control bytes); NULL adds
 * nothing. Shared by the HTML writer. */
void sb_add_xml(strbuf *b, const char *s);
/* Appends at most max characters of s (UTF-8 aware) escaped, with "…" when cut. */
void sb_add_xml_cut(strbuf *b, const char *s, size_t max);

/* The seq numbers ("#12") named in the lines of text that contain "VIOLATED" — how the
 * executor's step log names the events of a violated order rule. Returns " 3 7 " or "". */
char *msc_violations(const char *output);

#endif
