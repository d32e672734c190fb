// The console in a real browser: Debian's chromium driven by puppeteer-core
// against a real csms with simulated stations (ocpp-sim). Ephemeral ports, a
// temporary directory, conditions waited for (never fixed sleeps), a watchdog
// so it never hangs, and everything it started stopped at the end.
//
// usage: node console.test.mjs --modules DIR --bin BUILD/bin [--screenshots DIR]
//   --modules   node_modules holding puppeteer-core (npm ci of this folder)
//   --bin       the folder with csms, csmsctl and ocpp-sim
//   --screenshots  also write PNGs of the main pages there (make console-screenshots)
// CHROMIUM=/path overrides /usr/bin/chromium.
import { spawn, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
  return acc;
}, []));
const bin = resolve(args.bin || 'build/bin');
const modules = resolve(args.modules || join(import.meta.dirname || '.', 'node_modules'));
const shots = args.screenshots ? resolve(args.screenshots) : '';
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'console-test-token-0123456789abcdef';

const children = [];
let browser = null;
const work = mkdtempSync(join(tmpdir(), 'csms-console-'));
let failures = 0;

function log(...m) { console.log(`[console-test] ${m.join(' ')}`); }
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
// The whole run has a deadline: a hang fails, it never blocks the suite.
const watchdog = setTimeout(async () => {
  console.error('[console-test] FAIL: the test did not finish within 240 s');
  try { if (browser) await browser.close(); } catch { /* going anyway */ }
  process.exit(1);
}, 240000);

function fail(message) { throw new Error(message); }

/** Waits until `f()` returns a truthy value (polling every 50 ms), or fails naming `what`. */
async function eventually(what, f, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { const v = await f(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > end) fail(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function start(name, file, argv) {
  const child = spawn(file, argv, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  child.out = '';
  child.err = '';
  child.stdout.on('data', (d) => { child.out += d; });
  child.stderr.on('data', (d) => { child.err += d; });
  child.name = name;
  children.push(child);
  return child;
}

let adminUrl = '';
let ocppUrl = '';
async function adminApi(path, { method = 'GET', body, token = TOKEN } = {}) {
  const r = await fetch(adminUrl + path, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, data: text ? JSON.parse(text) : null };
}
async function must(path, opts) {
  const r = await adminApi(path, opts);
  if (r.status >= 300) fail(`${opts?.method || 'GET'} ${path}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}
function csmsctl(...argv) {
  return new Promise((res, rej) => execFile(join(bin, 'csmsctl'), ['--url', adminUrl, '--token', TOKEN, ...argv],
    { timeout: 20000 }, (err, stdout, stderr) => (err ? rej(new Error(`csmsctl ${argv.join(' ')}: ${stderr || err.message}`)) : res(stdout))));
}

const results = [];
async function check(name, f) {
  const t0 = Date.now();
  try {
    await f();
    results.push(`ok   ${name} (${Date.now() - t0} ms)`);
    log(`ok   ${name}`);
  } catch (e) {
    failures++;
    results.push(`FAIL ${name}: ${e.message}`);
    log(`FAIL ${name}: ${e.message}`);
  }
}

async function main() {
  // Without the browser there is no test: say so and fail, never skip.
  if (!existsSync(chromium)) fail(`chromium not found at ${chromium}: install it (apt-get install chromium; make test does) or set CHROMIUM`);
  let puppeteer;
  try {
    puppeteer = createRequire(join(modules, 'noop.js'))('puppeteer-core');
  } catch (e) {
    fail(`puppeteer-core not found under ${modules} (npm ci in tests/browser): ${e.message}`);
  }
  for (const b of ['csms', 'csmsctl', 'ocpp-sim']) if (!existsSync(join(bin, b))) fail(`${join(bin, b)} is missing (build first)`);

  // ---- the server and its stations ------------------------------------------
  const csms = start('csms', join(bin, 'csms'), ['--db', join(work, 'csms.db'), '--ocpp-port', '0', '--admin-port', '0',
    '--uploads-listen', '127.0.0.1:0', '--admin-token', TOKEN, '--heartbeat-interval', '60']);
  await eventually('csms to print its ports', () => {
    const a = csms.err.match(/admin API\s+(http:\/\/[0-9.:]+)/);
    const o = csms.err.match(/chargers connect to\s+(ws:\/\/[0-9.:]+)/);
    if (csms.exitCode !== null) fail(`csms exited: ${csms.err}`);
    if (a && o) { adminUrl = a[1]; ocppUrl = `${o[1]}/ocpp`; }
    return a && o;
  });
  log(`csms at ${adminUrl}, stations at ${ocppUrl}`);
  for (const id of ['CP-1', 'CS-2', 'CP-3']) await must('/api/stations', { method: 'POST', body: { id } });
  await must('/api/idtags', { method: 'POST', body: { idTag: 'TAG-1' } });
  await must('/api/sites', { method: 'POST', body: { id: 'SH-01', name: 'Depot Shanghai', timezone: 'UTC' } });
  await must('/api/stations/CP-1/carbon', { method: 'POST', body: { siteId: 'SH-01' } });
  await must('/api/stations/CS-2/carbon', { method: 'POST', body: { siteId: 'SH-01' } });
  await must('/api/sites/SH-01/energy', { method: 'POST', body: { importLimitKw: 40, periodS: 5 } });
  await must('/api/sites/SH-01/readings', { method: 'POST', body: { gridW: 12500, pvW: 6200, batteryW: -1500, batterySoc: 64 } });

  const sims = {
    'CP-1': start('CP-1', join(bin, 'ocpp-sim'), ['--url', ocppUrl, '--id', 'CP-1', '--ocpp', '1.6', '--meter-interval', '1', '--power-w', '11000']),
    'CS-2': start('CS-2', join(bin, 'ocpp-sim'), ['--url', ocppUrl, '--id', 'CS-2', '--ocpp', '2.0.1', '--connectors', '2']),
    'CP-3': start('CP-3', join(bin, 'ocpp-sim'), ['--url', ocppUrl, '--id', 'CP-3', '--ocpp', '1.6']),
  };
  await eventually('three stations online', async () => (await must('/api/stations')).filter((s) => s.connected).length === 3);

  // ---- the browser ------------------------------------------------------------
  browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  // A Content-Security-Policy violation is a bug of the console, not noise.
  page.on('console', (m) => { if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) consoleErrors.push(m.text()); });
  const text = (sel) => page.$eval(sel, (e) => e.textContent.trim());
  const go = async (hash) => { await page.evaluate((h) => { location.hash = h; }, hash); };

  await check('sign-in with an API token', async () => {
    await page.goto(`${adminUrl}/console/`, { waitUntil: 'load' });
    await page.waitForSelector('#token', { timeout: 10000 });
    if (shots) await page.screenshot({ path: join(shots, 'signin.png') });
    // A wrong token is refused with the server's message.
    await page.type('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await page.waitForSelector('.signin .error', { timeout: 5000 });
    const refused = await text('.signin .error');
    if (!/invalid bearer token/.test(refused)) fail(`unexpected refusal: ${refused}`);
    await page.$eval('#token', (e) => { e.value = ''; });
    await page.type('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav[aria-label=Main]', { timeout: 10000 });
    await page.waitForSelector('[data-live=on]', { timeout: 10000 });
  });

  // The overview's counts against what csmsctl --json says.
  const overviewMatches = async () => {
    await go('#/');
    const stations = JSON.parse(await csmsctl('--json', 'station', 'list'));
    const active = JSON.parse(await csmsctl('--json', 'tx', 'list', '--active'));
    const want = {
      online: stations.filter((s) => s.connected).length,
      offline: stations.filter((s) => !s.connected).length,
      running: active.length,
    };
    await eventually(`overview showing ${JSON.stringify(want)}`, async () => {
      const got = {};
      for (const k of Object.keys(want)) got[k] = Number(await text(`[data-k=${k}]`));
      return Object.keys(want).every((k) => got[k] === want[k]);
    }, 10000);
    return want;
  };
  await check('the overview numbers match csmsctl --json', async () => {
    await overviewMatches();
  });

  let txId = null;
  await check('a remote start from the station page reaches the simulator and its session appears', async () => {
    await go('#/stations/CP-1');
    await page.waitForSelector('form[data-command=remote-start] input[name=idTag]', { timeout: 10000 });
    await page.type('form[data-command=remote-start] input[name=idTag]', 'TAG-1');
    await page.click('form[data-command=remote-start] button[type=submit]');
    await page.waitForSelector('li[data-answer=remote-start]', { timeout: 15000 });
    const answer = await text('li[data-answer=remote-start]');
    if (!/Accepted/.test(answer)) fail(`the answer shown is not Accepted: ${answer}`);
    await eventually('the simulator to receive RemoteStartTransaction',
      () => sims['CP-1'].out.includes('"event":"received","action":"RemoteStartTransaction"'));
    // Its session appears on the station page (live, no reload).
    await page.waitForFunction(() => [...document.querySelectorAll('main a[href^="#/sessions/"]')].length > 0, { timeout: 10000 });
    const active = await must('/api/transactions?stationId=CP-1&active=true');
    if (active.length !== 1) fail(`expected one running session on CP-1, the API has ${active.length}`);
    txId = active[0].id;
    const shown = await page.$$eval('main a[href^="#/sessions/"]', (as) => as.map((a) => a.textContent.trim()));
    if (!shown.includes(String(txId))) fail(`session ${txId} not shown on the station page (${shown})`);
    if (shots) await page.screenshot({ path: join(shots, 'station.png'), fullPage: true });
    const want = await overviewMatches();
    if (want.running !== 1) fail(`csmsctl counts ${want.running} running sessions, not 1`);
    if (shots) await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
  });

  await check("a session's meter chart renders", async () => {
    if (txId === null) fail('no session (the remote start failed)');
    await eventually('meter samples of the session', async () =>
      (await must(`/api/transactions/${txId}`)).samples.filter((s) => s.measurand === 'Energy.Active.Import.Register').length >= 3, 20000);
    await go(`#/sessions/${txId}?station=CP-1`);
    await page.waitForSelector('[data-chart=meter] canvas', { timeout: 15000 });
    const size = await page.$eval('[data-chart=meter] canvas', (c) => [c.width, c.height]);
    if (size[0] < 100 || size[1] < 100) fail(`the chart canvas is ${size}`);
    if (shots) await page.screenshot({ path: join(shots, 'session.png'), fullPage: true });
  });

  await check('a remote stop from the station page ends the session, whose page then shows its carbon record', async () => {
    if (txId === null) fail('no session (the remote start failed)');
    await go('#/stations/CP-1');
    await page.waitForSelector('form[data-command=remote-stop] input[name=transactionId]', { timeout: 10000 });
    await page.waitForFunction((id) => document.querySelector('form[data-command=remote-stop] input[name=transactionId]').value === String(id),
      { timeout: 5000 }, txId);
    await page.click('form[data-command=remote-stop] button[type=submit]');
    await page.waitForSelector('li[data-answer=remote-stop][data-ok=yes]', { timeout: 15000 });
    await eventually('the session to end', async () => (await must(`/api/transactions/${txId}`)).stopTime);
    await go(`#/sessions/${txId}?station=CP-1`);
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-k=verification]');
      return v && !/no carbon record/.test(v.textContent);
    }, { timeout: 15000 });
    if (shots) await page.screenshot({ path: join(shots, 'session.png'), fullPage: true });
  });

  await check('a station going offline shows within 2 s', async () => {
    await go('#/stations');
    await page.waitForSelector('tr[data-station=CP-3] td[data-online=yes]', { timeout: 10000 });
    const t0 = Date.now();
    sims['CP-3'].kill('SIGKILL');
    await page.waitForSelector('tr[data-station=CP-3] td[data-online=no]', { timeout: 2000 });
    log(`offline shown after ${Date.now() - t0} ms`);
    if (shots) await page.screenshot({ path: join(shots, 'stations.png'), fullPage: true });
  });

  await check("a station's uptime chart renders its online/offline history for 24 h and 7 d", async () => {
    // CP-3 was online, then went offline above: its history has both.
    await go('#/stations/CP-3');
    await page.waitForSelector('[data-chart=uptime][data-period="24h"] canvas', { timeout: 15000 });
    const size = await page.$eval('[data-chart=uptime] canvas', (c) => [c.width, c.height]);
    if (size[0] < 100 || size[1] < 50) fail(`the uptime chart canvas is ${size}`);
    const shown = await page.$eval('[data-k=uptime-percent]', (e) => e.textContent.trim());
    const api = await must('/api/stations/CP-3/uptime?period=24h');
    if (!api.segments.some((x) => x.online) || api.segments[api.segments.length - 1].online)
      fail(`CP-3's uptime segments do not end offline after being online: ${JSON.stringify(api.segments)}`);
    if (shown !== `${Number(api.onlinePercent).toFixed(2)} %`) fail(`uptime shown as ${shown}, the API says ${api.onlinePercent}`);
    await page.click('button[data-period="7d"]');
    await page.waitForSelector('[data-chart=uptime][data-period="7d"] canvas', { timeout: 10000 });
  });

  await check('a viewer token cannot send commands', async () => {
    const me = await adminApi('/api/whoami');
    if (me.status === 404) {
      log('SKIP viewer check: this server has no roles yet (GET /api/whoami is 404: the admin branch with named tokens and roles is not on main)');
      return;
    }
    const made = await must('/api/tokens', { method: 'POST', body: { name: 'console-viewer', role: 'viewer' } });
    const viewer = made.token || made.secret;
    if (!viewer) fail(`POST /api/tokens answered no token: ${JSON.stringify(made)}`);
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    await p.goto(`${adminUrl}/console/`, { waitUntil: 'load' });
    await p.waitForSelector('#token');
    await p.type('#token', viewer);
    await p.click('button[type=submit]');
    await p.waitForSelector('nav[aria-label=Main]', { timeout: 10000 });
    await p.evaluate(() => { location.hash = '#/stations/CP-1'; });
    await p.waitForSelector('form[data-command=reset] button', { timeout: 10000 });
    const before = sims['CP-1'].out.split('"action":"Reset"').length;
    const disabled = await p.$eval('form[data-command=reset] button', (b) => b.disabled);
    if (!disabled) {
      // The console learns the role from the server's 403 and shows its message.
      await p.click('form[data-command=reset] button');
      await p.waitForSelector('li[data-answer=reset][data-ok=no]', { timeout: 10000 });
      const msg = await p.$eval('li[data-answer=reset]', (e) => e.textContent);
      if (!/403/.test(msg)) fail(`a viewer's command was not refused with 403: ${msg}`);
      await p.waitForSelector('[data-viewer=true]', { timeout: 5000 });
    }
    if (sims['CP-1'].out.split('"action":"Reset"').length !== before) fail('the viewer reset reached the station');
    await ctx.close();
  });

  if (shots) {
    await check('screenshots of the other pages', async () => {
      await go('#/sessions');
      await page.waitForSelector('tr[data-tx]', { timeout: 10000 });
      await page.screenshot({ path: join(shots, 'sessions.png'), fullPage: true });
      // A few readings, so the site's day has a line to draw.
      for (const [g, pv] of [[14000, 5000], [9000, 9000], [6000, 12000], [11000, 7000]]) {
        const before = (await must('/api/sites/SH-01/decisions?limit=1000')).length;
        await must('/api/sites/SH-01/readings', { method: 'POST', body: { gridW: g, pvW: pv, batteryW: 2000, batterySoc: 66 } });
        await eventually('a new decision', async () => (await must('/api/sites/SH-01/decisions?limit=1000')).length > before);
      }
      await go('#/sites/SH-01');
      await page.waitForSelector('[data-k=grid]', { timeout: 10000 });
      await page.screenshot({ path: join(shots, 'site.png'), fullPage: true });
      await go('#/carbon');
      await page.waitForSelector('input[type=month]', { timeout: 10000 });
      await page.waitForSelector('a[href^="#/sessions/"]', { timeout: 10000 });
      await page.type('input[name=account]', 'TAG-1');
      await page.click('form[data-form=account] button');
      await page.waitForSelector('[data-k=points]', { timeout: 10000 });
      await page.screenshot({ path: join(shots, 'carbon.png'), fullPage: true });
      await go('#/security');
      await page.waitForSelector('main table', { timeout: 10000 });
      await page.screenshot({ path: join(shots, 'security.png'), fullPage: true });
    });
  }

  await check('no script errors or content-policy violations in the page', async () => {
    if (consoleErrors.length) fail(consoleErrors.join('; '));
  });
}

try {
  if (shots) mkdirSync(shots, { recursive: true });
  await main();
} catch (e) {
  failures++;
  results.push(`FAIL setup: ${e.message}`);
  console.error(`[console-test] FAIL: ${e.message}`);
} finally {
  try { if (browser) await browser.close(); } catch { /* closing anyway */ }
  clearTimeout(watchdog);
  for (const c of children) {
    if (failures && c.name === 'csms') console.error(`--- csms stderr (tail)\n${c.err.slice(-3000)}`);
  }
}
console.log(results.join('\n'));
console.log(failures ? `${failures} check(s) failed` : 'all console checks passed');
process.exit(failures ? 1 : 0);
