// The site in www/ in a real browser (Debian's chromium driven by playwright-core), behind the
// real Worker in workerd (`wrangler dev`) against the official WorkOS emulator: sign-in from the
// landing page, the dashboard's session data, organization switching, session revocation, the
// permission-only page, sign-out, and coming back to a protected URL after sign-in.
//
//   node --test --test-concurrency=1 tests/browser/      (E2E_SKIP_BUILD=1 reuses build/)
//
// Screenshots go to test-artifacts/ (git-ignored).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { dashboardReady, fetchFromPage, noPageErrors, signIn, startSiteStack } from './chromium.mjs';

import { api, artifacts, Browser, COOKIE_PASSWORD, root, startEmulator, unsealWithCli } from '../e2e/harness.mjs';

let emulator;
let site;
let refreshing;
let profiles;
let stack;

before(async () => {
  emulator = await startEmulator();
  stack = await startSiteStack(emulator.url);
  ({ site, refreshing, profiles } = stack);
});

after(async () => {
  await stack?.stop();
  emulator?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

async function organizations() {
  const { data } = await api(emulator.url, 'GET', '/organizations?limit=100');
  return Object.fromEntries(data.map((o) => [o.name, o.id]));
}

async function userSessions(email) {
  const { data: [user] } = await api(emulator.url, 'GET', `/user_management/users?email=${encodeURIComponent(email)}`);
  const { data } = await api(emulator.url, 'GET', `/user_management/users/${user.id}/sessions`);
  return data.map((s) => s.id);
}

/** mm:ss (or h:mm:ss) -> seconds. */
function countdownSeconds(text) {
  const parts = text.trim().split(':').map(Number);
  assert.ok(parts.length >= 2 && parts.every(Number.isFinite), `countdown "${text}"`);
  return parts.reduce((total, n) => total * 60 + n, 0);
}

async function screenshot(page, name) {
  const file = path.join(artifacts(), name);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10_000, `${name} has content`);
}

async function texts(locator) {
  return (await locator.allTextContents()).map((t) => t.trim());
}

// ---------------------------------------------------------------------------------------------

describe('the site behind the Worker, in Chromium', () => {
  test('the public landing page explains the gateway, and "Sign in" shows the seeded user on the dashboard', async () => {
    const { page } = await profiles.open();
    const res = await page.goto(`${site.url}/`);
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), 'workos-edge · WorkOS AuthKit sessions at the edge');
    const lead = await page.locator('.lead').textContent();
    for (const words of ['WorkOS AuthKit session gateway', 'Rust', 'Cloudflare Worker', 'edge']) assert.ok(lead.includes(words), words);
    const signInLink = page.getByRole('link', { name: 'Sign in', exact: true });
    assert.equal(await signInLink.getAttribute('href'), '/auth/login?returnTo=/dashboard');
    // Without a session the landing page does not claim one (its /auth/session read got a 401).
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('#signed-in-note').isHidden(), true);
    await screenshot(page, 'site-landing.png');

    await signInLink.click();
    await page.waitForURL(`${site.url}/dashboard`);
    await dashboardReady(page);

    assert.equal(await page.locator('h1').textContent(), 'Dashboard');
    assert.equal(await page.locator('#welcome').textContent(), 'Welcome back, Ada.');
    assert.equal(await page.locator('#user-name').textContent(), 'Ada Lovelace');
    assert.equal(await page.locator('#user-email').textContent(), 'ada@example.com');
    assert.equal(await page.locator('#avatar-slot [data-kind="initials"]').textContent(), 'AL');
    assert.equal(await page.locator('#impersonation').isHidden(), true);
    // A new session has no organization, so no role and no permissions yet.
    assert.equal(await page.locator('#org-name').textContent(), 'No organization selected');
    assert.match(await page.locator('#role').textContent(), /^None/);
    assert.equal(await page.locator('#permissions').textContent(), 'None in this session');
    assert.equal(await page.locator('#reports-badge').textContent(), 'Locked');
    assert.deepEqual((await texts(page.locator('#organizations .row-title'))).sort(), ['Analytical Engines', 'Harvard Computation Lab']);

    // The page shows what /auth/session says.
    const { status, body: session } = await fetchFromPage(page, '/auth/session');
    assert.equal(status, 200);
    assert.equal(await page.locator('#session-id').textContent(), session.sessionId);
    assert.equal(await page.locator('#token-expires time').getAttribute('datetime'), new Date(session.accessTokenExpiresAt * 1000).toISOString());
    assert.equal(await page.locator('#token-issued time').getAttribute('datetime'), new Date(session.accessTokenIssuedAt * 1000).toISOString());
    const current = page.locator(`#sessions li[data-session-id="${session.sessionId}"]`);
    assert.equal(await current.getAttribute('data-current'), 'true');
    assert.match(await current.textContent(), /This device/);
    assert.equal(await current.getByRole('button', { name: /Revoke/ }).count(), 0, 'the current session has no Revoke button');

    // The countdown is live and agrees with accessTokenExpiresAt.
    const first = countdownSeconds(await page.locator('#countdown').textContent());
    const expected = session.accessTokenExpiresAt - Date.now() / 1000;
    assert.ok(Math.abs(first - expected) <= 3, `countdown ${first}s, token expires in ${expected}s`);
    await page.waitForTimeout(2100);
    const second = countdownSeconds(await page.locator('#countdown').textContent());
    assert.ok(second >= first - 4 && second <= first - 1, `counted down from ${first} to ${second}`);
    assert.match(await page.locator('#countdown-words').textContent(), /minutes? .*left$/);

    // Back on the landing page, it knows who is signed in.
    await page.goto(`${site.url}/`);
    await page.locator('#signed-in-note').waitFor();
    assert.equal(await page.locator('#signed-in-note').textContent(), 'You are signed in as Ada Lovelace. Open your dashboard.');
    noPageErrors(page);
  });

  test('switching organization changes role and permissions, and opens the permission-only page', async () => {
    const orgs = await organizations();
    const { page } = await profiles.open();
    await signIn(page, site.url);

    // No organization: the edge refuses /reports/ with 403.
    let res = await page.goto(`${site.url}/reports/`);
    assert.equal(res.status(), 403);
    assert.match(await page.locator('body').textContent(), /requires permission:reports:read/);
    assert.equal(await page.locator('h1').textContent(), '403');

    await page.goto(`${site.url}/dashboard`);
    await dashboardReady(page);

    // Harvard Computation Lab: member (dashboard:read only) -> still 403.
    const [switchRequest] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/auth/switch-organization') && r.method() === 'POST'),
      page.getByRole('button', { name: 'Switch to Harvard Computation Lab' }).click(),
    ]);
    assert.deepEqual(switchRequest.postDataJSON(), { organizationId: orgs['Harvard Computation Lab'] });
    assert.match(await switchRequest.headerValue('content-type'), /^application\/json/);
    await page.getByText('Switched to Harvard Computation Lab. Your role is member.').waitFor();
    assert.equal(await page.locator('#org-name').textContent(), 'Harvard Computation Lab');
    assert.equal(await page.locator('#role').textContent(), 'member');
    assert.deepEqual(await texts(page.locator('#permissions li')), ['dashboard:read']);
    assert.equal(await page.locator('#reports-badge').textContent(), 'Locked');
    assert.equal(await page.locator(`#organizations li[data-organization-id="${orgs['Harvard Computation Lab']}"]`).getAttribute('data-current'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'org-title', 'focus moves to the organization card');
    assert.equal((await page.request.get(`${site.url}/reports/`)).status(), 403);

    // Analytical Engines: admin (reports:read) -> the reports page opens.
    await page.getByRole('button', { name: 'Switch to Analytical Engines' }).click();
    await page.getByText('Switched to Analytical Engines. Your role is admin.').waitFor();
    assert.equal(await page.locator('#org-name').textContent(), 'Analytical Engines');
    assert.equal(await page.locator('#role').textContent(), 'admin');
    assert.deepEqual(await texts(page.locator('#permissions li')), ['dashboard:read', 'reports:read', 'members:manage']);
    assert.equal(await page.locator('#reports-badge').textContent(), 'Allowed');
    assert.match(await page.locator('#reports-text').textContent(), /Your role in Analytical Engines grants reports:read/);
    const ae = page.locator(`#organizations li[data-organization-id="${orgs['Analytical Engines']}"]`);
    assert.equal(await ae.getAttribute('data-current'), 'true');
    assert.equal(await ae.locator('.badge').textContent(), 'Current');
    assert.equal(await page.getByRole('button', { name: 'Switch to Harvard Computation Lab' }).count(), 1);
    const session = (await fetchFromPage(page, '/auth/session')).body;
    assert.equal(session.organizationId, orgs['Analytical Engines']);
    assert.equal(session.role, 'admin');
    await page.waitForTimeout(1000); // let the countdown and meter settle for the picture
    await screenshot(page, 'site-dashboard.png');

    const [navigation] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${site.url}/reports/` && r.request().isNavigationRequest()),
      page.getByRole('link', { name: 'Open reports' }).click(),
    ]);
    assert.equal(navigation.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Reports');
    await page.getByText('Served to Ada Lovelace with the role admin.').waitFor();
    await screenshot(page, 'site-reports.png');

    // The dashboard on a phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${site.url}/dashboard`);
    await dashboardReady(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a narrow screen (${overflow}px)`);
    await screenshot(page, 'site-dashboard-mobile.png');
    noPageErrors(page);
  });

  test('another session of the same user can be revoked, then every other one at once', async () => {
    const email = 'grace@example.com';
    const { page } = await profiles.open();
    await signIn(page, site.url, { loginHint: email });
    const mine = (await fetchFromPage(page, '/auth/session')).body.sessionId;

    // A second browser profile signs in as the same user.
    const { page: other } = await profiles.open();
    await signIn(other, site.url, { loginHint: email });
    const theirs = (await fetchFromPage(other, '/auth/session')).body.sessionId;
    assert.notEqual(theirs, mine);

    await page.reload();
    await dashboardReady(page);
    const row = page.locator(`#sessions li[data-session-id="${theirs}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-current'), 'false');
    assert.match(await row.locator('.row-sub').textContent(), new RegExp(`Session …${theirs.slice(-6)} · IP .+ · Signed in`));
    // The emulator records the Worker's own user agent; a missing one would read "Unknown device".
    assert.ok((await row.locator('.device').textContent()).length > 0);

    const [revokeRequest] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/auth/sessions/revoke')),
      row.getByRole('button', { name: /^Revoke / }).click(),
    ]);
    assert.deepEqual(revokeRequest.postDataJSON(), { sessionId: theirs });
    await row.waitFor({ state: 'detached' });
    await page.locator('#status', { hasText: /^Signed out .+\.$/ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'sessions-title');
    let remaining = await userSessions(email);
    assert.ok(!remaining.includes(theirs), 'WorkOS no longer has the revoked session');
    assert.ok(remaining.includes(mine), 'this session is untouched');
    assert.equal(await page.locator(`#sessions li[data-session-id="${mine}"]`).getAttribute('data-current'), 'true');

    // Two more sessions (plain HTTP sign-ins), then "Sign out everywhere else".
    for (let i = 0; i < 2; i++) await new Browser(site.url).signIn('/', email);
    await page.reload();
    await dashboardReady(page);
    assert.ok((await page.locator('#sessions li[data-current="false"]').count()) >= 2);
    const everywhere = page.getByRole('button', { name: 'Sign out everywhere else' });
    assert.equal(await everywhere.isEnabled(), true);
    const [bulk] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/auth/sessions/revoke')),
      everywhere.click(),
    ]);
    assert.deepEqual(bulk.postDataJSON(), { allExceptCurrent: true });
    await page.locator('#status', { hasText: /^Signed out of \d+ other sessions?\.$/ }).waitFor();
    assert.equal(await page.locator('#sessions li').count(), 1);
    assert.equal(await page.locator('#sessions li').getAttribute('data-session-id'), mine);
    assert.equal(await everywhere.isDisabled(), true, 'nothing left to sign out');
    remaining = await userSessions(email);
    assert.deepEqual(remaining, [mine]);
    // This page still works.
    assert.equal((await fetchFromPage(page, '/auth/session')).status, 200);
    noPageErrors(page);
  });

  test('"Sign out" ends the session and lands on the landing page', async () => {
    const { context, page } = await profiles.open();
    await signIn(page, site.url);
    const sid = (await fetchFromPage(page, '/auth/session')).body.sessionId;
    assert.ok((await context.cookies()).some((c) => c.name === 'wos-session'));

    const workosLogout = page.waitForRequest((r) => r.url().startsWith(`${emulator.url}/user_management/sessions/logout`));
    await page.getByRole('link', { name: 'Sign out' }).click();
    assert.equal(new URL((await workosLogout).url()).searchParams.get('session_id'), sid);
    await page.waitForURL(`${site.url}/`);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByRole('link', { name: 'Sign in', exact: true }).isVisible(), true);
    assert.equal(await page.locator('#signed-in-note').isHidden(), true);
    assert.ok(!(await context.cookies()).some((c) => c.name === 'wos-session'), 'the session cookie is gone');
    const after = await fetchFromPage(page, '/auth/session');
    assert.equal(after.status, 401);
    assert.equal(after.body.error, 'unauthenticated');
    assert.ok(!(await userSessions('ada@example.com')).includes(sid), 'WorkOS ended the session');
    noPageErrors(page);
  });

  test('a protected URL opened signed out comes back there after sign-in', async () => {
    const { page } = await profiles.open();
    const logins = [];
    page.on('request', (r) => {
      if (r.url().includes('/auth/login')) logins.push(new URL(r.url()).searchParams.get('returnTo'));
    });
    await page.goto(`${site.url}/dashboard?view=sessions`);
    await page.waitForURL(`${site.url}/dashboard?view=sessions`);
    await dashboardReady(page);
    assert.deepEqual(logins, ['/dashboard?view=sessions']);
    assert.equal(await page.locator('#user-name').textContent(), 'Ada Lovelace');

    // A permission-only page: after sign-in the rule still applies (no organization yet).
    const { page: second } = await profiles.open();
    const res = await second.goto(`${site.url}/reports/`);
    assert.equal(second.url(), `${site.url}/reports/`);
    assert.equal(res.status(), 403);
    noPageErrors(page);
  });

  test('when a JSON route answers 401 the dashboard sends the browser to sign-in and back', async () => {
    const { context, page } = await profiles.open();
    await signIn(page, site.url);
    await context.clearCookies();
    // Pass the Worker's answer through unchanged, keeping a copy (the page navigates away).
    const answers = [];
    await page.route('**/auth/switch-organization', async (route) => {
      const response = await route.fetch();
      answers.push({ status: response.status(), body: await response.json() });
      await route.fulfill({ response });
    });
    const login = page.waitForRequest((r) => r.url().includes('/auth/login'));
    await page.getByRole('button', { name: 'Switch to Analytical Engines' }).click();
    assert.equal(new URL((await login).url()).searchParams.get('returnTo'), '/dashboard');
    assert.equal(answers.length, 1);
    assert.equal(answers[0].status, 401);
    assert.equal(answers[0].body.error, 'unauthenticated');
    assert.equal(answers[0].body.reason, 'no_session_cookie_provided');
    // The emulator signs in again at once; the dashboard is back with a new session.
    await page.waitForURL(`${site.url}/dashboard`);
    await dashboardReady(page);
    assert.equal(await page.locator('#user-name').textContent(), 'Ada Lovelace');
    assert.ok((await context.cookies()).some((c) => c.name === 'wos-session'));
    noPageErrors(page);
  });

  test('other failures show an error with "Try again" instead of a broken page', async () => {
    const { page } = await profiles.open();
    await signIn(page, site.url);
    // WorkOS refusing the session list (the Worker answers 502 upstream_error).
    await page.route('**/auth/sessions', (route) =>
      route.fulfill({ status: 502, contentType: 'application/json', body: JSON.stringify({ error: 'upstream_error', message: 'The sign-in service refused the request. Please try again.' }) }),
    );
    await page.reload();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /The sign-in service refused the request\. Please try again\./);
    assert.equal(page.url(), `${site.url}/dashboard`, 'no redirect for a non-401 error');
    assert.equal(await page.locator('#user-name').textContent(), 'Ada Lovelace', 'what did load is shown');

    await page.unroute('**/auth/sessions');
    await page.getByRole('button', { name: 'Try again' }).click();
    await alert.waitFor({ state: 'hidden' });
    await page.locator('#sessions li[data-current="true"]').waitFor();
    noPageErrors(page);
  });

  test('impersonation shows a banner, and session values are shown as text, never as HTML', async () => {
    // The emulator cannot start an impersonation, so seal one into a real session's cookie
    // (the test knows the cookie password) and let the Worker serve it.
    const http = new Browser(site.url);
    await http.signIn('/', 'grace@example.com');
    const data = unsealWithCli(http.session);
    data.impersonator = { email: 'support@example.com', reason: '<img src=x onerror="window.__pwned=1"> Ticket #42' };
    data.user.firstName = '<b>Grace</b>';
    data.user.profilePictureUrl = `${site.url}/assets/favicon.svg`;
    const cookie = sealWithCli(data);

    const { context, page } = await profiles.open();
    await context.addCookies([{ name: 'wos-session', value: cookie, url: site.url }]);
    await page.goto(`${site.url}/dashboard`);
    await dashboardReady(page);

    const banner = page.locator('#impersonation');
    assert.equal(await banner.isVisible(), true);
    assert.equal(await banner.getAttribute('role'), 'note');
    assert.equal(
      await page.locator('#impersonation-text').textContent(),
      'support@example.com is signed in as <b>Grace</b> Hopper. Reason: <img src=x onerror="window.__pwned=1"> Ticket #42',
    );
    assert.equal(await page.locator('#user-name').textContent(), '<b>Grace</b> Hopper');
    assert.equal(await page.locator('#content img:not(#avatar-slot img), #content b').count(), 0, 'no markup from data');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    const picture = page.locator('#avatar-slot img');
    assert.equal(await picture.getAttribute('src'), `${site.url}/assets/favicon.svg`);
    assert.equal(await picture.getAttribute('alt'), '');
    await screenshot(page, 'site-dashboard-impersonation.png');
    noPageErrors(page);
  });

  test('the edge refreshes the token: the dashboard shows the new issue time and asks again before expiry', async () => {
    const { page } = await profiles.open();
    await page.clock.install();
    await signIn(page, refreshing.url);
    assert.match(await page.locator('#token-note').textContent(), /The edge refreshed this token through WorkOS while answering this page/);
    const issued = () => page.locator('#token-issued time').getAttribute('datetime');
    const firstIssued = await issued();

    await page.waitForTimeout(1100); // token times are whole seconds
    // Jump to ten seconds before the token expires: the page reads /auth/session again, and the
    // edge answers it with a freshly minted token.
    const reread = page.waitForResponse((r) => r.url().endsWith('/auth/session'));
    await page.clock.fastForward(3590_000);
    const res = await reread;
    assert.equal(res.status(), 200);
    assert.equal((await res.json()).refreshedNow, true);
    await page.waitForFunction((before) => document.querySelector('#token-issued time')?.getAttribute('datetime') !== before, firstIssued);
    assert.ok(new Date(await issued()) > new Date(firstIssued), 'a later issue time');
    noPageErrors(page);
  });

  test('accessibility basics: one h1, named controls, skip link and visible focus, readable contrast', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const { page } = await profiles.open({ colorScheme });
      await signIn(page, site.url);
      await page.getByRole('button', { name: 'Switch to Analytical Engines' }).click();
      await page.getByText('Switched to Analytical Engines').waitFor();
      for (const pathname of ['/', '/dashboard', '/reports/']) {
        await page.goto(`${site.url}${pathname}`);
        if (pathname === '/dashboard') await dashboardReady(page);
        else await page.waitForLoadState('networkidle');
        const where = `${pathname} (${colorScheme})`;
        assert.equal(await page.locator('html').getAttribute('lang'), 'en', where);
        assert.equal(await page.locator('h1').count(), 1, where);
        assert.equal(await page.locator('main').count(), 1, where);
        const unnamed = await page.evaluate(() =>
          [...document.querySelectorAll('a[href], button, img')]
            .filter((el) => (el.tagName === 'IMG' ? !el.hasAttribute('alt') : !(el.getAttribute('aria-label') || el.textContent).trim()))
            .map((el) => el.outerHTML.slice(0, 80)),
        );
        assert.deepEqual(unnamed, [], `${where}: every link, button and image is named`);

        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          return { text: el.textContent, outline: style.outlineStyle, width: parseFloat(style.outlineWidth), top: box.top };
        });
        assert.equal(focused.text, 'Skip to content', where);
        assert.equal(focused.outline, 'solid', `${where}: focus is visible`);
        assert.ok(focused.width >= 2 && focused.top >= 0, `${where}: the skip link shows when focused`);

        const lowContrast = await page.evaluate(contrastProblems);
        assert.deepEqual(lowContrast, [], `${where}: text contrast`);
      }
      noPageErrors(page);
    }
  });
});

/** Text whose contrast against its background is below WCAG AA (runs in the page). */
function contrastProblems() {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const problems = [];
  for (const el of document.querySelectorAll('body *')) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText || !el.checkVisibility() || el.closest('[disabled], .visually-hidden, svg')) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    const bg = background(el);
    if (!fg) continue;
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return problems;
}

/** Seals session JSON with the repo's CLI (built by scripts/test before the browser suite). */
function sealWithCli(data) {
  const bin = path.join(root, 'target/debug/workos-edge');
  assert.ok(fs.existsSync(bin), `${bin} is missing: cargo build -p workos-edge-cli`);
  return execFileSync(bin, ['seal', '--password', COOKIE_PASSWORD], { input: JSON.stringify(data), encoding: 'utf8' }).trim();
}
