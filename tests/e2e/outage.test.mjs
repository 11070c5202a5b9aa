// A WorkOS outage must not sign anyone out: with the emulator stopped, a session whose access
// token is still valid keeps working (even when a refresh is due), and nothing loops.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { Browser, startEmulator, startOrigin, startWorker } from './harness.mjs';

/** Resolves once nothing listens on `url`'s port any more: a short connection attempt is
 *  refused. Fails after `ms`. */
async function untilRefused(url, ms = 10_000) {
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + ms;
  for (;;) {
    const refused = await new Promise((resolve) => {
      const socket = net.connect({ host: hostname, port: Number(port) });
      socket.setTimeout(250, () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`${url} still accepts connections after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let emulator;
let origin;
let worker;
let eager;

before(async () => {
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  [worker, eager] = await Promise.all([
    startWorker({ WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url }),
    startWorker({ WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url, REFRESH_BUFFER_SECONDS: '7200' }),
  ]);
});

after(() => {
  for (const s of [worker, eager, emulator, origin]) s?.stop();
});

test('sessions survive the emulator going away', async () => {
  const b = new Browser(worker.url);
  const e = new Browser(eager.url);
  await b.signIn('/app');
  await e.signIn('/app');
  assert.equal((await b.request('/app')).status, 200);
  const cookieBefore = e.session;

  emulator.stop();
  await untilRefused(emulator.url);

  const plain = await b.request('/app');
  assert.equal(plain.status, 200, 'verified token still valid: served');
  assert.match(origin.last().headers['x-workos-user-id'], /^user_/);

  const due = await e.request('/app');
  assert.equal(due.status, 200, 'refresh due but WorkOS down: served with the old session');
  assert.match(due.headers.get('server-timing'), /refresh_deferred/);
  assert.equal(e.session, cookieBefore, 'the cookie was kept');

  const session = await e.json('/auth/session');
  assert.equal(session.status, 200);
  assert.equal(session.body.refreshDeferred, true);
});

test('a missing or short secret names itself, never its value', async () => {
  const short = await startWorker({ WORKOS_API_BASE_URL: 'http://127.0.0.1:9', WORKOS_COOKIE_PASSWORD: 'too-short-secret' });
  try {
    const res = await fetch(`${short.url}/dashboard`, { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
    assert.equal(res.status, 500);
    const page = await res.text();
    assert.match(page, /WORKOS_COOKIE_PASSWORD/);
    assert.match(page, /at least 32 characters/);
    assert.ok(!page.includes('too-short-secret'), 'the secret is never shown');
    const json = await (await fetch(`${short.url}/auth/session`)).json();
    assert.equal(json.error, 'misconfigured');
  } finally {
    short.stop();
  }
});
