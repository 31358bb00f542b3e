// End-to-end test of the Junction web console in headless Chromium (Debian's /usr/bin/chromium),
// driven by playwright-core. Run by io.junction.http.ConsoleE2ETest against a real node:
//
//   node console.test.mjs --url http://127.0.0.1:PORT --token TOKEN --read-token TOKEN \
//        --people-port N --lines-port N --screenshots DIR --config FILE
//
// The node must require a token (--token: scopes read, publish, admin; --read-token: read), route endpoint `people`
// (struct Person) to queue:people with route `people-queue`, declare queue `jobs`, and run from
// config FILE (which the reload step breaks and restores). Exit code 0 when every step passed.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
for (const required of ['url', 'token', 'read-token', 'people-port', 'lines-port', 'screenshots', 'config']) {
  if (!args[required]) fail(`missing --${required}`);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT = 15_000; // per expectation: the feed ticks every second or faster
const OVERALL = 180_000;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const watchdog = setTimeout(() => fail(`not done within ${OVERALL / 1000} s`), OVERALL);

/** A TCP peer, as a C client would be: connect, write, close. */
function connectTcp(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: WAIT }, () => resolve(socket));
    socket.once('error', reject);
    socket.once('timeout', () => reject(new Error(`connect to ${port} timed out`)));
  });
}

/** Resolves when the socket has closed; rejects after WAIT. */
function closed(socket) {
  return within(new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', resolve))), 'socket close');
}

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${WAIT} ms`)), WAIT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** struct Person { char name[128]; int32_t age; } little-endian, 132 bytes. */
function person(name, age) {
  const b = Buffer.alloc(132);
  b.write(name, 0, 'utf8');
  b.writeInt32LE(age, 128);
  return b;
}

async function api(method, path, { body, contentType } = {}) {
  const headers = { Authorization: `Bearer ${args.token}` };
  if (contentType) headers['Content-Type'] = contentType;
  const r = await fetch(new URL(path, args.url), { method, headers, body });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

const steps = [];
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    steps.push(name);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    console.error(`FAIL ${name}\n${e.stack || e}`);
    throw e;
  }
}

mkdirSync(args.screenshots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'junction-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1360, height: 860 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of (401|403|422)\b/.test(m.text())) pageErrors.push(m.text());
});
const shot = (name) => page.screenshot({ path: join(args.screenshots, `${name}.png`), fullPage: true });

const sockets = [];
let exitCode = 0;
try {
  await step('asks for a token, keeps it for the session and goes live', async () => {
    await page.goto(args.url);
    const dialog = page.locator('#token-dialog');
    await dialog.waitFor({ state: 'visible', timeout: WAIT });
    await page.fill('#token-input', 'wrong-token');
    await shot('token-dialog');
    await page.click('#token-dialog button[value=ok]');
    await page.locator('#token-error', { hasText: 'refused' }).waitFor({ timeout: WAIT });
    await page.fill('#token-input', args.token);
    await page.click('#token-dialog button[value=ok]');
    await dialog.waitFor({ state: 'hidden', timeout: WAIT });
    await page.locator('#live[data-state=live]').waitFor({ timeout: WAIT });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('junction.token')), args.token);
  });

  await step('overview shows the node, its uptime and endpoints', async () => {
    await page.locator('[data-testid=overview-node]', { hasText: 'console-e2e' }).waitFor({ timeout: WAIT });
    await page.locator('[data-testid=overview-uptime]', { hasText: /\d+s|\d+m/ }).waitFor({ timeout: WAIT });
    for (const name of ['people', 'lines']) {
      await page.locator('[data-testid=overview-endpoints] tr', { hasText: name })
        .locator('.badge', { hasText: 'bound' }).waitFor({ timeout: WAIT });
    }
  });

  await step('message rates show as sparklines after traffic', async () => {
    const s = await connectTcp(Number(args['people-port']));
    sockets.push(s);
    // Traffic: ten Persons a second (Ada 0, 36 first), until the sparkline has five rates.
    let sent = 0;
    const pump = setInterval(() => s.write(person(`Ada ${sent}`, 36 + (sent++ % 50))), 100);
    try {
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid=rate-in] svg.spark').dataset.points) >= 5,
        null, { timeout: WAIT });
      await page.locator('[data-testid=rate-in] .rate', { hasText: /^[1-9][\d.,]*\/s$/ }).waitFor({ timeout: WAIT });
    } finally {
      clearInterval(pump);
    }
    s.destroy();
    await closed(s);
    await shot('overview');
  });

  await step('a TCP connection appears with its peer, and disappears when it closes', async () => {
    await page.click('nav a[data-page=endpoints]');
    const s = await connectTcp(Number(args['lines-port']));
    sockets.push(s);
    s.write('hello console\n');
    const peer = `127.0.0.1:${s.localPort}`;
    const row = page.locator('[data-testid=connections] tr[data-testid=connection]', { hasText: peer });
    await row.waitFor({ timeout: WAIT });
    await row.locator('td', { hasText: /^1$/ }).first().waitFor({ timeout: WAIT }); // frames in
    await shot('endpoints');
    s.destroy();
    await closed(s);
    await row.waitFor({ state: 'detached', timeout: WAIT });
  });

  await step('the Close button closes a live connection', async () => {
    const s = await connectTcp(Number(args['lines-port']));
    sockets.push(s);
    const ended = closed(s);
    s.on('data', () => {});
    const row = page.locator('[data-testid=connections] tr[data-testid=connection]', { hasText: `:${s.localPort}` });
    await row.waitFor({ timeout: WAIT });
    await row.locator('[data-testid=close-connection]').click();
    await ended;
    await row.waitFor({ state: 'detached', timeout: WAIT });
  });

  const jobs = page.locator('[data-testid=queues] tr[data-key=jobs]');
  const jobsDepth = (n) => jobs.locator('td.depth', { hasText: new RegExp(`^${n}$`) });

  await step('a queue\'s depth follows publishes from the API and from the console', async () => {
    await page.click('nav a[data-page=queues]');
    await jobsDepth(0).waitFor({ timeout: WAIT });
    await api('POST', '/v1/queues/jobs/messages', { body: '{"order":17,"item":"valve"}', contentType: 'application/json' });
    await jobsDepth(1).waitFor({ timeout: WAIT });
    await jobs.locator('a').click();
    await page.waitForURL(/#\/queues\/jobs$/);
    await page.fill('[data-testid=publish-body]', 'console test message');
    await page.click('[data-testid=publish]');
    await page.locator('[data-testid=publish-result]', { hasText: 'durable' }).waitFor({ timeout: WAIT });
    await jobsDepth(2).waitFor({ timeout: WAIT });
    await page.locator('[data-testid=detail-depth]', { hasText: /^2$/ }).waitFor({ timeout: WAIT });
  });

  await step('peek shows messages as fields, JSON, text and hex', async () => {
    await page.click('[data-testid=peek]');
    const first = page.locator('[data-testid=peeked] [data-testid=message]').first();
    await first.waitFor({ timeout: WAIT });
    assert.equal(await page.locator('[data-testid=peeked] [data-testid=message]').count(), 2);
    await first.locator('table.fields', { hasText: 'valve' }).waitFor({ timeout: WAIT });
    await first.locator('.tab[data-view=hex]').click();
    await first.locator('pre.hex', { hasText: '7b 22 6f 72' }).waitFor({ timeout: WAIT }); // {"or
    await first.locator('.tab[data-view=json]').click();
    await first.locator('pre.json', { hasText: '"type": "application/json"' }).waitFor({ timeout: WAIT });
    const second = page.locator('[data-testid=peeked] [data-testid=message]').nth(1);
    await second.locator('pre.text', { hasText: 'console test message' }).waitFor({ timeout: WAIT });
    await shot('queues');
  });

  await step('a Person sent over TCP is peeked from queue people as decoded fields and 132 bytes', async () => {
    await page.click('[data-testid=queues] tr[data-key=people] a');
    await page.waitForURL(/#\/queues\/people$/);
    await page.locator('h2', { hasText: 'Queue people' }).waitFor({ timeout: WAIT });
    const depth = (await api('GET', '/v1/queues/people')).depth;
    assert.ok(depth >= 5, `queue people holds the 5 Persons sent, has ${depth}`);
    await page.locator('[data-testid=detail-depth]', { hasText: new RegExp(`^${depth}$`) }).waitFor({ timeout: WAIT });
    await page.click('[data-testid=peek]');
    const first = page.locator('[data-testid=peeked] [data-testid=message]').first();
    await first.locator('table.fields', { hasText: 'Ada 0' }).waitFor({ timeout: WAIT });
    await first.locator('table.fields tr', { hasText: 'age' }).locator('td', { hasText: /^36$/ }).waitFor({ timeout: WAIT });
    await first.locator('header', { hasText: '132 bytes' }).waitFor({ timeout: WAIT });
    await first.locator('.tab[data-view=hex]').click();
    await first.locator('pre.hex', { hasText: '00000080  24 00 00 00' }).waitFor({ timeout: WAIT }); // age 36 LE
    await shot('queue-person');
  });

  await step('purge asks first: cancel keeps the messages, confirm empties the queue', async () => {
    await jobs.locator('a').click();
    await page.waitForURL(/#\/queues\/jobs$/);
    await page.click('[data-testid=purge]');
    const dialog = page.locator('#confirm-dialog');
    await dialog.waitFor({ state: 'visible', timeout: WAIT });
    await page.locator('#confirm-text', { hasText: 'jobs' }).waitFor({ timeout: WAIT });
    await shot('purge-confirm');
    await dialog.locator('button[value=cancel]').click();
    await dialog.waitFor({ state: 'hidden', timeout: WAIT });
    const stats = await api('GET', '/v1/queues/jobs');
    assert.equal(stats.depth, 2, 'cancelled purge must not remove anything');
    await page.click('[data-testid=purge]');
    await dialog.locator('#confirm-ok').click();
    await page.locator('.toast', { hasText: 'Purged jobs: 2 messages removed' }).waitFor({ timeout: WAIT });
    await jobsDepth(0).waitFor({ timeout: WAIT });
    assert.equal((await api('GET', '/v1/queues/jobs')).depth, 0);
  });

  await step('a queue\'s row shows the node\'s deliver and ack rates', async () => {
    await page.click('nav a[data-page=queues]');
    await api('POST', '/v1/queues/jobs/messages', { body: 'rated', contentType: 'text/plain' });
    const [leased] = await api('GET', '/v1/queues/jobs/messages?max=1');
    await api('POST', '/v1/queues/jobs/ack', {
      body: JSON.stringify({ receipts: [leased.receipt] }), contentType: 'application/json' });
    // Counted over the node's last 10 s: not zero for a while after the ack.
    const moving = /^(?!0\/s$).+\/s$/;
    await jobs.locator('td.deliver-rate', { hasText: moving }).waitFor({ timeout: WAIT });
    await jobs.locator('td.ack-rate', { hasText: moving }).waitFor({ timeout: WAIT });
  });

  await step('a queue is created, its dead letters are redriven, and it is deleted', async () => {
    await page.click('nav a[data-page=queues]');
    await page.fill('[data-testid=new-queue]', 'scratch');
    await page.click('[data-testid=create-queue]');
    await page.locator('.toast', { hasText: 'Created queue scratch' }).waitFor({ timeout: WAIT });
    await page.waitForURL(/#\/queues\/scratch$/);
    await page.locator('[data-testid=queues] tr[data-key=scratch]').waitFor({ timeout: WAIT });
    for (const text of ['first', 'second']) {
      await api('POST', '/v1/queues/scratch/messages', { body: text, contentType: 'text/plain' });
    }
    const leased = await api('GET', '/v1/queues/scratch/messages?max=2');
    await api('POST', '/v1/queues/scratch/nack', {
      body: JSON.stringify({ receipts: leased.map((d) => d.receipt), requeue: false }),
      contentType: 'application/json' });
    await page.click('[data-testid=dead-letters]');
    const dead = page.locator('[data-testid=peeked] [data-testid=message]');
    await dead.first().locator('header', { hasText: 'rejected by consumer' }).waitFor({ timeout: WAIT });
    assert.equal(await dead.count(), 2);
    await dead.first().locator('pre.text', { hasText: 'first' }).waitFor({ timeout: WAIT });
    await shot('dead-letters');
    await page.click('[data-testid=redrive]');
    await page.locator('#confirm-ok').click();
    await page.locator('.toast', { hasText: 'Redrove 2 dead letters into scratch' }).waitFor({ timeout: WAIT });
    await page.locator('[data-testid=detail-depth]', { hasText: /^2$/ }).waitFor({ timeout: WAIT });
    await page.click('[data-testid=delete-queue]');
    await page.locator('#confirm-text', { hasText: 'scratch' }).waitFor({ timeout: WAIT });
    await page.locator('#confirm-ok').click();
    await page.locator('.toast', { hasText: 'Deleted queue scratch: 2 messages, 0 dead letters' })
      .waitFor({ timeout: WAIT });
    await page.waitForURL(/#\/queues$/);
    await page.locator('[data-testid=queues] tr[data-key=scratch]').waitFor({ state: 'detached', timeout: WAIT });
    assert.ok(!(await api('GET', '/v1/queues')).some((q) => q.name === 'scratch'));
  });

  await step('routes show the live table with counters', async () => {
    await page.click('nav a[data-page=routes]');
    const row = page.locator('[data-testid=routes] tr[data-testid=route]', { hasText: 'people-queue' });
    await row.waitFor({ timeout: WAIT });
    await row.locator('td', { hasText: 'queue:people' }).waitFor({ timeout: WAIT });
    await row.locator('td.counters', { hasText: /matched [1-9]/ }).waitFor({ timeout: WAIT });
    await shot('routes');
  });

  await step('reload of a broken config lists its problems; the fixed one reloads', async () => {
    const original = readFileSync(args.config, 'utf8');
    appendFileSync(args.config, '\njunction.routes.broken { from = ghost, to = ["queue:nowhere"] }\n');
    try {
      await page.click('[data-testid=reload]');
      const problems = page.locator('[data-testid=reload-problems] li');
      await problems.first().waitFor({ timeout: WAIT });
      await page.locator('[data-testid=reload-outcome]', { hasText: 'Reload refused' }).waitFor({ timeout: WAIT });
      await page.locator('[data-testid=reload-problems]', { hasText: 'junction.routes.broken' }).waitFor({ timeout: WAIT });
      await shot('routes-reload-refused');
      assert.equal(await page.locator('[data-testid=routes] tr[data-testid=route]', { hasText: 'broken' }).count(), 0);
    } finally {
      writeFileSync(args.config, original);
    }
    await page.click('[data-testid=reload]');
    await page.locator('[data-testid=reload-outcome]', { hasText: 'Reloaded' }).waitFor({ timeout: WAIT });
    await page.locator('[data-testid=routes] tr[data-testid=route]', { hasText: 'people-queue' }).waitFor({ timeout: WAIT });
  });

  await step('with a read-only token the console still shows, and refuses a purge with the 403', async () => {
    await page.click('#forget-token');
    await page.locator('#token-dialog').waitFor({ state: 'visible', timeout: WAIT });
    await page.fill('#token-input', args['read-token']);
    await page.click('#token-dialog button[value=ok]');
    await page.locator('#live[data-state=live]').waitFor({ timeout: WAIT });
    await page.goto(`${args.url}/#/queues/jobs`);
    await jobsDepth(0).waitFor({ timeout: WAIT });
    await page.click('[data-testid=purge]');
    await page.locator('#confirm-ok').click();
    await page.locator('.toast.error', { hasText: /Not allowed: .*scope admin/ }).waitFor({ timeout: WAIT });
    await page.locator('[data-testid=detail-depth]', { hasText: /^0$/ }).waitFor({ timeout: WAIT });
    await shot('read-only-refused');
  });

  await step('the page showed no script errors', async () => {
    assert.deepEqual(pageErrors, []);
  });
} catch (e) {
  exitCode = 1;
  await shot('failure').catch(() => {});
} finally {
  for (const s of sockets) s.destroy();
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}
console.log(`${steps.length} steps passed${exitCode ? ', then one failed' : ''}`);
process.exit(exitCode);
