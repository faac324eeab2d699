#!/usr/bin/env node
// Loads m2m-harness HTML reports in a real browser (Debian's headless Chromium) and checks
// them over the DevTools protocol (the ws package, pinned in package-lock.json):
//   - every page loads without console errors, uncaught exceptions or failed loads;
//   - a profile's report.html: the filters (verdict, role, area) show exactly the rows and
//     test sections that match and hide the others, and showing "all" brings every row back;
//     every sequence chart renders (a non-zero box, its lanes and rows drawn); ids are unique;
//     every in-page link has its target and every file it links exists;
//   - index.html (a run over several profiles): every folder beside it that holds a
//     report.html is linked, each link's target exists and loads without errors, and each
//     linked report.html gets the checks above.
// Usage: node html-check.js [--timeout SECONDS] [--chromium PATH] FILE.html...
// Prints ok:/FAIL: lines; exit 0 when all checks pass, 1 on any failure (a missing browser
// included), 2 on bad usage. It never outlives its timeout (default 60 s) and ends the
// browser it started.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { pathToFileURL, fileURLToPath } = require('url');

let timeoutSec = 60;
let chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--timeout' && i + 1 < argv.length) timeoutSec = Number(argv[++i]);
  else if (argv[i] === '--chromium' && i + 1 < argv.length) chromiumPath = argv[++i];
  else if (argv[i].startsWith('-')) usage();
  else files.push(path.resolve(argv[i]));
}
if (!files.length || !(timeoutSec > 0)) usage();
function usage() {
  console.error('usage: html-check.js [--timeout SECONDS] [--chromium PATH] FILE.html...');
  process.exit(2);
}

let failures = 0;
const ok = (m) => console.log('ok: ' + m);
const fail = (m) => { console.log('FAIL: ' + m); failures++; };

let WebSocket;
try { WebSocket = require('ws'); } catch (e) {
  fail('the npm package ws is missing (tools/node/node_modules): run tools/setup/install-deps.sh');
  process.exit(1);
}
if (!fs.existsSync(chromiumPath)) {
  fail(`${chromiumPath} not found: the browser check needs Debian's chromium package (run tools/setup/install-deps.sh)`);
  process.exit(1);
}

// ---- the browser ----------------------------------------------------------------------
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'm2m-html-check-'));
let browser = null;
let browserLog = '';
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (browser && browser.exitCode === null && browser.signalCode === null) {
    try { process.kill(-browser.pid, 'SIGKILL'); } catch (e) { try { browser.kill('SIGKILL'); } catch (e2) { /* gone */ } }
  }
  try { fs.rmSync(profileDir, { recursive: true, force: true }); } catch (e) { /* best effort */ }
}
function finish(code) {
  cleanup();
  process.exit(code);
}
process.on('SIGTERM', () => { fail('terminated'); finish(1); });
process.on('SIGINT', () => { fail('interrupted'); finish(1); });
setTimeout(() => {
  fail(`timed out after ${timeoutSec} s`);
  if (browserLog.trim()) console.log('  chromium said:\n' + tail(browserLog));
  finish(1);
}, timeoutSec * 1000).unref();

function tail(s) { return s.trim().split('\n').slice(-15).map((l) => '  | ' + l).join('\n'); }

function startBrowser() {
  // --no-sandbox: as root (CI, containers) Chromium refuses to start with its sandbox; the
  // pages are the harness's own local files. No network at all: the background services
  // are off and every host name fails to resolve, so a report that loads anything from the
  // network shows up as a failed load.
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0',
    '--remote-debugging-address=127.0.0.1', `--user-data-dir=${profileDir}`,
    '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--disable-sync',
    '--disable-background-networking', '--disable-component-update', '--disable-default-apps',
    '--disable-domain-reliability', '--disable-client-side-phishing-detection', '--no-pings',
    '--metrics-recording-only', '--disable-features=Translate,MediaRouter,OptimizationHints',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--mute-audio', 'about:blank'];
  browser = spawn(chromiumPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  browser.stdout.on('data', (d) => { browserLog += d; });
  browser.stderr.on('data', (d) => { browserLog += d; });
  return new Promise((resolve, reject) => {
    const portFile = path.join(profileDir, 'DevToolsActivePort');
    let done = false;
    browser.on('error', (e) => { if (!done) { done = true; reject(new Error(`cannot start ${chromiumPath}: ${e.message}`)); } });
    browser.on('exit', (code, sig) => {
      if (!done) { done = true; reject(new Error(`${chromiumPath} exited (${sig || 'status ' + code}) before it opened its DevTools port`)); }
    });
    const poll = () => {
      if (done) return;
      let lines = null;
      try { lines = fs.readFileSync(portFile, 'utf8').split('\n'); } catch (e) { /* not yet */ }
      if (lines && lines.length >= 2 && lines[0] && lines[1]) {
        done = true;
        resolve(`ws://127.0.0.1:${lines[0].trim()}${lines[1].trim()}`);
      } else setTimeout(poll, 50);
    };
    poll();
  });
}

// ---- a minimal DevTools protocol client (flat sessions) ---------------------------------
class Cdp {
  constructor(url) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    this.next = 1;
    this.pending = new Map();
    this.listeners = new Map();   // sessionId -> fn(method, params)
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.id !== undefined) {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
        else p.resolve(m.result);
      } else if (m.method) {
        const l = this.listeners.get(m.sessionId || '');
        if (l) l(m.method, m.params || {});
      }
    });
    this.ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error(`${p.method}: the browser closed the connection`));
      this.pending.clear();
    });
  }
  send(method, params = {}, sessionId) {
    const id = this.next++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify(msg));
    });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Opens url in a new tab, collects every error until close(); resolves once loaded.
async function openPage(cdp, url) {
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const errors = [];
  const urls = new Map();
  let loaded;
  const loadedP = new Promise((r) => { loaded = r; });
  cdp.listeners.set(sessionId, (method, p) => {
    if (method === 'Runtime.exceptionThrown') {
      const d = p.exceptionDetails || {};
      const what = (d.exception && d.exception.description) || d.text || 'exception';
      errors.push(`uncaught exception: ${what.split('\n')[0]} (line ${(d.lineNumber || 0) + 1})`);
    } else if (method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
      errors.push(`console.${p.type}: ${(p.args || []).map((a) => a.value !== undefined ? a.value : a.description).join(' ')}`);
    } else if (method === 'Log.entryAdded' && p.entry && p.entry.level === 'error') {
      errors.push(`console error (${p.entry.source}): ${p.entry.text}${p.entry.url ? ' ' + p.entry.url : ''}`);
    } else if (method === 'Network.requestWillBeSent') {
      urls.set(p.requestId, p.request.url);
    } else if (method === 'Network.loadingFailed' && !p.canceled) {
      errors.push(`failed load: ${urls.get(p.requestId) || 'request ' + p.requestId}: ${p.errorText}` +
        (p.blockedReason ? ' (' + p.blockedReason + ')' : ''));
    } else if (method === 'Page.loadEventFired') {
      loaded();
    }
  });
  for (const d of ['Runtime.enable', 'Log.enable', 'Network.enable', 'Page.enable'])
    await cdp.send(d, {}, sessionId);
  const nav = await cdp.send('Page.navigate', { url }, sessionId);
  if (nav.errorText) errors.push(`navigation failed: ${nav.errorText}`);
  else await loadedP;
  await sleep(100);   // late errors: a script scheduled after load
  const evaluate = async (fn, ...args) => {
    const r = await cdp.send('Runtime.evaluate', {
      expression: `(${fn.toString()})(...${JSON.stringify(args)})`, returnByValue: true, awaitPromise: true,
    }, sessionId);
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error((d.exception && d.exception.description) || d.text);
    }
    return r.result.value;
  };
  const close = async () => {
    await sleep(50);
    cdp.listeners.delete(sessionId);
    await cdp.send('Target.closeTarget', { targetId }).catch(() => {});
  };
  return { evaluate, errors, close };
}

// ---- checks that run in the page --------------------------------------------------------
// What kind of page: the index of a run over several profiles, or one profile's report.
function pageKind() {
  if (document.querySelector('table.profiles')) return 'index';
  if (document.getElementById('f-verdict')) return 'report';
  return 'unknown';
}

// The filters: each option of each select shows exactly the rows (summary table) and test
// sections whose data-* attribute matches and hides all others; two filters together show
// the intersection; "all" shows everything again. The selects are driven as a user does:
// a new value and a change event, which runs the page's own handler.
function checkFilters() {
  const out = [];
  const keys = ['verdict', 'role', 'area'];
  const shown = (e) => e.getClientRects().length > 0;
  const rows = [...document.querySelectorAll('table.summary tr.filterable')];
  const sections = [...document.querySelectorAll('section.test.filterable')];
  const items = rows.concat(sections);
  const pick = (key, value) => {
    const s = document.getElementById('f-' + key);
    s.value = value;
    s.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const state = (sel) => {
    const bad = items.filter((e) => shown(e) !== sel(e));
    return { rows: rows.filter(shown).length, sections: sections.filter(shown).length, bad: bad.length,
      first: bad.length ? name(bad[0]) + (shown(bad[0]) ? ' shown' : ' hidden') : '' };
  };
  const name = (e) => e.tagName === 'TR' ? 'row ' + e.cells[0].textContent : 'section ' + e.id;
  const matches = (e, f) => Object.keys(f).every((k) => !f[k] || e.getAttribute('data-' + k) === f[k]);
  if (!rows.length) { out.push({ ok: false, msg: 'no rows in the summary table to filter' }); return out; }
  const all = state(() => true);
  out.push({ ok: all.bad === 0, msg: `before any filter: ${all.rows} rows and ${all.sections} test sections shown` +
    (all.bad ? `; ${all.bad} hidden (${all.first})` : '') });
  let hid = 0;
  for (const key of keys) {
    const s = document.getElementById('f-' + key);
    if (!s) { out.push({ ok: false, msg: `no filter f-${key}` }); continue; }
    const values = [...s.options].map((o) => o.value).filter((v) => v !== '');
    const present = [...new Set(rows.map((r) => r.getAttribute('data-' + key) ?? `(a row without data-${key})`))];
    const missing = present.filter((v) => !values.includes(v));
    out.push({ ok: missing.length === 0 && values.length === present.length,
      msg: `filter ${key} offers ${values.length} value(s) [${values.join(' ')}] for the ${present.length} in the rows` +
        (missing.length ? `; missing: ${missing.join(' ')}` : '') });
    for (const v of values) {
      pick(key, v);
      const f = { [key]: v };
      const st = state((e) => matches(e, f));
      const want = rows.filter((e) => matches(e, f)).length;
      if (st.rows < rows.length) hid++;
      out.push({ ok: st.bad === 0 && st.rows === want && want > 0,
        msg: `filter ${key}=${v}: ${st.rows} of ${rows.length} rows and ${st.sections} of ${sections.length} sections shown, ` +
          `${want} expected` + (st.bad ? `; ${st.bad} wrong, first: ${st.first}` : '') });
    }
    pick(key, '');
    const back = state(() => true);
    out.push({ ok: back.bad === 0, msg: `filter ${key}=all: ${back.rows} of ${rows.length} rows shown again` +
      (back.bad ? `; ${back.bad} still hidden (${back.first})` : '') });
  }
  // Two filters at once: the intersection.
  const v0 = rows[0].getAttribute('data-verdict'), a0 = rows[0].getAttribute('data-area');
  pick('verdict', v0);
  pick('area', a0);
  const f2 = { verdict: v0, area: a0 };
  const both = state((e) => matches(e, f2));
  out.push({ ok: both.bad === 0, msg: `filters verdict=${v0} and area=${a0} together: ${both.rows} row(s) shown` +
    (both.bad ? `; ${both.bad} wrong, first: ${both.first}` : '') });
  pick('verdict', '');
  pick('area', '');
  const verdicts = new Set(rows.map((r) => r.getAttribute('data-verdict'))).size;
  out.push({ ok: verdicts < 2 || hid > 0, msg: verdicts < 2
    ? 'one verdict only: the filters have nothing to hide'
    : `the filters hid rows for ${hid} choice(s)` });
  return out;
}

// The sequence charts: each one has a box on the page, its two lanes and its rows drawn.
function checkCharts() {
  const out = [];
  const charts = [...document.querySelectorAll('svg.msc')];
  const sections = document.querySelectorAll('section.test').length;
  if (sections && !charts.length) out.push({ ok: false, msg: `no sequence chart in ${sections} test section(s)` });
  let bad = 0;
  charts.forEach((svg, i) => {
    const where = (svg.closest('section') || {}).id || `chart ${i + 1}`;
    const r = svg.getBoundingClientRect();
    const lanes = [...svg.querySelectorAll('rect.lane')].filter((e) => { const b = e.getBBox(); return b.width > 0 && b.height > 0; });
    const names = [...svg.querySelectorAll('text.lanename')].filter((e) => e.getBBox().width > 0);
    const rows = [...svg.querySelectorAll('g.row')];
    const drawn = rows.filter((g) => { const b = g.getBBox(); return b.width > 0 && b.height > 0; });
    const arrows = [...svg.querySelectorAll('line.msg')];
    const marker = svg.querySelector('marker');
    const arrowsOk = arrows.every((l) => {
      const m = /url\(#([^)]+)\)/.exec(l.getAttribute('marker-end') || '');
      return m && svg.querySelector('marker#' + CSS.escape(m[1])) === marker;
    });
    const problems = [];
    if (!(r.width > 0 && r.height > 0)) problems.push(`box ${r.width}x${r.height}`);
    if (lanes.length !== 2 || names.length !== 2) problems.push(`${lanes.length} lane(s), ${names.length} lane name(s) drawn`);
    if (!rows.length || drawn.length !== rows.length) problems.push(`${drawn.length} of ${rows.length} rows drawn`);
    if (!arrowsOk) problems.push('an arrow names a marker outside its chart');
    if (problems.length) { bad++; out.push({ ok: false, msg: `sequence chart of ${where}: ${problems.join('; ')}` }); }
  });
  if (charts.length)
    out.push({ ok: bad === 0, msg: `${charts.length - bad} of ${charts.length} sequence chart(s) render (box, lanes, every row)` });
  return out;
}

// Ids unique; every in-page link has its target; the files the page links, for the caller to check.
function linksAndIds() {
  const ids = new Map();
  for (const e of document.querySelectorAll('[id]')) ids.set(e.id, (ids.get(e.id) || 0) + 1);
  const dups = [...ids].filter(([, n]) => n > 1).map(([id]) => id);
  const anchors = [...document.querySelectorAll('a[href]')];
  const broken = [...new Set(anchors.map((a) => a.getAttribute('href')))].filter((h) => h.startsWith('#'))
    .filter((h) => !document.getElementById(decodeURIComponent(h.slice(1))));
  const external = anchors.map((a) => a.href).filter((h) => !h.startsWith('file:'));
  const fileLinks = [...new Set(anchors.map((a) => a.href).filter((h) => h.startsWith('file:')).map((h) => h.split('#')[0]))]
    .filter((h) => h !== location.href.split('#')[0]);
  return { dups, broken, inPage: anchors.length - fileLinks.length, external, fileLinks,
    profileRows: document.querySelectorAll('table.profiles tr.profile').length };
}

// ---- per page ----------------------------------------------------------------------------
const checked = new Set();

function report(name, results) {
  for (const r of results) (r.ok ? ok : fail)(`${name}: ${r.msg}`);
}

async function checkPage(cdp, file, expect) {
  if (checked.has(file)) return;
  checked.add(file);
  const name = path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) { fail(`${name}: no such file`); return; }
  const url = pathToFileURL(file).href;
  const page = await openPage(cdp, url);
  const isHtml = /\.html?$/.test(file);
  let links = null;
  let kind = null;
  if (isHtml) try {
    kind = await page.evaluate(pageKind);
    if (expect && kind !== expect) fail(`${name}: expected a ${expect} page, found ${kind}`);
    if (kind === 'unknown') fail(`${name}: neither a run's index.html nor a profile's report.html`);
    if (kind === 'report') {
      const r = await page.evaluate(checkFilters);
      report(name, r);
      report(name, await page.evaluate(checkCharts));
    }
    links = await page.evaluate(linksAndIds);
    (links.dups.length ? fail : ok)(`${name}: ${links.dups.length ? 'duplicate ids: ' + links.dups.slice(0, 5).join(' ') : 'ids unique'}`);
    (links.broken.length ? fail : ok)(`${name}: ${links.broken.length ? 'in-page links without a target: ' + links.broken.slice(0, 5).join(' ') : 'every in-page link has its target'}`);
    if (links.external.length) fail(`${name}: links outside the report's files: ${links.external.slice(0, 3).join(' ')}`);
    if (kind === 'index') {
      // Every profile folder beside the index is linked, and the index lists a row for each.
      const dir = path.dirname(file);
      const linked = new Set(links.fileLinks.map((h) => fileURLToPath(h)));
      const folders = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'report.html')));
      const unlinked = folders.filter((d) => !linked.has(path.join(dir, d, 'report.html')));
      (folders.length && !unlinked.length ? ok : fail)(`${name}: ${folders.length} profile folder(s) with a report.html` +
        (unlinked.length ? `; not linked: ${unlinked.join(' ')}` : ', each linked'));
      (links.profileRows === folders.length ? ok : fail)(`${name}: ${links.profileRows} profile row(s) for ${folders.length} folder(s)`);
    }
  } catch (e) {
    fail(`${name}: the checks in the page failed: ${e.message.split('\n')[0]}`);
  }
  await page.close();
  const errs = page.errors;
  (errs.length ? fail : ok)(`${name}: ${errs.length ? errs.length + ' error(s) in the browser' : 'loads without console errors, exceptions or failed loads'}`);
  for (const e of errs.slice(0, 10)) console.log('  ' + e);
  if (!links) return;
  // The files the page links: each exists; an index's targets are opened in turn.
  const missing = links.fileLinks.map((h) => fileURLToPath(h)).filter((f) => !fs.existsSync(f));
  (missing.length ? fail : ok)(`${name}: ${missing.length ? 'linked files missing: ' + missing.map((f) => path.relative(path.dirname(file), f)).slice(0, 5).join(' ')
    : `all ${links.fileLinks.length} linked file(s) exist`}`);
  if (kind === 'index')
    for (const h of links.fileLinks) {
      const f = fileURLToPath(h);
      if (fs.existsSync(f)) await checkPage(cdp, f, /report\.html$/.test(f) ? 'report' : null);
    }
}

(async () => {
  try {
    const wsUrl = await startBrowser();
    const cdp = new Cdp(wsUrl);
    await cdp.opened;
    const t0 = Date.now();
    for (const f of files) await checkPage(cdp, f, null);
    await cdp.send('Browser.close').catch(() => {});
    console.log(`html-check: ${checked.size} page(s) checked in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${failures} failure(s)`);
  } catch (e) {
    fail(e.message);
    if (browserLog.trim()) console.log('  chromium said:\n' + tail(browserLog));
  }
  finish(failures ? 1 : 0);
})();
