// workos-edge/hono and workos-edge/express in Node, on real HTTP servers, against the emulator
// behind a proxy that counts refreshes: sign-in through the routes (returnTo kept on our origin),
// protected routes, each require*, refresh coalescing, the SDK's reasons for broken and spent
// cookies, Cache-Control, sign-out. The same scenario runs for both frameworks.
//
//   node --test tests/npm/       (after npm run build:npm && node tests/npm/pack.mjs)

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Hono } from 'hono';
import express from 'express';
import * as honoKit from 'workos-edge/hono';
import * as expressKit from 'workos-edge/express';
import { startEmulator } from '../e2e/harness.mjs';
import { countingProxy, signInThrough, inOrganization, organizations, setCookie, COOKIE_PASSWORD, CLIENT_ID, API_KEY } from './helpers.mjs';

let emulator;
let proxy;
let orgs;
before(async () => {
  emulator = await startEmulator();
  proxy = await countingProxy(emulator.url);
  orgs = await organizations(emulator.url);
});
after(async () => {
  await proxy?.stop();
  emulator?.stop();
});

const options = () => ({ clientId: CLIENT_ID, apiKey: API_KEY, cookiePassword: COOKIE_PASSWORD, ...proxy.options });
const body = (session) => ({ email: session?.user.email ?? null, organizationId: session?.organizationId ?? null, role: session?.role ?? null });

/** node:http serving a fetch handler (Hono's app.fetch). */
async function serveFetch(handler) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) headers.set(name, [].concat(value).join(', '));
    const response = await handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined }));
    const out = {};
    response.headers.forEach((value, name) => name !== 'set-cookie' && (out[name] = value));
    if (response.headers.getSetCookie().length) out['set-cookie'] = response.headers.getSetCookie();
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return listen(server);
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

function honoApp() {
  const app = new Hono();
  const kit = honoKit.authkit(options());
  app.use('/auth/*', kit);
  app.use('/app/*', kit);
  const me = (c) => c.json(body(c.get('workos')), 200, { 'cache-control': 'public, max-age=600' });
  app.get('/app/public', me);
  app.get('/app/me', honoKit.requireAuth(), me);
  app.get('/app/org', honoKit.requireOrganization(), me);
  app.get('/app/org/:id', (c, next) => honoKit.requireOrganization(c.req.param('id'))(c, next), me);
  app.get('/app/admin', honoKit.requireRole('admin'), me);
  app.get('/app/members', honoKit.requirePermission('members:manage'), me);
  const eager = new Hono();
  eager.use(honoKit.authkit({ ...options(), refreshBufferSeconds: 7200 }));
  eager.get('/me', honoKit.requireAuth(), me);
  app.route('/eager', eager);
  return serveFetch(app.fetch);
}

function expressApp() {
  const app = express();
  const kit = expressKit.authkit(options());
  app.use(['/auth', '/app'], kit);
  const me = (req, res) => res.set('cache-control', 'public, max-age=600').json(body(req.workos));
  app.get('/app/public', me);
  app.get('/app/me', expressKit.requireAuth(), me);
  app.get('/app/org', expressKit.requireOrganization(), me);
  app.get('/app/org/:id', (req, res, next) => expressKit.requireOrganization(req.params.id)(req, res, next), me);
  app.get('/app/admin', expressKit.requireRole('admin'), me);
  app.get('/app/members', expressKit.requirePermission('members:manage'), me);
  app.get('/eager/me', expressKit.authkit({ ...options(), refreshBufferSeconds: 7200 }), expressKit.requireAuth(), me);
  return listen(http.createServer(app));
}

for (const [framework, start] of [['Hono', honoApp], ['Express', expressApp]]) {
  describe(`${framework} in Node`, () => {
    let app;
    let base;
    let cookie;
    before(async () => {
      app = await start();
      base = app.url;
    });
    after(() => app?.stop());

    const get = async (path, c, headers = {}) => {
      const res = await fetch(`${base}${path}`, { redirect: 'manual', headers: { accept: 'application/json', ...(c && { cookie: c }), ...headers } });
      return { res, status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text() };
    };

    test('no session: 401 JSON with the SDK reason for APIs, the sign-in redirect for pages; optional routes see null', async () => {
      assert.deepStrictEqual((await get('/app/me')).body, { error: 'unauthorized', reason: 'no_session_cookie_provided' });
      const page = await get('/app/me', undefined, { accept: 'text/html', 'sec-fetch-dest': 'document' });
      assert.equal(page.status, 302);
      assert.ok(page.res.headers.get('location').startsWith(`${proxy.url}/user_management/authorize?`));
      assert.deepStrictEqual((await get('/app/public')).body, body(null));
    });

    test('sign-in through the routes returns to the page; a foreign returnTo becomes /', async () => {
      const signedIn = await signInThrough(base, '/app/me?tab=2');
      assert.equal(signedIn.returnedTo, '/app/me?tab=2');
      cookie = signedIn.cookie;
      const evil = await fetch(`${base}/auth/login?returnTo=${encodeURIComponent('//evil.example/x')}`, { redirect: 'manual' });
      const flow = evil.headers.getSetCookie()[0].split(';')[0];
      const back = await fetch(evil.headers.get('location'), { redirect: 'manual' });
      const done = await fetch(back.headers.get('location'), { redirect: 'manual', headers: { cookie: flow } });
      assert.equal(done.headers.get('location'), '/');
      const forged = await fetch(back.headers.get('location'), { redirect: 'manual' });
      assert.equal(forged.status, 400, 'a callback without its sign-in cookie is refused');
    });

    test('a signed-in request: the session, Cache-Control: private (over the handler\'s public), Vary: Cookie', async () => {
      const { res, status, body: b } = await get('/app/me', cookie);
      assert.equal(status, 200);
      assert.deepStrictEqual(b, { email: 'ada@example.com', organizationId: null, role: null });
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
      assert.match(res.headers.get('vary'), /Cookie/i);
      assert.equal(setCookie(res, 'wos-session'), undefined, 'a fresh token is not refreshed');
    });

    test('requireOrganization(id?), requireRole, requirePermission', async () => {
      assert.deepStrictEqual((await get('/app/org', cookie)).body, { error: 'forbidden', reason: 'organization_required' });
      const admin = await inOrganization(emulator.url, cookie, orgs['Analytical Engines']);
      assert.equal((await get('/app/org', admin)).status, 200);
      assert.equal((await get(`/app/org/${orgs['Analytical Engines']}`, admin)).status, 200);
      assert.deepStrictEqual((await get(`/app/org/${orgs['Harvard Computation Lab']}`, admin)).body, { error: 'forbidden', reason: 'organization_mismatch' });
      assert.equal((await get('/app/admin', admin)).body.role, 'admin');
      assert.equal((await get('/app/members', admin)).status, 200);
      const member = await inOrganization(emulator.url, admin, orgs['Harvard Computation Lab']);
      assert.deepStrictEqual((await get('/app/admin', member)).body, { error: 'forbidden', reason: 'role_required' });
      assert.deepStrictEqual((await get('/app/members', member)).body, { error: 'forbidden', reason: 'permission_required' });
      cookie = member;
    });

    test('refresh: two concurrent requests with one due cookie → one WorkOS call, both get the same new cookie; the old one later gets it too', async () => {
      const before = proxy.counts.refresh;
      const [a, b] = await Promise.all([get('/eager/me', cookie), get('/eager/me', cookie)]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.equal(proxy.counts.refresh - before, 1);
      const fresh = setCookie(a.res, 'wos-session');
      assert.ok(fresh);
      assert.equal(setCookie(b.res, 'wos-session'), fresh);
      // A third tab with the old cookie, after the refresh: the published outcome, no new call.
      const late = await get('/eager/me', cookie);
      assert.equal(setCookie(late.res, 'wos-session'), fresh);
      assert.equal(proxy.counts.refresh - before, 1);
      cookie = fresh.split(';')[0];
      assert.equal((await get('/app/me', cookie)).status, 200);
    });

    test('broken cookie → invalid_session_cookie and the cookie cleared', async () => {
      const { status, body: b, res } = await get('/app/me', `${cookie.slice(0, -6)}AAAA~2`);
      assert.equal(status, 401);
      assert.deepStrictEqual(b, { error: 'unauthorized', reason: 'invalid_session_cookie' });
      assert.match(setCookie(res, 'wos-session'), /Max-Age=0/);
    });

    test('sign-out: POST from our origin → WorkOS logout, cookie cleared; cross-site refused', async () => {
      const refused = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'sec-fetch-site': 'cross-site' } });
      assert.equal(refused.status, 403);
      const res = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: base } });
      assert.equal(res.status, 302);
      const location = new URL(res.headers.get('location'));
      assert.equal(location.pathname, '/user_management/sessions/logout');
      assert.match(location.searchParams.get('session_id'), /^session_/);
      assert.equal(location.searchParams.get('return_to'), `${base}/`);
      assert.match(setCookie(res, 'wos-session'), /^wos-session=; .*Max-Age=0/);
    });
  });
}

test('Express: a spent refresh token gives invalid_grant and clears the cookie', async () => {
  const app = await expressApp();
  try {
    const { cookie } = await signInThrough(app.url, '/app/me');
    const sealed = cookie.slice('wos-session='.length);
    const { WorkOS } = await import('workos-edge');
    const direct = new WorkOS(API_KEY, { clientId: CLIENT_ID, baseUrl: emulator.url });
    const spent = await direct.userManagement.loadSealedSession({ sessionData: sealed, cookiePassword: COOKIE_PASSWORD }).refresh();
    assert.equal(spent.authenticated, true, 'the refresh token is now spent');
    const res = await fetch(`${app.url}/eager/me`, { headers: { cookie, accept: 'application/json' } });
    assert.equal(res.status, 401);
    assert.deepStrictEqual(await res.json(), { error: 'unauthorized', reason: 'invalid_grant' });
    assert.match(setCookie(res, 'wos-session'), /Max-Age=0/);
  } finally {
    await app.stop();
  }
});
