// The BUILT npm package (dist/npm/workos-edge) under Deno, on the compatibility vectors. The
// expectations are the results the real @workos-inc/node 11 and iron-session 8 gave when the
// vectors were made (recorded in public.json); the JWKS comes through the injected fetch, so no
// network is used.
//
//   node_modules/.bin/deno test --allow-read --allow-net --allow-env tests/npm/deno.test.ts

// Checked against the package's own types (index.d.ts) as a TypeScript user would be.
// @ts-types="../../dist/npm/workos-edge/index.d.ts"
import * as ours from '../../dist/npm/workos-edge/index.js';

// deno-lint-ignore no-explicit-any
type Json = any;

// Small assertions of our own: the std library would be a download, and node:assert needs
// @types/node for the type check.
function deepEqual(a: Json, b: Json): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}
const assert = {
  equal(actual: unknown, expected: unknown, message = 'not equal') {
    if (!Object.is(actual, expected)) throw new Error(`${message}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`);
  },
  deepStrictEqual(actual: unknown, expected: unknown, message = 'not deep-equal') {
    if (!deepEqual(actual, expected)) {
      throw new Error(`${message}:\n  actual   ${JSON.stringify(actual)?.slice(0, 400)}\n  expected ${JSON.stringify(expected)?.slice(0, 400)}`);
    }
  },
  match(actual: string, pattern: RegExp) {
    if (!pattern.test(actual)) throw new Error(`${JSON.stringify(actual.slice(0, 80))} does not match ${pattern}`);
  },
  async rejects(fn: () => Promise<unknown>, pattern: RegExp) {
    try {
      await fn();
    } catch (error) {
      if (!pattern.test(String((error as Error)?.message))) throw new Error(`rejected with ${error}, expected ${pattern}`);
      return;
    }
    throw new Error(`did not reject (expected ${pattern})`);
  },
};

const pub: Json = JSON.parse(await Deno.readTextFile(new URL('../../crates/core/tests/data/public.json', import.meta.url)));
const CLIENT_ID: string = pub.client_id;
const JWKS_URL = `${pub.api_base_url}/sso/jwks/${CLIENT_ID}`;
const json = (value: unknown) => JSON.parse(JSON.stringify(value));

const requests: string[] = [];
const fetchJwks = (input: string | URL | Request): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  requests.push(url);
  if (url !== JWKS_URL) return Promise.resolve(new Response('{"message":"unexpected"}', { status: 599 }));
  return Promise.resolve(new Response(JSON.stringify(pub.jwks), { status: 200, headers: { 'content-type': 'application/json' } }));
};
const workos = new ours.WorkOS('sk_test_deno', { clientId: CLIENT_ID, fetch: fetchJwks });
const authenticate = (sessionData: string, cookiePassword: Json) =>
  workos.userManagement.loadSealedSession({ sessionData, cookiePassword }).authenticate();

Deno.test('runs in Deno (not Node)', () => {
  assert.equal(typeof Deno.version.deno, 'string');
  assert.equal(navigator.userAgent.startsWith('Deno/'), true);
});

for (const v of pub.seal_vectors) {
  if (typeof v.password === 'string') {
    Deno.test(`seal vector ${v.id}: authenticate() gives the SDK's recorded result`, async () => {
      const result = await authenticate(v.sealed, v.password);
      assert.equal(result.authenticated, true);
      assert.deepStrictEqual(json(result), v.results.workos_authenticate.value);
      assert.deepStrictEqual(await ours.unsealData(v.sealed, { password: v.password }), v.results.iron_session_unsealData.value);
    });
  } else {
    Deno.test(`seal vector ${v.id}: the map opens it like iron-session; each single password fails like the SDK`, async () => {
      assert.deepStrictEqual(await ours.unsealData(v.sealed, { password: v.password }), v.results.iron_session_unsealData.value);
      const result = await authenticate(v.sealed, v.password);
      if (!result.authenticated) throw new Error(`not authenticated: ${result.reason}`);
      assert.deepStrictEqual(result.user, v.expected_unsealed_json.user);
      for (const [id, password] of Object.entries(v.password)) {
        assert.deepStrictEqual(json(await authenticate(v.sealed, password)), v.results.workos_with_each_password[id].value);
      }
    });
  }
}

Deno.test('access-token vectors: the SDK\'s recorded result, invalid_jwt where the SDK threw', async () => {
  for (const t of pub.access_tokens) {
    const result = await authenticate(t.sealed_session_with_this_token, pub.passwords.main);
    const recorded = t.expected.workos_authenticate;
    assert.deepStrictEqual(json(result), recorded.ok ? recorded.value : { authenticated: false, reason: 'invalid_jwt' }, t.name);
  }
});

Deno.test('the JWKS came through the injected fetch, once (cached)', () => {
  assert.deepStrictEqual(requests, [JWKS_URL]);
});

Deno.test('getLogoutUrl on the valid token vector', async () => {
  const valid = pub.access_tokens.find((t: Json) => t.name === 'valid');
  const url = await workos.userManagement
    .loadSealedSession({ sessionData: valid.sealed_session_with_this_token, cookiePassword: pub.passwords.main })
    .getLogoutUrl({ returnTo: 'https://app.example/' });
  assert.equal(url, `${pub.api_base_url}/user_management/sessions/logout?session_id=${valid.payload.sid}&return_to=https%3A%2F%2Fapp.example%2F`);
});

Deno.test('sealData / unsealData roundtrip with a password map (the highest id seals)', async () => {
  const old = 'deno-old-password-0123456789-0123456789';
  const current = 'deno-current-password-0123456789-012345';
  const data = { user: { id: 'user_1', name: 'Zoë 😀' }, list: [1, null, true] };
  const sealed = await ours.sealData(data, { password: { 1: old, 2: current }, ttl: 3600 });
  assert.match(sealed, /^Fe26\.2\*2\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*\d+\*[0-9a-f]{64}\*[\w-]{43}~2$/);
  assert.deepStrictEqual(await ours.unsealData(sealed, { password: { 1: old, 2: current } }), data);
  assert.deepStrictEqual(await ours.unsealData(sealed, { password: { 2: current } }), data);
  assert.deepStrictEqual(await ours.unsealData(sealed, { password: { 1: old } }), {});
  const legacy = await ours.sealData(data, { password: old, ttl: 0 });
  assert.deepStrictEqual(await ours.unsealData(legacy, { password: { 1: old, 2: current } }), data);
  await assert.rejects(() => ours.sealData(data, { password: 'too-short' }), /Password string too short/);
});

Deno.test('the WebCrypto signature path (no node:crypto, as in Workers) gives the same results', async () => {
  const proc = (globalThis as Json).process;
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  let webcrypto: typeof ours;
  try {
    // A second instance of the module, loaded while process.getBuiltinModule is hidden.
    webcrypto = (await import('../../dist/npm/workos-edge/index.js?webcrypto')) as unknown as typeof ours;
  } finally {
    proc.getBuiltinModule = saved;
  }
  const subtle = crypto.subtle as Json;
  const verify = subtle.verify;
  let calls = 0;
  subtle.verify = (...args: Json[]) => {
    calls++;
    return verify.apply(subtle, args);
  };
  try {
    const viaWebCrypto = new webcrypto.WorkOS('sk_test_deno', { clientId: CLIENT_ID, fetch: fetchJwks, tokenCache: false });
    for (const t of pub.access_tokens) {
      const result = await viaWebCrypto.userManagement
        .loadSealedSession({ sessionData: t.sealed_session_with_this_token, cookiePassword: pub.passwords.main })
        .authenticate();
      const recorded = t.expected.workos_authenticate;
      assert.deepStrictEqual(json(result), recorded.ok ? recorded.value : { authenticated: false, reason: 'invalid_jwt' }, t.name);
    }
  } finally {
    subtle.verify = verify;
  }
  if (calls < 3) throw new Error(`WebCrypto verify was called ${calls} times`);
});
