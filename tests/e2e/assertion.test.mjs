// End-to-end: the signed identity assertion (`X-WorkOS-Assertion`, issue 11) — the real Worker
// in workerd signs it with WebCrypto (ES256 and EdDSA), an origin checks it with `jose`'s
// jwtVerify + createRemoteJWKSet against the Worker's /.well-known/workos-edge/jwks.json,
// through a key rotation (two keys published), and refuses a tampered one.
//
//   E2E_SKIP_BUILD=1 node --test --test-concurrency=1 tests/e2e/assertion.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';

import { Browser, startEmulator, startOrigin, startWorker } from './harness.mjs';

let emulator;
let origin;
let first; // signs with the ES256 key
let rotated; // signs with the new EdDSA key, still publishes the ES256 one
let oldJwk;
let newJwk;

async function privateJwk(alg, options, kid) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { ...(await exportJWK(privateKey)), kid };
}

before(async () => {
  [oldJwk, newJwk] = await Promise.all([privateJwk('ES256', {}, 'edge-2026-01'), privateJwk('EdDSA', { crv: 'Ed25519' }, 'edge-2026-02')]);
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  const common = { WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url, PUBLIC_PATHS: '/public/*' };
  [first, rotated] = await Promise.all([
    startWorker({ ...common, EDGE_ASSERTION_KEY: JSON.stringify(oldJwk) }),
    startWorker({ ...common, EDGE_ASSERTION_KEY: JSON.stringify([newJwk, oldJwk]) }),
  ]);
});

after(() => {
  for (const s of [first, rotated, origin, emulator]) s?.stop();
});

const jwks = (worker) => createRemoteJWKSet(new URL(`${worker.url}/.well-known/workos-edge/jwks.json`));

async function signedIn(worker) {
  const b = new Browser(worker.url);
  const hops = await b.signIn('/app');
  assert.equal(hops.at(-1).status, 200, hops.map((h) => `${h.status} ${h.url}`).join(' → '));
  return b;
}

/** The assertion the origin received with the last request. */
function lastAssertion() {
  const jwt = origin.last().headers['x-workos-assertion'];
  assert.equal(typeof jwt, 'string', 'the origin got an assertion');
  return jwt;
}

test('the JWKS is public, cacheable and holds only public keys', async () => {
  const res = await fetch(`${rotated.url}/.well-known/workos-edge/jwks.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control'), /^public, max-age=\d+$/);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const { keys } = await res.json();
  assert.deepEqual(keys.map((k) => [k.kid, k.alg, k.use]), [['edge-2026-02', 'EdDSA', 'sig'], ['edge-2026-01', 'ES256', 'sig']]);
  assert.ok(keys.every((k) => !('d' in k)), 'no private member');
});

test('every forwarded request carries an assertion the origin verifies with jose', async () => {
  const b = await signedIn(first);
  const jwt = lastAssertion();
  const { payload, protectedHeader } = await jwtVerify(jwt, jwks(first), { issuer: first.url, audience: origin.url });
  assert.equal(protectedHeader.alg, 'ES256');
  assert.equal(protectedHeader.kid, 'edge-2026-01');
  const identity = origin.last().headers;
  assert.equal(payload.sub, identity['x-workos-user-id']);
  assert.equal(payload.sid, identity['x-workos-session-id']);
  assert.equal(payload.email, 'ada@example.com');
  assert.equal(payload.credential, 'session');
  assert.ok(payload.exp - payload.iat <= 60 && payload.exp > Date.now() / 1000, 'short-lived');
  assert.match(payload.jti, /^[0-9a-f]{32}$/);

  // Reused while it has life left: signing is not a per-request cost.
  assert.equal((await b.request('/app/second')).status, 200);
  assert.equal(lastAssertion(), jwt);
});

test('a key rotation: both keys published, the new one signs, the old one still verifies', async () => {
  await signedIn(rotated);
  const fresh = lastAssertion();
  assert.equal(decodeProtectedHeader(fresh).kid, 'edge-2026-02');
  const { payload } = await jwtVerify(fresh, jwks(rotated), { issuer: rotated.url, audience: origin.url, algorithms: ['EdDSA', 'ES256'] });
  assert.equal(payload.email, 'ada@example.com');

  // An assertion signed with the old key (as in-flight requests carry during a rotation)
  // verifies against the rotated deployment's JWKS.
  await signedIn(first);
  const old = lastAssertion();
  const verified = await jwtVerify(old, jwks(rotated), { audience: origin.url });
  assert.equal(verified.protectedHeader.kid, 'edge-2026-01');
});

test('a tampered assertion is refused; inbound assertions never reach the origin', async () => {
  const b = await signedIn(first);
  const jwt = lastAssertion();
  const [header, , signature] = jwt.split('.');
  const claims = { ...decodeJwt(jwt), sub: 'user_someone_else' };
  const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  await assert.rejects(jwtVerify(forged, jwks(first), { audience: origin.url }), /signature verification failed/);
  await assert.rejects(jwtVerify(jwt, jwks(first), { audience: 'https://another-origin.example' }), /aud/);

  // A client's own X-WorkOS-Assertion is stripped: replaced on protected paths, gone on
  // public ones.
  await b.request('/app', { headers: { 'x-workos-assertion': forged } });
  assert.notEqual(lastAssertion(), forged);
  await fetch(`${first.url}/public/page`, { headers: { 'x-workos-assertion': forged } });
  assert.equal(origin.last().url, '/public/page');
  assert.equal(origin.last().headers['x-workos-assertion'], undefined);
});

test('without EDGE_ASSERTION_KEY there is no JWKS and no assertion', async () => {
  const plain = await startWorker({ WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url });
  try {
    assert.equal((await fetch(`${plain.url}/.well-known/workos-edge/jwks.json`)).status, 404);
    await signedIn(plain);
    assert.equal(origin.last().headers['x-workos-assertion'], undefined);
  } finally {
    plain.stop();
  }
});
