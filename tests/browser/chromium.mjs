// Debian's Chromium for the browser suites, driven by playwright-core: how it is launched, fresh
// profiles that collect page errors, and closing them all.

import assert from 'node:assert/strict';
import fs from 'node:fs';

import { chromium } from 'playwright-core';

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
