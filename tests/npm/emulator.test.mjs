// The PACKED npm package (tests/npm/pack.mjs installs it; it was built from dist/npm/workos-edge)
// (`workos emulate` with dev/seed.yaml, started by the e2e harness), side by side with the real
// @workos-inc/node 11 pointed at the same emulator: sign-in with PKCE, sealed sessions, refresh
// (plain, organization switch, password rotation), sessions list and revoke, password grant.
//
//   node --test tests/npm/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WorkOS as SdkWorkOS } from '@workos-inc/node';
import { startEmulator, api } from '../e2e/harness.mjs';
import { WorkOS } from 'workos-edge';

const CLIENT_ID = 'client_npm_tests';
const API_KEY = 'sk_test_default';
const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const PASSWORD = 'npm-tests-cookie-password-0123456789-abcdef';
const NEW_PASSWORD = 'npm-tests-rotated-cookie-password-9876543210';
const ADA_PASSWORD = 'analytical-engine-1843'; // dev/seed.yaml

let emulator;
let ours;
let sdk;
let orgs; // name -> id (the emulator mints new ids at each start)

before(async () => {
  emulator = await startEmulator();
  ours = new WorkOS(API_KEY, { clientId: CLIENT_ID, baseUrl: emulator.url });
  const url = new URL(emulator.url);
  sdk = new SdkWorkOS(API_KEY, { clientId: CLIENT_ID, apiHostname: url.hostname, port: Number(url.port), https: false, maxRetries: 0 });
  const list = await api(emulator.url, 'GET', '/organizations');
  orgs = Object.fromEntries(list.data.map((o) => [o.name, o.id]));
});

after(() => emulator?.stop());

/** What a browser does with the AuthKit URL: the emulator signs in `loginHint` at once. */
async function authorizationCode(workos = ours, loginHint = 'ada@example.com') {
  const { url, state, codeVerifier } = await workos.userManagement.getAuthorizationUrlWithPKCE({
    provider: 'authkit',
    redirectUri: REDIRECT_URI,
    loginHint,
  });
  assert.ok(url.startsWith(`${emulator.url}/user_management/authorize?`), url);
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
  assert.equal(location.searchParams.get('state'), state);
  const code = location.searchParams.get('code');
  assert.ok(code, `no code in ${location}`);
  return { code, codeVerifier };
}

async function signIn(loginHint) {
  const { code, codeVerifier } = await authorizationCode(ours, loginHint);
  return ours.userManagement.authenticateWithCode({ code, codeVerifier, session: { sealSession: true, cookiePassword: PASSWORD } });
}

const load = (workos, sessionData, cookiePassword = PASSWORD) => workos.userManagement.loadSealedSession({ sessionData, cookiePassword });
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/** Fields that differ between two sign-ins of the same user (tokens, ids, timestamps). */
function masked(result) {
  const out = structuredClone(result);
  const walk = (o) => {
    for (const key of Object.keys(o)) {
      if (['accessToken', 'refreshToken', 'sealedSession', 'sealed_session', 'sessionId', 'lastSignInAt', 'updatedAt'].includes(key) && o[key] != null) o[key] = '<varies>';
      else if (o[key] && typeof o[key] === 'object') walk(o[key]);
    }
  };
  walk(out);
  return out;
}

let first; // the code exchange's result, shared by the refresh tests below

test('sign-in with PKCE: the code exchange seals a session that ours and the real SDK authenticate identically', async () => {
  const { code, codeVerifier } = await authorizationCode();
  first = await ours.userManagement.authenticateWithCode({ code, codeVerifier, session: { sealSession: true, cookiePassword: PASSWORD } });
  assert.equal(first.user.email, 'ada@example.com');
  assert.match(first.sealedSession, /^Fe26\.2\*1\*.+~2$/);
  assert.ok(first.accessToken && first.refreshToken);

  const mine = await load(ours, first.sealedSession).authenticate();
  assert.equal(mine.authenticated, true);
  assert.equal(mine.sessionId, claims(first.accessToken).sid);
  assert.equal(mine.user.id, first.user.id);
  assert.equal(mine.accessToken, first.accessToken);

  const theirs = await load(sdk, first.sealedSession).authenticate();
  assert.deepStrictEqual(mine, theirs);
  assert.deepStrictEqual(
    await ours.userManagement.getSessionFromCookie({ sessionData: first.sealedSession, cookiePassword: PASSWORD }),
    await sdk.userManagement.getSessionFromCookie({ sessionData: first.sealedSession, cookiePassword: PASSWORD }),
  );
});

test('PKCE is enforced: a wrong verifier is refused like in the SDK, and a spent code cannot be reused', async () => {
  const { code, codeVerifier } = await authorizationCode();
  const wrong = 'w'.repeat(43);
  const mine = await ours.userManagement.authenticateWithCode({ code, codeVerifier: wrong }).then(() => null, (e) => e);
  const theirs = await sdk.userManagement.authenticateWithCode({ code, codeVerifier: wrong }).then(() => null, (e) => e);
  assert.ok(mine instanceof Error, 'ours must throw');
  assert.ok(theirs instanceof Error, 'the SDK must throw');
  assert.equal(mine.name, theirs.name);
  assert.equal(mine.message, theirs.message);
  assert.equal(mine.status, theirs.status);
  assert.equal(mine.code, theirs.code);

  // The right verifier still works (the emulator keeps the code after a failed attempt)...
  const ok = await ours.userManagement.authenticateWithCode({ code, codeVerifier });
  assert.equal(ok.user.email, 'ada@example.com');
  // ...once.
  const reuse = await ours.userManagement.authenticateWithCode({ code, codeVerifier }).then(() => null, (e) => e);
  assert.ok(reuse instanceof Error);
  assert.equal(reuse.status, 400);
});

test('authenticateWithCode returns the SDK\'s response shape (the SDK exchanging its own code)', async () => {
  const a = await authorizationCode();
  const b = await authorizationCode();
  const session = { sealSession: true, cookiePassword: PASSWORD };
  const mine = await ours.userManagement.authenticateWithCode({ ...a, session });
  const theirs = await sdk.userManagement.authenticateWithCode({ ...b, session });
  assert.deepStrictEqual(masked(mine), masked(theirs));
  assert.deepStrictEqual(Object.keys(mine), Object.keys(theirs));
});

let refreshed;

test('refresh(): a new cookie both implementations accept; the old refresh token is spent (invalid_grant)', async () => {
  const session = load(ours, first.sealedSession);
  refreshed = await session.refresh();
  assert.equal(refreshed.authenticated, true, JSON.stringify(refreshed));
  assert.notEqual(refreshed.sealedSession, first.sealedSession);
  assert.equal(session.sessionData, refreshed.sealedSession, 'the CookieSession holds the new cookie, as the SDK');
  assert.equal(refreshed.user.id, first.user.id);
  assert.equal(refreshed.session.refreshToken === first.refreshToken, false);
  // The emulator starts a new session on refresh (the real API keeps the id): either way the
  // result's sessionId is the one in the new token.
  assert.match(refreshed.sessionId, /^session_/);
  assert.equal(refreshed.sessionId, claims(refreshed.session.accessToken).sid);

  const mine = await load(ours, refreshed.sealedSession).authenticate();
  assert.equal(mine.authenticated, true);
  assert.equal(mine.sessionId, refreshed.sessionId);
  assert.deepStrictEqual(mine, await load(sdk, refreshed.sealedSession).authenticate());

  const spent = await load(ours, first.sealedSession).refresh();
  assert.deepStrictEqual(spent, { authenticated: false, reason: 'invalid_grant', retryable: false });
  // The emulator words it {"code":"invalid_grant"} (the real API: {"error":"invalid_grant"}), which
  // the SDK does not recognise and throws on; ours classifies both (README, Differences).
  const theirs = await load(sdk, first.sealedSession).refresh().then((r) => r, (e) => e);
  assert.ok(theirs instanceof Error, `the SDK returned ${JSON.stringify(theirs)}`);
  assert.equal(theirs.code, 'invalid_grant');
});

test('refresh() gives the SDK\'s result shape (the SDK refreshing a session of its own)', async () => {
  const a = await signIn();
  const b = await signIn();
  const mine = await load(ours, a.sealedSession).refresh();
  const theirs = await load(sdk, b.sealedSession).refresh();
  assert.equal(theirs.authenticated, true);
  assert.deepStrictEqual(masked(mine), masked(theirs));
  assert.deepStrictEqual(Object.keys(mine), Object.keys(theirs));
});

let switched;

test('refresh({organizationId}) switches organization: id, role and permissions from the new token', async () => {
  const engines = orgs['Analytical Engines'];
  const harvard = orgs['Harvard Computation Lab'];
  assert.ok(engines && harvard, `seeded organizations: ${JSON.stringify(orgs)}`);

  const admin = await load(ours, refreshed.sealedSession).refresh({ organizationId: engines });
  assert.equal(admin.authenticated, true, JSON.stringify(admin));
  assert.equal(admin.organizationId, engines);
  assert.equal(admin.role, 'admin');
  assert.ok(admin.permissions.includes('members:manage'), JSON.stringify(admin.permissions));

  switched = await load(ours, admin.sealedSession).refresh({ organizationId: harvard });
  assert.equal(switched.authenticated, true, JSON.stringify(switched));
  assert.equal(switched.organizationId, harvard);
  assert.equal(switched.role, 'member');
  assert.deepStrictEqual(switched.permissions, ['dashboard:read']);

  const mine = await load(ours, switched.sealedSession).authenticate();
  assert.equal(mine.organizationId, harvard);
  assert.equal(mine.role, 'member');
  assert.deepStrictEqual(mine, await load(sdk, switched.sealedSession).authenticate());

  // A plain refresh stays in the organization of the token (as the SDK: org_id is sent).
  const again = await load(ours, switched.sealedSession).refresh();
  assert.equal(again.organizationId, harvard);
  switched = again;
});

test('refresh({cookiePassword}) reseals with the new password: old password -> invalid_session_cookie', async () => {
  const session = load(ours, switched.sealedSession);
  const rotated = await session.refresh({ cookiePassword: NEW_PASSWORD });
  assert.equal(rotated.authenticated, true, JSON.stringify(rotated));
  assert.equal(session.cookiePassword, NEW_PASSWORD);

  assert.deepStrictEqual(await load(ours, rotated.sealedSession, PASSWORD).authenticate(), {
    authenticated: false,
    reason: 'invalid_session_cookie',
  });
  assert.deepStrictEqual(await load(sdk, rotated.sealedSession, PASSWORD).authenticate(), {
    authenticated: false,
    reason: 'invalid_session_cookie',
  });
  const mine = await load(ours, rotated.sealedSession, NEW_PASSWORD).authenticate();
  assert.equal(mine.authenticated, true);
  assert.equal(mine.organizationId, orgs['Harvard Computation Lab']);
  assert.deepStrictEqual(mine, await load(sdk, rotated.sealedSession, NEW_PASSWORD).authenticate());
});

test('listSessions(userId): the SDK\'s data, async iteration over it; revokeSession ends a session', async () => {
  const current = await load(ours, (await signIn()).sealedSession).authenticate();
  const userId = current.user.id;

  const list = await ours.userManagement.listSessions(userId);
  assert.equal(list.object, 'list');
  assert.ok(list.data.length >= 2, `sessions: ${list.data.length}`);
  for (const s of list.data) {
    assert.equal(s.object, 'session');
    assert.equal(s.userId, userId);
  }
  assert.ok(list.data.some((s) => s.id === current.sessionId));
  assert.deepStrictEqual(list.data, (await sdk.userManagement.listSessions(userId)).data);

  const iterated = [];
  for await (const s of list) iterated.push(s.id);
  assert.deepStrictEqual(iterated, list.data.map((s) => s.id));
  assert.deepStrictEqual((await list.autoPagination()).map((s) => s.id), iterated);

  await ours.userManagement.revokeSession({ sessionId: current.sessionId });
  const later = await ours.userManagement.listSessions(userId);
  // The emulator drops a revoked session from the list (the real API lists it as revoked).
  const entry = later.data.find((s) => s.id === current.sessionId);
  assert.ok(!entry || entry.status === 'revoked', `after revoke: ${JSON.stringify(entry)}`);
  assert.equal(later.data.length, list.data.length - (entry ? 0 : 1));

  // Revoking a session that does not exist: the SDK's exception.
  const mine = await ours.userManagement.revokeSession({ sessionId: 'session_01NOTASESSION' }).then(() => null, (e) => e);
  const theirs = await sdk.userManagement.revokeSession({ sessionId: 'session_01NOTASESSION' }).then(() => null, (e) => e);
  assert.ok(mine instanceof Error && theirs instanceof Error);
  assert.equal(mine.name, theirs.name);
  assert.equal(mine.status, theirs.status);
  assert.equal(mine.message, theirs.message);
});

test('authenticateWithPassword with the seed password: the SDK\'s response; a wrong password fails like the SDK', async () => {
  const session = { sealSession: true, cookiePassword: PASSWORD };
  const mine = await ours.userManagement.authenticateWithPassword({ email: 'ada@example.com', password: ADA_PASSWORD, session });
  const theirs = await sdk.userManagement.authenticateWithPassword({ email: 'ada@example.com', password: ADA_PASSWORD, session });
  assert.equal(mine.user.email, 'ada@example.com');
  assert.deepStrictEqual(masked(mine), masked(theirs));
  const auth = await load(ours, mine.sealedSession).authenticate();
  assert.equal(auth.authenticated, true);
  assert.equal(auth.authenticationMethod, mine.authenticationMethod);
  assert.deepStrictEqual(auth, await load(sdk, mine.sealedSession).authenticate());

  const wrong = { email: 'ada@example.com', password: crypto.randomUUID() };
  const e1 = await ours.userManagement.authenticateWithPassword(wrong).then(() => null, (e) => e);
  const e2 = await sdk.userManagement.authenticateWithPassword(wrong).then(() => null, (e) => e);
  assert.ok(e1 instanceof Error && e2 instanceof Error);
  assert.equal(e1.name, e2.name);
  assert.equal(e1.status, e2.status);
  assert.equal(e1.message, e2.message);
});

test('getLogoutUrl on a live session points at the emulator with the session id', async () => {
  const { sealedSession } = await signIn();
  const mine = await load(ours, sealedSession).getLogoutUrl({ returnTo: 'http://127.0.0.1:9/' });
  const theirs = await load(sdk, sealedSession).getLogoutUrl({ returnTo: 'http://127.0.0.1:9/' });
  assert.equal(mine, theirs);
  assert.ok(mine.startsWith(`${emulator.url}/user_management/sessions/logout?session_id=session_`), mine);
});
