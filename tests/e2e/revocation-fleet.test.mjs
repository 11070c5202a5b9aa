// End-to-end: a revocation reaching isolates other than the one the webhook hit. Two Workers
// from the same `wrangler deploy --dry-run` bundle run in one workerd (Miniflare), each in its
// own isolate, sharing one REVOCATIONS Durable Object (as every isolate of a deployment does).
// A `session.revoked` webhook sent to the first signs the session out there at once, and in the
// second within REVOCATION_SYNC_SECONDS, learned from the Durable Object list (the second
// isolate never saw the webhook).
//
//   E2E_SKIP_BUILD=1 node --test --test-concurrency=1 tests/e2e/revocation-fleet.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { Miniflare } from 'miniflare';

import { API_KEY, Browser, CLIENT_ID, COOKIE_PASSWORD, dryRunBundle, startEmulator, startOrigin, unsealWithCli } from './harness.mjs';

const SECRET = 'whsec_fleet_0123456789';
const SYNC_SECONDS = 2;

let emulator;
let origin;
let mf;
let first; // URL of the Worker the webhook reaches
let second; // the other isolate: a Miniflare worker handle


before(async () => {
  emulator = await startEmulator();
  origin = await startOrigin(emulator.url);
  const { main, outdir: dir } = dryRunBundle();
  const bindings = {
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_API_KEY: API_KEY,
    WORKOS_COOKIE_PASSWORD: COOKIE_PASSWORD,
    WORKOS_API_BASE_URL: emulator.url,
    ORIGIN_URL: origin.url,
    WORKOS_COOKIE_SECURE: 'false',
    WORKOS_WEBHOOK_SECRET: SECRET,
    REVOCATION_SYNC_SECONDS: String(SYNC_SECONDS),
  };
  const worker = (name, durableObjects) => ({
    name,
    modules: true,
    scriptPath: main,
    modulesRoot: dir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    bindings,
    durableObjects,
  });
  mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
    workers: [
      worker('first', { REVOCATIONS: 'RevocationList', REFRESH_COORDINATOR: 'RefreshCoordinator' }),
      // Another script, so another isolate, bound to the first one's objects.
      worker('second', {
        REVOCATIONS: { className: 'RevocationList', scriptName: 'first' },
        REFRESH_COORDINATOR: { className: 'RefreshCoordinator', scriptName: 'first' },
      }),
    ],
  });
  first = (await mf.ready).href.replace(/\/$/, '');
  second = await mf.getWorker('second');
});

after(async () => {
  await mf?.dispose();
  origin?.stop();
  emulator?.stop();
});

function deliver(event) {
  const body = JSON.stringify(event);
  const t = Date.now();
  const v1 = crypto.createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
  return fetch(`${first}/auth/webhooks/workos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'workos-signature': `t=${t}, v1=${v1}` },
    body,
  });
}

/** A JSON request with `cookie` to the second isolate. */
async function atSecond(cookie) {
  const res = await second.fetch(`${first}/dashboard`, { headers: { cookie: `wos-session=${cookie}`, accept: 'application/json' }, redirect: 'manual' });
  const body = await res.json().catch(() => null);
  return { status: res.status, body };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a revocation sent to one isolate signs the session out in another within REVOCATION_SYNC_SECONDS', async () => {
  const b = new Browser(first);
  const hops = await b.signIn('/dashboard');
  assert.equal(hops.at(-1).status, 200, hops.map((h) => `${h.status} ${h.url}`).join(' → '));
  const cookie = b.session;
  const { accessToken } = unsealWithCli(cookie);
  const sid = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;

  // The second isolate serves the session (and has synced its list once).
  assert.equal((await atSecond(cookie)).status, 200);
  // Let its sync interval start over, so the revocation must come through the list.
  await sleep(SYNC_SECONDS * 1000 + 200);
  assert.equal((await atSecond(cookie)).status, 200, 'still signed in before the webhook');

  const res = await deliver({ id: `event_fleet_${Date.now()}`, event: 'session.revoked', data: { id: sid, object: 'session' } });
  assert.equal(res.status, 200);
  const sentAt = Date.now();
  const here = await b.json('/dashboard');
  assert.equal(here.status, 401, 'the isolate that got the webhook at once');
  assert.equal(here.body.reason, 'session_revoked');

  // Another isolate: it has not heard yet (its list was synced just before the webhook).
  const before = await atSecond(cookie);
  assert.equal(before.status, 200, `right after the webhook the other isolate still serves it: ${JSON.stringify(before.body)}`);

  let there;
  do {
    there = await atSecond(cookie);
    if (there.status === 401) break;
    await sleep(100);
  } while (Date.now() - sentAt < (SYNC_SECONDS + 3) * 1000);
  const elapsed = Date.now() - sentAt;
  assert.equal(there.status, 401, 'the other isolate, through the Durable Object list');
  assert.equal(there.body.reason, 'session_revoked');
  assert.ok(elapsed <= (SYNC_SECONDS + 1) * 1000, `signed out in the other isolate after ${elapsed} ms`);
});

/** A signed delivery of `event` (signature timestamp `t`). */
function signed(event, t = Date.now()) {
  const body = JSON.stringify(event);
  const v1 = crypto.createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
  return { method: 'POST', headers: { 'content-type': 'application/json', 'workos-signature': `t=${t}, v1=${v1}` }, body };
}

test('the list refuses a replay sent to another isolate, and acknowledges a redelivery', async () => {
  const event = { id: `event_replay_${Date.now()}`, event: 'user.updated', data: {} };
  const delivery = signed(event);
  assert.equal((await fetch(`${first}/auth/webhooks/workos`, delivery)).status, 200);
  const replay = await second.fetch(`${first}/auth/webhooks/workos`, delivery);
  assert.equal(replay.status, 401, 'the second isolate never saw it, the list did');
  assert.equal((await replay.json()).error, 'webhook_refused');
  // WorkOS signs each redelivery afresh (after a lost reply, say): acknowledged, not refused.
  const again = await second.fetch(`${first}/auth/webhooks/workos`, signed(event, Date.now() + 7));
  assert.equal(again.status, 200);
});
