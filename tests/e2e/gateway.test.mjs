// End-to-end: the real Worker in workerd (wrangler dev) against the official WorkOS emulator,
// in front of www/ (static mode) and in front of an origin server (origin mode) that checks
// the cookie it receives with the real @workos-inc/node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import fs from 'node:fs';
import path from 'node:path';

import { api, artifacts, Browser, startEmulator, startOrigin, startWorker, unsealWithCli } from './harness.mjs';

/** The tokens inside a cookie, read with our CLI, once it is clear the CLI read real ones: a
 *  comparison against a missing or empty token would pass for the wrong reason. */
function tokensIn(cookie) {
  const data = unsealWithCli(cookie);
  assert.equal(typeof data?.refreshToken, 'string', `the CLI read a refresh token: ${JSON.stringify(data)}`);
  assert.match(data.refreshToken, /^\S{16,}$/, 'a refresh token of plausible length');
  assert.match(data.accessToken ?? '', /^[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}$/, 'a JWT access token');
  return data;
}

/** How many refreshes the refresh coordinator (Durable Object) has performed, once wrangler's
 *  log has caught up (the count stays the same for 400 ms; at most 8 s). */
async function coordinatorRefreshes(worker) {
  const file = path.join(artifacts(), `wrangler-${new URL(worker.url).port}.log`);
  const count = () => (fs.readFileSync(file, 'utf8').match(/"coordinator":"refresh","outcome":"refreshed"/g) ?? []).length;
  let last = count();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 400));
    const now = count();
    if (now === last) return now;
    last = now;
  }
  return last;
}

let emulator;
let staticSite;
let origin;
let proxied;
let forcedRefresh;

before(async () => {
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  const common = { WORKOS_API_BASE_URL: emulator.url };
  [staticSite, proxied, forcedRefresh] = await Promise.all([
    startWorker(common),
    startWorker({ ...common, ORIGIN_URL: origin.url }),
    // Tokens live an hour; a two-hour buffer makes every request refresh.
    startWorker({ ...common, ORIGIN_URL: origin.url, REFRESH_BUFFER_SECONDS: '7200' }),
  ]);
});

after(() => {
  for (const s of [staticSite, proxied, forcedRefresh, emulator, origin]) s?.stop();
});

async function organizations() {
  const { data } = await api(emulator.url, 'GET', '/organizations?limit=100');
  return Object.fromEntries(data.map((o) => [o.name, o.id]));
}

describe('static site (www/ behind the Worker)', () => {
  test('public paths need no session; protected ones send documents to sign-in and XHR a 401', async () => {
    const b = new Browser(staticSite.url);
    assert.equal((await b.request('/')).status, 200);
    assert.equal((await b.request('/assets/site.css', { document: false })).status, 200);

    const page = await b.request('/dashboard.html?tab=2');
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/auth/login?returnTo=%2Fdashboard.html%3Ftab%3D2');

    const xhr = await b.json('/dashboard.html');
    assert.equal(xhr.status, 401);
    assert.equal(xhr.body.reason, 'no_session_cookie_provided');
  });

  test('full sign-in by HTTP: authorize with PKCE, callback, cookie, protected page', async () => {
    const b = new Browser(staticSite.url);
    const hops = await b.signIn('/dashboard');
    const authorize = new URL(hops[0].location);
    assert.equal(authorize.origin + authorize.pathname, `${emulator.url}/user_management/authorize`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('code_challenge').length, 43);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${staticSite.url}/auth/callback`);
    assert.equal(hops.at(-1).url, `${staticSite.url}/dashboard`);
    assert.equal(hops.at(-1).status, 200);
    assert.match(b.session, /^Fe26\.2\*1\*[0-9a-f]{64}\*/);
    assert.ok(b.session.endsWith('~2'));

    const page = hops.at(-1).res;
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.match(page.headers.get('vary'), /Cookie/);
    assert.match(page.headers.get('server-timing'), /^auth;dur=\d+/);

    const session = await b.json('/auth/session');
    assert.equal(session.status, 200);
    assert.equal(session.body.user.email, 'ada@example.com');
    assert.match(session.body.sessionId, /^session_/);
    assert.ok(session.body.accessTokenExpiresAt > Date.now() / 1000);
    const text = JSON.stringify(session.body);
    const { accessToken, refreshToken } = tokensIn(b.session);
    assert.ok(!text.includes(accessToken) && !text.includes(refreshToken), 'tokens never leave the edge');
  });

  test('tampered, truncated and foreign cookies are a clean invalid_session_cookie', async () => {
    const good = new Browser(staticSite.url);
    await good.signIn();
    const cookie = good.session;
    const flipped = cookie.slice(0, 100) + (cookie[100] === 'a' ? 'b' : 'a') + cookie.slice(101);
    tokensIn(cookie); // the signed-in cookie really holds a session
    const foreign = 'Fe26.2*1*' + 'a'.repeat(64) + '*AAAAAAAAAAAAAAAAAAAAAA*AAAA**' + 'b'.repeat(64) + '*' + 'A'.repeat(43) + '~2';
    for (const bad of [flipped, cookie.slice(0, cookie.length / 2), foreign, 'garbage', '~2']) {
      const b = new Browser(staticSite.url);
      b.jar.set('wos-session', { name: 'wos-session', value: bad, path: '/' });
      const xhr = await b.json('/dashboard.html');
      assert.equal(xhr.status, 401, bad.slice(0, 20));
      assert.equal(xhr.body.reason, 'invalid_session_cookie');
      assert.match(xhr.headers.get('set-cookie') ?? '', /wos-session=;.*Max-Age=0/);
      b.jar.set('wos-session', { name: 'wos-session', value: bad, path: '/' });
      const doc = await b.request('/dashboard.html');
      assert.equal(doc.status, 302);
      assert.match(doc.headers.get('location'), /^\/auth\/login\?returnTo=/);
    }
  });

  test('hostile returnTo values stay on this origin', async () => {
    const hostile = [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      'javascript:alert(1)',
      '\\\\evil.example',
      ' //evil.example',
    ];
    for (const returnTo of hostile) {
      const b = new Browser(staticSite.url);
      const hops = await b.signIn(returnTo);
      const final = hops.at(-1).url;
      assert.ok(final.startsWith(staticSite.url + '/'), `${returnTo} -> ${final}`);
      const callback = hops.find((h) => h.url.includes('/auth/callback'));
      assert.equal(callback.location, '/', `${returnTo} -> ${callback.location}`);
    }
  });

  test('route rules answer 403 at the edge until the session has the permission', async () => {
    const b = new Browser(staticSite.url);
    await b.signIn();
    assert.equal((await b.request('/reports/')).status, 403);
    const orgs = await organizations();
    const switched = await b.post('/auth/switch-organization', { organizationId: orgs['Analytical Engines'] });
    assert.equal(switched.status, 200);
    assert.equal(switched.body.role, 'admin');
    assert.equal((await b.request('/reports/')).status, 200);
  });

  test('logout clears the cookie and ends the WorkOS session', async () => {
    const b = new Browser(staticSite.url);
    await b.signIn();
    // A link on another site cannot sign anyone out: it gets a page whose button POSTs.
    const before = b.session;
    const forged = await b.request('/auth/logout', { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(forged.status, 200);
    assert.match(await forged.text(), /<form method="post" action="\/auth\/logout">/);
    assert.equal(b.session, before, 'still signed in');
    const posted = await b.request('/auth/logout', { method: 'POST', headers: { origin: 'https://evil.example' } });
    assert.equal(posted.status, 403);
    assert.equal(b.session, before, 'still signed in');
    // Same-origin but not a navigation (an <img src=/auth/logout> in user content): no.
    const embedded = await b.request('/auth/logout', { headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors' } });
    assert.equal(embedded.status, 200);
    assert.equal(embedded.headers.get('content-security-policy'), "frame-ancestors 'none'");
    assert.equal(b.session, before, 'still signed in');
    const sid = (await b.json('/auth/session')).body.sessionId;
    // Node's fetch always sends Sec-Fetch-Mode: cors, so it cannot navigate: sign out the way
    // the confirmation page does, with a same-origin POST (Chromium's navigation is tested in
    // tests/browser, a header-less GET in hostile.test.mjs).
    const res = await b.request('/auth/logout', { method: 'POST', headers: { origin: staticSite.url } });
    assert.equal(res.status, 302);
    const target = new URL(res.headers.get('location'));
    assert.equal(target.pathname, '/user_management/sessions/logout');
    assert.equal(target.searchParams.get('session_id'), sid);
    assert.equal(target.searchParams.get('return_to'), `${staticSite.url}/`);
    assert.equal(b.session, undefined);
    assert.equal((await b.json('/dashboard.html')).status, 401);
  });

  test('sessions list and revoke touch only the user own sessions', async () => {
    const ada1 = new Browser(staticSite.url);
    const ada2 = new Browser(staticSite.url);
    const grace = new Browser(staticSite.url);
    await ada1.signIn('/', 'ada@example.com');
    await ada2.signIn('/', 'ada@example.com');
    await grace.signIn('/', 'grace@example.com');
    const ada2Sid = (await ada2.json('/auth/session')).body.sessionId;
    const graceSid = (await grace.json('/auth/session')).body.sessionId;

    const listed = await ada1.json('/auth/sessions');
    assert.equal(listed.status, 200);
    const ids = listed.body.sessions.map((s) => s.id);
    assert.ok(ids.includes(ada2Sid));
    assert.ok(!ids.includes(graceSid));
    assert.equal(listed.body.sessions.filter((s) => s.current).length, 1);

    const refused = await ada1.post('/auth/sessions/revoke', { sessionId: graceSid });
    assert.equal(refused.status, 400);
    const revoked = await ada1.post('/auth/sessions/revoke', { sessionId: ada2Sid });
    assert.equal(revoked.status, 200);
    assert.deepEqual(revoked.body.revoked, [ada2Sid]);
    const graceStill = await grace.json('/auth/session');
    assert.equal(graceStill.status, 200);
  });

  test('POST routes refuse cross-origin and non-JSON requests', async () => {
    const b = new Browser(staticSite.url);
    await b.signIn();
    const cross = await b.json('/auth/sessions/revoke', {
      method: 'POST',
      body: JSON.stringify({ allExceptCurrent: true }),
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    });
    assert.equal(cross.status, 403);
    const form = await b.json('/auth/switch-organization', {
      method: 'POST',
      body: 'organizationId=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
  });
});

describe('origin mode (ORIGIN_URL)', () => {
  test('spoofed x-workos-* headers never reach the origin', async () => {
    const b = new Browser(proxied.url);
    const spoof = { 'x-workos-user-id': 'user_evil', 'X-WorkOS-Role': 'admin', 'x-workos-anything': '1' };
    await b.request('/', { headers: spoof });
    assert.equal(origin.last().headers['x-workos-user-id'], undefined);
    assert.equal(origin.last().headers['x-workos-anything'], undefined);

    await b.signIn('/app');
    await b.request('/app', { headers: spoof });
    const seen = origin.last().headers;
    assert.match(seen['x-workos-user-id'], /^user_/);
    assert.notEqual(seen['x-workos-user-id'], 'user_evil');
    assert.equal(seen['x-workos-user-email'], 'ada@example.com');
    assert.match(seen['x-workos-session-id'], /^session_/);
    assert.equal(seen['x-workos-role'], undefined);
    assert.equal(seen['x-workos-anything'], undefined);
  });

  test('identity headers follow an organization switch, and the origin SDK accepts the cookie', async () => {
    const b = new Browser(proxied.url);
    await b.signIn('/app');
    const orgs = await organizations();
    for (const [name, role] of [['Analytical Engines', 'admin'], ['Harvard Computation Lab', 'member']]) {
      const switched = await b.post('/auth/switch-organization', { organizationId: orgs[name] });
      assert.equal(switched.status, 200);
      const res = await b.request('/app');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'private, no-store', 'origin caching is overridden');
      const seen = origin.last();
      assert.equal(seen.headers['x-workos-organization-id'], orgs[name]);
      assert.equal(seen.headers['x-workos-role'], role);
      assert.equal(seen.sdk.authenticated, true, JSON.stringify(seen.sdk));
      assert.equal(seen.sdk.organizationId, orgs[name]);
    }
  });
});

describe('refresh (REFRESH_BUFFER_SECONDS larger than the token lifetime)', () => {
  test('a refresh sets a new cookie and the origin receives it in the same request', async () => {
    const b = new Browser(forcedRefresh.url);
    await b.signIn('/app');
    const before = b.session;
    const res = await b.request('/app');
    assert.equal(res.status, 200);
    const after = b.session;
    assert.notEqual(after, before, 'the response sets a new cookie');
    const seen = origin.last();
    assert.equal(seen.cookie, after, 'the origin got the new cookie, not the old one');
    assert.equal(seen.sdk.authenticated, true, JSON.stringify(seen.sdk));
    assert.notEqual(tokensIn(after).refreshToken, tokensIn(before).refreshToken, 'the refresh token was rotated');
    assert.match(res.headers.get('server-timing'), /refreshed/);
  });

  test('concurrent requests with one cookie share one refresh', async () => {
    const b = new Browser(forcedRefresh.url);
    await b.signIn('/app');
    const cookie = b.session;
    const before = await coordinatorRefreshes(forcedRefresh);
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => fetch(`${forcedRefresh.url}/app`, { headers: { cookie: `wos-session=${cookie}` } })),
    );
    const fresh = new Set();
    assert.equal((await coordinatorRefreshes(forcedRefresh)) - before, 1, 'the Durable Object refreshed exactly once');
    for (const r of responses) {
      assert.equal(r.status, 200);
      fresh.add(r.headers.getSetCookie().find((c) => c.startsWith('wos-session='))?.split(';')[0]);
    }
    assert.equal(fresh.size, 1, 'every request got the same new cookie: one refresh token spent once');
  });

  test('a spent refresh token (invalid_grant) signs out cleanly', async () => {
    const b = new Browser(forcedRefresh.url);
    await b.signIn('/app');
    const { refreshToken } = tokensIn(b.session);
    const spent = await api(emulator.url, 'POST', '/user_management/authenticate', {
      grant_type: 'refresh_token',
      client_id: 'client_workos_edge_e2e',
      client_secret: 'sk_test_default',
      refresh_token: refreshToken,
    });
    assert.equal(spent.status, 200);
    const xhr = await b.json('/app');
    assert.equal(xhr.status, 401);
    assert.equal(xhr.body.reason, 'invalid_grant');
    assert.equal(b.session, undefined, 'the cookie was cleared');
  });
});
