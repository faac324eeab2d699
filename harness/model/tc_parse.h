/* Internal to the test case loader: testcase.c reads the document and its identity,
 * tc_steps.c the steps, alternatives and order rules. Not for use outside model/. */
#ifndef M2M_TC_PARSE_H
#define M2M_TC_PARSE_H
#include <libxml/tree.h>
#include "testcase.h"

typedef struct tc_ctx {
    const char *file;   /* name for messages */
    diag *d;
    int errors;         /* problems found so far in this file */
} tc_ctx;

/* Appends "file:line: message" for node n and counts it. */
void tc_err(tc_ctx *c, const xmlNode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reads the step elements below parent (<preamble>, <steps>, <postamble>) into out. */
void tc_parse_steps(tc_ctx *c, const xmlNode *parent, tc_steps *out);
/* Reads the rules below <order> into tc->order. */
void tc_parse_order(tc_ctx *c, const xmlNode *parent, testcase *tc);
void tc_steps_free(tc_steps *s);

#endif
