// A session larger than one browser cookie, in a real browser (Debian's chromium driven by
// playwright-core), behind the real Worker in workerd (`wrangler dev`) in front of www/, against
// the official WorkOS emulator. A user whose long names seal to ~7 KB signs in and Chromium keeps
// the session as wos-session.0 and wos-session.1 (no wos-session): the dashboard shows the user
// from /auth/session; on a Worker that refreshes on every request the chunks are rewritten and
// the user stays signed in; sign-out leaves no wos-session* cookie; and in the same profile a
// normal-sized user gets one plain wos-session again. A second test grows and shrinks the
// session in one profile without signing out (chunks replace the plain cookie and back).
//
//   E2E_SKIP_BUILD=1 node --test --test-concurrency=1 tests/browser/chunked-session.test.mjs
//
// (Without E2E_SKIP_BUILD the Worker is built first.) Logs go to test-artifacts/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { dashboardReady, fetchFromPage, noPageErrors, signIn, startSiteStack } from './chromium.mjs';

import { api, startEmulator, unsealWithCli } from '../e2e/harness.mjs';

const NAME = 'wos-session';
const CHUNKS = [`${NAME}.0`, `${NAME}.1`];
// Names of 1900 characters each seal to ~7 KB: two cookie chunks (checked below, not assumed).
const LONG = { email: 'long@example.com', n: 1900 };
const LONG_NAME = `${'F'.repeat(LONG.n)} ${'L'.repeat(LONG.n)}`;

let emulator;
let site;
let refreshing;
let profiles;
let stack;

before(async () => {
  emulator = await startEmulator();
  const created = await api(emulator.url, 'POST', '/user_management/users', {
    email: LONG.email,
    password: 'long-names-password-1234',
    first_name: 'F'.repeat(LONG.n),
    last_name: 'L'.repeat(LONG.n),
    email_verified: true,
  });
  assert.equal(created.status, 201, JSON.stringify(created).slice(0, 200));
  stack = await startSiteStack(emulator.url);
  ({ site, refreshing, profiles } = stack);
});

after(async () => {
  await stack?.stop();
  emulator?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** The session cookies in the browser's jar: their names (sorted), the cookies, and the
 *  chunks joined in index order. (Cookies are per host, not per port: both Workers on
 *  127.0.0.1 see the same jar, as two ports of one host do in any browser.) */
async function sessionJar(context) {
  const cookies = (await context.cookies()).filter((c) => c.name === NAME || c.name.startsWith(`${NAME}.`));
  const byName = Object.fromEntries(cookies.map((c) => [c.name, c]));
  const names = Object.keys(byName).sort();
  let joined = null;
  if (byName[`${NAME}.0`]) {
    joined = '';
    for (let i = 0; byName[`${NAME}.${i}`]; i++) joined += byName[`${NAME}.${i}`].value;
  }
  return { names, cookies, joined, plain: byName[NAME]?.value ?? null };
}

/** The long user's chunked session, as Chromium keeps it: the test's preconditions. */
async function expectChunked(context) {
  const jar = await sessionJar(context);
  assert.deepEqual(jar.names, CHUNKS, 'two chunks and no plain wos-session');
  for (const c of jar.cookies) {
    assert.ok(c.name.length + c.value.length <= 4096, `${c.name} fits a browser cookie`);
    assert.equal(c.httpOnly, true, `${c.name} is HttpOnly`);
    assert.equal(c.path, '/');
  }
  const data = unsealWithCli(jar.joined);
  assert.equal(data.user.email, LONG.email, 'the chunks joined are the long user session');
  assert.equal(data.user.firstName.length, LONG.n);
  return { ...jar, data };
}

/** The dashboard shows the long user, and /auth/session (read again) says the same. The
 *  emulator mints a new session id on every refresh (WorkOS keeps it), so the ids are compared
 *  only where nothing refreshes. */
async function expectLongUserShown(page, { refreshes = false } = {}) {
  assert.equal(await page.locator('#user-name').textContent(), LONG_NAME);
  assert.equal(await page.locator('#user-email').textContent(), LONG.email);
  const { status, body } = await fetchFromPage(page, '/auth/session');
  assert.equal(status, 200);
  assert.equal(body.user.email, LONG.email);
  const shown = await page.locator('#session-id').textContent();
  if (refreshes) assert.match(shown, /^session_\w+$/);
  else assert.equal(shown, body.sessionId);
  return body;
}

/** The `sid` of the access token inside a session. */
function sidOf(data) {
  return JSON.parse(Buffer.from(data.accessToken.split('.')[1], 'base64url').toString()).sid;
}

// ---------------------------------------------------------------------------------------------

describe('a session larger than one cookie, in Chromium', () => {
  test('signs in as chunks, is shown on the dashboard, survives refreshes, and sign-out leaves no chunk', async () => {
    const { context, page } = await profiles.open();
    await signIn(page, site.url, { loginHint: LONG.email });
    const session = await expectLongUserShown(page);
    const signedIn = await expectChunked(context);
    assert.ok(signedIn.joined.length > 4096, `the seal (${signedIn.joined.length} bytes) does not fit one cookie`);
    assert.equal(sidOf(signedIn.data), session.sessionId, 'the chunks hold the session the page shows');
    assert.ok(!(await page.evaluate(() => document.cookie)).includes(NAME), 'scripts cannot read the chunks');

    // A reload on the Worker that does not refresh yet: the same chunks are read and kept.
    await page.reload();
    await dashboardReady(page);
    assert.equal((await expectLongUserShown(page)).sessionId, session.sessionId);
    assert.equal((await expectChunked(context)).joined, signedIn.joined, 'a working session is not rewritten');

    // The refreshing Worker (same host, so the same cookies): what Chromium sends is the two
    // chunks, and each answer rewrites them.
    const [navigation] = await Promise.all([
      page.waitForRequest((r) => r.url() === `${refreshing.url}/dashboard` && r.isNavigationRequest()),
      page.goto(`${refreshing.url}/dashboard`),
    ]);
    const sent = (await navigation.allHeaders()).cookie ?? '';
    assert.match(sent, /(^|; )wos-session\.0=Fe26\.2\*/);
    assert.match(sent, /(^|; )wos-session\.1=/);
    assert.doesNotMatch(sent, /(^|; )wos-session=/);
    await dashboardReady(page);
    assert.match(await page.locator('#token-note').textContent(), /The edge refreshed this token through WorkOS while answering this page/);
    let refreshed = await expectLongUserShown(page, { refreshes: true });
    assert.equal(refreshed.refreshedNow, true);
    const first = await expectChunked(context);
    assert.notEqual(first.joined, signedIn.joined, 'the chunks were rewritten');
    assert.notEqual(first.data.refreshToken, signedIn.data.refreshToken, 'with a new refresh token');

    await page.reload();
    await dashboardReady(page);
    refreshed = await expectLongUserShown(page, { refreshes: true });
    assert.equal(refreshed.refreshedNow, true);
    const second = await expectChunked(context);
    assert.notEqual(second.joined, first.joined, 'rewritten again');
    assert.notEqual(second.data.refreshToken, first.data.refreshToken);

    // Sign out with the dashboard's button: every chunk goes, and WorkOS ends the session that
    // the chunks held.
    const current = await expectChunked(context);
    const workosLogout = page.waitForRequest((r) => r.url().startsWith(`${emulator.url}/user_management/sessions/logout`));
    await page.getByRole('link', { name: 'Sign out' }).click();
    assert.equal(new URL((await workosLogout).url()).searchParams.get('session_id'), sidOf(current.data));
    await page.waitForURL(`${refreshing.url}/`);
    await page.waitForLoadState('networkidle');
    assert.deepEqual((await sessionJar(context)).names, [], 'no wos-session cookie of any kind is left');
    const after = await fetchFromPage(page, '/auth/session');
    assert.equal(after.status, 401);
    assert.equal(after.body.reason, 'no_session_cookie_provided');

    // A normal-sized user in the same profile: one plain cookie, no chunks.
    await signIn(page, site.url);
    assert.equal(await page.locator('#user-name').textContent(), 'Ada Lovelace');
    const ada = await sessionJar(context);
    assert.deepEqual(ada.names, [NAME]);
    assert.equal(unsealWithCli(ada.plain).user.email, 'ada@example.com');
    noPageErrors(page);
  });

  test('in one profile, a session that grows replaces the plain cookie with chunks, and back', async () => {
    const { context, page } = await profiles.open();
    await signIn(page, site.url);
    assert.deepEqual((await sessionJar(context)).names, [NAME]);

    // Signing in as the long user with Ada's cookie in the jar: the plain cookie is deleted.
    await signIn(page, site.url, { loginHint: LONG.email });
    await expectLongUserShown(page);
    await expectChunked(context);

    // And back: Ada's session fits one cookie again, so both chunks are deleted.
    await signIn(page, site.url);
    assert.equal(await page.locator('#user-name').textContent(), 'Ada Lovelace');
    const jar = await sessionJar(context);
    assert.deepEqual(jar.names, [NAME]);
    assert.equal(unsealWithCli(jar.plain).user.email, 'ada@example.com');
    assert.equal((await fetchFromPage(page, '/auth/session')).body.user.email, 'ada@example.com');
    noPageErrors(page);
  });
});
