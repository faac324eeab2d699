'use strict';
// The mutation sites of C source: a small lexer (comments, strings, character literals and
// preprocessor lines are never mutated, except string literals that are exactly an RSC), the
// function definitions of a file, and, inside the bodies of the functions a scope names, one
// site per mutable token or construct with the mutants each gives.

const PUNCT = ['>>=', '<<=', '...', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##'];

function lex(src) {
  const toks = [];
  let i = 0, line = 1, lineStart = true;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '\n') { line++; i++; lineStart = true; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    const s = i, l0 = line;
    if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      const end = e < 0 ? n : e + 2;
      for (let k = i; k < end; k++) if (src[k] === '\n') line++;
      i = end;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '#' && lineStart) {
      // a preprocessor line, with its continuations
      while (i < n && src[i] !== '\n') {
        if (src[i] === '\\' && src[i + 1] === '\n') { i += 2; line++; continue; }
        if (src[i] === '/' && src[i + 1] === '*') {
          const e = src.indexOf('*/', i + 2);
          const end = e < 0 ? n : e + 2;
          for (let k = i; k < end; k++) if (src[k] === '\n') line++;
          i = end;
          continue;
        }
        i++;
      }
      toks.push({ t: 'pp', v: src.slice(s, i), s, e: i, line: l0 });
      continue;
    }
    lineStart = false;
    if (c === '"' || c === '\'') {
      i++;
      while (i < n && src[i] !== c) { if (src[i] === '\\') i++; if (src[i] === '\n') line++; i++; }
      i++;
      toks.push({ t: c === '"' ? 'str' : 'chr', v: src.slice(s, i), s, e: i, line: l0 });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_]/.test(src[i])) i++;
      toks.push({ t: 'id', v: src.slice(s, i), s, e: i, line: l0 });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1]))) {
      while (i < n && /[0-9A-Za-z_.]/.test(src[i])) {
        if ((src[i] === 'e' || src[i] === 'E' || src[i] === 'p' || src[i] === 'P') && (src[i + 1] === '+' || src[i + 1] === '-')) i++;
        i++;
      }
      toks.push({ t: 'num', v: src.slice(s, i), s, e: i, line: l0 });
      continue;
    }
    let p = PUNCT.find(x => src.startsWith(x, i));
    if (!p) p = c;
    i += p.length;
    toks.push({ t: 'punct', v: p, s, e: i, line: l0 });
  }
  return toks;
}

// Index of the token closing the bracket opened at toks[i].
function matching(toks, i) {
  const open = toks[i].v, close = { '(': ')', '[': ']', '{': '}' }[open];
  let d = 0;
  for (let k = i; k < toks.length; k++) {
    if (toks[k].t !== 'punct') continue;
    if (toks[k].v === open) d++;
    else if (toks[k].v === close && --d === 0) return k;
  }
  return toks.length - 1;
}

function matchingBack(toks, i) {
  const close = toks[i].v, open = { ')': '(', ']': '[', '}': '{' }[close];
  let d = 0;
  for (let k = i; k >= 0; k--) {
    if (toks[k].t !== 'punct') continue;
    if (toks[k].v === close) d++;
    else if (toks[k].v === open && --d === 0) return k;
  }
  return 0;
}

// Function definitions: at file level, '{' right after a ')' whose '(' follows the name.
function functions(toks) {
  const out = [];
  let boundary = -1;   // last token ending a file-level declaration
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.t === 'pp' || (t.t === 'punct' && t.v === ';')) { boundary = i; continue; }
    if (t.t === 'punct' && t.v === '{') {
      const end = matching(toks, i);
      const prev = toks[i - 1];
      if (prev && prev.t === 'punct' && prev.v === ')') {
        const lp = matchingBack(toks, i - 1);
        const nameTok = toks[lp - 1];
        if (nameTok && nameTok.t === 'id') {
          const ret = toks.slice(boundary + 1, lp - 1).map(x => x.v);
          out.push({ name: nameTok.v, ret, nameIdx: lp - 1, open: i, close: end, line: nameTok.line });
        }
      }
      i = end;
      boundary = end;
    }
  }
  return out;
}

// RSC values the harness and the peers use, and the swap each one gets (the neighbour a
// confused implementation would answer).
const RSC_SWAP = {
  2000: 2001, 2001: 2000, 2002: 2004, 2004: 2002,
  4000: 4001, 4001: 4000, 4004: 4000, 4005: 4000, 4008: 4000,
  4103: 4106, 4105: 4117, 4106: 4107, 4107: 4106, 4117: 4105, 4126: 4128, 4128: 4126,
  4108: 4005, 5103: 4000, 5207: 4000,
};

const SCALAR = new Set(['int', 'unsigned', 'long', 'short', 'char', 'size_t', 'ssize_t', 'bool', '_Bool',
  'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'double']);
const TYPEWORDS = new Set([...SCALAR, 'const', 'static', 'struct', 'signed', 'float', 'void']);
const REJECTISH = /reject|refus|fail|deny|denied|error|abort|alert/i;

// The operand of a unary '!' at toks[i]: its token range [a, b].
function unaryOperand(toks, i) {
  let k = i + 1;
  while (toks[k] && toks[k].t === 'punct' && (toks[k].v === '!' || toks[k].v === '*' || toks[k].v === '&')) k++;
  const a = i + 1;
  if (!toks[k]) return [a, a];
  if (toks[k].t === 'punct' && toks[k].v === '(') return [a, matching(toks, k)];
  let b = k;
  for (;;) {
    const nx = toks[b + 1];
    if (!nx) break;
    if (nx.t === 'punct' && (nx.v === '->' || nx.v === '.') && toks[b + 2]) { b += 2; continue; }
    if (nx.t === 'punct' && (nx.v === '(' || nx.v === '[')) { b = matching(toks, b + 1); continue; }
    break;
  }
  return [a, b];
}

// The statement starting at toks[i]: its last token index.
function statementEnd(toks, i, limit) {
  const t = toks[i];
  if (!t) return i;
  if (t.t === 'punct' && t.v === '{') return matching(toks, i);
  if (t.t === 'id' && (t.v === 'if' || t.v === 'while' || t.v === 'for' || t.v === 'switch')) {
    const rp = matching(toks, i + 1);
    let e = statementEnd(toks, rp + 1, limit);
    if (t.v === 'if' && toks[e + 1] && toks[e + 1].t === 'id' && toks[e + 1].v === 'else') e = statementEnd(toks, e + 2, limit);
    return e;
  }
  let k = i, d = 0;
  for (; k < limit; k++) {
    const x = toks[k];
    if (x.t !== 'punct') continue;
    if (x.v === '(' || x.v === '[' || x.v === '{') d++;
    else if (x.v === ')' || x.v === ']' || x.v === '}') d--;
    else if (x.v === ';' && d === 0) return k;
  }
  return k;
}

function isTypeTok(ty) {
  return ty && ((ty.t === 'id' && TYPEWORDS.has(ty.v)) || ty.v === '*' || /_t$/.test(ty.v));
}

function isDeclSize(toks, i) {
  // "char buf[256]" (a declaration's size): '[' NUM ']' after a name that follows a type word;
  // also a later declarator of the same declaration: "char rule[160], ty[12]"
  const lb = toks[i - 1], rb = toks[i + 1], name = toks[i - 2], ty = toks[i - 3];
  if (!(lb && rb && lb.v === '[' && rb.v === ']' && name && name.t === 'id' && ty)) return false;
  if (isTypeTok(ty)) return true;
  if (ty.v !== ',') return false;
  let d = 0;   // back to the statement's start, outside brackets: is it a declaration?
  for (let k = i - 4; k >= 0; k--) {
    const x = toks[k];
    if (x.v === ')' || x.v === ']') d++;
    else if (x.v === '(' || x.v === '[') { if (d === 0) return false; d--; }
    else if (d === 0 && (x.v === ';' || x.v === '{' || x.v === '}')) return isTypeTok(toks[k + 1]);
  }
  return false;
}

// The sites of one function body: [{cls, k, s, e, line, orig, mutants: [{code, text}]}].
// A mutant is a replacement of src[s, e) by text.
function sitesOf(src, toks, fn, opts = {}) {
  const sites = [];
  const count = {};
  const add = (cls, s, e, line, mutants) => {
    count[cls] = (count[cls] || 0) + 1;
    sites.push({ cls, k: count[cls], s, e, line, orig: src.slice(s, e), mutants });
  };
  const a = fn.open + 1, b = fn.close;
  // early return: the body starts with a return of a default value
  const ret = fn.ret.filter(x => x !== 'static' && x !== 'inline' && x !== 'const');
  const ptr = ret.includes('*');
  const retMut = [];
  if (ptr) retMut.push({ code: 'null', text: ' return NULL;' });
  else if (ret.length === 1 && ret[0] === 'void') retMut.push({ code: 'void', text: ' return;' });
  else if (ret.length && ret.every(x => SCALAR.has(x))) {
    retMut.push({ code: '0', text: ' return 0;' });
    retMut.push({ code: '1', text: ' return 1;' });
  }
  if (retMut.length) add('ret', toks[fn.open].e, toks[fn.open].e, toks[fn.open].line, retMut);
  // Branches only a fault switch enters (if (has_fault(...) && ...) { ... }): the planted
  // bugs' own code, which the peer never runs without its fault. Their sites are skipped.
  const faultOnly = [];
  for (let i = a; i < b; i++) {
    if (!(toks[i].t === 'id' && toks[i].v === 'if' && toks[i + 1] && toks[i + 1].v === '(')) continue;
    const rp = matching(toks, i + 1);
    const terms = [[]];
    let d = 0, or = false;
    for (let k = i + 2; k < rp; k++) {
      const x = toks[k];
      if (x.t === 'punct' && (x.v === '(' || x.v === '[')) d++;
      if (x.t === 'punct' && (x.v === ')' || x.v === ']')) d--;
      if (d === 0 && x.t === 'punct' && x.v === '||') or = true;
      if (d === 0 && x.t === 'punct' && x.v === '&&') { terms.push([]); continue; }
      terms[terms.length - 1].push(x);
    }
    const positive = terms.some(tm => tm.length && tm[0].v !== '!' && tm.some(x => x.t === 'id' && /fault/i.test(x.v)));
    if (or || !positive) continue;
    const th = rp + 1;
    if (!toks[th]) continue;
    faultOnly.push([th, toks[th].v === '{' ? matching(toks, th) : statementEnd(toks, th, b)]);
  }
  for (let i = a; i < b; i++) {
    const t = toks[i];
    const prev = toks[i - 1], next = toks[i + 1];
    const fo = faultOnly.find(([x, y]) => i >= x && i <= y);
    if (fo) { i = fo[1]; continue; }
    if (t.t === 'punct') {
      switch (t.v) {
      case '<': add('rel', t.s, t.e, t.line, [{ code: 'le', text: '<=' }]); break;
      case '<=': add('rel', t.s, t.e, t.line, [{ code: 'lt', text: '<' }]); break;
      case '>': add('rel', t.s, t.e, t.line, [{ code: 'ge', text: '>=' }]); break;
      case '>=': add('rel', t.s, t.e, t.line, [{ code: 'gt', text: '>' }]); break;
      case '==': add('eq', t.s, t.e, t.line, [{ code: 'ne', text: '!=' }]); break;
      case '!=': add('eq', t.s, t.e, t.line, [{ code: 'eq', text: '==' }]); break;
      case '&&': add('logic', t.s, t.e, t.line, [{ code: 'or', text: '||' }]); break;
      case '||': add('logic', t.s, t.e, t.line, [{ code: 'and', text: '&&' }]); break;
      case '!': {
        // a negation of a fault switch only turns the fault on: not conformance logic
        const [oa, ob] = unaryOperand(toks, i);
        const operand = toks.slice(oa, ob + 1).map(x => x.v).join(' ');
        if (/fault/i.test(operand) || (next && next.v === '!')) break;
        if (prev && prev.v === '!') break;
        add('neg', t.s, t.e, t.line, [{ code: 'del', text: '' }]);
        break;
      }
      default: break;
      }
      continue;
    }
    if (t.t === 'num') {
      const m = /^(0x[0-9a-fA-F]+|[0-9]+)([uUlL]*)$/.exec(t.v);
      if (!m) continue;
      const v = Number(m[1]);
      if (RSC_SWAP[v] !== undefined && !/^0x/.test(m[1])) {
        add('rsc', t.s, t.e, t.line, [{ code: String(RSC_SWAP[v]), text: String(RSC_SWAP[v]) }]);
        continue;
      }
      if (isDeclSize(toks, i)) continue;
      const muts = [{ code: 'inc', text: String(v + 1) + m[2] }];
      if (v > 0) muts.push({ code: 'dec', text: String(v - 1) + m[2] });
      if (v > 1) muts.push({ code: 'zero', text: '0' + m[2] });
      add('const', t.s, t.e, t.line, muts);
      continue;
    }
    if (t.t === 'str') {
      const m = /^"([0-9]{4})"$/.exec(t.v);
      if (m && RSC_SWAP[Number(m[1])] !== undefined)
        add('rsc', t.s, t.e, t.line, [{ code: String(RSC_SWAP[m[1]]), text: `"${RSC_SWAP[m[1]]}"` }]);
      continue;
    }
    if (t.t !== 'id') continue;
    if (next && next.v === '(' && /^str(n?)(case)?cmp$/.test(t.v)) {
      const rp = matching(toks, i + 1);
      // top-level commas of the call
      const commas = [];
      let d = 0;
      for (let k = i + 2; k < rp; k++) {
        const x = toks[k];
        if (x.t !== 'punct') continue;
        if (x.v === '(' || x.v === '[' || x.v === '{') d++;
        else if (x.v === ')' || x.v === ']' || x.v === '}') d--;
        else if (x.v === ',' && d === 0) commas.push(k);
      }
      const call = src.slice(t.s, toks[rp].e);
      const args = [];
      let st = i + 2;
      for (const c of [...commas, rp]) { args.push(src.slice(toks[st].s, toks[c - 1].e)); st = c + 1; }
      const muts = [];
      if (t.v === 'strcmp' && args.length === 2) {
        muts.push({ code: 'case', text: `strcasecmp(${args[0]}, ${args[1]})` });
        muts.push({ code: 'prefix', text: `strncmp(${args[0]}, ${args[1]}, strlen(${args[1]}))` });
      } else if (t.v === 'strcasecmp' && args.length === 2) {
        muts.push({ code: 'exact', text: `strcmp(${args[0]}, ${args[1]})` });
      } else if (t.v === 'strncmp' && args.length === 3) {
        muts.push({ code: 'case', text: `strncasecmp(${args[0]}, ${args[1]}, ${args[2]})` });
        muts.push({ code: 'whole', text: `strcmp(${args[0]}, ${args[1]})` });
      } else if (t.v === 'strncasecmp' && args.length === 3) {
        muts.push({ code: 'exact', text: `strncmp(${args[0]}, ${args[1]}, ${args[2]})` });
      }
      if (muts.length) { const s0 = sites.length; add('str', t.s, toks[rp].e, t.line, muts); sites[s0].orig = call; }
      continue;
    }
    if (t.v === 'if' && next && next.v === '(') {
      const rp = matching(toks, i + 1);
      const stEnd = statementEnd(toks, rp + 1, b);
      let thenEnd = stEnd;
      // the then-branch only (not the else)
      const th = toks[rp + 1];
      if (th) thenEnd = th.v === '{' ? matching(toks, rp + 1) : statementEnd(toks, rp + 1, b);
      const body = toks.slice(rp + 1, thenEnd + 1);
      // deleting a check only a fault switch passes changes nothing without the fault
      if (faultOnly.some(([x]) => x === rp + 1)) continue;
      const exits = body.some(x => x.t === 'id' && (x.v === 'return' || x.v === 'goto' || x.v === 'break' || x.v === 'continue' || REJECTISH.test(x.v)));
      if (exits) {
        const cond = src.slice(toks[i + 1].s, toks[rp].e);
        add('check', toks[i + 1].s, toks[rp].e, t.line, [{ code: 'del', text: `(0 && ${cond})` }]);
      }
    }
  }
  // a site that starts inside an operand a fault switch makes irrelevant
  for (const [x, y] of faultConjuncts(toks, a, b).concat(faultTernaries(toks, a, b)))
    for (const st of sites) if (st.s >= toks[x].s && st.s <= toks[y].s) st.faultOnly = true;
  if (opts.timelineNull)
    for (const [x, y] of timelineOnly(toks, a, b))
      for (const st of sites) if (!st.faultOnly && st.s >= toks[x].s && st.s <= toks[y].s) st.timelineOnly = true;
  return sites;
}

// The functions that only add to a timeline (the harness's record of what happened) and
// return at once without one. The reference peers keep no timeline: they hand NULL to the
// shared code (mutate.js names the one exception and checks it), so in them
// these calls do nothing and a condition that tests for a timeline is false.
const RECORDERS = new Set(['timeline_add', 'dtls_record', 'link_rec']);
const isTimeline = (ts) => {
  // tl, c->tl, srv->tl, x.tl, optionally compared with NULL
  let e = ts.length;
  if (e >= 2 && ts[e - 2].v === '!=' && ts[e - 1].v === 'NULL') e -= 2;
  if (!e || ts[e - 1].t !== 'id' || ts[e - 1].v !== 'tl') return false;
  for (let k = 0; k < e - 1; k++) {
    const want = k % 2 === 0 ? 'id' : 'sep';
    if (want === 'id' ? ts[k].t !== 'id' : !(ts[k].v === '->' || ts[k].v === '.')) return false;
  }
  return (e - 1) % 2 === 0;
};

// The token ranges that only feed a timeline, when the function is given none: a recorder's
// arguments; the branch of an `if` whose && chain tests for a timeline, with the chain's other
// operands (after the test, and the pure ones before it) and the if's own check; the
// initialiser of a local that is used only among a recorder's arguments. Sites inside keep
// their numbers and are flagged timelineOnly: never sampled, reported apart.
function timelineOnly(toks, a, b) {
  const out = [];
  const calls = [];
  for (let i = a; i < b; i++)
    if (toks[i].t === 'id' && RECORDERS.has(toks[i].v) && toks[i + 1] && toks[i + 1].v === '(' &&
        !(toks[i - 1] && (toks[i - 1].v === '->' || toks[i - 1].v === '.'))) {
      const rp = matching(toks, i + 1);
      calls.push([i + 1, rp]);
    }
  out.push(...calls);
  for (let i = a; i < b; i++) {
    if (!(toks[i].t === 'id' && toks[i].v === 'if' && toks[i + 1] && toks[i + 1].v === '(')) continue;
    const rp = matching(toks, i + 1);
    const terms = [];
    let d = 0, or = false, st = i + 2;
    for (let k = i + 2; k <= rp; k++) {
      const x = toks[k];
      if (k === rp || (d === 0 && x.v === '&&')) { terms.push([st, k - 1]); st = k + 1; continue; }
      if (x.v === '(' || x.v === '[') d++;
      if (x.v === ')' || x.v === ']') d--;
      if (d === 0 && x.v === '||') or = true;
    }
    if (or) continue;
    const th0 = rp + 1, thEnd = toks[th0] ? (toks[th0].v === '{' ? matching(toks, th0) : statementEnd(toks, th0, b)) : rp;
    if (onlyRecords(toks, th0, thEnd, calls) && !(toks[thEnd + 1] && toks[thEnd + 1].v === 'else') &&
        pureTokens(toks.slice(i + 2, rp))) {
      out.push([i + 1, thEnd]);                // if (pure) record(...);: the whole statement
      continue;
    }
    const first = terms.findIndex(([x, y]) => y >= x && isTimeline(toks.slice(x, y + 1)));
    if (first < 0) continue;
    out.push([i + 1, i + 1]);                  // the check of the if itself
    terms.forEach(([x, y], j) => { if (j > first && y >= x) out.push([x, y]); });
    terms.slice(0, first).forEach(([x, y]) => { if (y >= x && pureTokens(toks.slice(x, y + 1))) out.push([x, y]); });
    const th = rp + 1;
    if (toks[th]) out.push([th, toks[th].v === '{' ? matching(toks, th) : statementEnd(toks, th, b)]);
  }
  // locals used only among a recorder's arguments: TYPE [*]NAME = EXPR;
  const inCall = (k) => calls.some(([x, y]) => k > x && k < y);
  for (let i = a; i < b; i++) {
    const t = toks[i];
    if (t.t !== 'id' || !toks[i + 1] || toks[i + 1].v !== '=' || inCall(i)) continue;
    let k = i - 1;
    while (k > a && toks[k].v === '*') k--;
    // a declaration (a type name before the name), not an assignment
    if (toks[k].t !== 'id' || ['else', 'return', 'case', 'do', 'goto'].includes(toks[k].v)) continue;
    let end = i + 2;
    for (let d = 0; end < b; end++) {
      const v = toks[end].v;
      if (v === '(' || v === '[' || v === '{') d++;
      else if (v === ')' || v === ']' || v === '}') d--;
      else if (d === 0 && (v === ',' || v === ';')) break;
    }
    end--;
    // its value only: an initialiser that calls nothing but queries
    if (!pureTokens(toks.slice(i + 2, end + 1), /^(kpsaid_valid|gnutls_\w*_get\w*)$/)) continue;
    const uses = [];
    for (let j = end + 1; j < b; j++) if (toks[j].t === 'id' && toks[j].v === t.v && !(toks[j - 1].v === '->' || toks[j - 1].v === '.')) uses.push(j);
    if (uses.length && uses.every(inCall)) out.push([i + 2, end]);
  }
  return out;
}

// toks[x..y] is a statement or block made only of recorder calls
function onlyRecords(toks, x, y, calls) {
  let k = toks[x] && toks[x].v === '{' ? x + 1 : x;
  const end = toks[x] && toks[x].v === '{' ? y - 1 : y;
  if (k > end) return false;
  while (k <= end) {
    const c = calls.find(([lp]) => lp === k + 1);
    if (!c || !toks[c[1] + 1] || toks[c[1] + 1].v !== ';') return false;
    k = c[1] + 2;
  }
  return true;
}

const pureTokens = (ts, more = /^$/) => !ts.some((t, j) => (t.t === 'id' && ts[j + 1] && ts[j + 1].v === '(' &&
    !/^(strn?(case)?cmp|strlen|sizeof)$/.test(t.v) && !more.test(t.v)) ||
  (t.t === 'punct' && /^([-+*/%&|^]?=|<<=|>>=|\+\+|--)$/.test(t.v) && !['==', '!=', '<=', '>='].includes(t.v)));

// The operands a fault switch makes irrelevant: in a chain `A && has_fault(r, "x") && B` (or
// `(faults & F) != 0`), without the fault B is never evaluated and A's value does not matter
// (the chain is false whatever it is) as long as A has no side effect. A mutant run never has
// a fault on, so the tokens of B, and of A when it is pure (no call but a string comparison,
// no assignment), are returned as [first, last] ranges. The chain's own `&&` operators are not:
// turned into `||` they change what happens without the fault. Their sites keep their numbers
// (ids stay stable) and are flagged faultOnly: never sampled, reported apart when an older
// sample names one.
function faultConjuncts(toks, a, b) {
  const depthAt = [];
  let d = 0;
  for (let i = a; i < b; i++) {
    const x = toks[i];
    if (x.t === 'punct' && (x.v === '(' || x.v === '[' || x.v === '{')) { depthAt[i] = d; d++; continue; }
    if (x.t === 'punct' && (x.v === ')' || x.v === ']' || x.v === '}')) { d--; depthAt[i] = d; continue; }
    depthAt[i] = d;
  }
  const ENDS = new Set(['||', '?', ',', ';', ':', '=', 'return']);
  const ends = (k, dd) => depthAt[k] < dd || (depthAt[k] === dd && ENDS.has(toks[k].v));
  const PURE_CALLS = /^(strn?(case)?cmp|strlen|sizeof)$/;
  const pure = (ts) => !ts.some((t, j) => (t.t === 'id' && ts[j + 1] && ts[j + 1].v === '(' && !PURE_CALLS.test(t.v)) ||
    (t.t === 'punct' && /^([-+*/%&|^]?=|<<=|>>=|\+\+|--)$/.test(t.v) && t.v !== '==' && t.v !== '!=' && t.v !== '<=' && t.v !== '>='));
  const out = [];
  const seen = new Set();
  for (let i = a; i < b; i++) {
    if (!(toks[i].t === 'punct' && toks[i].v === '&&') || seen.has(i)) continue;
    const dd = depthAt[i];
    let cs = i - 1;
    while (cs >= a && !ends(cs, dd)) cs--;
    let ce = i + 1;
    while (ce < b && !ends(ce, dd)) ce++;
    // the chain's operands, between its top-level &&
    const ops = [];
    let st = cs + 1;
    for (let k = cs + 1; k <= ce; k++) {
      if (k === ce || (depthAt[k] === dd && toks[k].t === 'punct' && toks[k].v === '&&')) {
        if (k < ce) seen.add(k);
        ops.push([st, k - 1]);
        st = k + 1;
      }
    }
    const isFault = ([x, y]) => y >= x && toks[x].v !== '!' &&
      toks.slice(x, y + 1).some(t => t.t === 'id' && /fault/i.test(t.v));
    const first = ops.findIndex(isFault);
    if (first < 0) continue;
    ops.forEach(([x, y], j) => {
      if (j === first || y < x) return;
      if (j > first || pure(toks.slice(x, y + 1))) out.push([x, y]);
    });
  }
  return out;
}

// The branch a fault switch selects: in `(faults & F) ? X : Y` (the condition one operand that
// names a fault, not negated), X runs only with the fault on, so its tokens are returned as a
// [first, last] range, like the operands of faultConjuncts. Y and the condition are not: they
// run without the fault.
function faultTernaries(toks, a, b) {
  const depthAt = [];
  let d = 0;
  for (let i = a; i < b; i++) {
    const x = toks[i];
    if (x.t === 'punct' && (x.v === '(' || x.v === '[' || x.v === '{')) { depthAt[i] = d; d++; continue; }
    if (x.t === 'punct' && (x.v === ')' || x.v === ']' || x.v === '}')) { d--; depthAt[i] = d; continue; }
    depthAt[i] = d;
  }
  const ENDS = new Set(['||', '&&', '?', ',', ';', ':', '=', 'return']);
  const out = [];
  for (let q = a; q < b; q++) {
    if (!(toks[q].t === 'punct' && toks[q].v === '?')) continue;
    const dd = depthAt[q];
    let cs = q - 1;
    while (cs >= a && !(depthAt[cs] < dd || (depthAt[cs] === dd && ENDS.has(toks[cs].v)))) cs--;
    const cond = toks.slice(cs + 1, q);
    if (!cond.length || cond[0].v === '!' || !cond.some(t => t.t === 'id' && /fault/i.test(t.v))) continue;
    // the matching ':' at the same depth, past any nested ?: of the branch
    let nest = 0, colon = -1;
    for (let k = q + 1; k < b && depthAt[k] >= dd; k++) {
      if (depthAt[k] !== dd) continue;
      if (toks[k].v === '?') nest++;
      else if (toks[k].v === ':' && nest-- === 0) { colon = k; break; }
    }
    if (colon > q + 1) out.push([q + 1, colon - 1]);
  }
  return out;
}

module.exports = { lex, functions, sitesOf, matching, RSC_SWAP };
