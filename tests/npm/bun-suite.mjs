// The portable suite (portable.mjs) under Bun (not named *.test.mjs: node --test must not pick it up), with Bun.serve for the fetch middleware.
//
//   WORKOS_EMULATOR_URL=... node_modules/.bin/bun test ./tests/npm/bun-suite.mjs   (runtimes.test.mjs does it)

import { test, expect } from 'bun:test';
import { cases } from './portable.mjs';

const serve = async (handler) => {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
};

test('runs in Bun', () => expect(typeof Bun.version).toBe('string'));
for (const [name, fn] of cases({ emulatorUrl: process.env.WORKOS_EMULATOR_URL, serve })) test(name, fn, 30_000);
