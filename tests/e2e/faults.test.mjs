// The fault matrix: the Worker against a WorkOS API that fails in every way we know of (a 500,
// a 429 with Retry-After: 7, a reply that never comes, a body that stalls after the headers, a
// reset connection, a truncated body, a 200 that is not JSON, JSON of the wrong shape, an empty
// key set), injected by fault-proxy.mjs
// between the Worker and the emulator, on each call the Worker makes: the sign-in code
// exchange, the refresh, the JWKS fetch, and the session routes' list/revoke/membership calls.
//
// Under every fault, for a visitor whose access token is still valid:
//   - nobody is signed out: no Set-Cookie clears wos-session, nothing answers 401;
//   - a refresh-due request is served 200 with the old session (Server-Timing refresh_deferred);
//   - nothing loops: a document request never redirects to /auth/login;
//   - every 5xx carries Retry-After, and a 429's `Retry-After: 7` is passed on;
//   - nothing takes longer than the API timeout (WORKOS_API_TIMEOUT_MS) plus a few seconds;
//   - the Worker survives: with the fault cleared the same session works and refreshes, once,
//     and the isolate still has its JWKS (it is not fetched again).
// And WorkOS refusing an authorization code is the visitor's problem (4xx), not ours (5xx).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { FAULTS, startFaultProxy } from './fault-proxy.mjs';
import { Browser, startEmulator, startWorker } from './harness.mjs';

/** The Worker's WorkOS API timeout in these tests (the Worker's default is 8000). */
const API_TIMEOUT_MS = 1500;
/** What a request may take beyond that: a loaded 2-core machine, a Durable Object hop. */
const SLACK_MS = 4000;
const LIMIT_MS = API_TIMEOUT_MS + SLACK_MS;
/** Faults every API route can suffer (`empty-jwks` only makes sense for the JWKS). */
const REPLY_FAULTS = FAULTS.filter((f) => f !== 'empty-jwks');
/** How soon after WorkOS recovers a fresh Worker must verify tokens again (a JWKS negative
 *  cache of a few seconds is fine; minutes are not). */
const RECOVERY_MS = 20_000;

let emulator;
let plainProxy;
let eagerProxy;
let plain; // default refresh buffer: sign-in and the session routes
let eager; // REFRESH_BUFFER_SECONDS=7200: every request refreshes (tokens live 1 h)
let plainJwksAfterWarmup;
let eagerJwksAfterWarmup;

before(async () => {
  emulator = await startEmulator();
  [plainProxy, eagerProxy] = await Promise.all([startFaultProxy(emulator.url), startFaultProxy(emulator.url)]);
  const common = { WORKOS_API_TIMEOUT_MS: String(API_TIMEOUT_MS) };
  [plain, eager] = await Promise.all([
    startWorker({ ...common, WORKOS_API_BASE_URL: plainProxy.url }),
    startWorker({ ...common, WORKOS_API_BASE_URL: eagerProxy.url, REFRESH_BUFFER_SECONDS: '7200' }),
  ]);
  // Warm both isolates: one sign-in and one protected request each fetch the JWKS once.
  for (const [worker, proxy] of [[plain, plainProxy], [eager, eagerProxy]]) {
    const b = await signIn(worker, proxy);
    const res = await b.request('/dashboard');
    await res.arrayBuffer();
    assert.equal(res.status, 200, 'warm-up request');
    assert.equal(proxy.count('jwks', { forwarded: true }), 1, 'warm-up fetched the JWKS once');
  }
  plainJwksAfterWarmup = plainProxy.count('jwks');
  eagerJwksAfterWarmup = eagerProxy.count('jwks');
});

after(async () => {
  for (const s of [plain, eager, emulator]) s?.stop();
  await Promise.all([plainProxy?.stop(), eagerProxy?.stop()]);
});

// ---------------------------------------------------------------------------------------------
// helpers

/** A fresh browser signed in on `worker`; returns it with the refresh token in its cookie. */
async function signIn(worker, proxy, { email = 'ada@example.com', returnTo = '/' } = {}) {
  const b = new Browser(worker.url);
  const hops = await b.signIn(returnTo, email);
  assert.equal(hops.at(-1).status, 200, `sign-in ended at ${hops.at(-1).url} with ${hops.at(-1).status}`);
  for (const hop of hops) await hop.res.arrayBuffer().catch(() => {});
  assert.ok(b.session, 'signed in');
  // returnTo is public, so nothing refreshed: the cookie holds the code exchange's tokens.
  b.refreshToken = proxy.lastIssued('authorization_code')?.refreshToken;
  assert.ok(b.refreshToken, 'the proxy saw the code exchange');
  return b;
}

/** Runs `fn`, failing (instead of waiting forever) when it takes longer than `ms`. */
async function within(ms, what, fn) {
  const started = Date.now();
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms (hung)`)), ms);
  });
  try {
    const value = await Promise.race([fn(), guard]);
    return { value, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** A Set-Cookie line that removes wos-session. */
function clearsSession(res) {
  return res.headers.getSetCookie().some((line) => {
    if (!/^wos-session=/i.test(line)) return false;
    const value = line.split(';')[0].slice('wos-session='.length).trim();
    return value === '' || /max-age=0\b/i.test(line) || /expires=thu, 01 jan 1970/i.test(line);
  });
}

/**
 * What must hold for any answer to a visitor whose token is valid while WorkOS misbehaves.
 * `res` is a fetch Response (headers and status), `ms` how long it took.
 */
function assertUnharmed(res, ms, fault, what) {
  const label = `${what} under ${fault}: HTTP ${res.status}`;
  assert.ok(ms <= LIMIT_MS, `${label} took ${ms} ms (limit: API timeout ${API_TIMEOUT_MS} ms + ${SLACK_MS} ms)`);
  assert.ok(!clearsSession(res), `${label} cleared the session cookie: ${res.headers.getSetCookie().join(' | ')}`);
  assert.notEqual(res.status, 401, `${label}: a valid session was refused`);
  const location = res.headers.get('location') ?? '';
  assert.ok(!location.startsWith('/auth/login') && !location.includes('/auth/login?'), `${label} redirects to sign-in (${location}): a loop`);
  if (res.status >= 500 || res.status === 429) {
    const retryAfter = res.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, `${label} has no Retry-After`);
    if (fault === '429') assert.equal(retryAfter, '7', `${label}: WorkOS said Retry-After: 7, the Worker said ${retryAfter}`);
  }
}

/** A session route's answer while its WorkOS call fails: a retryable error, never a 200 of
 *  made-up data, never a sign-out. */
function assertRetryableError(res, ms, fault, what) {
  assertUnharmed(res, ms, fault, what);
  assert.ok(res.status >= 500 || res.status === 429, `${what} under ${fault}: HTTP ${res.status}, expected a retryable 5xx/429`);
}

function serverTiming(res) {
  return res.headers.get('server-timing') ?? '';
}

// ---------------------------------------------------------------------------------------------

describe('sign-in: the code exchange fails', () => {
  for (const fault of REPLY_FAULTS) {
    test(`sign-in under ${fault}: a retryable error page, the existing session kept, then sign-in works`, async () => {
      const b = await signIn(plain, plainProxy);
      const before = b.session;
      const login = await b.request('/auth/login?returnTo=%2Fdashboard');
      await login.arrayBuffer();
      const authorize = await fetch(login.headers.get('location'), { redirect: 'manual' });
      await authorize.arrayBuffer();
      const callbackUrl = authorize.headers.get('location');
      assert.match(callbackUrl, /\/auth\/callback\?/);

      plainProxy.fault('authenticate:authorization_code', fault);
      try {
        const { value: res, ms } = await within(LIMIT_MS + 30_000, 'callback', () => b.request(callbackUrl));
        await res.arrayBuffer().catch(() => {});
        assertRetryableError(res, ms, fault, 'GET /auth/callback');
        assert.equal(b.session, before, 'the session the visitor already had is kept');
      } finally {
        plainProxy.clear();
      }

      const still = await b.json('/auth/session');
      assert.equal(still.status, 200, 'the existing session still works');
      const again = await b.signIn('/dashboard', 'ada@example.com');
      assert.equal(again.at(-1).status, 200, 'signing in again works');
      assert.notEqual(b.session, before, 'with a new session');
    });
  }

  test('WorkOS refusing the code (the emulator, 400) is a 4xx page, not a 5xx', async () => {
    const b = new Browser(plain.url);
    const login = await b.request('/auth/login?returnTo=%2Fdashboard');
    await login.arrayBuffer();
    const authorize = await fetch(login.headers.get('location'), { redirect: 'manual' });
    await authorize.arrayBuffer();
    const callback = new URL(authorize.headers.get('location'));
    callback.searchParams.set('code', 'not-a-code-workos-issued');
    const before = plainProxy.count('authenticate:authorization_code', { forwarded: true });
    const res = await b.request(callback.href);
    const page = await res.text();
    assert.equal(plainProxy.count('authenticate:authorization_code', { forwarded: true }), before + 1, 'the code reached the emulator');
    assert.ok(res.status >= 400 && res.status < 500, `HTTP ${res.status}: a refused code is not a server error`);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/, 'a page for a navigation');
    assert.match(page, /sign in/i, 'the page offers to sign in again');
    assert.equal(b.session, undefined, 'no session');
  });

  test('WorkOS refusing the code (the real API form, 400 invalid_grant) is a 4xx page', async () => {
    const b = new Browser(plain.url);
    const login = await b.request('/auth/login?returnTo=%2Fdashboard');
    await login.arrayBuffer();
    const authorize = await fetch(login.headers.get('location'), { redirect: 'manual' });
    await authorize.arrayBuffer();
    plainProxy.reply('authenticate:authorization_code', {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'The code has expired or was already used.' },
    });
    try {
      const res = await b.request(authorize.headers.get('location'));
      await res.arrayBuffer();
      assert.ok(res.status >= 400 && res.status < 500, `HTTP ${res.status}: a refused code is not a server error`);
      assert.equal(b.session, undefined);
    } finally {
      plainProxy.clear();
    }
  });
});

describe('refresh fails while the access token is still valid (REFRESH_BUFFER_SECONDS=7200)', () => {
  for (const fault of REPLY_FAULTS) {
    test(`refresh under ${fault}: served 200 with the old session, then refreshed exactly once`, async () => {
      const b = await signIn(eager, eagerProxy);
      const before = b.session;
      const token = b.refreshToken;

      eagerProxy.fault('authenticate:refresh_token', fault);
      try {
        const { value: doc, ms } = await within(LIMIT_MS + 30_000, 'document', () => b.request('/dashboard'));
        await doc.arrayBuffer();
        assertUnharmed(doc, ms, fault, 'GET /dashboard (document)');
        assert.equal(doc.status, 200, `refresh due, token valid, WorkOS ${fault}: the page is served`);
        assert.match(serverTiming(doc), /refresh_deferred/);
        assert.equal(b.session, before, 'the cookie is kept');

        const { value: xhr, ms: xhrMs } = await within(LIMIT_MS + 30_000, 'xhr', () =>
          b.request('/auth/session', { document: false, headers: { accept: 'application/json' } }),
        );
        const body = await xhr.json().catch(() => null);
        assertUnharmed(xhr, xhrMs, fault, 'GET /auth/session');
        assert.equal(xhr.status, 200);
        assert.equal(body?.refreshDeferred, true);
        assert.ok(eagerProxy.grants(token).length >= 1, 'the refresh was attempted (and faulted)');
        assert.equal(eagerProxy.forwardedGrants(token).length, 0, 'nothing reached WorkOS yet');
      } finally {
        eagerProxy.clear();
      }

      const res = await b.request('/dashboard');
      await res.arrayBuffer();
      assert.equal(res.status, 200, 'fault cleared: served');
      assert.match(serverTiming(res), /refreshed/, 'and refreshed');
      assert.notEqual(b.session, before, 'with a new cookie');
      assert.equal(eagerProxy.forwardedGrants(token).length, 1, 'the refresh token reached WorkOS exactly once');
      const next = await b.json('/auth/session');
      assert.equal(next.status, 200, 'the new session works');
      assert.equal(next.body.refreshedNow, true, 'and refreshes again (buffer 7200)');
    });
  }

  test('every WorkOS route failing at once (any: 500): pages served, routes retryable, sign-out works', async () => {
    const b = await signIn(eager, eagerProxy);
    const before = b.session;
    eagerProxy.fault('any', '500');
    try {
      for (const [what, run] of [
        ['GET /dashboard', () => b.request('/dashboard')],
        ['GET /auth/session', () => b.request('/auth/session', { document: false, headers: { accept: 'application/json' } })],
      ]) {
        const { value: res, ms } = await within(LIMIT_MS + 30_000, what, run);
        await res.arrayBuffer();
        assertUnharmed(res, ms, '500', what);
        assert.equal(res.status, 200, `${what}: served with the old session`);
      }
      for (const [what, run] of [
        ['GET /auth/sessions', () => b.request('/auth/sessions', { document: false, headers: { accept: 'application/json' } })],
        ['GET /auth/organizations', () => b.request('/auth/organizations', { document: false, headers: { accept: 'application/json' } })],
      ]) {
        const { value: res, ms } = await within(LIMIT_MS + 30_000, what, run);
        await res.arrayBuffer();
        assertRetryableError(res, ms, '500', what);
      }
      assert.equal(b.session, before);
      // Node's fetch always sends Sec-Fetch-Mode: cors, so sign out with a same-origin POST.
      const out = await b.request('/auth/logout', { method: 'POST', headers: { origin: b.base } });
      await out.arrayBuffer();
      assert.equal(out.status, 302, 'sign-out does not need the API');
      assert.ok(clearsSession(out), 'sign-out clears the cookie');
    } finally {
      eagerProxy.clear();
    }
  });

  test('the eager isolate survived every fault: the JWKS was never fetched again', async () => {
    const b = await signIn(eager, eagerProxy);
    const res = await b.request('/dashboard');
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    assert.match(serverTiming(res), /refreshed/);
    assert.equal(eagerProxy.count('jwks'), eagerJwksAfterWarmup, 'a JWKS fetch means the isolate (and its caches) restarted');
    assert.deepEqual(eagerProxy.doubleSpent(), [], 'no refresh token reached WorkOS twice');
  });
});

describe('session routes: the WorkOS call behind them fails', () => {
  const routes = [
    {
      name: 'GET /auth/sessions',
      cls: 'sessions:list',
      async run(b) {
        return b.request('/auth/sessions', { document: false, headers: { accept: 'application/json' } });
      },
    },
    {
      name: 'POST /auth/sessions/revoke',
      cls: 'sessions:revoke',
      async prepare() {
        // A second session of the same user, to revoke.
        const other = await signIn(plain, plainProxy);
        return { sessionId: (await other.json('/auth/session')).body.sessionId };
      },
      async run(b, ctx) {
        return b.request('/auth/sessions/revoke', {
          method: 'POST',
          document: false,
          body: JSON.stringify({ sessionId: ctx.sessionId }),
          headers: { accept: 'application/json', 'content-type': 'application/json', origin: plain.url },
        });
      },
      async check(res, ctx) {
        assert.deepEqual((await res.json()).revoked, [ctx.sessionId]);
      },
      // Revoking needs only WorkOS's status: a 200 whose body is not JSON (or not the usual
      // JSON) still says the session was revoked, so the Worker may report success.
      successUnder: ['non-json', 'wrong-shape'],
    },
    {
      name: 'GET /auth/organizations',
      cls: 'memberships',
      async run(b) {
        return b.request('/auth/organizations', { document: false, headers: { accept: 'application/json' } });
      },
      async check(res) {
        assert.ok((await res.json()).organizations.length >= 1);
      },
    },
  ];

  for (const route of routes) {
    for (const fault of REPLY_FAULTS) {
      test(`${route.name} under ${fault} (${route.cls}): retryable error, no sign-out, then it works`, async () => {
        const b = await signIn(plain, plainProxy);
        const before = b.session;
        const ctx = (await route.prepare?.()) ?? {};
        const faultedBefore = plainProxy.count(route.cls, { faulted: true });
        plainProxy.fault(route.cls, fault);
        try {
          const { value: res, ms } = await within(LIMIT_MS + 30_000, route.name, () => route.run(b, ctx));
          await res.arrayBuffer();
          assert.ok(plainProxy.count(route.cls, { faulted: true }) > faultedBefore, 'the fault was hit');
          if (route.successUnder?.includes(fault) && res.status === 200) assertUnharmed(res, ms, fault, route.name);
          else assertRetryableError(res, ms, fault, route.name);
          assert.equal(b.session, before, 'the cookie is kept');
        } finally {
          plainProxy.clear();
        }
        const res = await route.run(b, ctx);
        assert.equal(res.status, 200, `${route.name} works once the fault is cleared`);
        if (route.check) await route.check(res, ctx);
        else await res.arrayBuffer();
        const page = await b.request('/dashboard');
        await page.arrayBuffer();
        assert.equal(page.status, 200, 'the session still works');
        assert.match(serverTiming(page), /authenticated/);
      });
    }
  }

  test('the plain isolate survived every fault: the JWKS was never fetched again', async () => {
    const b = await signIn(plain, plainProxy);
    const res = await b.request('/dashboard');
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    assert.equal(plainProxy.count('jwks'), plainJwksAfterWarmup, 'a JWKS fetch means the isolate (and its caches) restarted');
  });
});

describe('JWKS: a fresh Worker whose first JWKS fetch fails', () => {
  // One fresh Worker (own proxy) per fault, one at a time: the JWKS is cached per isolate, so
  // only a new isolate fetches it first. The session comes from the plain Worker (same
  // password, same emulator keys).
  for (const fault of FAULTS) {
    test(`JWKS under ${fault}: no sign-out, no loop, retryable; once cleared: fetched once, then cached`, async () => {
      const minted = await signIn(plain, plainProxy);
      const proxy = await startFaultProxy(emulator.url);
      proxy.fault('jwks', fault);
      const worker = await startWorker({ WORKOS_API_BASE_URL: proxy.url, WORKOS_API_TIMEOUT_MS: String(API_TIMEOUT_MS) });
      try {
        const b = new Browser(worker.url);
        b.jar.set('wos-session', { name: 'wos-session', value: minted.session, path: '/' });

        const { value: doc, ms } = await within(LIMIT_MS + 30_000, 'document', () => b.request('/dashboard'));
        await doc.arrayBuffer();
        assertUnharmed(doc, ms, fault, 'GET /dashboard (document)');
        assert.ok(doc.status === 200 || doc.status >= 500, `GET /dashboard under ${fault}: HTTP ${doc.status}`);
        const { value: xhr, ms: xhrMs } = await within(LIMIT_MS + 30_000, 'xhr', () =>
          b.request('/auth/session', { document: false, headers: { accept: 'application/json' } }),
        );
        await xhr.arrayBuffer();
        assertUnharmed(xhr, xhrMs, fault, 'GET /auth/session');
        assert.ok(xhr.status === 200 || xhr.status >= 500, `GET /auth/session under ${fault}: HTTP ${xhr.status}`);
        assert.ok(proxy.count('jwks', { faulted: true }) >= 1, 'the JWKS fetch was attempted (and faulted)');
        assert.ok(b.session, 'still has a session cookie');

        proxy.clear();
        // A Worker may remember a failed fetch for a few seconds (a negative cache) rather
        // than hammer a failing WorkOS; it must recover within RECOVERY_MS, harmlessly.
        const fetchedBefore = proxy.count('jwks', { forwarded: true });
        const recoveryStarted = Date.now();
        let res;
        for (;;) {
          const { value, ms: took } = await within(LIMIT_MS + 30_000, 'recovery', () => b.request('/dashboard'));
          res = value;
          await res.arrayBuffer();
          assertUnharmed(res, took, 'recovering', 'GET /dashboard after the fault');
          if (res.status === 200 || Date.now() - recoveryStarted > RECOVERY_MS) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal(res.status, 200, `fault cleared: served within ${RECOVERY_MS} ms`);
        assert.match(
          serverTiming(res),
          /authenticated/,
          `the token verified against the real key set (JWKS fetched ${proxy.count('jwks', { forwarded: true }) - fetchedBefore}x since the fault cleared, ` +
            `refresh grants ${proxy.count('authenticate:refresh_token', { since: recoveryStarted })}: a Worker that kept the faulty key set refreshes instead of verifying)`,
        );
        assert.equal(proxy.count('jwks', { forwarded: true }) - fetchedBefore, 1, 'the real JWKS fetched once after the fault');
        const again = await b.json('/auth/session');
        assert.equal(again.status, 200);
        assert.equal(proxy.count('jwks', { forwarded: true }) - fetchedBefore, 1, 'and then cached');
      } finally {
        worker.stop();
        await proxy.stop();
      }
    });
  }
});
