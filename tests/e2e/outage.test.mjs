// A WorkOS outage must not sign anyone out: with the emulator stopped, a session whose access
// token is still valid keeps working (even when a refresh is due), and nothing loops.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Browser, startEmulator, startOrigin, startWorker } from './harness.mjs';

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
  await new Promise((r) => setTimeout(r, 500));

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
