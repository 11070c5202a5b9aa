// The lanes (src/proxy/lane.rs, `fetchLane` and src/entry.mjs): plain public requests, and
// signed-in requests whose session is known and needs no waiting, go to the origin without the
// async export. Whatever the origin answers, or if it cannot be reached, the client, the origin
// and the log must see what the full pipeline gives: statuses relayed (redirects not
// followed), bodies streamed both ways, identity headers (spoofed ones stripped) and private
// responses for signed-in requests, origin errors logged in the default `events` mode, an
// unreachable origin answered with the error page or JSON, and the full pipeline taken
// whenever a lane does not apply (LOG_REQUESTS=all, route rules not met).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { artifacts, Browser, freePort, startEmulator, startWorker } from './harness.mjs';

let origin;
let lane;
let logsAll;
let unreachable;
let emulator;
let signedIn;
let signedInDown;
const seen = [];

before(async () => {
  // `.../status/N` answers N; anything else 200. The body echoes the method, URL and body.
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    const status = Number(/\/status\/(\d+)/.exec(req.url)?.[1] ?? 200);
    const headers = { 'content-type': 'text/plain', 'x-origin': 'yes' };
    if (status >= 300 && status < 400) headers.location = '/public/elsewhere';
    res.writeHead(status, headers);
    res.end(status === 204 || status === 304 ? undefined : `origin ${req.method} ${req.url} ${body}`);
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  origin = { url: `http://127.0.0.1:${port}`, stop: () => server.close() };
  const common = { WORKOS_API_BASE_URL: 'http://127.0.0.1:9', PUBLIC_PATHS: '/public/*', WORKOS_COOKIE_SECURE: 'false' };
  emulator = await startEmulator();
  const withWorkOS = { ...common, WORKOS_API_BASE_URL: emulator.url, ROUTE_RULES: '/app/reports/*=permission:nobody:has-this' };
  [lane, logsAll, unreachable, signedIn, signedInDown] = await Promise.all([
    startWorker({ ...common, ORIGIN_URL: origin.url }),
    startWorker({ ...common, ORIGIN_URL: origin.url, LOG_REQUESTS: 'all' }),
    startWorker({ ...common, ORIGIN_URL: `http://127.0.0.1:${await freePort()}` }),
    startWorker({ ...withWorkOS, ORIGIN_URL: origin.url }),
    startWorker({ ...withWorkOS, ORIGIN_URL: `http://127.0.0.1:${await freePort()}` }),
  ]);
});

after(() => {
  for (const s of [lane, logsAll, unreachable, signedIn, signedInDown, emulator, origin]) s?.stop();
});

/** The Worker's log lines (JSON) whose path starts with `prefix`, once at least `count` are there. */
async function logLines(worker, prefix, count) {
  const file = path.join(artifacts(), `wrangler-${new URL(worker.url).port}.log`);
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.slice(line.indexOf('{')))
      .filter((line) => line.startsWith('{"method"'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.path.startsWith(prefix));
    if (lines.length >= count || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('statuses and bodies are relayed as the origin sent them; redirects are not followed', async () => {
  for (const status of [200, 204, 302, 404, 503]) {
    const res = await fetch(`${lane.url}/public/status/${status}?q=1`, { redirect: 'manual' });
    assert.equal(res.status, status, `status ${status}`);
    assert.equal(res.headers.get('x-origin'), 'yes');
    const body = await res.text();
    if (status !== 204) assert.equal(body, `origin GET /public/status/${status}?q=1 `);
    if (status === 302) assert.equal(res.headers.get('location'), '/public/elsewhere');
    assert.equal(seen.at(-1).url, `/public/status/${status}?q=1`, 'the origin got the normalised path and the query');
  }
});

test('a request body reaches the origin whole, with the method as sent', async () => {
  const body = 'x'.repeat(100_000);
  const res = await fetch(`${lane.url}/public/echo`, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), `origin PUT /public/echo ${body}`);
  assert.equal(seen.at(-1).body.length, body.length);
});

test('in the default events mode the origin\'s errors are logged as public requests, its successes are not', async () => {
  for (const p of ['/public/logged/status/200', '/public/logged/status/302', '/public/logged/status/404', '/public/logged/status/503']) {
    await (await fetch(`${lane.url}${p}`, { redirect: 'manual' })).arrayBuffer();
  }
  const lines = await logLines(lane, '/public/logged/', 2);
  assert.deepStrictEqual(
    lines.map((l) => [l.status, l.decision, l.error]),
    [
      [404, 'public', null],
      [503, 'public', null],
    ],
  );
  assert.ok(lines.every((l) => typeof l.total_ms === 'number'));
});

test('an unreachable origin: the error page for documents, JSON otherwise, logged', async () => {
  const page = await fetch(`${unreachable.url}/public/down`, { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
  assert.equal(page.status, 502);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.match(await page.text(), /<h1>502<\/h1>/);
  assert.ok(page.headers.get('retry-after'));

  const api = await fetch(`${unreachable.url}/public/down`, { headers: { accept: 'application/json' } });
  assert.equal(api.status, 502);
  assert.equal((await api.json()).error, 'upstream_error');
  const lines = await logLines(unreachable, '/public/down', 2);
  assert.deepStrictEqual(lines.map((l) => [l.status, l.decision, l.error]), [
    [502, 'public', 'upstream_error'],
    [502, 'public', 'upstream_error'],
  ]);
});

test('LOG_REQUESTS=all logs every public request (the full pipeline, not the lane)', async () => {
  await (await fetch(`${logsAll.url}/public/all/status/200`)).arrayBuffer();
  const lines = await logLines(logsAll, '/public/all/', 1);
  assert.deepStrictEqual(lines.map((l) => [l.status, l.decision]), [[200, 'public']]);
});

/** A browser signed in on `worker`, whose session the Worker has resolved once (so the next
 *  requests find it known: the signed-in lane). */
async function knownSession(worker) {
  const b = new Browser(worker.url);
  await b.signIn('/app/start');
  await (await b.request('/app/warm-up', { document: false })).arrayBuffer();
  return b;
}

test('signed in, session known: identity headers (spoofed ones stripped), a private answer, statuses relayed', async () => {
  const b = await knownSession(signedIn);
  for (const status of [200, 404, 503]) {
    const res = await b.request(`/app/status/${status}`, { document: false, headers: { 'x-workos-user-id': 'user_evil', 'X_WorkOS_User_Email': 'evil@example.com' } });
    assert.equal(res.status, status);
    assert.equal(await res.text(), `origin GET /app/status/${status} `);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.match(res.headers.get('vary'), /Cookie/);
    assert.match(res.headers.get('server-timing'), /auth;dur=\d+;desc="authenticated"/);
    const sent = seen.at(-1).headers;
    assert.match(sent['x-workos-user-id'], /^user_/);
    assert.notEqual(sent['x-workos-user-id'], 'user_evil');
    assert.equal(sent['x-workos-user-email'], 'ada@example.com');
    assert.equal(sent.x_workos_user_email, undefined);
    assert.match(sent.cookie, /wos-session=/, 'the origin gets the session cookie');
  }
  const lines = await logLines(signedIn, '/app/status/', 2);
  assert.deepStrictEqual(lines.map((l) => [l.status, l.decision]), [
    [404, 'authenticated'],
    [503, 'authenticated'],
  ]);
});

test('signed in: a route rule not met is refused as by the full pipeline', async () => {
  const b = await knownSession(signedIn);
  const before = seen.length;
  const res = await b.request('/app/reports/q3', { document: false, headers: { accept: 'application/json' } });
  assert.equal(res.status, 403);
  assert.equal(seen.length, before, 'the origin was not asked');
});

test('signed in, origin unreachable: the error page for documents, JSON otherwise', async () => {
  const b = await knownSession(signedInDown);
  const page = await b.request('/app/down');
  assert.equal(page.status, 502);
  assert.match(await page.text(), /<h1>502<\/h1>/);
  const api = await b.request('/app/down', { document: false, headers: { accept: 'application/json' } });
  assert.equal(api.status, 502);
  assert.equal((await api.json()).error, 'upstream_error');
  assert.equal(api.headers.get('cache-control'), 'private, no-store');
});
