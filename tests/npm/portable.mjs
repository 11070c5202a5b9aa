// The runtime-neutral suite, run under Node (runtimes.test.mjs), Deno (deno.test.ts) and Bun
// (bun.test.mjs) against the PACKED package imported by name, so each runtime loads the wasm
// its own way (package.json "#wasm" conditions). Cases:
// - the compatibility vectors: the results the real @workos-inc/node 11 and iron-session 8 gave
//   (recorded in public.json), JWKS through the injected fetch;
// - with WORKOS_EMULATOR_URL: sign-in with PKCE, refresh, a spent refresh token and logout
//   against the official emulator;
// - with a `serve` function from the runtime (Deno.serve, Bun.serve, node:http): the
//   workos-edge/fetch middleware behind that runtime's own HTTP server.

import fs from 'node:fs';
import * as ours from 'workos-edge';
import { authkit, requireAuth, requireRole } from 'workos-edge/fetch';

const pub = JSON.parse(fs.readFileSync(new URL('../../crates/core/tests/data/public.json', import.meta.url), 'utf8'));
const CLIENT_ID = pub.client_id;
const JWKS_URL = `${pub.api_base_url}/sso/jwks/${CLIENT_ID}`;
const COOKIE_PASSWORD = 'portable-suite-cookie-password-0123456789';
const json = (value) => JSON.parse(JSON.stringify(value));

function deepEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}
/** Small assertions of our own: one set for all three runtimes. */
export const assert = {
  equal(actual, expected, message = 'not equal') {
    if (!Object.is(actual, expected)) throw new Error(`${message}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`);
  },
  deepEqual(actual, expected, message = 'not deep-equal') {
    if (!deepEqual(actual, expected)) {
      throw new Error(`${message}:\n  actual   ${JSON.stringify(actual)?.slice(0, 400)}\n  expected ${JSON.stringify(expected)?.slice(0, 400)}`);
    }
  },
  ok(value, message = 'not ok') {
    if (!value) throw new Error(message);
  },
  match(actual, pattern, message = 'no match') {
    if (!pattern.test(actual)) throw new Error(`${message}: ${JSON.stringify(String(actual).slice(0, 80))} !~ ${pattern}`);
  },
};

const fetchJwks = async (input) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url !== JWKS_URL) return new Response('{"message":"unexpected"}', { status: 599 });
  return new Response(JSON.stringify(pub.jwks), { status: 200, headers: { 'content-type': 'application/json' } });
};

function vectorCases() {
  const workos = new ours.WorkOS('sk_test_portable', { clientId: CLIENT_ID, fetch: fetchJwks });
  const authenticate = (sessionData, cookiePassword) => workos.userManagement.loadSealedSession({ sessionData, cookiePassword }).authenticate();
  const cases = [];
  for (const v of pub.seal_vectors) {
    if (typeof v.password !== 'string') {
      cases.push([`seal vector ${v.id}: the map opens it like iron-session; each single password as the SDK`, async () => {
        assert.deepEqual(await ours.unsealData(v.sealed, { password: v.password }), v.results.iron_session_unsealData.value);
        const result = await authenticate(v.sealed, v.password);
        assert.equal(result.authenticated, true);
        assert.deepEqual(result.user, v.expected_unsealed_json.user);
        for (const [id, password] of Object.entries(v.password)) {
          assert.deepEqual(json(await authenticate(v.sealed, password)), v.results.workos_with_each_password[id].value);
        }
      }]);
      continue;
    }
    cases.push([`seal vector ${v.id}: authenticate() gives the SDK's recorded result`, async () => {
      assert.deepEqual(json(await authenticate(v.sealed, v.password)), v.results.workos_authenticate.value);
      assert.deepEqual(await ours.unsealData(v.sealed, { password: v.password }), v.results.iron_session_unsealData.value);
    }]);
  }
  cases.push(['access-token vectors: the SDK\'s recorded result, invalid_jwt where the SDK threw', async () => {
    for (const t of pub.access_tokens) {
      const recorded = t.expected.workos_authenticate;
      const result = await authenticate(t.sealed_session_with_this_token, pub.passwords.main);
      assert.deepEqual(json(result), recorded.ok ? recorded.value : { authenticated: false, reason: 'invalid_jwt' }, t.name);
    }
  }]);
  cases.push(['sealData / unsealData roundtrip; a short password is refused', async () => {
    const data = { user: { id: 'user_1', name: 'Zoë 😀' }, list: [1, null, true] };
    const sealed = await ours.sealData(data, { password: { 1: 'a'.repeat(32), 2: 'b'.repeat(32) }, ttl: 60 });
    assert.match(sealed, /^Fe26\.2\*2\*/);
    assert.deepEqual(await ours.unsealData(sealed, { password: { 2: 'b'.repeat(32) } }), data);
    assert.deepEqual(await ours.unsealData(sealed, { password: { 1: 'a'.repeat(32) } }), {});
    let error;
    await ours.sealData(data, { password: 'short' }).catch((e) => (error = e));
    assert.match(String(error?.message), /Password string too short/);
  }]);
  return cases;
}

/** The emulator signs `loginHint` in at once: follow AuthKit's redirect by hand. */
async function authorize(url) {
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 302, 'the emulator redirects back');
  return new URL(res.headers.get('location'));
}

function emulatorCases(emulatorUrl) {
  const workos = new ours.WorkOS('sk_test_default', { clientId: 'client_portable', baseUrl: emulatorUrl });
  const load = (sessionData) => workos.userManagement.loadSealedSession({ sessionData, cookiePassword: COOKIE_PASSWORD });
  return [[
    'emulator: PKCE sign-in, authenticate, refresh; the spent refresh token is invalid_grant; logout URL',
    async () => {
      const { url, state, codeVerifier } = await workos.userManagement.getAuthorizationUrlWithPKCE({ provider: 'authkit', redirectUri: 'http://127.0.0.1:9/cb', loginHint: 'ada@example.com' });
      const back = await authorize(url);
      assert.equal(back.searchParams.get('state'), state);
      const signedIn = await workos.userManagement.authenticateWithCode({ code: back.searchParams.get('code'), codeVerifier, session: { sealSession: true, cookiePassword: COOKIE_PASSWORD } });
      assert.equal(signedIn.user.email, 'ada@example.com');
      const auth = await load(signedIn.sealedSession).authenticate();
      assert.equal(auth.authenticated, true);
      assert.equal(auth.user.id, signedIn.user.id);
      const refreshed = await load(signedIn.sealedSession).refresh();
      assert.equal(refreshed.authenticated, true, JSON.stringify(refreshed.reason));
      assert.equal((await load(refreshed.sealedSession).authenticate()).authenticated, true);
      assert.deepEqual(await load(signedIn.sealedSession).refresh(), { authenticated: false, reason: 'invalid_grant', retryable: false });
      const logout = await load(refreshed.sealedSession).getLogoutUrl({ returnTo: 'http://127.0.0.1:9/' });
      assert.ok(logout.startsWith(`${emulatorUrl}/user_management/sessions/logout?session_id=session_`), logout);
    },
  ]];
}

/**
 * workos-edge/fetch behind the runtime's own server: sign-in through the routes, a protected
 * page, a role requirement, refresh (buffer longer than the token's life), sign-out.
 */
function serverCases(emulatorUrl, serve) {
  return [[
    'workos-edge/fetch behind this runtime\'s HTTP server: sign-in, require*, refresh, sign-out',
    async () => {
      const api = new URL(emulatorUrl);
      const options = { clientId: 'client_portable', apiKey: 'sk_test_default', cookiePassword: COOKIE_PASSWORD, apiHostname: api.hostname, apiPort: api.port, apiHttps: false };
      const auth = authkit(options);
      const eager = authkit({ ...options, refreshBufferSeconds: 7200 }); // every token is due
      const server = await serve(async (request) => {
        const path = new URL(request.url).pathname;
        const kit = path.startsWith('/eager') ? eager : auth;
        const result = await kit(request, { require: path.endsWith('/admin') ? [requireAuth(), requireRole('admin')] : path === '/public' ? [] : [requireAuth()] });
        if (result.response) return result.response;
        return result.finish(Response.json({ email: result.session?.user.email ?? null, refreshed: result.refreshed }));
      });
      try {
        const base = server.url.replace('127.0.0.1', 'localhost'); // the emulator accepts localhost redirect URIs
        let res = await fetch(`${base}/me`, { redirect: 'manual', headers: { accept: 'application/json' } });
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { error: 'unauthorized', reason: 'no_session_cookie_provided' });
        res = await fetch(`${base}/me?tab=1`, { redirect: 'manual', headers: { 'sec-fetch-dest': 'document' } });
        assert.equal(res.status, 302, 'a page navigation goes to sign-in');
        const flowCookie = res.headers.getSetCookie()[0].split(';')[0];
        const back = await authorize(res.headers.get('location'));
        res = await fetch(back.href, { redirect: 'manual', headers: { cookie: flowCookie } });
        assert.equal(res.status, 302, 'the callback signs in');
        assert.equal(res.headers.get('location'), '/me?tab=1', 'and returns to the page');
        const session = res.headers.getSetCookie().find((c) => c.startsWith('wos-session=')).split(';')[0];
        res = await fetch(`${base}/me`, { headers: { cookie: session } });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { email: 'ada@example.com', refreshed: false });
        assert.equal(res.headers.get('cache-control'), 'private, no-store');
        res = await fetch(`${base}/admin`, { headers: { cookie: session } });
        assert.equal(res.status, 403, 'no organization role yet');
        assert.deepEqual(await res.json(), { error: 'forbidden', reason: 'role_required' });
        res = await fetch(`${base}/eager/me`, { headers: { cookie: session } });
        assert.deepEqual(await res.json(), { email: 'ada@example.com', refreshed: true });
        const renewed = res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
        assert.ok(renewed && !renewed.startsWith(`${session};`), 'a new cookie');
        res = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: renewed.split(';')[0], origin: base } });
        assert.equal(res.status, 302);
        assert.ok(res.headers.get('location').startsWith(`${emulatorUrl}/user_management/sessions/logout?session_id=session_`));
        assert.match(res.headers.getSetCookie().find((c) => c.startsWith('wos-session=')), /Max-Age=0/);
      } finally {
        await server.stop();
      }
    },
  ]];
}

/** Every case for this runtime: `[name, async fn]`. */
/** @returns {[string, () => Promise<void>][]} */
export function cases({ emulatorUrl, serve } = {}) {
  return [
    ...vectorCases(),
    ...(emulatorUrl ? emulatorCases(emulatorUrl) : []),
    ...(emulatorUrl && serve ? serverCases(emulatorUrl, serve) : []),
  ];
}
