// End-to-end: sessions larger than one browser cookie, HTTP level. The real Worker in workerd
// (`wrangler dev`) in front of an origin that checks the cookie it receives with the real
// @workos-inc/node, against the official WorkOS emulator, with users whose long names seal to
// two, three and more than ten cookies' worth. Proves that
// - a session past 4096 bytes is written as wos-session.0..N (every Set-Cookie line within 4096
//   bytes) and read back joined, in whatever order the chunks arrive;
// - the origin gets exactly one wos-session cookie, the joined value, which the SDK
//   authenticates, also in the request whose refresh rewrote the chunks, and also on a public
//   path (that test fails today: the Worker forwards the raw chunks there; see its message);
// - every write deletes what the new state does not use: the plain cookie when the session
//   grows, the chunks when it fits again, chunk 2 when three chunks become two;
// - chunks with a gap are not a session (401 invalid_session_cookie, and deleted);
// - sign-out deletes the plain cookie and every chunk the request carried;
// - past ten chunks the sign-in is refused with 500 session_too_large and nothing is written.
//
//   E2E_SKIP_BUILD=1 node --test --test-concurrency=1 tests/e2e/chunked.test.mjs
//
// (Without E2E_SKIP_BUILD the Worker is built first.) Wrangler and emulator logs go to
// test-artifacts/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, Browser, startEmulator, startOrigin, startWorker, unsealWithCli } from './harness.mjs';

const MAX_LINE = 4096;
const NAME = 'wos-session';
const PASSWORD = 'long-names-password-1234';
const ADA = 'ada@example.com';
// Name lengths tuned so the sealed session takes two chunks (~7 KB), three (~10.5 KB) and more
// than ten (~44 KB). The tests check the chunk counts they rely on before relying on them.
const TWO = { email: 'chunks-two@example.com', n: 1900 };
const THREE = { email: 'chunks-three@example.com', n: 3200 };
const HUGE = { email: 'chunks-huge@example.com', n: 16000 };

let emulator;
let origin;
let gate; // ORIGIN_URL mode, /public/* public
let refreshing; // the same, refreshing on every request

/** Every Set-Cookie line any response in this file carried. */
const seenLines = [];

before(async () => {
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  for (const { email, n } of [TWO, THREE, HUGE]) {
    const created = await api(emulator.url, 'POST', '/user_management/users', {
      email,
      password: PASSWORD,
      first_name: 'F'.repeat(n),
      last_name: 'L'.repeat(n),
      email_verified: true,
    });
    assert.equal(created.status, 201, `created ${email}: ${JSON.stringify(created).slice(0, 200)}`);
  }
  // The most chunks allowed (the default is 4, a 16 KiB session): the limit itself is tested.
  const common = { WORKOS_API_BASE_URL: emulator.url, ORIGIN_URL: origin.url, PUBLIC_PATHS: '/public/*', WORKOS_COOKIE_MAX_CHUNKS: '10' };
  [gate, refreshing] = await Promise.all([
    startWorker(common),
    // Tokens live an hour; a two-hour buffer makes every request refresh.
    startWorker({ ...common, REFRESH_BUFFER_SECONDS: '7200' }),
  ]);
});

after(() => {
  for (const s of [gate, refreshing, emulator, origin]) s?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function client(base) {
  return new Browser(base, { onSetCookie: (_, lines) => seenLines.push(...lines) });
}

const isSessionName = (name) => name === NAME || /^wos-session\.\d+$/.test(name);

/** The session cookies in the jar, by name (sorted). */
function sessionNames(b) {
  return [...b.jar.keys()].filter(isSessionName).sort();
}

/** The chunks in the jar joined in index order (checking they run from 0 without a gap). */
function joinedChunks(b) {
  const names = sessionNames(b).filter((n) => n !== NAME);
  const count = names.length;
  assert.deepEqual(names, Array.from({ length: count }, (_, i) => `${NAME}.${i}`).sort(), 'chunks 0..N-1');
  return Array.from({ length: count }, (_, i) => b.jar.get(`${NAME}.${i}`).value).join('');
}

/** Set-Cookie lines parsed: name, value, whether it deletes, the raw line. */
function parse(lines) {
  return lines.map((line) => {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const i = pair.indexOf('=');
    const maxAge = attrs.find((a) => /^max-age=/i.test(a))?.split('=')[1];
    return { name: pair.slice(0, i), value: pair.slice(i + 1), deletes: maxAge !== undefined && Number(maxAge) <= 0, line };
  });
}

/** What a response does to the session cookies: names written and names deleted (sorted). */
function sessionEffects(res) {
  const lines = parse(res.headers.getSetCookie()).filter((c) => isSessionName(c.name));
  for (const c of lines) assert.ok(c.line.length <= MAX_LINE, `${c.name}: a ${c.line.length}-byte Set-Cookie line`);
  return {
    written: lines.filter((c) => !c.deletes).map((c) => c.name).sort(),
    deleted: lines.filter((c) => c.deletes).map((c) => c.name).sort(),
    values: Object.fromEntries(lines.filter((c) => !c.deletes).map((c) => [c.name, c.value])),
  };
}

function callbackOf(hops) {
  const hop = hops.find((h) => new URL(h.url).pathname === '/auth/callback');
  assert.ok(hop, `a callback among ${hops.map((h) => h.url).join(' -> ')}`);
  return hop;
}

/** name=value pairs of a Cookie header, in order, duplicates kept. */
function cookiePairs(header) {
  return (header ?? '').split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    return [p.slice(0, i), p.slice(i + 1)];
  });
}

/** The origin's record of the last request, with the session cookies it was sent. */
function originSaw(pathname) {
  const record = origin.last();
  assert.equal(record.url, pathname, 'the request reached the origin');
  const pairs = cookiePairs(record.headers.cookie);
  return { record, pairs, sessionPairs: pairs.filter(([n]) => isSessionName(n) || n.startsWith(`${NAME}.`)) };
}

/** The origin was sent exactly one session cookie, `wos-session`, whose value is `expected`
 *  (compared without printing seals on failure). */
function assertOneSession(seen, expected, message = '') {
  assert.deepEqual(seen.sessionPairs.map(([n]) => n), [NAME], `${message}exactly one wos-session cookie, no wos-session.N`);
  const [[, value]] = seen.sessionPairs;
  assert.ok(value === expected, `${message}its value is the expected seal (${value.length} bytes, expected ${expected.length})`);
}

/** Signs `email` in through the Worker, landing on /app (which reaches the origin). */
async function signIn(b, email) {
  const hops = await b.signIn('/app', email);
  const last = hops.at(-1);
  assert.equal(last.status, 200, `signed in as ${email}: ${hops.map((h) => `${h.status} ${h.url}`).join(' -> ')}`);
  assert.equal(new URL(last.url).pathname, '/app');
  return { hops, callback: callbackOf(hops), last };
}

const names = (count) => Array.from({ length: count }, (_, i) => `${NAME}.${i}`);

// ---------------------------------------------------------------------------------------------

describe('sessions larger than one cookie, in front of an origin', () => {
  test('are written as wos-session.0 and .1, and the origin gets one joined wos-session the SDK authenticates', async () => {
    const b = client(gate.url);
    // A cookie of the site's own, which must reach the origin untouched.
    b.jar.set('theme', { name: 'theme', value: 'dark', path: '/' });
    const { callback, last } = await signIn(b, TWO.email);

    const written = sessionEffects(callback.res);
    assert.deepEqual(written.written, names(2), 'two chunks, no whole cookie');
    assert.deepEqual(written.deleted, [], 'nothing of a session was carried, so nothing is deleted');
    assert.deepEqual(sessionNames(b), names(2));
    const joined = joinedChunks(b);
    assert.ok(joined.length > MAX_LINE, `the seal (${joined.length} bytes) does not fit one cookie`);
    assert.match(joined, /^Fe26\.2\*/, 'the chunks joined are an iron seal');
    // The joined value is the session the emulator minted for this user.
    const data = unsealWithCli(joined);
    assert.equal(data.user.email, TWO.email);
    assert.equal(data.user.firstName, 'F'.repeat(TWO.n));

    // The request that landed on /app reached the origin with one wos-session: the joined value.
    let seen = originSaw('/app');
    assertOneSession(seen, joined);
    assert.ok(seen.pairs.some(([n, v]) => n === 'theme' && v === 'dark'), 'other cookies pass through');
    assert.equal(seen.record.sdk?.authenticated, true, `the SDK authenticates it: ${JSON.stringify(seen.record.sdk).slice(0, 300)}`);
    assert.equal(seen.record.sdk.user.email, TWO.email);
    assert.equal(seen.record.sdk.user.lastName, 'L'.repeat(TWO.n));
    assert.equal(seen.record.headers['x-workos-user-email'], TWO.email);
    assert.equal(seen.record.headers['x-workos-credential'], 'session');
    // A session that needs no refresh is not rewritten.
    assert.deepEqual(sessionEffects(last.res).written, []);

    // Chunks are read by their index, not by their place in the header.
    const reversed = client(gate.url);
    for (const n of ['theme', `${NAME}.1`, `${NAME}.0`]) reversed.jar.set(n, b.jar.get(n));
    assert.match(reversed.cookieHeader(`${gate.url}/x`), /^theme=dark; wos-session\.1=.+; wos-session\.0=/);
    const again = await reversed.json('/app/again');
    assert.equal(again.status, 200);
    seen = originSaw('/app/again');
    assertOneSession(seen, joined);
    assert.equal(seen.record.sdk?.authenticated, true);
    assert.deepEqual(sessionEffects(again).deleted, [], 'a working session is left alone');
  });

  test('a refresh rewrites the chunks, and the origin gets the new session in that same request', async () => {
    const b = client(refreshing.url);
    const { callback, last } = await signIn(b, TWO.email);
    const written = sessionEffects(callback.res);
    assert.deepEqual(written.written, names(2));
    const minted = names(2).map((n) => written.values[n]).join('');

    // /app (right after the callback) is inside the two-hour refresh buffer: it refreshes.
    assert.match(last.res.headers.get('server-timing') ?? '', /desc="refreshed"/);
    const rewritten = sessionEffects(last.res);
    assert.deepEqual(rewritten.written, names(2), 'still two chunks');
    assert.deepEqual(rewritten.deleted, []);
    const fresh = joinedChunks(b);
    assert.notEqual(fresh, minted, 'new chunk values');
    assert.notEqual(unsealWithCli(fresh).refreshToken, unsealWithCli(minted).refreshToken, 'a new refresh token');
    const seen = originSaw('/app');
    assertOneSession(seen, fresh, 'the refreshed session, not the chunks it replaced: ');
    assert.equal(seen.record.sdk?.authenticated, true);
    assert.equal(seen.record.sdk.user.email, TWO.email);

    // The next request carries the new chunks and refreshes again.
    const next = await b.json('/auth/session');
    assert.equal(next.status, 200);
    assert.equal(next.body.refreshedNow, true);
    assert.equal(next.body.user.email, TWO.email);
    assert.deepEqual(sessionEffects(next).written, names(2));
    assert.notEqual(joinedChunks(b), fresh);
    assert.deepEqual(sessionNames(b), names(2));
  });

  test('a session that grows deletes the plain cookie; one that fits again deletes the chunks', async () => {
    const b = client(gate.url);
    let { callback } = await signIn(b, ADA);
    assert.deepEqual(sessionEffects(callback.res).written, [NAME], 'Ada fits one cookie');
    assert.deepEqual(sessionNames(b), [NAME]);

    ({ callback } = await signIn(b, TWO.email));
    let effects = sessionEffects(callback.res);
    assert.deepEqual(effects.written, names(2));
    assert.deepEqual(effects.deleted, [NAME], 'the plain cookie the request carried is deleted');
    assert.deepEqual(sessionNames(b), names(2));
    let seen = originSaw('/app');
    assertOneSession(seen, joinedChunks(b));
    assert.equal(seen.record.sdk?.authenticated, true);
    assert.equal(seen.record.sdk.user.email, TWO.email);

    ({ callback } = await signIn(b, ADA));
    effects = sessionEffects(callback.res);
    assert.deepEqual(effects.written, [NAME]);
    assert.deepEqual(effects.deleted, names(2), 'both chunks are deleted');
    assert.deepEqual(sessionNames(b), [NAME]);
    seen = originSaw('/app');
    assertOneSession(seen, b.session);
    assert.equal(seen.record.sdk?.authenticated, true);
    assert.equal(seen.record.sdk.user.email, ADA);
  });

  test('three chunks replaced by two delete chunk 2', async () => {
    const b = client(gate.url);
    let { callback } = await signIn(b, THREE.email);
    assert.deepEqual(sessionEffects(callback.res).written, names(3), 'the longer names take three chunks');
    assert.deepEqual(sessionNames(b), names(3));

    ({ callback } = await signIn(b, TWO.email));
    const effects = sessionEffects(callback.res);
    assert.deepEqual(effects.written, names(2));
    assert.deepEqual(effects.deleted, [`${NAME}.2`], 'only the stale chunk is deleted');
    assert.deepEqual(sessionNames(b), names(2));
    const joined = joinedChunks(b);
    assert.equal(unsealWithCli(joined).user.email, TWO.email);
    const seen = originSaw('/app');
    assertOneSession(seen, joined);
    assert.equal(seen.record.sdk?.authenticated, true);
    assert.equal(seen.record.sdk.user.email, TWO.email);
  });

  test('chunks with a gap are not a session: 401 invalid_session_cookie, and they are deleted', async () => {
    const b = client(gate.url);
    await signIn(b, THREE.email);
    assert.deepEqual(sessionNames(b), names(3));
    b.jar.delete(`${NAME}.1`); // a real session's chunks 0 and 2, without 1
    const reached = origin.requests.length;

    const res = await b.json('/app');
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'unauthenticated');
    assert.equal(res.body.reason, 'invalid_session_cookie', 'chunk 0 alone is not a seal that opens');
    const effects = sessionEffects(res);
    assert.deepEqual(effects.written, []);
    assert.deepEqual(effects.deleted, [NAME, `${NAME}.0`, `${NAME}.2`].sort(), 'what the request carried is deleted');
    assert.deepEqual(sessionNames(b), []);
    assert.equal(origin.requests.length, reached, 'the origin was not reached');

    // A page navigation with the same cookies goes to sign-in instead.
    const page = client(gate.url);
    for (const n of [`${NAME}.0`, `${NAME}.2`]) page.jar.set(n, { name: n, value: 'x'.repeat(50), path: '/' });
    const nav = await page.request('/app');
    assert.equal(nav.status, 302);
    assert.match(nav.headers.get('location'), /^\/auth\/login\?returnTo=/);
    assert.equal(origin.requests.length, reached);
  });

  test('sign-out deletes the plain cookie and every chunk the request carried', async () => {
    const b = client(gate.url);
    await signIn(b, THREE.email);
    assert.deepEqual(sessionNames(b), names(3));
    const session = await b.json('/auth/session');
    assert.equal(session.status, 200);
    assert.equal(session.body.user.email, THREE.email);

    // The confirmation page's same-origin POST (Node's fetch cannot send a navigation).
    const out = await b.request('/auth/logout', { method: 'POST', headers: { origin: gate.url } });
    assert.equal(out.status, 302);
    const target = new URL(out.headers.get('location'));
    assert.equal(target.pathname, '/user_management/sessions/logout');
    assert.equal(target.searchParams.get('session_id'), session.body.sessionId, 'the session read from the chunks is ended at WorkOS');
    const effects = sessionEffects(out);
    assert.deepEqual(effects.written, []);
    assert.deepEqual(effects.deleted, [NAME, ...names(3)].sort());
    assert.deepEqual(sessionNames(b), []);
    const after = await b.json('/app');
    assert.equal(after.status, 401);
    assert.equal(after.body.reason, 'no_session_cookie_provided');
  });

  test('past ten chunks the sign-in is refused with 500 session_too_large, and nothing is written', async () => {
    const b = client(gate.url);
    const hops = await b.signIn('/app', HUGE.email);
    const callback = callbackOf(hops);
    assert.equal(hops.at(-1), callback, 'the sign-in ends at the callback');
    assert.equal(callback.status, 500);
    const page = await callback.res.text();
    const m = page.match(/too large to keep in browser cookies \((\d+) bytes, more than the cookies this site allows hold\)/);
    assert.ok(m, page.slice(0, 500));
    assert.ok(Number(m[1]) > 10 * MAX_LINE, `${m[1]} bytes`);
    assert.deepEqual(sessionEffects(callback.res).written, []);
    assert.deepEqual(sessionNames(b), []);
  });

  test('on a public path the origin also gets one joined wos-session', async () => {
    const b = client(gate.url);
    await signIn(b, TWO.email);
    const joined = joinedChunks(b);
    const res = await b.request('/public/page');
    assert.equal(res.status, 200);
    const seen = originSaw('/public/page');
    // With a session that fits one cookie, an SDK origin reads wos-session on its public pages
    // ("signed in as ..." on a landing page); a chunked session must read the same.
    assertOneSession(
      seen,
      joined,
      `on a PUBLIC_PATHS path the origin got ` +
        `(${seen.sessionPairs.map(([n]) => n).join(', ')}) instead of one wos-session: `,
    );
    assert.equal(seen.record.sdk?.authenticated, true);
  });

  test('every Set-Cookie line in this file was within 4096 bytes', () => {
    const session = parse(seenLines).filter((c) => isSessionName(c.name) && !c.deletes);
    assert.ok(session.length >= 20, `saw ${session.length} session cookie writes`);
    const over = seenLines.filter((l) => l.length > MAX_LINE).map((l) => `${l.split('=')[0]}: ${l.length}`);
    assert.deepEqual(over, []);
  });
});
