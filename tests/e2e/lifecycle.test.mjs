// End-to-end: the session lifecycle at the edge (issue 11), the real Worker in workerd against
// the official WorkOS emulator: cookie password rotation (checked with the real
// @workos-inc/node and iron-session), CORS preflights, the sign-in loop breaker, the
// inactivity timeout and instant revocation by webhook.
//
//   E2E_SKIP_BUILD=1 node --test --test-concurrency=1 tests/e2e/lifecycle.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WorkOS } from '@workos-inc/node';
import { sealData, unsealData } from 'iron-session';

import { api, API_KEY, artifacts, Browser, CLIENT_ID, COOKIE_PASSWORD, startEmulator, startOrigin, startWorker, unsealWithCli } from './harness.mjs';

const OLD_PASSWORD = 'e2e-the-previous-cookie-password-0123456789';
const OLDER_PASSWORD = 'e2e-an-even-older-cookie-password-987654321';
const WEBHOOK_SECRET = 'whsec_e2e_lifecycle_0123456789';
const APP_ORIGIN = 'https://app.example.com';
const IDLE_SECONDS = 3;

let emulator;
let origin;
let oldSite; // seals with OLD_PASSWORD; no CORS, no webhooks
let main; // seals with COOKIE_PASSWORD, opens OLD/OLDER; CORS, webhooks; in front of `origin`
let idle; // INACTIVITY_TIMEOUT_SECONDS

before(async () => {
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  const common = { WORKOS_API_BASE_URL: emulator.url };
  [oldSite, main, idle] = await Promise.all([
    startWorker({ ...common, WORKOS_COOKIE_PASSWORD: OLD_PASSWORD }),
    startWorker({
      ...common,
      ORIGIN_URL: origin.url,
      WORKOS_COOKIE_PASSWORD_PREVIOUS: JSON.stringify([OLDER_PASSWORD, OLD_PASSWORD]),
      CORS_ALLOWED_ORIGINS: `${APP_ORIGIN}, http://localhost:5173`,
      WORKOS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_REQUESTS: 'all',
    }),
    startWorker({ ...common, INACTIVITY_TIMEOUT_SECONDS: String(IDLE_SECONDS) }),
  ]);
});

after(() => {
  for (const s of [oldSite, main, idle, origin, emulator]) s?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sdk() {
  const url = new URL(emulator.url);
  return new WorkOS(API_KEY, { clientId: CLIENT_ID, apiHostname: url.hostname, port: Number(url.port), https: false });
}

/** The `sid` claim of the access token inside a cookie sealed with COOKIE_PASSWORD. */
function sessionIdOf(cookie) {
  const { accessToken } = unsealWithCli(cookie);
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;
}

function wranglerLog(worker) {
  return fs.readFileSync(path.join(artifacts(), `wrangler-${new URL(worker.url).port}.log`), 'utf8');
}

async function signedIn(base, returnTo = '/dashboard') {
  const b = new Browser(base);
  const hops = await b.signIn(returnTo);
  assert.equal(hops.at(-1).status, 200, `signed in at ${base}: ${hops.map((h) => `${h.status} ${h.url}`).join(' → ')}`);
  assert.ok(b.session, 'a session cookie');
  return b;
}

describe('cookie password rotation', () => {
  test('a cookie sealed with a previous password is accepted and resealed with the current one, without a refresh', async () => {
    const before = await signedIn(oldSite.url);
    const oldCookie = before.session;
    const b = new Browser(main.url);
    b.jar.set('wos-session', { name: 'wos-session', value: oldCookie, path: '/' });

    const res = await b.request('/dashboard');
    assert.equal(res.status, 200, 'the previous password opens it');
    const resealed = b.session;
    assert.notEqual(resealed, oldCookie, 'a new cookie on the same response');
    // The origin got the resealed cookie in this very request, and the real SDK (current
    // password only) accepts it.
    assert.equal(origin.last().cookie, resealed);
    assert.equal(origin.last().sdk?.authenticated, true, JSON.stringify(origin.last().sdk));

    // Same tokens: no refresh was spent.
    const inside = unsealWithCli(resealed);
    const oldInside = await unsealData(oldCookie, { password: OLD_PASSWORD });
    assert.equal(inside.refreshToken, oldInside.refreshToken);
    assert.equal(inside.accessToken, oldInside.accessToken);

    // The new cookie is readable by @workos-inc/node with the current password alone…
    const auth = await sdk().userManagement.loadSealedSession({ sessionData: resealed, cookiePassword: COOKIE_PASSWORD }).authenticate();
    assert.equal(auth.authenticated, true, JSON.stringify(auth));
    // …and by iron-session with a password map.
    const viaMap = await unsealData(resealed, { password: { 1: COOKIE_PASSWORD } });
    assert.equal(viaMap.refreshToken, oldInside.refreshToken);
    // The old password no longer opens it.
    assert.deepEqual(await unsealData(resealed, { password: OLD_PASSWORD }), {});

    // With the current cookie nothing more is written.
    const again = await b.request('/dashboard');
    assert.equal(again.status, 200);
    assert.deepEqual(again.headers.getSetCookie(), []);
  });

  test('a cookie sealed with a password that is neither current nor previous is refused', async () => {
    const b = new Browser(main.url);
    const forged = await sealData({ accessToken: 'x.y.z', refreshToken: 'r' }, { password: 'a-password-this-deployment-never-had-000' });
    b.jar.set('wos-session', { name: 'wos-session', value: forged, path: '/' });
    const res = await b.json('/dashboard');
    assert.equal(res.status, 401);
    assert.equal(res.body.reason, 'invalid_session_cookie');
  });
});

describe('CORS and preflights', () => {
  test('an allowed origin gets its preflight answered at the edge, never a sign-in redirect', async () => {
    const res = await fetch(`${main.url}/api/things`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type, x-requested-with' },
      redirect: 'manual',
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), APP_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-allow-methods'), 'PUT');
    assert.equal(res.headers.get('access-control-allow-headers'), 'content-type, x-requested-with');
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.equal(origin.requests.filter((r) => r.method === 'OPTIONS').length, 0, 'the origin never saw it');
  });

  test('another origin gets a 403 without CORS headers', async () => {
    for (const from of ['https://evil.example', 'https://app.example.com.evil.example', 'null']) {
      const res = await fetch(`${main.url}/api/things`, {
        method: 'OPTIONS',
        headers: { origin: from, 'access-control-request-method': 'DELETE' },
        redirect: 'manual',
      });
      assert.equal(res.status, 403, from);
      assert.equal(res.headers.get('access-control-allow-origin'), null, from);
    }
  });

  test('responses to an allowed origin carry CORS headers, errors included', async () => {
    const anonymous = await fetch(`${main.url}/api/things`, { headers: { origin: APP_ORIGIN, accept: 'application/json' }, redirect: 'manual' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('access-control-allow-origin'), APP_ORIGIN, 'the app can read why');

    const b = await signedIn(main.url);
    const res = await b.request('/api/things', { document: false, headers: { origin: APP_ORIGIN } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), APP_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');

    const foreign = await b.request('/api/things', { document: false, headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    // Without an Origin the answer still varies on it: a browser must not reuse it for a
    // cross-origin call.
    const plain = await b.request('/api/things', { document: false });
    assert.match(plain.headers.get('vary') ?? '', /Origin/);
    assert.equal(plain.headers.get('access-control-allow-origin'), null);
  });

  test('without CORS_ALLOWED_ORIGINS a preflight on a protected path is refused, not redirected', async () => {
    const res = await fetch(`${oldSite.url}/dashboard.html`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET', accept: 'text/html', 'sec-fetch-dest': 'document' },
      redirect: 'manual',
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('location'), null);
    // A public path's preflight goes to the origin (here the static site), which decides.
    const pub = await fetch(`${oldSite.url}/`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' }, redirect: 'manual' });
    assert.notEqual(pub.status, 403);
    assert.notEqual(pub.status, 302);
  });
});

/** A browser whose jar silently drops the session cookie (as one does for a wrong domain). */
class DroppingBrowser extends Browser {
  store(res) {
    const lines = res.headers.getSetCookie().filter((l) => !l.startsWith('wos-session='));
    super.store({ headers: { getSetCookie: () => lines } });
  }
}

describe('sign-in loops', () => {
  test('a browser that keeps losing its session gets an error page instead of a fourth sign-in', async () => {
    const b = new DroppingBrowser(main.url);
    let next = `${main.url}/dashboard`;
    const hops = [];
    for (let i = 0; i < 30; i++) {
      const res = await b.request(next);
      hops.push(`${res.status} ${new URL(next).pathname}`);
      if (res.status < 300 || res.status >= 400) break;
      next = new URL(res.headers.get('location'), next).href;
      if (res.status === 429) break;
    }
    const last = hops.at(-1);
    assert.match(last, /^429 \/auth\/login$/, hops.join(' → '));
    assert.equal(hops.filter((h) => h.includes('/auth/callback')).length, 3, hops.join(' → '));
    const page = await (await b.request('/auth/login?returnTo=/dashboard')).text();
    assert.match(page, /never kept its session/);
  });

  test('signing in again and again with a working session is not a loop', async () => {
    const b = new Browser(main.url);
    for (let i = 0; i < 4; i++) {
      const hops = await b.signIn('/dashboard');
      assert.equal(hops.at(-1).status, 200, `sign-in ${i + 1}: ${hops.map((h) => `${h.status} ${h.url}`).join(' → ')}`);
    }
    assert.equal(b.jar.has('wos-sign-ins'), false, 'the counter goes once a session arrives');
  });
});

describe('inactivity timeout', () => {
  test('activity keeps a session alive past the timeout; idleness signs it out', async () => {
    const b = await signedIn(idle.url, '/dashboard');
    assert.ok(b.jar.get('wos-session-activity'), 'an activity cookie');
    // 4.5 s of activity, requests 1.5 s apart, documents and API calls alike.
    for (let i = 0; i < 3; i++) {
      await sleep(1_500);
      const res = i % 2 ? await b.json('/auth/session') : await b.request('/dashboard');
      assert.equal(res.status, 200, `still active after ${(i + 1) * 1.5} s`);
    }
    await sleep((IDLE_SECONDS + 1.2) * 1000);
    const res = await b.json('/auth/session');
    assert.equal(res.status, 401);
    assert.equal(res.body.reason, 'inactivity_timeout');
    assert.equal(b.session, undefined, 'the session cookie was deleted');
    assert.equal(b.jar.get('wos-session-activity'), undefined, 'and the activity cookie');
  });

  test('an idle document navigation goes to sign-in, and dropping the activity cookie buys nothing', async () => {
    const b = await signedIn(idle.url, '/dashboard');
    await sleep((IDLE_SECONDS + 1.2) * 1000);
    b.jar.delete('wos-session-activity');
    const page = await b.request('/dashboard');
    assert.equal(page.status, 302);
    assert.match(page.headers.get('location'), /^\/auth\/login/);
    assert.equal(b.session, undefined);
  });

  test('a forged activity cookie is ignored', async () => {
    const b = await signedIn(idle.url, '/dashboard');
    await sleep((IDLE_SECONDS + 1.2) * 1000);
    const now = Math.floor(Date.now() / 1000);
    b.jar.set('wos-session-activity', { name: 'wos-session-activity', value: `${now}.${'0'.repeat(32)}`, path: '/' });
    const res = await b.json('/auth/session');
    assert.equal(res.status, 401);
    assert.equal(res.body.reason, 'inactivity_timeout');
  });
});

/** A delivery signed as WorkOS signs it (`t` in milliseconds), or as told. */
function delivery(event, { t = Date.now(), secret = WEBHOOK_SECRET } = {}) {
  const body = JSON.stringify(event);
  const v1 = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { body, signature: `t=${t}, v1=${v1}` };
}

function post({ body, signature }, base = main.url) {
  return fetch(`${base}/auth/webhooks/workos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'workos-signature': signature } : {}) },
    body,
  });
}

describe('instant revocation by webhook', () => {
  test('a session revoked through the WorkOS API is signed out at the edge within 1 s', async () => {
    const registered = await api(emulator.url, 'POST', '/webhook_endpoints', {
      endpoint_url: `${main.url}/auth/webhooks/workos`,
      events: ['session.revoked'],
      secret: WEBHOOK_SECRET,
    });
    assert.equal(registered.status, 201, JSON.stringify(registered));

    const b = await signedIn(main.url);
    const other = await signedIn(main.url);
    const sid = sessionIdOf(b.session);
    const revoked = await api(emulator.url, 'POST', '/user_management/sessions/revoke', { session_id: sid });
    assert.ok(revoked.status < 300, JSON.stringify(revoked));
    const started = Date.now();
    let res;
    const copy = b.session;
    do {
      const probe = new Browser(main.url);
      probe.jar.set('wos-session', { name: 'wos-session', value: copy, path: '/' });
      res = await probe.json('/dashboard');
      if (res.status === 401) break;
      await sleep(25);
    } while (Date.now() - started < 3_000);
    const elapsed = Date.now() - started;
    assert.equal(res.status, 401, 'signed out');
    assert.equal(res.body.reason, 'session_revoked');
    assert.ok(elapsed < 1_000, `signed out ${elapsed} ms after the revocation`);

    const doc = await b.request('/dashboard');
    assert.equal(doc.status, 302, 'a document goes to sign-in');
    assert.equal(b.session, undefined, 'and the cookie is deleted');
    assert.equal((await other.request('/dashboard')).status, 200, 'other sessions are untouched');
    assert.match(wranglerLog(main), /"decision":"webhook","error":null,"reason":"session.revoked (evt|event)_/);
  });

  test('deliveries signed in seconds (the emulator) and in milliseconds (the SDK) are both accepted', async () => {
    const ms = delivery({ id: `event_ms_${Date.now()}`, event: 'user.updated', data: {} });
    assert.equal((await post(ms)).status, 200);
    const seconds = delivery({ id: `event_s_${Date.now()}`, event: 'user.updated', data: {} }, { t: Math.floor(Date.now() / 1000) });
    assert.equal((await post(seconds)).status, 200);
  });

  test('forged, stale and replayed deliveries are refused with 401 and logged', async () => {
    const event = { id: `event_forged_${Date.now()}`, event: 'session.revoked', data: { id: 'session_nobody' } };
    const good = delivery(event);
    const cases = {
      'no signature': { body: good.body },
      'wrong secret': delivery(event, { secret: 'whsec_someone_else' }),
      'tampered body': { body: good.body.replace('session_nobody', 'session_victim'), signature: good.signature },
      'stale (200 s old)': delivery(event, { t: Date.now() - 200_000 }),
      'stale (seconds, 200 s old)': delivery(event, { t: Math.floor(Date.now() / 1000) - 200 }),
      'no v1': { body: good.body, signature: `t=${Date.now()}` },
    };
    for (const [name, d] of Object.entries(cases)) {
      const res = await post(d);
      assert.equal(res.status, 401, name);
      assert.equal((await res.json()).error, 'webhook_refused', name);
    }
    assert.equal((await post(good)).status, 200, 'the genuine delivery');
    const replay = await post(good);
    assert.equal(replay.status, 401, 'the same delivery again');
    await sleep(300);
    const log = wranglerLog(main);
    assert.match(log, /webhook refused: Signature hash does not match/);
    assert.match(log, /webhook refused: Timestamp outside the tolerance zone/);
    assert.match(log, /webhook refused: event_forged_\d+ replayed/);
    assert.ok(!log.includes(WEBHOOK_SECRET), 'the secret is never logged');
  });

  test('a signed body that is not an event is a 400; without a secret the route does not exist', async () => {
    assert.equal((await post(delivery([1, 2, 3]))).status, 400);
    assert.equal((await post(delivery({ id: 'e', event: 'x' }), oldSite.url)).status, 404);
  });
});
