// One refresh per session across a fleet: three Node processes (fleet-node.mjs: Express +
// workos-edge/express + workos-edge/redis) share a real redis-server. Concurrent requests with one
// due cookie, spread over the processes → one refresh reaches WorkOS (counted at a proxy) and all
// get the same new cookie. With Redis down, each process still coalesces its own requests
// (fail open) and answers promptly.
//
//   node --test tests/npm/       (needs redis-server: Debian's package, installed by scripts/setup)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { startEmulator, freePort, artifacts } from '../e2e/harness.mjs';
import { countingProxy, signInThrough, setCookie } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

let emulator;
let proxy;
let redisServer;
let redisUrl;
const fleet = [];

function startRedis(port) {
  const log = fs.openSync(path.join(artifacts(), `redis-${port}.log`), 'w');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', log, log] });
  child.on('error', (error) => console.error(`redis-server did not start (scripts/setup installs Debian's redis-server): ${error.message}`));
  return child;
}

function startNode() {
  const child = spawn(process.execPath, [path.join(here, 'fleet-node.mjs')], {
    env: { ...process.env, REDIS_URL: redisUrl, WORKOS_API_HOSTNAME: proxy.options.apiHostname, WORKOS_API_PORT: proxy.options.apiPort },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const ready = /ready (\S+)/.exec(out);
      if (ready) resolve({ child, url: ready[1] });
    });
    child.on('exit', (code) => reject(new Error(`fleet node exited ${code}`)));
  });
}

before(async () => {
  emulator = await startEmulator();
  proxy = await countingProxy(emulator.url);
  const port = await freePort();
  redisServer = startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  const probe = createClient({ url: redisUrl });
  probe.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      break;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.equal(await probe.ping(), 'PONG');
  await probe.quit();
  fleet.push(...(await Promise.all([startNode(), startNode(), startNode()])));
});

after(async () => {
  for (const node of fleet) node.child.kill('SIGTERM');
  redisServer?.kill('SIGTERM');
  await proxy?.stop();
  emulator?.stop();
});

const me = (url, cookie) => fetch(`${url}/me`, { headers: { cookie, accept: 'application/json' } });

test('three processes, six concurrent requests with one due cookie → one WorkOS refresh, one new cookie for all', async () => {
  // The sign-in's first request has no cookie, so nothing is refreshed before the race.
  const { cookie } = await signInThrough(fleet[0].url, '/me');
  const before = proxy.counts.refresh;
  const responses = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => me(fleet[i].url, cookie)));
  const bodies = await Promise.all(responses.map((r) => r.json()));
  for (const [i, r] of responses.entries()) assert.equal(r.status, 200, JSON.stringify(bodies[i]));
  assert.equal(new Set(bodies.map((b) => b.pid)).size, 3, 'every process served');
  assert.equal(proxy.counts.refresh - before, 1, 'one refresh reached WorkOS');
  const cookies = responses.map((r) => setCookie(r, 'wos-session'));
  assert.ok(cookies[0], 'a new cookie');
  assert.ok(cookies.every((c) => c === cookies[0]), 'the same new cookie everywhere');
  assert.ok(bodies.every((b) => b.coordinatorErrors === 0), 'Redis answered every time');
  // The new cookie works (it is refreshed again here: every token is due in this app).
  const again = await me(fleet[2].url, cookies[0].split(';')[0]);
  assert.equal(again.status, 200);
  assert.equal(proxy.counts.refresh - before, 2);
});

test('Redis down: fail open to per-process coalescing, promptly', async () => {
  const { cookie } = await signInThrough(fleet[0].url, '/me');
  redisServer.kill('SIGKILL');
  await new Promise((resolve) => redisServer.once('exit', resolve));
  const before = proxy.counts.refresh;
  const started = Date.now();
  const responses = await Promise.all([1, 2, 3].map(() => me(fleet[0].url, cookie)));
  const elapsed = Date.now() - started;
  const bodies = await Promise.all(responses.map((r) => r.json()));
  for (const [i, r] of responses.entries()) assert.equal(r.status, 200, JSON.stringify(bodies[i]));
  assert.equal(proxy.counts.refresh - before, 1, 'one refresh for the three requests in this process');
  const cookies = responses.map((r) => setCookie(r, 'wos-session'));
  assert.ok(cookies[0] && cookies.every((c) => c === cookies[0]), 'the same new cookie');
  assert.ok(bodies.some((b) => b.coordinatorErrors > 0), 'the coordinator reported Redis down');
  assert.ok(elapsed < 3000, `answered in ${elapsed} ms`);
});
