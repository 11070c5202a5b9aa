// Refresh coalescing with and without the refresh Durable Object, sign-out ending the grace
// replay, SameSite=Strict sign-in not looping, and a session too large even for ten cookie
// chunks refused clearly: the real Worker in workerd against the official WorkOS emulator.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';

import { api, artifacts, Browser, startEmulator, startOrigin, startWorker, unsealWithCli } from './harness.mjs';

let emulator;
let origin;
let isolateOnly;
let coordinated;
let strict;

before(async () => {
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  // Tokens live an hour; a two-hour buffer makes every request refresh.
  const eager = { WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url, REFRESH_BUFFER_SECONDS: '7200' };
  [isolateOnly, coordinated, strict] = await Promise.all([
    startWorker(eager, { coordinator: false }),
    startWorker(eager),
    startWorker({ WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url, WORKOS_COOKIE_SAMESITE: 'strict' }),
  ]);
});

after(() => {
  for (const s of [isolateOnly, coordinated, strict, emulator, origin]) s?.stop();
});

/** The `wos-session` value a response sets, if any. */
function newSession(res) {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
  return line?.slice('wos-session='.length).split(';')[0];
}

function refreshTokenOf(cookie) {
  const token = unsealWithCli(cookie).refreshToken;
  assert.ok(typeof token === 'string' && token.length >= 16, 'the CLI read a refresh token');
  return token;
}

async function racingRequests(worker, cookie, n = 8) {
  return Promise.all(
    Array.from({ length: n }, () =>
      fetch(`${worker.url}/app`, { headers: { cookie: `wos-session=${cookie}`, accept: 'application/json' } }),
    ),
  );
}

for (const [name, worker] of [
  ['without the Durable Object (isolate coalescing)', () => isolateOnly],
  ['with the Durable Object', () => coordinated],
]) {
  describe(name, () => {
    test('racing requests with one due cookie share one refresh and all get the same new cookie', async () => {
      const b = new Browser(worker().url);
      await b.signIn('/app');
      const old = b.session;
      const oldToken = refreshTokenOf(old);
      const responses = await racingRequests(worker(), old);
      const cookies = responses.map(newSession);
      for (const res of responses) assert.equal(res.status, 200);
      assert.ok(cookies.every((c) => c && c !== old), 'every response carries a new cookie');
      assert.equal(new Set(cookies).size, 1, 'one refresh: the same new cookie for everyone');
      assert.notEqual(refreshTokenOf(cookies[0]), oldToken);
      // The new cookie is a working session for the origin's own SDK too.
      const next = await fetch(`${worker().url}/app`, { headers: { cookie: `wos-session=${cookies[0]}` } });
      assert.equal(next.status, 200);
      assert.equal(origin.last().sdk?.authenticated, true);
    });

    test('sign-out ends the grace replay: the old cookie no longer fetches the new session', async () => {
      const b = new Browser(worker().url);
      await b.signIn('/app');
      const old = b.session;
      const [first] = await racingRequests(worker(), old, 1);
      assert.equal(first.status, 200);
      const refreshed = newSession(first);
      assert.ok(refreshed && refreshed !== old);
      // Within the grace window the old cookie is replayed the same new one...
      assert.equal(newSession((await racingRequests(worker(), old, 1))[0]), refreshed);
      // ...until the session signs out.
      const out = await fetch(`${worker().url}/auth/logout`, {
        method: 'POST',
        headers: { cookie: `wos-session=${refreshed}`, origin: worker().url },
        redirect: 'manual',
      });
      assert.equal(out.status, 302);
      const replayed = (await racingRequests(worker(), old, 1))[0];
      assert.equal(replayed.status, 401, 'the spent refresh token is not replayed after sign-out');
      assert.notEqual(newSession(replayed), refreshed);
    });
  });
}

describe('WORKOS_COOKIE_SAMESITE=strict', () => {
  test('sign-in ends on a same-site hop page, so the Strict cookie reaches the next request', async () => {
    const b = new Browser(strict.url);
    const hops = await b.signIn('/app');
    const callback = hops.find((h) => h.url.includes('/auth/callback'));
    assert.equal(callback.status, 200, 'no cross-site redirect chain ends the sign-in');
    const page = await callback.res.text();
    assert.match(page, /<meta http-equiv="refresh" content="0;url=\/app">/);
    const set = callback.res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
    assert.match(set, /SameSite=Strict/);
    assert.match(set, /Secure/);
    assert.equal((await b.request('/app')).status, 200);
  });
});

describe('a session too large for a browser cookie', () => {
  test('is refused with a page that says why, and nothing is written', async () => {
    // A user whose profile seals past what ten 4096-byte cookie chunks hold (written anyway,
    // the browser would not send such a Cookie header back: a sign-in loop).
    const created = await api(emulator.url, 'POST', '/user_management/users', {
      email: 'long-profile@example.com',
      first_name: 'L'.repeat(34_000),
      last_name: 'Name',
      email_verified: true,
    });
    assert.equal(created.status, 201);
    const b = new Browser(strict.url);
    const hops = await b.signIn('/app', 'long-profile@example.com');
    const last = hops.at(-1);
    assert.ok(last.url.includes('/auth/callback'));
    assert.equal(last.status, 500);
    assert.match(await last.res.text(), /too large to keep in browser cookies \(\d+ bytes, more than the cookies this site allows hold\)/);
    assert.equal(b.session, undefined, 'no session cookie was written');
    assert.deepEqual([...b.jar.keys()].filter((k) => k.startsWith('wos-session')), [], 'nor any chunk');
    // The log line says why (wrangler writes it a moment later).
    const logFile = path.join(artifacts(), `wrangler-${new URL(strict.url).port}.log`);
    const logged = /"error":"session_too_large","reason":"the session seals to \d+ bytes, more than WORKOS_COOKIE_MAX_CHUNKS cookies hold"/;
    for (let i = 0; i < 40 && !logged.test(fs.readFileSync(logFile, 'utf8')); i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(fs.readFileSync(logFile, 'utf8'), logged);
  });
});
