// What the browser suites share: Debian's Chromium driven by playwright-core (how it is launched,
// fresh profiles that collect page errors, closing them all), the stack they run against (two
// Workers in front of www/, one refreshing on every request), and the page steps they repeat.

import assert from 'node:assert/strict';
import fs from 'node:fs';

import { chromium } from 'playwright-core';

import { startWorker } from '../e2e/harness.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Every wait in a page (navigation, selector) gives up after this long. */
export const TIMEOUT = 20_000;

const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Launches Chromium (scripts/setup installs it). */
export async function launchChromium() {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (scripts/setup does it)`);
  return chromium.launch(LAUNCH);
}

/** Fresh browser profiles on one Chromium, closed together at the end. */
export class Profiles {
  constructor(browser) {
    this.browser = browser;
    this.contexts = new Set();
  }

  /** A fresh profile (no cookies) with one page; uncaught page errors are collected. */
  async open(options = {}) {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
    this.contexts.add(context);
    context.setDefaultTimeout(TIMEOUT);
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (error) => page.errors.push(error.message));
    return { context, page };
  }

  async closeAll() {
    for (const context of this.contexts) await context.close().catch(() => {});
    await this.browser?.close().catch(() => {});
  }
}

export function noPageErrors(page) {
  assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
}

/** Two Workers against `emulatorUrl` (`site`, and `refreshing`, which refreshes on every
 *  request) and Chromium with fresh profiles; `stop()` closes them all. */
export async function startSiteStack(emulatorUrl) {
  const common = { WORKOS_API_BASE_URL: emulatorUrl };
  const [site, refreshing, browser] = await Promise.all([
    startWorker(common),
    // Tokens live an hour; a two-hour buffer makes the edge refresh on every request.
    startWorker({ ...common, REFRESH_BUFFER_SECONDS: '7200' }),
    launchChromium(),
  ]);
  const profiles = new Profiles(browser);
  return {
    site,
    refreshing,
    profiles,
    async stop() {
      await profiles.closeAll();
      for (const worker of [site, refreshing]) worker.stop();
    },
  };
}

/** Signs in straight through /auth/login (the emulator signs the hinted user in at once). */
export async function signIn(page, base, { loginHint = 'ada@example.com', returnTo = '/dashboard' } = {}) {
  const q = new URLSearchParams({ returnTo, loginHint });
  await page.goto(`${base}/auth/login?${q}`);
  await page.waitForURL(`${base}${returnTo}`);
  if (returnTo === '/dashboard') await dashboardReady(page);
}

/** The dashboard has rendered the session and the lists. */
export async function dashboardReady(page) {
  await page.locator('main[aria-busy="false"]').waitFor();
  await page.locator('#sessions li').first().waitFor();
  await page.locator('#organizations li').first().waitFor();
}

/** What the page itself gets from a JSON route (same cookies as the page). */
export function fetchFromPage(page, pathname) {
  return page.evaluate(async (p) => {
    const res = await fetch(p, { headers: { accept: 'application/json' } });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, pathname);
}
