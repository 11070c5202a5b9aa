// The PACKED npm package (tests/npm/pack.mjs installs it; it was built from dist/npm/workos-edge)
// @workos-inc/node 11 and iron-session 8, on the compatibility vectors the Rust core is tested
// with (crates/core/tests/data/public.json and negative.json). Every comparison with the SDK is
// computed live in this process; the results recorded in the vector files are checked too, so a
// drift of the SDK itself shows up.
//
//   node --test tests/npm/

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdkModule from '@workos-inc/node';
import * as ironSession from 'iron-session';
import * as ours from 'workos-edge';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const pub = readJson('crates/core/tests/data/public.json');
const neg = readJson('crates/core/tests/data/negative.json');

const CLIENT_ID = pub.client_id;
const API_KEY = 'sk_test_vectors_not_a_real_key';
const JWKS_URL = `${pub.api_base_url}/sso/jwks/${CLIENT_ID}`;
const MAIN = pub.passwords.main;
const json = (value) => JSON.parse(JSON.stringify(value));

/** A fetch that serves the vectors' JWKS and hands every other request to `api` (recorded). */
function stubFetch(api) {
  const calls = [];
  const fetchFn = async (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    calls.push({ url: url.href, method: init.method ?? 'GET', headers: { ...(init.headers ?? {}) }, body: init.body });
    if (url.href === JWKS_URL) {
      return new Response(JSON.stringify(pub.jwks), { status: 200, headers: { 'content-type': 'application/json' } });
    }
    if (api) return api(url, init);
    return new Response(JSON.stringify({ message: `unexpected request ${url.href}` }), {
      status: 599,
      headers: { 'content-type': 'application/json' },
    });
  };
  fetchFn.calls = calls;
  return fetchFn;
}

// The SDK fetches the JWKS with jose's createRemoteJWKSet, which always uses the global fetch
// (its `fetchFn` option only reaches the HTTP client), so the global one is stubbed for it;
// ours gets its own through the documented `fetch` option.
const realFetch = globalThis.fetch;
const sdkJwksFetch = stubFetch();
globalThis.fetch = sdkJwksFetch;
after(() => {
  globalThis.fetch = realFetch;
});

const ourFetch = stubFetch();
const our = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: ourFetch });
const sdk = new sdkModule.WorkOS(API_KEY, { clientId: CLIENT_ID, maxRetries: 0 });

async function outcome(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

const authenticate = (workos, sessionData, cookiePassword) =>
  outcome(() => workos.userManagement.loadSealedSession({ sessionData, cookiePassword }).authenticate());
const sessionFromCookie = (workos, sessionData, cookiePassword) =>
  outcome(() => workos.userManagement.getSessionFromCookie({ sessionData, cookiePassword }));
const ironUnseal = (seal, password) => outcome(() => ironSession.unsealData(seal, { password }));
const ourUnseal = (seal, password) => outcome(() => ours.unsealData(seal, { password }));

function unwrap(result, what) {
  if (!result.ok) assert.fail(`${what} threw ${result.error?.name}: ${result.error?.message}`);
  return result.value;
}

const SEAL_FORMAT = /^Fe26\.2\*(\d+)\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*(\d*)\*[0-9a-f]{64}\*[\w-]{43}~2$/;

describe('seal vectors: cookies written by @workos-inc/node authenticate in ours exactly as in the SDK', () => {
  for (const v of pub.seal_vectors) {
    if (typeof v.password !== 'string') {
      test(`${v.id}: with the password map ours unseals like iron-session; with either single password like the SDK`, async () => {
        const iron = unwrap(await ironUnseal(v.sealed, v.password), 'iron-session unsealData');
        assert.deepStrictEqual(iron, v.results.iron_session_unsealData.value);
        assert.deepStrictEqual(unwrap(await ourUnseal(v.sealed, v.password), 'our unsealData'), iron);
        assert.deepStrictEqual(unwrap(await sessionFromCookie(our, v.sealed, v.password), 'our getSessionFromCookie'), iron);
        const auth = unwrap(await authenticate(our, v.sealed, v.password), 'our authenticate');
        assert.equal(auth.authenticated, true);
        assert.deepStrictEqual(auth.user, v.expected_unsealed_json.user);
        assert.equal(auth.accessToken, v.expected_unsealed_json.accessToken);
        for (const [id, password] of Object.entries(v.password)) {
          const sdkResult = unwrap(await authenticate(sdk, v.sealed, password), 'SDK authenticate');
          assert.deepStrictEqual(sdkResult, v.results.workos_with_each_password[id].value);
          assert.deepStrictEqual(unwrap(await authenticate(our, v.sealed, password), 'our authenticate'), sdkResult);
        }
      });
      continue;
    }
    test(`${v.id}: authenticate(), getSessionFromCookie and unsealData equal the SDK's and iron-session's`, async () => {
      const sdkResult = unwrap(await authenticate(sdk, v.sealed, v.password), 'SDK authenticate');
      assert.deepStrictEqual(json(sdkResult), v.results.workos_authenticate.value, 'the SDK still gives the recorded result');
      assert.equal(sdkResult.authenticated, true);
      const ourResult = unwrap(await authenticate(our, v.sealed, v.password), 'our authenticate');
      assert.deepStrictEqual(ourResult, sdkResult);

      const sdkSession = unwrap(await sessionFromCookie(sdk, v.sealed, v.password), 'SDK getSessionFromCookie');
      assert.deepStrictEqual(unwrap(await sessionFromCookie(our, v.sealed, v.password), 'our getSessionFromCookie'), sdkSession);

      const iron = unwrap(await ironUnseal(v.sealed, v.password), 'iron-session unsealData');
      assert.deepStrictEqual(iron, v.results.iron_session_unsealData.value);
      assert.deepStrictEqual(unwrap(await ourUnseal(v.sealed, v.password), 'our unsealData'), iron);
    });
  }

  test('the JWKS reached ours through the injected fetch (once: cached), and the SDK through its stub', () => {
    const jwksCalls = ourFetch.calls.filter((c) => c.url === JWKS_URL);
    assert.equal(jwksCalls.length, 1, 'ours fetched the JWKS once and cached it');
    assert.equal(ourFetch.calls.length, 1, 'no other request');
    assert.equal(jwksCalls[0].method, 'GET');
    assert.equal(jwksCalls[0].headers.Authorization, `Bearer ${API_KEY}`);
    assert.ok(sdkJwksFetch.calls.some((c) => c.url === JWKS_URL), 'the SDK used the stubbed global fetch');
  });
});

describe('cookies sealed by ours are read by the SDK and iron-session', () => {
  for (const v of pub.seal_vectors) {
    if (typeof v.password !== 'string') {
      test(`${v.id}: sealData with the map writes the highest id; iron-session opens it with the map and the newest password alone`, async () => {
        const sealed = await ours.sealData(v.expected_unsealed_json, { password: v.password, ttl: 0 });
        const [, id, expiration] = sealed.match(SEAL_FORMAT) ?? assert.fail(`not an iron seal: ${sealed.slice(0, 40)}`);
        assert.equal(id, String(Math.max(...Object.keys(v.password).map(Number))));
        assert.equal(expiration, '');
        assert.deepStrictEqual(unwrap(await ironUnseal(sealed, v.password), 'iron-session unsealData'), v.expected_unsealed_json);
        assert.deepStrictEqual(unwrap(await ironUnseal(sealed, { [id]: v.password[id] }), 'iron-session unsealData'), v.expected_unsealed_json);
        assert.deepStrictEqual(unwrap(await ironUnseal(sealed, { 1: v.password[1] }), 'iron-session unsealData'), {});
      });
      continue;
    }
    test(`${v.id}: re-sealed by ours, the SDK authenticates it exactly like its own cookie; iron-session unseals it`, async () => {
      const sealed = await ours.sealData(v.expected_unsealed_json, { password: v.password, ttl: 0 });
      const [, id, expiration] = sealed.match(SEAL_FORMAT) ?? assert.fail(`not an iron seal: ${sealed.slice(0, 40)}`);
      assert.equal(id, '1');
      assert.equal(expiration, '', 'ttl 0: no expiration, as the SDK writes');
      assert.notEqual(await ours.sealData(v.expected_unsealed_json, { password: v.password, ttl: 0 }), sealed, 'fresh salts and IV');

      const sdkOnTheirs = unwrap(await authenticate(sdk, v.sealed, v.password), 'SDK authenticate (its cookie)');
      const sdkOnOurs = unwrap(await authenticate(sdk, sealed, v.password), 'SDK authenticate (our cookie)');
      assert.deepStrictEqual(sdkOnOurs, sdkOnTheirs);
      assert.deepStrictEqual(unwrap(await sessionFromCookie(sdk, sealed, v.password), 'SDK getSessionFromCookie'), v.expected_unsealed_json);
      assert.deepStrictEqual(unwrap(await ironUnseal(sealed, v.password), 'iron-session unsealData'), v.expected_unsealed_json);
      assert.deepStrictEqual(unwrap(await authenticate(our, sealed, v.password), 'our authenticate'), sdkOnTheirs);
    });
  }
});

describe('sealData / unsealData interoperate with iron-session 8 both ways', () => {
  const A = 'first-password-for-the-npm-tests-000000000';
  const B = 'second-password-for-the-npm-tests-11111111';
  const C = 'third-password-for-the-npm-tests-222222222';
  const passwords = [A, { 1: A, 2: B }, { 2: B, 10: C }];
  const data = [
    { user: { id: 'user_1', name: 'Zoë 😀 \u2028 "q" \\ \u0000' }, n: 1.5, list: [1, null, true] },
    'a string',
    42,
    [1, 2, 3],
  ];
  const highestId = (password) => (typeof password === 'string' ? '1' : String(Math.max(...Object.keys(password).map(Number))));

  for (const password of passwords) {
    for (const ttl of [0, 3600, undefined]) {
      const label = `${typeof password === 'string' ? 'string password' : `map ${Object.keys(password).join('+')}`}, ttl ${ttl ?? 'default (14 days)'}`;
      test(`${label}: ours -> iron-session and iron-session -> ours`, async () => {
        const options = ttl === undefined ? { password } : { password, ttl };
        const seconds = ttl ?? 14 * 24 * 3600;
        for (const value of data) {
          const before = Date.now();
          const ourSeal = await ours.sealData(value, options);
          const after = Date.now();
          const [, id, expiration] = ourSeal.match(SEAL_FORMAT) ?? assert.fail(`not an iron seal: ${ourSeal}`);
          const theirSeal = await ironSession.sealData(value, options);
          const [, theirId, theirExpiration] = theirSeal.match(SEAL_FORMAT) ?? assert.fail(`iron-session wrote ${theirSeal}`);
          assert.equal(id, highestId(password));
          assert.equal(theirId, id);
          if (seconds === 0) {
            assert.equal(expiration, '');
            assert.equal(theirExpiration, '');
          } else {
            assert.ok(Number(expiration) >= before + seconds * 1000 && Number(expiration) <= after + seconds * 1000, `expiration ${expiration}`);
            assert.ok(Math.abs(Number(theirExpiration) - Number(expiration)) < 5000);
          }
          assert.deepStrictEqual(unwrap(await ironUnseal(ourSeal, password), 'iron-session unsealData'), value);
          assert.deepStrictEqual(unwrap(await ourUnseal(theirSeal, password), 'our unsealData'), value);
          assert.deepStrictEqual(unwrap(await ourUnseal(ourSeal, password), 'our unsealData'), value);
        }
      });
    }
  }

  test('rotation: a seal made with the old password opens with {old, new}; one made with {old, new} needs the new one', async () => {
    const old = await ironSession.sealData({ v: 'old' }, { password: { 1: A } });
    assert.deepStrictEqual(await ours.unsealData(old, { password: { 1: A, 2: B } }), { v: 'old' });
    assert.deepStrictEqual(await ours.unsealData(old, { password: A }), { v: 'old' });
    const rotated = await ours.sealData({ v: 'new' }, { password: { 1: A, 2: B } });
    assert.deepStrictEqual(await ironSession.unsealData(rotated, { password: { 2: B } }), { v: 'new' });
    assert.deepStrictEqual(await ironSession.unsealData(rotated, { password: { 1: A } }), {});
    assert.deepStrictEqual(await ours.unsealData(rotated, { password: A }), {}, 'a string password is id 1 only, as iron-session');
    assert.deepStrictEqual(await ironSession.unsealData(rotated, { password: A }), {});
  });

  test('expired, wrong password and tampered seals are {} in both', async () => {
    // A negative ttl writes an expiration in the past (iron's rule: any non-zero ttl).
    const expiredOurs = await ours.sealData({ a: 1 }, { password: A, ttl: -120 });
    const expiredTheirs = await ironSession.sealData({ a: 1 }, { password: A, ttl: -120 });
    assert.match(expiredOurs, SEAL_FORMAT);
    assert.ok(Number(expiredOurs.split('*')[5]) < Date.now() - 60_000);
    for (const seal of [expiredOurs, expiredTheirs]) {
      assert.deepStrictEqual(await ironSession.unsealData(seal, { password: A }), {});
      assert.deepStrictEqual(await ours.unsealData(seal, { password: A }), {});
    }
    // Within iron's 60 s skew a just-expired seal still opens, in both.
    const skewOurs = await ours.sealData({ a: 2 }, { password: A, ttl: -30 });
    assert.deepStrictEqual(await ironSession.unsealData(skewOurs, { password: A }), { a: 2 });
    assert.deepStrictEqual(await ours.unsealData(await ironSession.sealData({ a: 2 }, { password: A, ttl: -30 }), { password: A }), { a: 2 });

    const sealed = await ours.sealData({ a: 3 }, { password: A });
    assert.deepStrictEqual(await ironSession.unsealData(sealed, { password: B }), {});
    assert.deepStrictEqual(await ours.unsealData(sealed, { password: B }), {});
    const parts = sealed.split('*');
    parts[4] = (parts[4][0] === 'A' ? 'B' : 'A') + parts[4].slice(1);
    const tampered = parts.join('*');
    assert.deepStrictEqual(await ironSession.unsealData(tampered, { password: A }), {});
    assert.deepStrictEqual(await ours.unsealData(tampered, { password: A }), {});
  });

  test('a password under 32 characters is refused with iron\'s message, and never echoed', async () => {
    const short = 'short-secret-123';
    for (const op of [
      () => ours.sealData({ a: 1 }, { password: short }),
      () => ours.unsealData(pub.seal_vectors[0].sealed, { password: short }),
      () => ours.sealData({ a: 1 }, { password: { 1: A, 2: short } }),
    ]) {
      await assert.rejects(op, (error) => {
        assert.equal(error.message, 'Password string too short (min 32 characters required)');
        assert.ok(!error.message.includes(short));
        return true;
      });
    }
    await assert.rejects(() => ironSession.sealData({ a: 1 }, { password: short }), /Password string too short/);
  });

  test('values JSON cannot hold are sealed as JSON.stringify writes them, as iron-session does', async () => {
    // The bindings hand JS values to the core as JSON text, so Dates, undefined members,
    // functions and NaN come out exactly as iron-session's own JSON.stringify leaves them.
    const value = { at: new Date(0), skip: undefined, f: () => 1, nan: NaN, inf: -Infinity, nested: { u: undefined, list: [undefined, 1] } };
    const expected = { at: '1970-01-01T00:00:00.000Z', nan: null, inf: null, nested: { list: [null, 1] } };
    const ourSeal = await ours.sealData(value, { password: A });
    const theirSeal = await ironSession.sealData(value, { password: A });
    assert.deepStrictEqual(await ironSession.unsealData(ourSeal, { password: A }), expected);
    assert.deepStrictEqual(await ours.unsealData(theirSeal, { password: A }), expected);
    // What JSON.stringify refuses (BigInt, cycles) is refused by both, with an error, not a crash.
    const cyclic = { a: 1 };
    cyclic.self = cyclic;
    for (const bad of [{ big: 1n }, cyclic]) {
      await assert.rejects(() => ironSession.sealData(bad, { password: A }));
      await assert.rejects(() => ours.sealData(bad, { password: A }));
    }
    assert.deepStrictEqual(await ours.unsealData(await ours.sealData({ still: 'works' }, { password: A }), { password: A }), { still: 'works' });
  });

  test('undefined data is refused with a TypeError, as iron-session', async () => {
    await assert.rejects(() => ironSession.sealData(undefined, { password: A }), TypeError);
    await assert.rejects(() => ours.sealData(undefined, { password: A }), TypeError);
  });
});

test('the exported reason enums equal the SDK\'s', () => {
  assert.equal(ours.AuthenticateWithSessionCookieFailureReason.INVALID_JWT, 'invalid_jwt');
  assert.equal(ours.RefreshSessionFailureReason.INVALID_GRANT, 'invalid_grant');
  assert.deepStrictEqual({ ...ours.AuthenticateWithSessionCookieFailureReason }, { ...sdkModule.AuthenticateWithSessionCookieFailureReason });
  assert.deepStrictEqual({ ...ours.RefreshSessionFailureReason }, { ...sdkModule.RefreshSessionFailureReason });
});

describe('access-token vectors: the SDK\'s result where it returns one, invalid_jwt where it throws', () => {
  for (const t of pub.access_tokens) {
    test(`${t.name}`, async () => {
      const cookie = t.sealed_session_with_this_token;
      const sdkOutcome = await authenticate(sdk, cookie, MAIN);
      assert.equal(sdkOutcome.ok, t.expected.workos_authenticate.ok, 'the SDK behaves as recorded');
      const ourResult = unwrap(await authenticate(our, cookie, MAIN), 'our authenticate');
      if (sdkOutcome.ok) {
        assert.deepStrictEqual(json(sdkOutcome.value), t.expected.workos_authenticate.value);
        assert.deepStrictEqual(ourResult, sdkOutcome.value);
        assert.equal(ourResult.authenticated, t.expected.valid);
      } else {
        assert.ok(/^(JOSE|JWKS|JWS|JWT)/.test(sdkOutcome.error.name), `the SDK threw ${sdkOutcome.error.name}`);
        assert.deepStrictEqual(ourResult, { authenticated: false, reason: 'invalid_jwt' });
      }
    });
  }

  test('getLogoutUrl({returnTo}) on every token vector: the SDK\'s URL, or the SDK\'s error', async () => {
    for (const t of pub.access_tokens) {
      for (const options of [undefined, {}, { returnTo: 'https://app.example/after?x=1&y=é' }, { returnTo: '' }]) {
        const call = (workos) =>
          outcome(() => workos.userManagement.loadSealedSession({ sessionData: t.sealed_session_with_this_token, cookiePassword: MAIN }).getLogoutUrl(options));
        const [theirs, mine] = [await call(sdk), await call(our)];
        const where = `${t.name} ${JSON.stringify(options)}`;
        if (theirs.ok) {
          assert.ok(mine.ok, `${where}: ours threw ${mine.error?.message}`);
          assert.equal(mine.value, theirs.value, where);
        } else if (/^(JOSE|JWKS|JWS|JWT)/.test(theirs.error.name)) {
          // The SDK lets jose's error out; ours treats the token as invalid.
          assert.ok(!mine.ok, where);
          assert.equal(mine.error.message, 'Failed to extract session ID for logout URL: invalid_jwt', where);
        } else {
          assert.ok(!mine.ok, `${where}: ours returned ${mine.value}`);
          assert.equal(mine.error.constructor.name, theirs.error.constructor.name, where);
          assert.equal(mine.error.message, theirs.error.message, where);
        }
      }
    }
  });

  test('userManagement.getLogoutUrl({sessionId, returnTo}) equals the SDK\'s', async () => {
    for (const args of [
      { sessionId: 'session_01R8731BWCGCMREY9F2FR574HH' },
      { sessionId: 'session_1', returnTo: 'https://x.example/?a=b c&d=é' },
      { sessionId: 'a b&c/d' },
      { sessionId: '' },
      { sessionId: undefined },
    ]) {
      const [theirs, mine] = [await outcome(() => sdk.userManagement.getLogoutUrl(args)), await outcome(() => our.userManagement.getLogoutUrl(args))];
      assert.equal(mine.ok, theirs.ok, JSON.stringify(args));
      if (theirs.ok) assert.equal(mine.value, theirs.value);
      else {
        assert.equal(mine.error.constructor.name, theirs.error.constructor.name);
        assert.equal(mine.error.message, theirs.error.message);
      }
    }
  });
});

describe('negative vectors: the SDK\'s result where it returns one, a clean invalid_session_cookie where it throws', () => {
  for (const v of neg.vectors) {
    test(`${v.name}`, async (t) => {
      if (v.time_dependent) {
        // Accepted at generation time only because of iron's 60 s skew; long expired now.
        if (Date.now() <= Number(v.expiration_ms) + 60_000) return t.skip('still inside the skew window');
        assert.deepStrictEqual(unwrap(await authenticate(our, v.sealed, v.password), 'our authenticate'), {
          authenticated: false,
          reason: 'invalid_session_cookie',
        });
        assert.deepStrictEqual(unwrap(await authenticate(sdk, v.sealed, v.password), 'SDK authenticate'), {
          authenticated: false,
          reason: 'invalid_session_cookie',
        });
        return;
      }
      const sdkOutcome = await authenticate(sdk, v.sealed, v.password);
      assert.equal(sdkOutcome.ok, v.expected.workos_authenticate.ok, 'the SDK behaves as recorded');
      const mine = await authenticate(our, v.sealed, v.password);

      if (v.name === 'short-password') {
        // A configuration error, not hostile input: thrown, with the SDK's message.
        assert.ok(!mine.ok, 'ours must throw on a short password');
        assert.equal(mine.error.message, 'Password string too short (min 32 characters required)');
        assert.equal(mine.error.message, sdkOutcome.error.message);
        assert.ok(!mine.error.message.includes(v.password));
        return;
      }
      const ourResult = unwrap(mine, 'our authenticate');
      if (v.name === 'hmac-standard-base64-padding') {
        // Deliberate (README, Differences): the SDK on Node 20 decodes the padded MAC leniently
        // and accepts it; iron-session and ours refuse it.
        assert.equal(sdkOutcome.value.authenticated, true);
        assert.deepStrictEqual(await ironSession.unsealData(v.sealed, { password: v.password }), {});
        assert.deepStrictEqual(ourResult, { authenticated: false, reason: 'invalid_session_cookie' });
        return;
      }
      if (sdkOutcome.ok) {
        assert.deepStrictEqual(json(sdkOutcome.value), v.expected.workos_authenticate.value);
        assert.deepStrictEqual(ourResult, sdkOutcome.value);
      } else {
        assert.deepStrictEqual(ourResult, { authenticated: false, reason: 'invalid_session_cookie' });
      }

      // getSessionFromCookie: the SDK's object, or {} where the SDK throws.
      const sdkSession = await sessionFromCookie(sdk, v.sealed, v.password);
      const ourSession = unwrap(await sessionFromCookie(our, v.sealed, v.password), 'our getSessionFromCookie');
      assert.deepStrictEqual(ourSession, sdkSession.ok ? sdkSession.value : {});
    });
  }
});

describe('refresh(): the SDK\'s decision on every recorded API reply (public.json refresh_outcomes)', () => {
  const org = pub.seal_vectors.find((v) => v.id === 'public-organization');
  // What the SDK sent when it refreshed this cookie while the vectors were made.
  const refreshRequest = pub.seal_vectors.find((v) => v.refreshed_from === org.id).refresh_api_request;

  function apiFetch(reply) {
    return stubFetch(async (url, init) => {
      if (reply.throwTypeError) throw new TypeError('fetch failed');
      if (reply.hang) {
        return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      }
      return new Response(reply.raw ? reply.body : JSON.stringify(reply.body), {
        status: reply.status,
        headers: { 'content-type': reply.raw ? 'text/html' : 'application/json', ...(reply.headers ?? {}) },
      });
    });
  }
  const errorView = (e) => e && { name: e.name, message: e.message, code: e.code, status: e.status, isError: e instanceof Error };
  const view = (o) => (o.ok ? { ok: true, value: { ...o.value, ...(o.value.error && { error: errorView(o.value.error) }) } } : { ok: false, error: errorView(o.error) });

  for (const o of pub.refresh_outcomes) {
    test(`${o.name}`, async () => {
      const reply = o.api_reply ?? { status: 500, body: {} };
      const cookie = o.api_reply === null ? 'not-a-seal' : org.sealed;
      const theirFetch = apiFetch(reply);
      const myFetch = apiFetch(reply);
      const theirWorkOS = new sdkModule.WorkOS(API_KEY, { clientId: CLIENT_ID, maxRetries: 0, timeout: 300, fetchFn: theirFetch });
      const myWorkOS = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, timeout: 300, fetch: myFetch });
      const theirs = await outcome(() => theirWorkOS.userManagement.loadSealedSession({ sessionData: cookie, cookiePassword: org.password }).refresh());
      const mine = await outcome(() => myWorkOS.userManagement.loadSealedSession({ sessionData: cookie, cookiePassword: org.password }).refresh());

      // The same request: URL, method, key, and body (grant, client, token, org from the token).
      assert.equal(myFetch.calls.length, theirFetch.calls.length);
      for (const [m, t] of myFetch.calls.map((c, i) => [c, theirFetch.calls[i]])) {
        assert.equal(m.url, t.url);
        assert.equal(m.method, t.method);
        assert.equal(m.headers.Authorization, t.headers.Authorization);
        assert.equal(m.headers['Content-Type'], t.headers['Content-Type']);
        assert.deepStrictEqual(JSON.parse(m.body), JSON.parse(t.body));
        assert.deepStrictEqual(JSON.parse(m.body), refreshRequest.body);
      }

      if (o.name === 'bad_gateway_502_html') {
        // Deliberate (README, Differences): a 5xx with a non-JSON body is a retryable
        // server_error in ours; the SDK throws its JSON parse error.
        assert.equal(theirs.ok, false);
        assert.match(theirs.error.message, /ParseError/);
        assert.ok(mine.ok);
        assert.equal(mine.value.reason, 'server_error');
        assert.equal(mine.value.retryable, true);
        assert.equal(mine.value.error.status, 502);
        assert.ok(mine.value.error instanceof Error);
        return;
      }
      assert.deepStrictEqual(view(mine), view(theirs));
      const recorded = o.sdk_refresh_result;
      assert.equal(theirs.ok, recorded.ok, 'the SDK behaves as recorded');
      if (recorded.ok) {
        const error = mine.value.error && { name: mine.value.error.name, message: mine.value.error.message, status: mine.value.error.status };
        assert.deepStrictEqual(json({ ...mine.value, error }), recorded.value);
      } else {
        assert.equal(mine.error.name, recorded.error.name);
        assert.equal(mine.error.message, recorded.error.message);
      }
    });
  }

  test('refresh({cookiePassword}) on an SDK cookie: the SDK\'s result; the new cookie opens with the new password only', async () => {
    const rotated = pub.seal_vectors.find((v) => v.id === 'public-refreshed-rotated-password');
    const reply = { status: 200, body: rotated.refresh_api_response };
    const theirFetch = apiFetch(reply);
    const myFetch = apiFetch(reply);
    const theirWorkOS = new sdkModule.WorkOS(API_KEY, { clientId: CLIENT_ID, maxRetries: 0, fetchFn: theirFetch });
    const myWorkOS = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: myFetch });
    const theirSession = theirWorkOS.userManagement.loadSealedSession({ sessionData: org.sealed, cookiePassword: rotated.old_password });
    const mySession = myWorkOS.userManagement.loadSealedSession({ sessionData: org.sealed, cookiePassword: rotated.old_password });
    const theirs = await theirSession.refresh({ cookiePassword: rotated.password });
    const mine = await mySession.refresh({ cookiePassword: rotated.password });

    assert.deepStrictEqual(JSON.parse(myFetch.calls[0].body), rotated.refresh_api_request.body);
    assert.deepStrictEqual(JSON.parse(myFetch.calls[0].body), JSON.parse(theirFetch.calls[0].body));
    const withoutSeals = (r) => ({ ...r, sealedSession: '<sealed>', session: { ...r.session, sealedSession: '<sealed>' } });
    assert.deepStrictEqual(withoutSeals(mine), withoutSeals(theirs));
    assert.deepStrictEqual(json(withoutSeals(mine)), json(withoutSeals(rotated.expected_refresh_result)));
    assert.equal(mine.session.sealedSession, mine.sealedSession);

    // The session object now holds the new cookie and password, as the SDK's does.
    assert.equal(mySession.sessionData, mine.sealedSession);
    assert.equal(mySession.cookiePassword, rotated.password);
    assert.equal(theirSession.cookiePassword, rotated.password);

    // Our new cookie, read by the SDK: the same session as its own new cookie.
    const opened = unwrap(await sessionFromCookie(sdk, mine.sealedSession, rotated.password), 'SDK getSessionFromCookie');
    assert.deepStrictEqual(opened, unwrap(await sessionFromCookie(sdk, theirs.sealedSession, rotated.password), 'SDK getSessionFromCookie'));
    assert.deepStrictEqual(opened, rotated.expected_unsealed_json);
    assert.deepStrictEqual(unwrap(await authenticate(sdk, mine.sealedSession, rotated.old_password), 'SDK authenticate'), rotated.old_password_authenticate.value);
    assert.deepStrictEqual(unwrap(await authenticate(our, mine.sealedSession, rotated.old_password), 'our authenticate'), rotated.old_password_authenticate.value);
    assert.deepStrictEqual(
      unwrap(await authenticate(our, mine.sealedSession, rotated.password), 'our authenticate'),
      unwrap(await authenticate(sdk, mine.sealedSession, rotated.password), 'SDK authenticate'),
    );
  });

  test('refresh({organizationId}) asks for that organization, as the SDK', async () => {
    const reply = { status: 400, body: { error: 'invalid_grant', error_description: 'x' } };
    const theirFetch = apiFetch(reply);
    const myFetch = apiFetch(reply);
    const theirWorkOS = new sdkModule.WorkOS(API_KEY, { clientId: CLIENT_ID, maxRetries: 0, fetchFn: theirFetch });
    const myWorkOS = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: myFetch });
    const args = { organizationId: 'org_01OTHER' };
    const theirs = await theirWorkOS.userManagement.loadSealedSession({ sessionData: org.sealed, cookiePassword: org.password }).refresh(args);
    const mine = await myWorkOS.userManagement.loadSealedSession({ sessionData: org.sealed, cookiePassword: org.password }).refresh(args);
    assert.deepStrictEqual(mine, theirs);
    const body = JSON.parse(myFetch.calls[0].body);
    assert.equal(body.organization_id, 'org_01OTHER');
    assert.deepStrictEqual(body, JSON.parse(theirFetch.calls[0].body));
  });
});

describe('getAuthorizationUrl / getAuthorizationUrlWithPKCE', () => {
  const cases = [
    { provider: 'authkit', redirectUri: 'https://app.example/cb', state: 's t!*' },
    { provider: 'authkit', redirectUri: 'https://app.example/cb', screenHint: 'sign-up', loginHint: 'ada@example.com' },
    { organizationId: 'org_1', redirectUri: 'https://app.example/cb', domainHint: 'engines.example', prompt: 'login', maxAge: 300 },
    { connectionId: 'conn_1', redirectUri: 'https://app.example/cb', codeChallenge: 'abc' },
    { connectionId: 'conn_1', redirectUri: 'https://app.example/cb', codeChallenge: 'abc', codeChallengeMethod: 'S256' },
    { provider: 'GoogleOAuth', redirectUri: 'https://app.example/cb', providerScopes: ['email', 'profile'], providerQueryParams: { b: '2', a: 'x y' } },
    { provider: 'authkit', redirectUri: 'https://app.example/cb', claimNonce: 'n1', invitationToken: 'inv_1', clientId: 'client_other' },
    { redirectUri: 'https://app.example/cb' },
    { connectionId: 'conn_1', redirectUri: 'https://app.example/cb', screenHint: 'sign-in' },
  ];
  for (const options of cases) {
    test(JSON.stringify(options), async () => {
      const theirs = await outcome(() => sdk.userManagement.getAuthorizationUrl(options));
      const mine = await outcome(() => our.userManagement.getAuthorizationUrl(options));
      assert.equal(mine.ok, theirs.ok, mine.ok ? mine.value : mine.error.message);
      if (theirs.ok) assert.equal(mine.value, theirs.value);
      else {
        assert.equal(mine.error.constructor.name, theirs.error.constructor.name);
        assert.equal(mine.error.message, theirs.error.message);
      }
    });
  }

  test('with PKCE: async like the SDK; S256 challenge of the returned verifier; the SDK\'s parameters', async () => {
    const options = { provider: 'authkit', redirectUri: 'https://app.example/cb', loginHint: 'ada@example.com' };
    const pending = our.userManagement.getAuthorizationUrlWithPKCE(options);
    assert.ok(pending instanceof Promise);
    const mine = await pending;
    const theirs = await sdk.userManagement.getAuthorizationUrlWithPKCE(options);
    const [mineUrl, theirUrl] = [new URL(mine.url), new URL(theirs.url)];
    assert.deepStrictEqual([...mineUrl.searchParams.keys()], [...theirUrl.searchParams.keys()]);
    for (const key of ['client_id', 'code_challenge_method', 'login_hint', 'provider', 'redirect_uri', 'response_type']) {
      assert.equal(mineUrl.searchParams.get(key), theirUrl.searchParams.get(key), key);
    }
    assert.equal(mineUrl.origin + mineUrl.pathname, theirUrl.origin + theirUrl.pathname);
    assert.match(mine.codeVerifier, /^[\w-]{43,128}$/);
    assert.equal(mineUrl.searchParams.get('code_challenge'), crypto.createHash('sha256').update(mine.codeVerifier).digest('base64url'));
    assert.equal(mineUrl.searchParams.get('state'), mine.state);
    assert.notEqual((await our.userManagement.getAuthorizationUrlWithPKCE(options)).codeVerifier, mine.codeVerifier);
  });
});

test('listSessions: the SDK\'s session objects and pages; async iteration and autoPagination walk every page', async () => {
  const raw = (i, extra = {}) => ({
    object: 'session',
    id: `session_0${i}`,
    user_id: 'user_01',
    ip_address: i % 2 ? '192.0.2.1' : null,
    user_agent: 'Mozilla/5.0',
    auth_method: 'password',
    status: i === 4 ? 'revoked' : 'active',
    expires_at: '2030-01-01T00:00:00.000Z',
    ended_at: i === 4 ? '2026-01-02T00:00:00.000Z' : null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  });
  const all = [
    raw(0, { organization_id: 'org_01' }),
    raw(1),
    raw(2, { impersonator: { email: 'admin@example.com', reason: null } }),
    raw(3, { organization_id: null }),
    raw(4),
  ];
  const pages = { '': [all.slice(0, 2), 'c1'], c1: [all.slice(2, 4), 'c2'], c2: [all.slice(4), null] };
  const listing = () =>
    stubFetch(async (url) => {
      assert.equal(url.pathname, '/user_management/users/user_01/sessions');
      const [data, after] = pages[url.searchParams.get('after') ?? ''];
      return new Response(JSON.stringify({ object: 'list', data, list_metadata: { before: null, after } }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
  const theirFetch = listing();
  const myFetch = listing();
  const theirWorkOS = new sdkModule.WorkOS(API_KEY, { clientId: CLIENT_ID, maxRetries: 0, fetchFn: theirFetch });
  const myWorkOS = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: myFetch });

  const theirs = await theirWorkOS.userManagement.listSessions('user_01');
  const mine = await myWorkOS.userManagement.listSessions('user_01');
  assert.equal(mine.object, 'list');
  assert.deepStrictEqual(mine.data, theirs.data);
  assert.deepStrictEqual(mine.listMetadata, theirs.listMetadata);
  const query = (call) => Object.fromEntries(new URL(call.url).searchParams);
  assert.deepStrictEqual(query(myFetch.calls[0]), query(theirFetch.calls[0]));
  assert.equal(query(myFetch.calls[0]).order, 'desc');

  const everything = await theirs.autoPagination();
  assert.equal(everything.length, all.length);
  assert.deepStrictEqual(await mine.autoPagination(), everything);
  const iterated = [];
  for await (const session of mine) iterated.push(session);
  assert.deepStrictEqual(iterated, everything);

  // With a limit, autoPagination() is the first page only, as the SDK.
  const limited = await myWorkOS.userManagement.listSessions('user_01', { limit: 2, order: 'asc' });
  assert.deepStrictEqual(await limited.autoPagination(), everything.slice(0, 2));
  assert.deepStrictEqual(query(myFetch.calls.at(-1)), { limit: '2', order: 'asc' });
});

describe('the verified-session cache (tokenCache, default on)', () => {
  const org = pub.seal_vectors.find((v) => v.id === 'public-organization');
  const fresh = (options = {}) => new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: stubFetch(), ...options });

  test('a repeated cookie gives an equal, independent result; another password is not served from it', async () => {
    const workos = fresh();
    const first = unwrap(await authenticate(workos, org.sealed, org.password), 'authenticate');
    first.user.email = 'mutated@example.com';
    delete first.accessToken;
    const second = unwrap(await authenticate(workos, org.sealed, org.password), 'authenticate');
    assert.deepStrictEqual(second, unwrap(await authenticate(sdk, org.sealed, org.password), 'SDK authenticate'));
    assert.deepStrictEqual(unwrap(await authenticate(workos, org.sealed, pub.passwords.old), 'authenticate'), {
      authenticated: false,
      reason: 'invalid_session_cookie',
    });
    assert.deepStrictEqual(unwrap(await authenticate(workos, org.sealed, { 1: org.password, 2: pub.passwords.old }), 'authenticate'), second);
    await assert.rejects(() => workos.userManagement.loadSealedSession({ sessionData: org.sealed, cookiePassword: 'short' }).authenticate(), /too short/);
  });

  test('cache entries hold a fingerprint of the password, never the password', async () => {
    const workos = fresh();
    unwrap(await authenticate(workos, org.sealed, org.password), 'authenticate');
    unwrap(await authenticate(workos, org.sealed, { 1: org.password, 2: pub.passwords.old }), 'authenticate');
    const entries = [...workos.userManagement.verifiedSessions.values()];
    assert.ok(entries.length >= 1);
    const stored = JSON.stringify(entries.map((e) => e.password));
    assert.ok(!stored.includes(org.password) && !stored.includes(pub.passwords.old), stored);
    for (const entry of entries) assert.match(entry.password, /^[0-9a-f]{64}$/);
  });

  test('concurrent first requests share one JWKS fetch', async () => {
    const myFetch = stubFetch();
    const workos = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: myFetch, tokenCache: false });
    const results = await Promise.all(
      Array.from({ length: 16 }, () => authenticate(workos, org.sealed, org.password)),
    );
    for (const r of results) assert.equal(unwrap(r, 'authenticate').authenticated, true);
    assert.equal(myFetch.calls.filter((c) => c.url === JWKS_URL).length, 1);
  });

  test('a cached cookie stops authenticating when its seal expires (iron ttl + 60 s skew)', async (t) => {
    const workos = fresh();
    const sealed = await ours.sealData(org.expected_unsealed_json, { password: org.password, ttl: 30 });
    assert.equal(unwrap(await authenticate(workos, sealed, org.password), 'authenticate').authenticated, true);
    assert.equal(unwrap(await authenticate(workos, sealed, org.password), 'authenticate').authenticated, true);
    const now = Date.now();
    t.mock.method(Date, 'now', () => now + 95_000);
    assert.deepStrictEqual(unwrap(await authenticate(workos, sealed, org.password), 'authenticate'), {
      authenticated: false,
      reason: 'invalid_session_cookie',
    });
    t.mock.restoreAll();
    assert.equal(unwrap(await authenticate(workos, sealed, org.password), 'authenticate').authenticated, true);
  });

  test('tokenCache: false verifies every call (same results)', async (t) => {
    // With node:crypto the core asks node:crypto's RS256 verify, by key position, inside one
    // synchronous call: count those.
    const verify = t.mock.method(crypto, 'verify');
    const workos = fresh({ tokenCache: false });
    const a = unwrap(await authenticate(workos, org.sealed, org.password), 'authenticate');
    const b = unwrap(await authenticate(workos, org.sealed, org.password), 'authenticate');
    assert.deepStrictEqual(a, b);
    assert.equal(verify.mock.callCount(), 2);

    verify.mock.resetCalls();
    const cached = fresh();
    assert.deepStrictEqual(unwrap(await authenticate(cached, org.sealed, org.password), 'authenticate'), a);
    assert.deepStrictEqual(unwrap(await authenticate(cached, org.sealed, org.password), 'authenticate'), a);
    assert.equal(verify.mock.callCount(), 1);

    // A token verified before is not verified again, even inside another cookie (the token
    // cache, asked through the core's `known` callback).
    verify.mock.resetCalls();
    const resealed = await ours.sealData(org.expected_unsealed_json, { password: org.password });
    assert.equal(unwrap(await authenticate(cached, resealed, org.password), 'authenticate').accessToken, a.accessToken);
    assert.equal(verify.mock.callCount(), 0);

    // A signature node:crypto refuses is refused.
    verify.mock.mockImplementation(() => false);
    const refused = unwrap(await authenticate(fresh({ tokenCache: false }), org.sealed, org.password), 'authenticate');
    assert.deepStrictEqual(refused, { authenticated: false, reason: 'invalid_jwt' });
  });
});

describe('without node:crypto (Workers, browsers): the WebCrypto signature path gives the same results', () => {
  let webcrypto;
  before(async () => {
    // A second instance of the module, loaded while process.getBuiltinModule is hidden.
    const saved = process.getBuiltinModule;
    process.getBuiltinModule = undefined;
    try {
      webcrypto = await import(`${import.meta.resolve('workos-edge')}?webcrypto`);
    } finally {
      process.getBuiltinModule = saved;
    }
  });

  test('every access-token vector and seal vector: the same result as with node:crypto; WebCrypto verify is used', async (t) => {
    const viaWebCrypto = new webcrypto.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: stubFetch(), tokenCache: false });
    const viaNode = new ours.WorkOS(API_KEY, { clientId: CLIENT_ID, fetch: stubFetch(), tokenCache: false });
    const verify = t.mock.method(crypto.webcrypto.subtle, 'verify');
    const cookies = [
      ...pub.access_tokens.map((tok) => [tok.sealed_session_with_this_token, MAIN]),
      ...pub.seal_vectors.filter((v) => typeof v.password === 'string').map((v) => [v.sealed, v.password]),
    ];
    let verified = 0;
    for (const [cookie, password] of cookies) {
      const before = verify.mock.callCount();
      const expected = unwrap(await authenticate(viaNode, cookie, password), 'authenticate (node:crypto)');
      assert.equal(verify.mock.callCount(), before, 'in Node, the node:crypto path does not use WebCrypto');
      const result = unwrap(await authenticate(viaWebCrypto, cookie, password), 'authenticate (WebCrypto)');
      assert.deepStrictEqual(result, expected);
      if (verify.mock.callCount() > before) verified++;
    }
    assert.ok(verified >= pub.seal_vectors.length, `WebCrypto verified ${verified} tokens`);
  });
});
