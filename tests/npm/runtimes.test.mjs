// The portable suite (portable.mjs) in Node, Deno and Bun against one emulator: each runtime
// imports the PACKED package by name and loads the wasm its own way; each serves the fetch
// middleware from its own HTTP server (node:http, Deno.serve, Bun.serve).
//
//   node --test tests/npm/       (after npm run build:npm && node tests/npm/pack.mjs)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { startEmulator, root } from '../e2e/harness.mjs';
import { cases } from './portable.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator?.stop());

/** node:http around a fetch handler. */
async function serve(handler) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) headers.set(name, [].concat(value).join(', '));
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const response = await handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }));
    const out = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') out[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

test('Node: the portable suite', async (t) => {
  for (const [name, fn] of cases({ emulatorUrl: emulator.url, serve })) await t.test(name, fn);
});

/** Runs a runtime's test command; resolves with its exit code and output. */
function runtime(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules/.bin', command), args, {
      cwd: root,
      env: { ...process.env, WORKOS_EMULATOR_URL: emulator.url, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const expectedCases = () => cases({ emulatorUrl: emulator.url, serve }).length;

test('Deno: the portable suite (Deno.serve), the package types, the WebCrypto path', async () => {
  const { code, output } = await runtime('deno', ['test', '--allow-read', '--allow-net', '--allow-env', '--allow-sys', '--allow-run=cp', '--allow-write', 'tests/npm/deno.test.ts']);
  assert.equal(code, 0, output);
  const passed = Number(/ok \| (\d+) passed \| 0 failed/.exec(output)?.[1]);
  assert.ok(passed >= expectedCases() + 2, `Deno passed ${passed} of ${expectedCases() + 2}:\n${output}`);
});

test('Bun: the portable suite (Bun.serve)', async () => {
  const { code, output } = await runtime('bun', ['test', './tests/npm/bun-suite.mjs']);
  assert.equal(code, 0, output);
  const passed = Number(/(\d+) pass\b/.exec(output)?.[1]);
  assert.match(output, / 0 fail\b/);
  assert.ok(passed >= expectedCases() + 1, `Bun passed ${passed} of ${expectedCases() + 1}:\n${output}`);
});

test('the bundler path (condition "browser", Deno): the .wasm is fetched from its URL, then works', async () => {
  const { code, output } = await runtime('deno', ['run', '--conditions=browser', '--allow-read', 'tests/npm/browser-path.mjs']);
  assert.equal(code, 0, output);
  const result = JSON.parse(output.trim().split('\n').at(-1));
  assert.deepStrictEqual(result, { fetched: ['workos_edge_js_bg.wasm'], opened: { hello: 'browser' } });
});
