'use strict';
// Unit test of the mutation sites (sites.js): what is mutated, and what never is.
const assert = require('assert');
const S = require('./sites.js');

const src = `
#define LIMIT (a < b)
/* a comment: x < y && !z == 4107 */
static const char *names[] = { "a<b", "4107" };
static int check(const char *fr, int n, unsigned faults)
{
    char buf[64], ty[12];   // buf[64] and ty[12] are sizes, "x == y" a string
    if (!fr || n >= 3) return 4000;
    if (!(faults & 1) && strcmp(fr, "/in-cse") != 0) reject(fr, 4106);
    if (strncmp(fr, "C", 1) == 0) n++;
    if (has_fault(fr, "x") && n > 1) { if (n < 2) return 4107; }
    const char *rsc = "4107";
    (void)buf; (void)ty; (void)rsc;
    return n > 0 && fr[0] == '/';
}
struct s { int a; };
static void nothing(void) { }
`;

const toks = S.lex(src);
const fns = S.functions(toks);
assert.deepStrictEqual(fns.map(f => f.name), ['check', 'nothing']);
const sites = S.sitesOf(src, toks, fns[0]);
const by = (cls) => sites.filter(s => s.cls === cls);
const texts = (cls) => by(cls).map(s => s.orig);

// the early return of an int function, and of a void one
assert.deepStrictEqual(by('ret').map(s => s.mutants.map(m => m.code)), [['0', '1']]);
assert.deepStrictEqual(S.sitesOf(src, toks, fns[1]).map(s => s.mutants[0].text), [' return;']);
// operators in the body only: not in the #define, the comment or the strings
assert.deepStrictEqual(texts('rel'), ['>=', '>', '>']);
assert.deepStrictEqual(texts('eq'), ['!=', '==', '==']);
assert.deepStrictEqual(texts('logic'), ['||', '&&', '&&', '&&']);
// negations: '!fr' yes, the fault switch's '!(faults & 1)' no
assert.strictEqual(by('neg').length, 1);
assert.strictEqual(src.slice(by('neg')[0].s, by('neg')[0].s + 3), '!fr');
// RSCs: the literals and the string that is exactly one, swapped; never in the comment
assert.deepStrictEqual(by('rsc').map(s => [s.orig, s.mutants[0].text]), [['4000', '4001'], ['4106', '4107'], ['"4107"', '"4106"']]);
// constants: not the array size: 3, the fault bit 1, 0, strncmp's length 1, 0, 0, the index 0
assert.deepStrictEqual(texts('const'), ['3', '1', '0', '1', '0', '1', '0', '0']);
assert.deepStrictEqual(by('const')[0].mutants.map(m => m.text), ['4', '2', '0']);
// string comparisons, with their arguments kept
assert.deepStrictEqual(by('str').map(s => s.mutants.map(m => m.text)), [
  ['strcasecmp(fr, "/in-cse")', 'strncmp(fr, "/in-cse", strlen("/in-cse"))'],
  ['strncasecmp(fr, "C", 1)', 'strcmp(fr, "C")'],
]);
// checks: the ifs that return or reject; not the one that only counts
assert.deepStrictEqual(by('check').map(s => s.mutants[0].text), [
  '(0 && (!fr || n >= 3))',
  '(0 && (!(faults & 1) && strcmp(fr, "/in-cse") != 0))',
]);
// nothing inside the branch only a fault switch enters; its condition still counts
assert.ok(!sites.some(s => s.orig === '4107' || s.orig === '<'));
// the operands a fault switch makes irrelevant (n > 1 in has_fault(...) && n > 1: evaluated
// only with the fault on) are flagged, numbered as before; not those of a negated switch
assert.deepStrictEqual(sites.filter(s => s.faultOnly).map(s => s.cls + ':' + s.orig), ['rel:>', 'const:1']);
assert.ok(!by('str')[0].faultOnly);
const src2 = 'static int f(int a, int b) { int x = a && has_fault(r, "y") && b == 2 && c < 3 || a > 4; ' +
  'if (strcmp(s, "pvs") == 0 && (faults & 2)) x(); if (take(s) == 1 && has_fault(r, "z")) y(); return (faults & 8) != 0 && (b <= 1); }';
const t2 = S.lex(src2);
const s2 = S.sitesOf(src2, t2, S.functions(t2)[0]);
// after the switch: b == 2, c < 3 and (b <= 1); before it: the pure strcmp(...) == 0, not
// take(s) == 1 (a call that may change state); the chains' own && are never flagged (as ||
// they would let the rest through without the fault), nor what follows the || (a > 4)
assert.deepStrictEqual(s2.filter(s => s.faultOnly).map(s => s.orig), ['==', '2', '<', '3', 'strcmp(s, "pvs")', '==', '0', '<=', '1']);
assert.ok(s2.filter(s => s.orig === '&&').every(s => !s.faultOnly));
assert.ok(s2.some(s => s.orig === '>' && !s.faultOnly));
assert.ok(s2.some(s => s.orig === '1' && s.line === 1 && !s.faultOnly && src2.slice(s.s - 3, s.s) === '== '));   // take(s) == 1;
// the branch a fault switch selects in a conditional expression: X of (f & F) ? X : Y only,
// nested ones too; not the condition, not Y, not the branch of a negated switch
const src4 = 'static int h(unsigned f, int a) { int w = (f & ACP_FAULT_A) ? a == 1 : (f & ACP_FAULT_B) ? a < 2 : a > 3; ' +
  'return !(f & ACP_FAULT_C) ? a >= 4 : a != 5; }';
const t4 = S.lex(src4);
const s4 = S.sitesOf(src4, t4, S.functions(t4)[0]);
assert.deepStrictEqual(s4.filter(s => s.faultOnly).map(s => s.orig), ['==', '1', '<', '2']);
// sites that only feed a timeline (the peers keep none): a recorder's arguments, the branch of
// `if (tl)` / `if (c->tl && X)` with X, an if that only records, a local used only among a
// recorder's arguments; never without timelineNull, never the code around them
const src3 = 'static int g(conn *c, timeline *tl, int n) { const char *k = n > 2 ? "a" : NULL; int m = n + 1; ' +
  'if (tl) timeline_add(tl, n == 3 ? "x" : "y", NULL); ' +
  'if (c->tl && n < 4) { bump(c, 5); } ' +
  'if (n == 6) dtls_record(c, "e", k, NULL); ' +
  'if (n == 7 || c->tl) return 8; ' +
  'dtls_record(c, "f", m > 9 ? "z" : NULL, NULL); return m == 10; }';
const t3 = S.lex(src3);
const s3 = S.sitesOf(src3, t3, S.functions(t3)[0], { timelineNull: true });
assert.deepStrictEqual(s3.filter(s => s.timelineOnly).map(s => s.orig), ['>', '2', '==', '3', '<', '4', '5', '==', '6', '>', '9']);
assert.ok(s3.some(s => s.orig === '1' && !s.timelineOnly));            // m is also returned
assert.ok(s3.some(s => s.orig === '7' && !s.timelineOnly));            // || c->tl: not only a timeline
assert.ok(s3.some(s => s.cls === 'check' && !s.timelineOnly));
assert.ok(!S.sitesOf(src3, t3, S.functions(t3)[0]).some(s => s.timelineOnly));
// a mutant applied keeps the rest of the file byte for byte
const m = by('rsc')[0];
const out = src.slice(0, m.s) + m.mutants[0].text + src.slice(m.e);
assert.strictEqual(out.replace('return 4001;', 'return 4000;'), src);
console.log(`ok: ${sites.length} sites`);
