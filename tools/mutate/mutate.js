#!/usr/bin/env node
'use strict';
// Mutation runner for the reference peers (docs/mutation.md). It changes the conformance
// logic the peers run as IUT one operator at a time, builds only the peer executables from the
// mutated source (the harness binary stays the intact one of the build folder), runs the
// applicable suite against every profile the peer serves, and reports which mutants the suite
// killed, and whether by a test that covers the mutated rule.

const fs = require('fs');
const path = require('path');
const os = require('os');
const crypto = require('crypto');
const { spawn, spawnSync } = require('child_process');
const S = require('./sites.js');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
const CLASSES = ['rel', 'eq', 'logic', 'neg', 'const', 'str', 'rsc', 'check', 'ret'];
const CLASS_NAMES = {
  rel: 'relational operator', eq: 'equality operator', logic: '&& / ||', neg: 'negation removed',
  const: 'constant +1 / -1 / 0', str: 'string comparison', rsc: 'RSC value swapped',
  check: 'check deleted', ret: 'early return',
};
const KILL_VERDICTS = new Set(['fail', 'error', 'inconc', 'xpass']);
const PASS_VERDICTS = new Set(['pass', 'warn']);
const PEER_TARGET = { 'ref-in-cse': 'tools/ref-in-cse/ref-in-cse', 'sim-device': 'tools/sim-device/sim-device' };
const PEER_ENV = { 'ref-in-cse': 'REF_IN_CSE', 'sim-device': 'SIM_DEVICE' };

const USAGE = `usage: node tools/mutate/mutate.js [options]

Mutates the reference peers' conformance logic (the functions tools/mutate/scope.tsv names),
one operator at a time, and runs the applicable suite against each mutant.

  --sample N          mutants to run, drawn uniformly over the mutable sites (one mutant
                      per site; no file above 20 % of the sample); default: every site
  --seed N            the sample's seed (default: chosen and recorded)
  --budget T          stop starting mutants after T (e.g. 40m, 2h, 90s); default: none
  --jobs N            mutants run at once (default 1)
  --harness-jobs N    tests run at once inside one harness run (default 16; one run
                      covers every profile of a phase, most tests wait on timers)
  --report-dir DIR    base folder (default reports/mutate); the run writes DIR/<run-id>/
                      report.md, results.json, state.json and points DIR/latest at it
  --resume DIR        continue the run in DIR (its state.json) where it stopped
  --rerun WHAT        with --resume: run again, against the tree as it is now, the sample's
                      mutants whose outcome is WHAT (comma-separated: survived, uncovered =
                      killed only by tests not covering the site, timed-out); the intact
                      baseline is measured again (new tests join it); recorded in the report
  --mutant ID         run this mutant (repeatable; ignores --sample)
  --build DIR         the intact meson build folder (default build/); its m2m-harness runs
                      every test, its objects are what mutants are linked with
  --scope FILE        default tools/mutate/scope.tsv
  --equivalent FILE   default tools/mutate/equivalent.tsv
  --profiles FILE     which profiles each peer serves (default tools/mutate/profiles.tsv)
  --list              print every mutant (id, class, line, change) and exit
  --check-scope       report scope rows whose function no longer exists and functions of
                      the peers' code that the scope does not list; exit 1 if any
  --smoke FILE        the self-test: each row's mutant must be killed by its named test,
                      and that test must pass against the intact peer; exit 1 otherwise
  --timeout-factor F  a harness run may take F times its intact duration (+60 s) (default 4)
  -h, --help          this text
`;

function die(msg, code = 2) { process.stderr.write(`mutate: ${msg}\n`); process.exit(code); }

function parseArgs(argv) {
  const o = { sample: 0, seed: null, budget: 0, jobs: 1, harnessJobs: 16, reportDir: 'reports/mutate', resume: null, rerun: null,
    mutants: [], build: 'build', scope: path.join(HERE, 'scope.tsv'), equivalent: path.join(HERE, 'equivalent.tsv'),
    profiles: path.join(HERE, 'profiles.tsv'), list: false, checkScope: false, smoke: null, timeoutFactor: 4 };
  const val = (i) => { if (i + 1 >= argv.length) die(`${argv[i]} needs a value`); return argv[i + 1]; };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
    case '--sample': o.sample = +val(i); i++; break;
    case '--seed': o.seed = +val(i) >>> 0; i++; break;
    case '--budget': o.budget = duration(val(i)); i++; break;
    case '--jobs': case '-j': o.jobs = Math.max(1, +val(i)); i++; break;
    case '--harness-jobs': o.harnessJobs = Math.max(1, +val(i)); i++; break;
    case '--report-dir': o.reportDir = val(i); o.reportDirGiven = true; i++; break;
    case '--resume': o.resume = val(i); i++; break;
    case '--rerun': o.rerun = val(i).split(','); i++; break;
    case '--mutant': o.mutants.push(val(i)); i++; break;
    case '--build': o.build = val(i); i++; break;
    case '--scope': o.scope = val(i); i++; break;
    case '--equivalent': o.equivalent = val(i); i++; break;
    case '--profiles': o.profiles = val(i); i++; break;
    case '--list': o.list = true; break;
    case '--check-scope': o.checkScope = true; break;
    case '--smoke': o.smoke = val(i); i++; break;
    case '--timeout-factor': o.timeoutFactor = +val(i); i++; break;
    case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
    default: die(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (!Number.isFinite(o.sample) || o.sample < 0) die('--sample needs a number');
  if (o.rerun && !o.resume) die('--rerun needs --resume DIR (the run whose outcomes to run again)');
  o.build = path.resolve(ROOT, o.build);
  return o;
}

function duration(s) {
  const m = /^([0-9.]+)(s|m|h)?$/.exec(s);
  if (!m) die(`bad duration '${s}' (e.g. 90s, 40m, 2h)`);
  return +m[1] * ({ s: 1, m: 60, h: 3600 }[m[2] || 's']) * 1000;
}

// ---------------------------------------------------------------- scope, profiles, equivalences

function readTsv(file) {
  const rows = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    rows.push({ cols: line.split('\t').map(x => x.trim()), line: i + 1 });
  });
  return rows;
}

// scope.tsv: file, function, peers (comma-separated), requirement ids (space-separated) or '-'
// for an excluded function, note (the reason for an exclusion)
function loadScope(file) {
  return readTsv(file).map(({ cols, line }) => {
    const [f, fn, peers, covers, note] = cols;
    if (!f || !fn || !peers || !covers) die(`${file}:${line}: needs file, function, peers, requirements (or '-')`);
    const ps = peers === '-' ? [] : peers.split(',').map(x => x.trim()).filter(Boolean);
    for (const p of ps) if (!PEER_TARGET[p]) die(`${file}:${line}: unknown peer '${p}'`);
    const ids = covers === '-' ? [] : covers.split(/\s+/);
    for (const id of ids) if (!/^R-[A-Z]+-[0-9]+$/.test(id)) die(`${file}:${line}: '${id}' is not a requirement id`);
    if (!ids.length && !note) die(`${file}:${line}: an excluded function needs its reason`);
    if (ids.length && !ps.length) die(`${file}:${line}: a function in scope needs the peers that run it`);
    return { file: f, fn, peers: ps, covers: ids, excluded: !ids.length, note: note || '', line };
  });
}

function loadProfiles(file) {
  const m = {};
  for (const { cols, line } of readTsv(file)) {
    const [peer, prof] = cols;
    if (!PEER_TARGET[peer]) die(`${file}:${line}: unknown peer '${peer}'`);
    if (!fs.existsSync(path.join(ROOT, 'fixtures/profiles', prof + '.xml'))) die(`${file}:${line}: no profile ${prof}`);
    (m[peer] = m[peer] || []).push(prof);
  }
  return m;
}

// equivalent.tsv: mutant id, operator (the replacement text), the mutated source line (trimmed,
// so that a site renumbered by an edit is noticed), reason, clause
function loadEquivalents(file) {
  const m = new Map();
  if (!fs.existsSync(file)) return m;
  for (const { cols, line } of readTsv(file)) {
    const [id, op, text, reason, clause] = cols;
    // the operator may be empty: a removed '!' (neg …:del) is replaced by nothing
    if (!id || op === undefined || !text || !reason || !clause) die(`${file}:${line}: needs mutant id, operator, source line, reason, clause`);
    m.set(id, { id, op, text, reason, clause, line });
  }
  return m;
}

// The source line(s) of a mutant's site, whitespace collapsed.
function siteLine(m) {
  const { src } = parseFile(m.file);
  const [a, b] = lineText(src, m.s, m.e);
  return src.slice(a, b).replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------- mutants

const parsed = new Map();
function parseFile(rel) {
  if (!parsed.has(rel)) {
    const src = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    const toks = S.lex(src);
    parsed.set(rel, { src, toks, fns: S.functions(toks) });
  }
  return parsed.get(rel);
}

function lineText(src, s, e) {
  const a = src.lastIndexOf('\n', s - 1) + 1;
  let b = src.indexOf('\n', e);
  if (b < 0) b = src.length;
  return [a, b];
}

function diffOf(rel, src, s, e, text) {
  const [a, b] = lineText(src, s, e);
  const before = src.slice(a, b), after = src.slice(a, s) + text + src.slice(e, b);
  const line = src.slice(0, a).split('\n').length;
  const minus = before.split('\n').map(l => '-' + l).join('\n');
  const plus = after.split('\n').map(l => '+' + l).join('\n');
  return `--- ${rel}:${line}\n${minus}\n${plus}`;
}

// Every mutant of the scope: [{id, site, file, fn, peers, covers, cls, line, orig, text, s, e, diff}]
function enumerate(scope) {
  const out = [];
  for (const row of scope) {
    if (row.excluded) continue;
    if (!fs.existsSync(path.join(ROOT, row.file))) die(`scope: no file ${row.file} (run --check-scope)`);
    const { src, toks, fns } = parseFile(row.file);
    const fn = fns.filter(f => f.name === row.fn);
    if (!fn.length) die(`scope: ${row.file} has no function ${row.fn} (run --check-scope)`);
    for (const site of S.sitesOf(src, toks, fn[0], { timelineNull: !LIVE_TIMELINE.has(row.file) })) {
      const siteId = `${row.file}:${row.fn}:${site.cls}${site.k}`;
      for (const m of site.mutants) {
        out.push({ id: `${siteId}:${m.code}`, site: siteId, file: row.file, fn: row.fn, peers: row.peers,
          covers: row.covers, cls: site.cls, line: site.line, orig: site.orig, text: m.text, s: site.s, e: site.e,
          faultOnly: !!site.faultOnly, timelineOnly: !!site.timelineOnly,
          diff: diffOf(row.file, src, site.s, site.e, m.text) });
      }
    }
  }
  return out;
}

function mutatedSource(m) {
  const { src } = parseFile(m.file);
  return src.slice(0, m.s) + m.text + src.slice(m.e);
}

// A small seeded generator (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Sites in a seeded random order, one mutant each (picked at random among the site's), no file
// above 20 % of the sample; when the files cannot fill the sample under that cap, the rest is
// filled in order and the report says so.
function sample(all, n, seed) {
  const rand = rng(seed);
  const mutants = all.filter(m => !m.faultOnly && !m.timelineOnly);
  const bySite = new Map();
  for (const m of mutants) { if (!bySite.has(m.site)) bySite.set(m.site, []); bySite.get(m.site).push(m); }
  const sites = [...bySite.keys()];
  for (let i = sites.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [sites[i], sites[j]] = [sites[j], sites[i]]; }
  const pick = sites.map(s => { const ms = bySite.get(s); return ms[Math.floor(rand() * ms.length)]; });
  if (!n || n >= pick.length) return { ids: pick.map(m => m.id), capped: true };
  const cap = Math.max(1, Math.floor(n * 0.2));
  const perFile = {}, chosen = [], rest = [];
  for (const m of pick) {
    if (chosen.length >= n) break;
    if ((perFile[m.file] || 0) < cap) { chosen.push(m); perFile[m.file] = (perFile[m.file] || 0) + 1; } else rest.push(m);
  }
  const capped = chosen.length >= n;
  while (chosen.length < n && rest.length) chosen.push(rest.shift());
  return { ids: chosen.map(m => m.id), capped };
}

// ---------------------------------------------------------------- --check-scope

const SCOPE_DIRS = ['tools/ref-in-cse', 'tools/sim-device', 'tools/common', 'harness/cse', 'harness/enrol', 'harness/onem2m', 'harness/net'];
const SCOPE_EXTRA = ['harness/net/dtls.c', 'harness/net/dtls_verify.c', 'harness/net/dtls_priority.c',
  'harness/net/dtls_rpk.c', 'harness/net/kpsaid.c', 'harness/net/coap_ep.c', 'harness/net/coap.c'];

// The reference peers keep no timeline: they hand NULL to the shared code, so a site that only
// feeds one (sites.js, timelineOnly) does nothing in them. The one exception is the reference
// IN-CSE's own MEF, whose events go to a private timeline (strict: an unknown event name aborts)
// given to harness/enrol/mef.c: that file's sites are all real. --check-scope holds the peers to it.
const LIVE_TIMELINE = new Set(['harness/enrol/mef.c']);
const PEER_TIMELINES = { 'tools/ref-in-cse/own_mef.c': /^mef_open\(/ };

function checkTimelines(problems) {
  for (const d of ['tools/ref-in-cse', 'tools/sim-device', 'tools/common']) {
    for (const f of fs.readdirSync(path.join(ROOT, d)).filter(x => /\.c$/.test(x))) {
      const rel = `${d}/${f}`;
      const text = fs.readFileSync(path.join(ROOT, rel), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      if (!/\btimeline_init\s*\(/.test(text)) continue;
      const ok = PEER_TIMELINES[rel];
      // every call that is handed the timeline, other than timeline_*() itself
      const handed = [];
      for (const m of text.matchAll(/&\s*\w+\s*->\s*tl\b/g)) {
        let d = 0, k = m.index;   // back to the call's own opening parenthesis
        for (; k >= 0; k--) { if (text[k] === ')') d++; else if (text[k] === '(' && d-- === 0) break; }
        const name = /(\w+)\s*$/.exec(text.slice(0, Math.max(k, 0)));
        if (name && !/^timeline_/.test(name[1])) handed.push(name[1]);
      }
      if (!ok || handed.some(n => !ok.test(`${n}(`)))
        problems.push(`${rel}: a peer keeps a timeline and hands it to ${handed.join(', ') || 'shared code'}: ` +
          `the sites that only feed a timeline are no longer dead in the peers (name its file in LIVE_TIMELINE)`);
    }
  }
}

function checkScope(o) {
  const scope = loadScope(o.scope);
  const problems = [];
  checkTimelines(problems);
  const listed = new Set();
  for (const r of scope) {
    listed.add(`${r.file}:${r.fn}`);
    if (!fs.existsSync(path.join(ROOT, r.file))) { problems.push(`${o.scope}:${r.line}: ${r.file} no longer exists`); continue; }
    if (!parseFile(r.file).fns.some(f => f.name === r.fn)) problems.push(`${o.scope}:${r.line}: ${r.file} has no function ${r.fn} any more`);
  }
  const files = new Set(SCOPE_EXTRA);
  for (const d of SCOPE_DIRS)
    for (const f of fs.readdirSync(path.join(ROOT, d))) if (f.endsWith('.c')) files.add(`${d}/${f}`);
  for (const r of scope) files.add(r.file);
  const unlisted = [];
  for (const f of [...files].sort()) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    const { src, toks, fns } = parseFile(f);
    for (const fn of fns) {
      if (listed.has(`${f}:${fn.name}`)) continue;
      // conformance-looking: an RSC, a refusal, or a decision on what arrived
      const body = src.slice(toks[fn.open].s, toks[fn.close].e);
      const why = [];
      if (/\b(2000|2001|2002|2004|4000|4004|4005|4103|4105|4106|4107|4108|4117|4126|4128|5103|5207)\b/.test(body)) why.push('RSC');
      if (/\b(reject|refuse|deny|fail)\w*\s*\(/.test(body)) why.push('refusal');
      if (/\bstr(n?)(case)?cmp\s*\(/.test(body) && /\bif\s*\(/.test(body)) why.push('identity comparison');
      if (why.length) unlisted.push(`${f}\t${fn.name}\t?\t?\t(line ${fn.line}: ${why.join(', ')})`);
    }
  }
  // functions in scope that nothing in the peers' code calls: their mutants cannot be killed
  const callers = [...files].filter(f => fs.existsSync(path.join(ROOT, f)))
    .map(f => [f, parseFile(f).src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')]);
  const headers = [];
  for (const d of ['harness/cse', 'harness/enrol', 'harness/net', 'harness/onem2m', 'harness/model', 'tools/ref-in-cse', 'tools/sim-device', 'tools/common'])
    for (const f of fs.readdirSync(path.join(ROOT, d))) if (/\.c$/.test(f) && !files.has(`${d}/${f}`)) callers.push([`${d}/${f}`, fs.readFileSync(path.join(ROOT, d, f), 'utf8')]);
  void headers;
  for (const r of scope) {
    if (r.excluded || !fs.existsSync(path.join(ROOT, r.file))) continue;
    const re = new RegExp(`\\b${r.fn}\\b`, 'g');
    let uses = 0;
    for (const [f, text] of callers) {
      const n = (text.match(re) || []).length;
      uses += f === r.file ? n - 1 : n;   /* its own definition */
    }
    if (!uses) problems.push(`${o.scope}:${r.line}: ${r.file} ${r.fn} is called nowhere in the peers' code (exclude it: its mutants cannot be killed)`);
  }
  for (const p of problems) console.log(p);
  if (unlisted.length) {
    console.log(`# conformance-looking functions the scope does not list (add a row, or a row with '-' and the reason):`);
    for (const u of unlisted) console.log(u);
  }
  const mutants = enumerate(scope.filter(r => fs.existsSync(path.join(ROOT, r.file)) &&
    parseFile(r.file).fns.some(f => f.name === r.fn)));
  const sites = new Set(mutants.map(m => m.site));
  console.log(`scope: ${scope.filter(r => !r.excluded).length} functions in scope, ${scope.filter(r => r.excluded).length} excluded; ` +
    `${sites.size} sites, ${mutants.length} mutants; ${problems.length} missing, ${unlisted.length} unlisted`);
  // equivalences that no longer name a mutant, or whose operator changed
  const eq = loadEquivalents(o.equivalent);
  const byId = new Map(mutants.map(m => [m.id, m]));
  let stale = 0;
  for (const e of eq.values()) {
    const m = byId.get(e.id);
    if (m && (m.faultOnly || m.timelineOnly)) {
      console.log(`needless equivalence: ${o.equivalent}:${e.line}: ${e.id} is ${m.faultOnly ? 'evaluated only under a fault switch' : 'only feeding a timeline'}: never sampled, remove the row`);
      stale++;
    } else if (!m || m.text.trim() !== e.op || siteLine(m) !== e.text) {
      console.log(`stale equivalence: ${o.equivalent}:${e.line}: ${e.id} (${m ? `now '${m.text.trim()}' in: ${siteLine(m)}` : 'no such mutant'})`);
      stale++;
    }
  }
  return problems.length || unlisted.length || stale ? 1 : 0;
}

// ---------------------------------------------------------------- building a mutant

class Builder {
  constructor(buildDir, work) {
    this.build = buildDir;
    this.work = work;
    fs.mkdirSync(path.join(work, 'src'), { recursive: true });
    const cc = JSON.parse(fs.readFileSync(path.join(buildDir, 'compile_commands.json'), 'utf8'));
    this.cc = cc;
    this.links = {};
    for (const [peer, target] of Object.entries(PEER_TARGET)) {
      const r = spawnSync('ninja', ['-C', buildDir, '-t', 'commands', target], { encoding: 'utf8' });
      if (r.status !== 0) die(`ninja -t commands ${target}: ${r.stderr}`);
      const lines = r.stdout.trim().split('\n');
      this.links[peer] = lines[lines.length - 1];
    }
    this.origObj = new Map();
  }

  // The compile command of rel for the given peer (a file the peer compiles itself, or the core's).
  entry(rel, peer) {
    const abs = path.join(ROOT, rel);
    const es = this.cc.filter(e => path.resolve(e.directory, e.file) === abs);
    if (!es.length) return null;
    const own = es.find(e => e.output.includes(path.basename(PEER_TARGET[peer]) + '.p/'));
    return own || es.find(e => e.output.includes('libm2mcore')) || null;
  }

  stale(rel, peer) {
    const e = this.entry(rel, peer);
    if (!e) return `${rel} is not compiled into ${peer}`;
    const obj = path.join(this.build, e.output);
    if (!fs.existsSync(obj)) return `${obj} is missing: build ${this.build} first`;
    if (fs.statSync(path.join(ROOT, rel)).mtimeMs > fs.statSync(obj).mtimeMs) return `${rel} is newer than its object: run ninja -C ${this.build}`;
    return null;
  }

  compile(e, srcPath, objPath) {
    let cmd = e.command;
    cmd = cmd.replace(` -MD -MQ ${e.output} -MF ${e.output}.d`, '');
    cmd = cmd.replace(`-o ${e.output}`, `-o '${objPath}'`);
    // warnings do not fail a mutant (a mutated condition may lack the parentheses gcc asks for)
    cmd = cmd.replace(`-c ${e.file}`, `-g0 -Wno-error -w -iquote '${path.dirname(path.resolve(e.directory, e.file))}' -c '${srcPath}'`);
    cmd = cmd.replace('-fdiagnostics-color=always', '-fdiagnostics-color=never');
    const r = spawnSync('sh', ['-c', cmd], { cwd: e.directory, encoding: 'utf8' });
    return { ok: r.status === 0, log: (r.stdout || '') + (r.stderr || '') };
  }

  // Builds the peers' executables with the mutant; {ok, log, bins: {peer: path}, same: bool}
  // same: the mutated object is byte-identical to the intact source's (an equivalent mutant).
  mutant(m, peers) {
    const base = path.basename(m.file);
    const src = path.join(this.work, 'src', base);
    const bins = {};
    let log = '', same = true;
    const done = new Set();
    for (const peer of peers) {
      const e = this.entry(m.file, peer);
      if (!e) return { ok: false, log: `${m.file} is not compiled into ${peer}` };
      const key = e.output;
      const obj = path.join(this.work, key.replace(/[/]/g, '_'));
      if (!done.has(key)) {
        if (!this.origObj.has(key)) {
          fs.writeFileSync(src, parseFile(m.file).src);
          const o0 = obj + '.orig';
          const r0 = this.compile(e, src, o0);
          if (!r0.ok) return { ok: false, log: `the intact ${m.file} does not compile here:\n${r0.log}` };
          this.origObj.set(key, fs.readFileSync(o0));
        }
        fs.writeFileSync(src, mutatedSource(m));
        const r = this.compile(e, src, obj);
        log += r.log;
        if (!r.ok) return { ok: false, log };
        same = same && Buffer.compare(fs.readFileSync(obj), this.origObj.get(key)) === 0;
        done.add(key);
      }
      const bin = path.join(this.work, peer);
      let link = this.links[peer];
      const target = PEER_TARGET[peer];
      link = link.replace(`-o ${target}`, `-o '${bin}'`);
      if (link.includes(` ${e.output} `)) link = link.replace(` ${e.output} `, ` '${obj}' `);
      else link = link.replace(`-o '${bin}'`, `-o '${bin}' '${obj}'`);   // the core's: before the archive
      const r = spawnSync('sh', ['-c', link], { cwd: this.build, encoding: 'utf8' });
      log += (r.stdout || '') + (r.stderr || '');
      if (r.status !== 0) return { ok: false, log };
      bins[peer] = bin;
    }
    return { ok: true, log, bins, same };
  }
}

// ---------------------------------------------------------------- running the harness

// Harness runs in progress (each its own process group): ended with the runner on SIGINT/SIGTERM.
const running = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of running) { try { process.kill(-pid, 'SIGTERM'); } catch (e) { /* gone */ } }
    process.stderr.write(`mutate: ${sig}: stopped; --resume continues the run\n`);
    process.exit(130);
  });
}

// One harness run over one or more profiles (one job pool: the run takes about as long as its
// longest test, not the sum of the profiles'). `tests` filters by id (null: all). The result has
// one entry per profile: { tests: {id: {verdict, covers, reason}} } or noResults.
function runHarnessMulti(o, profiles, tests, bins, workDir, timeoutMs) {
  return new Promise((resolve) => {
    const rep = fs.mkdtempSync(path.join(workDir, 'run-'));
    const args = ['run', '-q', '-j', String(o.harnessJobs), '--allow-empty', '--report-dir', rep];
    for (const p of profiles) args.push('--profile', path.join(ROOT, 'fixtures/profiles', p + '.xml'));
    for (const t of tests || []) args.push('-f', t);
    args.push(path.join(ROOT, 'testcases'));
    const env = { ...process.env, SIM_DEVICE_ARGS: '', REF_IN_CSE_ARGS: '' };
    for (const [peer, v] of Object.entries(PEER_ENV)) env[v] = bins[peer] || path.join(o.build, PEER_TARGET[peer]);
    const t0 = Date.now();
    const child = spawn(path.join(o.build, 'harness/m2m-harness'), args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child.pid);
    let out = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { out += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGTERM'); } catch (e) { /* gone */ }
      setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 5000);
    }, timeoutMs);
    child.on('close', (code) => {
      running.delete(child.pid);
      clearTimeout(timer);
      const res = { code, timedOut, seconds: (Date.now() - t0) / 1000, out, profiles: {} };
      let latest = null;
      try { latest = fs.realpathSync(path.join(rep, 'latest')); } catch (e) { /* no run folder */ }
      for (const p of profiles) {
        const pr = { tests: {} };
        try {
          const file = profiles.length === 1 ? path.join(latest, 'results.json') : path.join(latest, p, 'results.json');
          const j = JSON.parse(fs.readFileSync(file, 'utf8'));
          for (const t of j.tests) pr.tests[t.id] = { verdict: t.verdict, covers: t.covers || [], reason: t.reason || null };
        } catch (e) {
          pr.noResults = true;
        }
        res.profiles[p] = pr;
      }
      fs.rmSync(rep, { recursive: true, force: true });
      resolve(res);
    });
  });
}

// One profile: the result's tests and noResults at the top, as the baseline and smoke test use it.
async function runHarness(o, profile, tests, bins, workDir, timeoutMs) {
  const r = await runHarnessMulti(o, [profile], tests, bins, workDir, timeoutMs);
  return { ...r, ...r.profiles[profile] };
}

// The intact peers under every profile: which tests pass (and may kill), what each covers, and
// how long the whole run takes.
async function baseline(o, profiles, state, workDir, log) {
  state.baseline = state.baseline || {};
  for (const p of profiles) {
    if (state.baseline[p]) continue;
    log(`baseline: profile ${p} with the intact peers`);
    const r = await runHarness(o, p, null, {}, workDir, 30 * 60 * 1000);
    if (r.noResults) die(`baseline run of ${p} wrote no results:\n${r.out}`);
    const tests = {};
    const broken = [];
    for (const [id, t] of Object.entries(r.tests)) {
      if (t.verdict === 'skip') continue;
      tests[id] = { pass: PASS_VERDICTS.has(t.verdict), verdict: t.verdict, covers: t.covers };
      if (!PASS_VERDICTS.has(t.verdict)) broken.push(`${id} (${t.verdict})`);
    }
    if (broken.length) log(`baseline: ${p}: not passing with the intact peers, not used to kill: ${broken.join(', ')}`);
    state.baseline[p] = { seconds: r.seconds, tests };
  }
}

// ---------------------------------------------------------------- one mutant

async function runMutant(o, m, builder, profMap, state, workDir) {
  const res = { id: m.id, site: m.site, file: m.file, fn: m.fn, line: m.line, cls: m.cls, covers: m.covers,
    peers: m.peers, diff: m.diff, started: new Date().toISOString() };
  const t0 = Date.now();
  if (m.faultOnly) { res.outcome = 'fault-only'; return finish(res, t0); }
  if (m.timelineOnly) { res.outcome = 'timeline-only'; return finish(res, t0); }
  const b = builder.mutant(m, m.peers);
  if (!b.ok) { res.outcome = 'did-not-build'; res.log = b.log.slice(0, 4000); return finish(res, t0); }
  if (b.same) { res.outcome = 'equivalent-object'; return finish(res, t0); }
  const profiles = m.peers.flatMap(p => profMap[p] || []);
  const covering = (p) => Object.entries(state.baseline[p].tests).filter(([, t]) => t.pass && t.covers.some(c => m.covers.includes(c))).map(([id]) => id);
  const others = (p) => Object.entries(state.baseline[p].tests).filter(([, t]) => t.pass && !t.covers.some(c => m.covers.includes(c))).map(([id]) => id);
  res.ran = [];
  res.flaky = [];
  // each phase is one pooled run over every profile the mutated peers serve; a kill is
  // confirmed by running the failed tests again, per profile
  for (const phase of ['covering', 'other']) {
    const want = {};
    for (const p of profiles) {
      const tests = phase === 'covering' ? covering(p) : others(p);
      if (tests.length) want[p] = tests;
    }
    const ps = Object.keys(want);
    if (!ps.length) continue;
    // the harness takes at most 64 filters; past that the run has every test and only the
    // wanted ones are judged
    let ids = [...new Set(ps.flatMap(p => want[p]))];
    if (ids.length > 64) ids = null;
    let budget = 0;
    for (const p of ps) budget += state.baseline[p].seconds * want[p].length / Math.max(Object.keys(state.baseline[p].tests).length, 1);
    const limit = (o.timeoutFactor * budget + 60) * 1000;
    const r = await runHarnessMulti(o, ps, ids, b.bins, workDir, limit);
    if (r.code === 2 && Object.values(r.profiles).every(x => x.noResults)) die(`the harness refused its command line:\n${r.out}`);
    res.ran.push({ profiles: ps.length, phase, tests: ps.reduce((a, p) => a + want[p].length, 0), seconds: r.seconds });
    if (r.timedOut) { res.outcome = 'timed-out'; res.timedOutIn = { profiles: ps, phase }; return finish(res, t0); }
    const killedBy = [];
    for (const p of ps) {
      const pr = r.profiles[p];
      if (pr.noResults) {
        killedBy.push({ test: '(harness run)', profile: p, verdict: `no results, exit ${r.code}`, covering: false });
        res.log = r.out.slice(0, 4000);
        continue;
      }
      let failed = Object.entries(pr.tests).filter(([id, t]) => want[p].includes(id) && KILL_VERDICTS.has(t.verdict));
      if (!failed.length) continue;
      // a kill counts when the test fails again on its own (a test that failed under load once
      // and passes when rerun is noted as flaky)
      const again = await runHarness(o, p, failed.map(([id]) => id), b.bins, workDir, limit);
      const confirmed = failed.filter(([id]) => again.timedOut || again.noResults || (again.tests[id] && KILL_VERDICTS.has(again.tests[id].verdict)));
      for (const [id] of failed) if (!confirmed.some(([c]) => c === id)) res.flaky.push({ test: id, profile: p });
      for (const [id, t] of confirmed) killedBy.push({ test: id, profile: p, verdict: t.verdict, covering: phase === 'covering' });
    }
    if (!killedBy.length) continue;
    res.outcome = 'killed';
    res.killedBy = killedBy;
    return finish(res, t0);
  }
  res.outcome = 'survived';
  res.eqRow = `${m.id}\t${m.text.trim()}\t${siteLine(m)}\t<reason>\t<clause>`;
  return finish(res, t0);
}

function finish(res, t0) { res.seconds = Math.round((Date.now() - t0) / 100) / 10; return res; }

// ---------------------------------------------------------------- report

function summarize(state, eq) {
  const rs = state.sample.map(id => state.results[id]).filter(Boolean);
  const declared = state.sample.filter(id => eq.has(id));
  const ran = rs.filter(r => !eq.has(r.id));
  const count = (f) => ran.filter(f).length;
  const s = {
    sampled: state.sample.length,
    finished: rs.length,
    notRun: state.sample.filter(id => !state.results[id] && !eq.has(id)).length,
    declaredEquivalent: declared.length,
    declaredEquivalentShare: state.sample.length ? declared.length / state.sample.length : 0,
    equivalentObject: count(r => r.outcome === 'equivalent-object'),
    faultOnly: count(r => r.outcome === 'fault-only'),
    timelineOnly: count(r => r.outcome === 'timeline-only'),
    didNotBuild: count(r => r.outcome === 'did-not-build'),
    killed: count(r => r.outcome === 'killed'),
    timedOut: count(r => r.outcome === 'timed-out'),
    survived: count(r => r.outcome === 'survived'),
    killedByCovering: count(r => r.outcome === 'killed' && r.killedBy.some(k => k.covering)),
  };
  s.killedOtherReason = s.killed - s.killedByCovering;
  s.nonEquivalent = s.killed + s.timedOut + s.survived;
  s.score = s.nonEquivalent ? (s.killed + s.timedOut) / s.nonEquivalent : null;
  s.scoreCovering = s.nonEquivalent ? s.killedByCovering / s.nonEquivalent : null;
  s.unreliable = s.declaredEquivalentShare > 0.10;
  return s;
}

const pct = (x) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);

function writeReport(dir, state, eq) {
  const s = summarize(state, eq);
  const rs = state.sample.map(id => state.results[id]).filter(Boolean);
  const L = [];
  L.push(`# Mutation run ${state.runId}`, '');
  L.push(`seed ${state.seed}, sample ${state.sample.length}${state.requested ? ` (requested ${state.requested})` : ''}, ` +
    `scope ${state.scopeSha.slice(0, 12)}, source ${state.git}${state.capped === false ? '; the 20 % per-file cap could not be held' : ''}`, '');
  for (const r of state.reruns || [])
    L.push(`Rerun ${r.at.slice(0, 16)}: ${r.mutants} mutants (${r.which.join(', ')}) run again against source ${r.git}, scope ${r.scopeSha.slice(0, 12)}; the others kept their outcome.`, '');
  if (s.unreliable) L.push(`**UNRELIABLE**: ${pct(s.declaredEquivalentShare)} of the sample is declared equivalent (more than 10 %).`, '');
  if (s.notRun) L.push(`**Incomplete**: ${s.notRun} of ${s.sampled} mutants not run (budget or interruption; --resume continues).`, '');
  L.push('## Score', '');
  L.push(`| | mutants |`, `|---|---|`);
  L.push(`| killed (incl. timed out) / non-equivalent | ${s.killed + s.timedOut} / ${s.nonEquivalent} = **${pct(s.score)}** |`);
  L.push(`| killed by a test covering the mutated rule / non-equivalent | ${s.killedByCovering} / ${s.nonEquivalent} = **${pct(s.scoreCovering)}** |`);
  L.push(`| killed only by tests that do not cover the rule | ${s.killedOtherReason} |`);
  L.push(`| timed out | ${s.timedOut} |`, `| survived | ${s.survived} |`);
  L.push(`| did not build (not counted) | ${s.didNotBuild} |`);
  L.push(`| equivalent: identical object code (not counted) | ${s.equivalentObject} |`);
  if (s.timelineOnly) L.push(`| only feeds a timeline, which the peers do not keep (not counted; a new sample never picks one) | ${s.timelineOnly} |`);
  if (s.faultOnly) L.push(`| evaluated only under a fault switch (not counted; a new sample never picks one) | ${s.faultOnly} |`);
  L.push(`| equivalent: declared in equivalent.tsv (not counted) | ${s.declaredEquivalent} (${pct(s.declaredEquivalentShare)}) |`, '');
  L.push('## By operator', '', '| operator | killed by covering | killed other | timed out | survived | did not build | equivalent |', '|---|---|---|---|---|---|---|');
  for (const c of CLASSES) {
    const x = rs.filter(r => r.cls === c && !eq.has(r.id));
    if (!x.length) continue;
    const n = (f) => x.filter(f).length;
    L.push(`| ${c} (${CLASS_NAMES[c]}) | ${n(r => r.outcome === 'killed' && r.killedBy.some(k => k.covering))} | ` +
      `${n(r => r.outcome === 'killed' && !r.killedBy.some(k => k.covering))} | ${n(r => r.outcome === 'timed-out')} | ` +
      `${n(r => r.outcome === 'survived')} | ${n(r => r.outcome === 'did-not-build')} | ${n(r => r.outcome === 'equivalent-object')} |`);
  }
  L.push('');
  const surv = rs.filter(r => r.outcome === 'survived' && !eq.has(r.id));
  L.push(`## Survivors (${surv.length})`, '');
  L.push('A survivor is a missing test or an equivalence to declare in tools/mutate/equivalent.tsv.', '');
  for (const r of surv) {
    L.push(`### ${r.id}`, '', `${r.file}:${r.line}, function ${r.fn}, ${CLASS_NAMES[r.cls]}; requirement ${r.covers.join(' ')}; ` +
      `ran ${r.ran.reduce((n, x) => n + x.tests, 0)} tests under ${new Set(r.ran.map(x => x.profile)).size} profiles, ` +
      `${r.ran.filter(x => x.phase === 'covering').reduce((n, x) => n + x.tests, 0)} of them covering the requirement` +
      (r.flaky.length ? `; flaky failures not counted: ${r.flaky.map(f => `${f.test}@${f.profile}`).join(', ')}` : ''), '', '```diff', r.diff, '```', '');
    if (r.eqRow) L.push('If no test can observe it, its row for tools/mutate/equivalent.tsv:', '', '```', r.eqRow, '```', '');
  }
  const other = rs.filter(r => r.outcome === 'killed' && !r.killedBy.some(k => k.covering) && !eq.has(r.id));
  L.push(`## Killed for another reason (${other.length})`, '', 'No test covering the mutated rule failed; these did:', '');
  for (const r of other) L.push(`- \`${r.id}\` (${r.covers.join(' ')}): ${r.killedBy.map(k => `${k.test}@${k.profile} ${k.verdict}`).join(', ')}`);
  L.push('');
  const to = rs.filter(r => r.outcome === 'timed-out');
  if (to.length) { L.push(`## Timed out (${to.length})`, ''); for (const r of to) L.push(`- \`${r.id}\`: ${r.timedOutIn.profile} (${r.timedOutIn.phase})`); L.push(''); }
  const dnb = rs.filter(r => r.outcome === 'did-not-build');
  if (dnb.length) { L.push(`## Did not build (${dnb.length})`, ''); for (const r of dnb) L.push(`- \`${r.id}\`: ${(r.log || '').split('\n').find(l => /error/.test(l)) || ''}`); L.push(''); }
  const killed = rs.filter(r => r.outcome === 'killed' && r.killedBy.some(k => k.covering));
  L.push(`## Killed by a covering test (${killed.length})`, '');
  for (const r of killed) L.push(`- \`${r.id}\`: ${r.killedBy.map(k => `${k.test}@${k.profile} ${k.verdict}`).join(', ')}`);
  L.push('');
  const declared = state.sample.filter(id => eq.has(id));
  if (declared.length) { L.push(`## Declared equivalent (${declared.length})`, ''); for (const id of declared) { const e = eq.get(id); L.push(`- \`${id}\` → \`${e.op}\`: ${e.reason} (${e.clause})`); } L.push(''); }
  fs.writeFileSync(path.join(dir, 'report.md'), L.join('\n'));
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ schema: 'm2m-harness/mutation/1', run: state.runId,
    seed: state.seed, git: state.git, summary: s, mutants: rs.map(r => ({ ...r, declaredEquivalent: eq.has(r.id) ? eq.get(r.id) : undefined })) }, null, 1));
  return s;
}

function saveState(dir, state) {
  const tmp = path.join(dir, 'state.json.tmp');
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, path.join(dir, 'state.json'));
}

// ---------------------------------------------------------------- main modes

function gitDescribe() {
  const r = spawnSync('git', ['describe', '--always', '--dirty', '--tags'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

async function pool(items, jobs, fn) {
  let next = 0;
  const workers = [];
  for (let w = 0; w < jobs; w++) {
    workers.push((async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i], w);
      }
    })());
  }
  await Promise.all(workers);
}

const RERUN = {
  survived: (r) => r.outcome === 'survived',
  uncovered: (r) => r.outcome === 'killed' && !r.killedBy.some(k => k.covering),
  'timed-out': (r) => r.outcome === 'timed-out',
};

// --rerun: forget the results of the chosen outcomes and the baseline (tests added since the
// run started join it); the report lists each rerun with the source it ran against.
function rerunOutcomes(state, which, scopeSha) {
  for (const w of which) if (!RERUN[w]) die(`--rerun: no outcome '${w}' (survived, uncovered, timed-out)`);
  const ids = state.sample.filter(id => state.results[id] && which.some(w => RERUN[w](state.results[id])));
  for (const id of ids) delete state.results[id];
  delete state.baseline;
  state.reruns = state.reruns || [];
  state.reruns.push({ at: new Date().toISOString(), git: gitDescribe(), scopeSha, which, mutants: ids.length });
}

async function mainRun(o) {
  const deadline = o.budget ? Date.now() + o.budget : Infinity;   /* the baseline counts */
  const scope = loadScope(o.scope);
  const profMap = loadProfiles(o.profiles);
  const eq = loadEquivalents(o.equivalent);
  const all = enumerate(scope);
  const byId = new Map(all.map(m => [m.id, m]));
  const scopeSha = crypto.createHash('sha256').update(fs.readFileSync(o.scope)).digest('hex');
  let dir, state;
  if (o.resume) {
    dir = fs.realpathSync(path.resolve(o.resume));
    state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    if (state.scopeSha !== scopeSha) process.stderr.write('mutate: warning: the scope changed since this run started\n');
    if (o.rerun) rerunOutcomes(state, o.rerun, scopeSha);
  } else {
    const seed = o.seed !== null ? o.seed : crypto.randomBytes(4).readUInt32LE(0);
    const runId = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15) + '-' + process.pid;
    dir = path.resolve(ROOT, o.reportDir, runId);
    fs.mkdirSync(dir, { recursive: true });
    let ids, capped = true;
    if (o.mutants.length) {
      for (const id of o.mutants) if (!byId.has(id)) die(`no mutant ${id} (see --list)`);
      ids = o.mutants;
    } else ({ ids, capped } = sample(all, o.sample, seed));
    state = { runId, seed, requested: o.sample || null, capped, scopeSha, git: gitDescribe(), sample: ids, results: {} };
    saveState(dir, state);
    const latest = path.resolve(ROOT, o.reportDir, 'latest');
    try { fs.unlinkSync(latest); } catch (e) { /* none */ }
    fs.symlinkSync(runId, latest);
  }
  const log = (s) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  for (const id of state.sample) if (!byId.has(id)) die(`the sample names ${id}, which the scope no longer gives`);
  const builders = [];
  for (let w = 0; w < o.jobs; w++) builders.push(new Builder(o.build, path.join(dir, 'work', `w${w}`)));
  for (const m of state.sample.map(id => byId.get(id)))
    for (const p of m.peers) { const st = builders[0].stale(m.file, p); if (st) die(st); }
  const profiles = [...new Set(state.sample.flatMap(id => byId.get(id).peers).flatMap(p => profMap[p] || []))];
  await baseline(o, profiles, state, path.join(dir, 'work'), log);
  saveState(dir, state);
  const todo = state.sample.filter(id => !state.results[id] && !eq.has(id));
  log(`${state.sample.length} mutants in the sample, ${todo.length} to run, ${o.jobs} at once; report ${dir}`);
  let n = state.sample.length - todo.length;
  await pool(todo, o.jobs, async (id, w) => {
    if (Date.now() > deadline) return;
    const m = byId.get(id);
    const r = await runMutant(o, m, builders[w], profMap, state, path.join(dir, 'work', `w${w}`));
    state.results[id] = r;
    n++;
    const by = r.killedBy ? ` by ${r.killedBy.map(k => `${k.test}@${k.profile}${k.covering ? '' : ' (not covering)'}`).join(', ')}` : '';
    log(`${n}/${state.sample.length} ${id}: ${r.outcome}${by} (${r.seconds}s)`);
    saveState(dir, state);
    writeReport(dir, state, eq);
  });
  const s = writeReport(dir, state, eq);
  saveState(dir, state);
  log(`score: killed ${s.killed + s.timedOut}/${s.nonEquivalent} (${pct(s.score)}), by a covering test ${s.killedByCovering}/${s.nonEquivalent} (${pct(s.scoreCovering)}); ` +
    `${s.survived} survived, ${s.didNotBuild} did not build, ${s.equivalentObject + s.declaredEquivalent} equivalent${s.notRun ? `, ${s.notRun} not run` : ''}`);
  log(`report: ${path.join(dir, 'report.md')}`);
  return 0;
}

// smoke.tsv: file, function, class, mutant code, a piece of the mutated source line that
// picks the site inside the function (the first site of that class on such a line), profile,
// the test that must kill it. Sites are found by their text, not their number, so that an edit
// elsewhere in the function does not move a row to another site.
async function mainSmoke(o) {
  const scope = loadScope(o.scope);
  const all = enumerate(scope);
  const rows = readTsv(o.smoke).map(({ cols, line }) => ({ file: cols[0], fn: cols[1], cls: cols[2], code: cols[3],
    text: cols[4], profile: cols[5], test: cols[6], line }));
  const profMap = loadProfiles(o.profiles);
  let bad = 0;
  const say = (s) => process.stdout.write(s + '\n');
  const classes = new Set();
  const byId = new Map();
  for (const r of rows) {
    if (!r.test) { say(`FAIL ${o.smoke}:${r.line}: needs file, function, class, code, line text, profile, test`); bad++; continue; }
    const m = all.find(x => x.file === r.file && x.fn === r.fn && x.cls === r.cls && x.id.endsWith(':' + r.code) &&
      siteLine(x).includes(r.text));
    if (!m) { say(`FAIL ${o.smoke}:${r.line}: no ${r.cls} mutant '${r.code}' in ${r.file} ${r.fn} on a line with '${r.text}' (the source changed: pick a site from --list)`); bad++; continue; }
    r.id = m.id;
    byId.set(m.id, m);
    classes.add(m.cls);
  }
  for (const c of CLASSES) if (!classes.has(c)) { say(`FAIL ${o.smoke}: no mutant of class ${c} (${CLASS_NAMES[c]})`); bad++; }
  if (bad) return 1;
  const work = path.join(o.reportDirGiven ? path.resolve(ROOT, o.reportDir) : path.join(o.build, "mutate"), "smoke");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  // the positive control: every named test passes against the intact peers
  const byProfile = {};
  for (const r of rows) (byProfile[r.profile] = byProfile[r.profile] || new Set()).add(r.test);
  for (const [p, tests] of Object.entries(byProfile)) {
    const res = await runHarness(o, p, [...tests], {}, work, 5 * 60 * 1000);
    for (const t of tests) {
      const v = res.tests[t] ? res.tests[t].verdict : 'not run';
      if (!PASS_VERDICTS.has(v)) { say(`FAIL intact peers: ${t}@${p} is ${v}, not pass\n${res.out}`); bad++; }
    }
  }
  if (bad) return 1;
  const builders = [];
  for (let w = 0; w < o.jobs; w++) builders.push(new Builder(o.build, path.join(work, `w${w}`)));
  await pool(rows, o.jobs, async (r, w) => {
    const m = byId.get(r.id);
    const peer = Object.keys(profMap).find(p => profMap[p].includes(r.profile));
    const st = builders[w].stale(m.file, peer);
    if (st) { say(`FAIL ${r.id}: ${st}`); bad++; return; }
    const b = builders[w].mutant(m, [peer]);
    if (!b.ok) { say(`FAIL ${r.id}: did not build\n${b.log}`); bad++; return; }
    if (b.same) { say(`FAIL ${r.id}: same object code as the intact source`); bad++; return; }
    const res = await runHarness(o, r.profile, [r.test], b.bins, path.join(work, `w${w}`), 5 * 60 * 1000);
    const v = res.tests[r.test] ? res.tests[r.test].verdict : (res.timedOut ? 'timed out' : 'not run');
    if (KILL_VERDICTS.has(v)) say(`ok   ${m.cls.padEnd(5)} ${r.id} killed by ${r.test}@${r.profile} (${v})`);
    else { say(`FAIL ${r.id}: ${r.test}@${r.profile} is ${v}: the mutant survived\n${m.diff}`); bad++; }
  });
  say(bad ? `${bad} smoke mutant(s) not killed` : `${rows.length} smoke mutants, each killed by its test`);
  return bad ? 1 : 0;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.checkScope) process.exit(checkScope(o));
  if (o.list) {
    const eq = loadEquivalents(o.equivalent);
    for (const m of enumerate(loadScope(o.scope)))
      process.stdout.write(`${m.id}\t${m.covers.join(' ')}\t${m.file}:${m.line}\t${m.orig.replace(/\s+/g, ' ').slice(0, 60)} -> ${m.text.replace(/\s+/g, ' ').trim().slice(0, 60)}${eq.has(m.id) ? '\t(declared equivalent)' : ''}${m.faultOnly ? '\t(only under a fault switch: never sampled)' : ''}${m.timelineOnly ? '\t(only feeds a timeline the peers do not keep: never sampled)' : ''}\n`);
    process.exit(0);
  }
  if (o.smoke) process.exit(await mainSmoke(o));
  process.exit(await mainRun(o));
}

main().catch(e => { process.stderr.write(`mutate: ${e.stack || e}\n`); process.exit(2); });
