// A JavaScript Worker using the PACKED package (tests/npm/worker-fixture: Hono +
// workos-edge/hono): wrangler bundles it with the wasm as a module of its own (deployed Workers
// refuse to compile wasm from bytes), and in workerd (`wrangler dev`) it authenticates the SDK
// vectors and runs the Hono middleware against the emulator: sign-in, each require*, refresh
// coalescing (counted at a proxy in front of the emulator) and sign-out.
//
//   node --test tests/npm/       (after npm run build:npm && node tests/npm/pack.mjs)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, freePort, artifacts, root } from '../e2e/harness.mjs';
import { countingProxy, signInThrough, inOrganization, organizations, setCookie, COOKIE_PASSWORD, CLIENT_ID, API_KEY } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const packed = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/.packed.json'), 'utf8'));
const pub = JSON.parse(fs.readFileSync(path.join(root, 'crates/core/tests/data/public.json'), 'utf8'));
const wrangler = path.join(root, 'node_modules/.bin/wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' };

// The fixture sits next to the packed install, so `workos-edge` resolves to the tarball's files.
const fixture = path.join(packed.project, 'worker');
fs.rmSync(fixture, { recursive: true, force: true });
fs.cpSync(path.join(here, 'worker-fixture'), fixture, { recursive: true });

let emulator;
let proxy;
let worker;
let base;

before(async () => {
  emulator = await startEmulator();
  proxy = await countingProxy(emulator.url);
  const port = await freePort();
  const vars = {
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_API_KEY: API_KEY,
    WORKOS_COOKIE_PASSWORD: COOKIE_PASSWORD,
    WORKOS_API_HOSTNAME: proxy.options.apiHostname,
    WORKOS_API_PORT: proxy.options.apiPort,
    WORKOS_API_HTTPS: 'false',
  };
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const log = fs.openSync(path.join(artifacts(), `npm-worker-${port}.log`), 'w');
  worker = spawn(wrangler, args, { cwd: fixture, env, stdio: ['ignore', log, log], detached: true });
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    // A port taken again before workerd binds it makes wrangler exit while a stranger answers:
    // fail clearly instead of testing the stranger.
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited (${worker.exitCode}); see test-artifacts/npm-worker-${port}.log`);
    try {
      if (!fs.readFileSync(path.join(artifacts(), `npm-worker-${port}.log`), 'utf8').includes(`Ready on ${base}`)) throw new Error('not ready yet');
      await (await fetch(`${base}/app/public`)).arrayBuffer();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not start (see test-artifacts/npm-worker-${port}.log): ${error}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
});

after(async () => {
  if (worker?.exitCode === null) process.kill(-worker.pid, 'SIGTERM');
  await proxy?.stop();
  emulator?.stop();
});

test('wrangler deploy --dry-run: the wasm is a module of its own, the JS carries no base64 copy', () => {
  const out = path.join(packed.project, 'worker-dist');
  fs.rmSync(out, { recursive: true, force: true });
  execFileSync(wrangler, ['deploy', '--dry-run', '--outdir', out], { cwd: fixture, env, stdio: 'pipe' });
  const files = fs.readdirSync(out);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm module in ${files}`);
  const shipped = fs.readFileSync(path.join(packed.project, 'node_modules/workos-edge/wasm/workos_edge_js_bg.wasm'));
  assert.ok(fs.readFileSync(path.join(out, wasm[0])).equals(shipped), 'the module is the package\'s .wasm, byte for byte');
  const js = files.filter((f) => /\.m?js$/.test(f)).map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
  assert.ok(js.length > 0);
  const longest = Math.max(0, ...(js.match(/[A-Za-z0-9+/=]{2000,}/g) ?? []).map((s) => s.length));
  assert.equal(longest, 0, `a ${longest}-character base64-like string in the bundle`);
  assert.ok(js.length < shipped.length / 2, `the JS (${js.length} bytes) is far smaller than the wasm (${shipped.length})`);
  assert.match(js, /workos_edge_js_bg\.wasm|\.wasm"/, 'the bundle imports the wasm module');
});

test('workerd: the SDK vectors authenticate as @workos-inc/node recorded', async () => {
  const cases = [
    ...pub.seal_vectors.filter((v) => typeof v.password === 'string').map((v) => [v.id, v.sealed, v.password, v.results.workos_authenticate.value]),
    ...pub.access_tokens.map((t) => [t.name, t.sealed_session_with_this_token, pub.passwords.main, t.expected.workos_authenticate.ok ? t.expected.workos_authenticate.value : { authenticated: false, reason: 'invalid_jwt' }]),
  ];
  assert.ok(cases.length >= 10);
  for (const [name, sessionData, cookiePassword, expected] of cases) {
    const res = await fetch(`${base}/vectors/authenticate`, { method: 'POST', body: JSON.stringify({ sessionData, cookiePassword, clientId: pub.client_id, jwks: pub.jwks }) });
    assert.equal(res.status, 200, name);
    assert.deepStrictEqual(await res.json(), expected, name);
  }
});

let cookie;

test('workerd + Hono: no session → 401 JSON for APIs, the sign-in redirect for pages; sign-in through the routes', async () => {
  let res = await fetch(`${base}/app/me`, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 401);
  assert.deepStrictEqual(await res.json(), { error: 'unauthorized', reason: 'no_session_cookie_provided' });
  res = await fetch(`${base}/app/public`);
  assert.deepStrictEqual(await res.json(), { email: null, organizationId: null, role: null });

  const signedIn = await signInThrough(base, '/app/me?x=1');
  assert.equal(signedIn.returnedTo, '/app/me?x=1');
  assert.ok(signedIn.callback.startsWith(`${base}/auth/callback?`), signedIn.callback);
  cookie = signedIn.cookie;
  res = await fetch(`${base}/app/me`, { headers: { cookie } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  assert.deepStrictEqual(await res.json(), { email: 'ada@example.com', organizationId: null, role: null });
});

test('workerd + Hono: requireOrganization, requireRole, requirePermission', async () => {
  const orgs = await organizations(emulator.url);
  const get = async (path, c) => {
    const res = await fetch(`${base}${path}`, { headers: { cookie: c, accept: 'application/json' } });
    return { status: res.status, body: await res.json() };
  };
  assert.deepStrictEqual(await get('/app/org', cookie), { status: 403, body: { error: 'forbidden', reason: 'organization_required' } });
  const admin = await inOrganization(emulator.url, cookie, orgs['Analytical Engines']);
  assert.equal((await get('/app/org', admin)).status, 200);
  assert.deepStrictEqual((await get('/app/admin', admin)).body, { email: 'ada@example.com', organizationId: orgs['Analytical Engines'], role: 'admin' });
  assert.equal((await get('/app/members', admin)).status, 200);
  const member = await inOrganization(emulator.url, admin, orgs['Harvard Computation Lab']);
  assert.deepStrictEqual(await get('/app/admin', member), { status: 403, body: { error: 'forbidden', reason: 'role_required' } });
  assert.deepStrictEqual(await get('/app/members', member), { status: 403, body: { error: 'forbidden', reason: 'permission_required' } });
  cookie = member;
});

test('workerd + Hono: concurrent requests with one due cookie → one WorkOS refresh, the same new cookie for all', async () => {
  const before = proxy.counts.refresh;
  const responses = await Promise.all([1, 2, 3].map(() => fetch(`${base}/eager/me`, { headers: { cookie } })));
  const cookies = responses.map((r) => setCookie(r, 'wos-session'));
  for (const r of responses) assert.equal(r.status, 200);
  assert.equal(proxy.counts.refresh - before, 1, 'one refresh reached WorkOS');
  assert.ok(cookies[0] && cookies.every((c) => c === cookies[0]), 'everyone got the same new cookie');
  assert.notEqual(cookies[0].split(';')[0], cookie);
  cookie = cookies[0].split(';')[0];
  const res = await fetch(`${base}/app/me`, { headers: { cookie } });
  assert.equal(res.status, 200, 'the new cookie works');
});

test('workerd + Hono: sign-out clears the cookie and ends the WorkOS session; a cross-site sign-out is refused', async () => {
  let res = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: 'https://evil.example' } });
  assert.equal(res.status, 403);
  res = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: base } });
  assert.equal(res.status, 302);
  assert.ok(res.headers.get('location').startsWith(`${proxy.url}/user_management/sessions/logout?session_id=session_`), res.headers.get('location'));
  assert.match(setCookie(res, 'wos-session'), /^wos-session=; .*Max-Age=0/);
});
