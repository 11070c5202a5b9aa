// Load through workerd: a Node load generator (keep-alive http.Agent, N concurrent loops) sends
// mixed traffic to the real Worker in `wrangler dev`, talking to the emulator through
// fault-proxy.mjs (no faults; it counts refresh grants per refresh token):
//   public  GET / and /assets/site.css                       -> 200
//   valid   protected pages and /auth/session, real sessions   -> 200 (a browser that takes the
//           (signed in through the emulator)                      new cookie when refreshed)
//   due     the OLD cookie of a session whose token is due,    -> 200 with the new cookie, the
//           sent by many connections at once                      same one for every racer
//   bad     garbage, tampered, truncated seals                 -> 401
// The Worker runs with REFRESH_BUFFER_SECONDS=3590: emulator tokens live 1 h, so a session is
// due 10 s after it was minted. Due traffic stays under 20 s (the gateway replays a refresh's
// result to racers for 30 s; after that the spent token would be refused, rightly).
//
// Asserts: no unexpected status; every due session refreshed at WorkOS exactly once and every
// racer got the same new cookie; no refresh token ever reached WorkOS twice; the isolate's
// memory flat: its JS heap after a GC and its wasm linear memory, read over the inspector.
// workerd's RSS is only reported: under `wrangler dev` it grows with traffic even for a trivial
// JavaScript Worker (~13 KB per request here, ~37 KB with one console.log per request), and the
// inspector's heap walk adds a few hundred MB by itself. Prints requests, statuses, req/s,
// p50/p99 and memory before/after; the same as JSON in test-artifacts/.
//
// Short form (the test suite): ~10 s x 16 connections. Long form: `scripts/load [SECONDS]
// [CONNECTIONS]` (default 30 x 64), which sets LOAD_SECONDS / LOAD_CONNECTIONS.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startFaultProxy } from './fault-proxy.mjs';
import { artifacts, Browser, startEmulator, startWorker } from './harness.mjs';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
/** Due traffic only in the first part of a long run (refresh results are replayed for 30 s). */
const DUE_PHASE_MS = Math.min(SECONDS, 20) * 1000;
const REFRESH_BUFFER_SECONDS = 3590; // tokens live 3600 s: due 10 s after minting
const DUE_AFTER_MS = (3600 - REFRESH_BUFFER_SECONDS) * 1000 + 1500;
const DUE_SESSIONS = 8;
const VALID_SESSIONS = 8;
/** Memory thresholds: generous, the machine is shared; growth beyond these is a leak. */
const MAX_HEAP_GROWTH = 16 * 1024 * 1024;
const MAX_WASM_GROWTH = 32 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

let emulator;
let proxy;
let worker;

before(async () => {
  emulator = await startEmulator();
  proxy = await startFaultProxy(emulator.url);
  worker = await startWorker({ WORKOS_API_BASE_URL: proxy.url, REFRESH_BUFFER_SECONDS: String(REFRESH_BUFFER_SECONDS) });
});

after(async () => {
  worker?.stop();
  emulator?.stop();
  await proxy?.stop();
});

// ---------------------------------------------------------------------------------------------
// memory: the isolate's heap over the inspector (CDP), wasm linear memory, workerd's RSS

async function webSocketClass() {
  if (globalThis.WebSocket) return globalThis.WebSocket;
  try {
    return (await import('ws')).default; // wrangler's dependency
  } catch {}
  return (await import('undici')).WebSocket; // Node 20 has no global WebSocket
}

/** The Worker's execution context per started Worker (see memory()). */
const knownContexts = new Map();

/** A CDP session on the Worker's isolate through `wrangler dev --inspector-port`. */
async function inspect(w) {
  const args = w.child.spawnargs;
  const port = args[args.indexOf('--inspector-port') + 1];
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error(`no inspector target at :${port}: ${JSON.stringify(targets)}`);
  const WS = await webSocketClass();
  const ws = new WS(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = (e) => reject(new Error(`inspector: ${e.message ?? 'websocket error'}`));
  });
  let next = 0;
  const pending = new Map();
  const contexts = [];
  ws.onmessage = (event) => {
    const msg = JSON.parse(typeof event.data === 'string' ? event.data : Buffer.from(event.data).toString('utf8'));
    if (msg.method === 'Runtime.executionContextCreated') contexts.push(msg.params.context);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
    else p.resolve(msg.result);
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject, method });
      ws.send(JSON.stringify({ id, method, params }));
      setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`${method}: no answer`));
      }, 15_000);
    });
  /** The Worker's execution context (announced after Runtime.enable). */
  const context = async (ms) => {
    for (let i = 0; i < ms / 100 && !contexts.length; i++) await new Promise((r) => setTimeout(r, 100));
    return contexts.at(-1);
  };
  return { target: target.title ?? target.url, send, context, close: () => ws.close() };
}

/** Every process in the Worker's process group named workerd: its RSS in bytes. */
function workerdRss(w) {
  let total = 0;
  const each = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== w.child.pid || !comm.startsWith('workerd')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) {
        total += Number(rss[1]) * 1024;
        each.push(Number(rss[1]) * 1024);
      }
    } catch {}
  }
  if (process.env.LOAD_DEBUG) console.log('workerd RSS per process', each.map((n) => (n / 1048576).toFixed(1)));
  return total || null;
}

/**
 * The isolate's JS heap after a full GC, its wasm linear memory, and workerd's RSS.
 * `HeapProfiler.collectGarbage` never answers through wrangler's inspector proxy (tried with
 * wrangler 4.86), but `Runtime.queryObjects` runs a full GC before it walks the heap, so asking
 * it for every `WebAssembly.Memory` both collects garbage and finds the Worker's wasm memory.
 */
async function memory(w) {
  const out = { heapUsed: null, heapTotal: null, wasm: null, rss: workerdRss(w), gc: false, inspector: null, error: null };
  let session;
  try {
    session = await inspect(w);
    out.inspector = session.target;
    try {
      // wrangler's inspector proxy announces the Worker's execution context (and replays the
      // console) to the first session only; later sessions reuse the context id, which lives
      // as long as the isolate. Runtime.enable is the last resort.
      let context = (await session.context(3000)) ?? knownContexts.get(w);
      if (!context) {
        await session.send('Runtime.enable');
        context = await session.context(5000);
      }
      if (!context) throw new Error('the Worker announced no execution context');
      knownContexts.set(w, context);
      const proto = await session.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', uniqueContextId: context.uniqueId });
      const found = await session.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
      out.gc = true;
      const sizes = await session.send('Runtime.callFunctionOn', {
        objectId: found.objects.objectId,
        functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
        returnByValue: true,
      });
      out.wasm = sizes.result.value.reduce((a, b) => a + b, 0);
    } catch (e) {
      out.error = `no GC / wasm memory: ${e.message}`;
    }
    out.rssAfterGc = workerdRss(w);
    const usage = await session.send('Runtime.getHeapUsage');
    out.heapUsed = usage.usedSize;
    out.heapTotal = usage.totalSize;
  } catch (e) {
    out.error = `inspector unavailable: ${e.message}`;
  } finally {
    session?.close();
  }
  return out;
}

const MiB = (n) => (n == null ? 'n/a' : `${(n / 1024 / 1024).toFixed(1)} MiB`);

// ---------------------------------------------------------------------------------------------
// the load generator

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function newSessionCookie(setCookies) {
  for (const line of setCookies ?? []) {
    if (!line.startsWith('wos-session=')) continue;
    const value = line.split(';')[0].slice('wos-session='.length);
    const cleared = value === '' || /max-age=0\b/i.test(line);
    return { value, cleared };
  }
  return null;
}

/** Sends one request on the keep-alive agent; resolves with status, set-cookie and latency. */
function send(agent, base, { path: p, cookie, json }) {
  const url = new URL(p, base);
  const headers = json
    ? { accept: 'application/json', 'sec-fetch-dest': 'empty' }
    : { accept: 'text/html', 'sec-fetch-dest': 'document' };
  if (cookie) headers.cookie = `wos-session=${cookie}`;
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode, setCookie: res.headers['set-cookie'], ms: performance.now() - started }),
      );
      res.on('error', (e) => resolve({ status: `error: ${e.code ?? e.message}`, ms: performance.now() - started }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: `error: ${e.code ?? e.message}`, ms: performance.now() - started }));
    req.end();
  });
}

/**
 * Runs `connections` loops for `ms`. `pick(now, loopIndex, first)` chooses the next request:
 * `{kind, path, cookie, json, session}`; `check(request, result)` returns null or a complaint.
 */
async function run({ base, connections, ms, pick, check }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const stats = { requests: 0, byKind: {}, latencies: [], unexpected: [], started: Date.now(), elapsedMs: 0 };
  const end = Date.now() + ms;
  async function loop(index) {
    let first = true;
    while (Date.now() < end) {
      const request = pick(Date.now(), index, first);
      first = false;
      const result = await send(agent, base, request);
      stats.requests++;
      stats.latencies.push(result.ms);
      const kind = (stats.byKind[request.kind] ??= { statuses: {}, latencies: [] });
      kind.statuses[result.status] = (kind.statuses[result.status] ?? 0) + 1;
      kind.latencies.push(result.ms);
      const complaint = check(request, result);
      if (complaint) stats.unexpected.push({ kind: request.kind, path: request.path, status: result.status, complaint });
    }
  }
  await Promise.all(Array.from({ length: connections }, (_, i) => loop(i)));
  stats.elapsedMs = Date.now() - stats.started;
  agent.destroy();
  return stats;
}

function summarize(stats) {
  const sorted = Float64Array.from(stats.latencies).sort();
  const kinds = Object.fromEntries(
    Object.entries(stats.byKind).map(([kind, k]) => {
      const s = Float64Array.from(k.latencies).sort();
      return [kind, { statuses: k.statuses, p50: +percentile(s, 50).toFixed(1), p99: +percentile(s, 99).toFixed(1) }];
    }),
  );
  return {
    requests: stats.requests,
    seconds: +(stats.elapsedMs / 1000).toFixed(1),
    reqPerSecond: Math.round(stats.requests / (stats.elapsedMs / 1000)),
    p50: +percentile(sorted, 50).toFixed(1),
    p99: +percentile(sorted, 99).toFixed(1),
    kinds,
    unexpected: stats.unexpected.length,
  };
}

// ---------------------------------------------------------------------------------------------

test(`mixed load (${SECONDS} s x ${CONNECTIONS} connections): no unexpected status, one refresh per due session, memory flat`, async () => {
  // Sessions through real sign-ins. Due ones first: they must be 10 s old when traffic starts.
  const emails = ['ada@example.com', 'grace@example.com'];
  const mint = async (i) => {
    const b = new Browser(worker.url);
    const hops = await b.signIn('/', emails[i % emails.length]);
    for (const hop of hops) await hop.res.arrayBuffer().catch(() => {});
    assert.equal(hops.at(-1).status, 200, 'sign-in');
    return { cookie: b.session, refreshToken: proxy.lastIssued('authorization_code').refreshToken, newCookies: new Set(), requests: 0 };
  };
  const due = [];
  for (let i = 0; i < DUE_SESSIONS; i++) due.push(await mint(i));
  const dueAt = Date.now() + DUE_AFTER_MS;
  const valid = [];
  for (let i = 0; i < VALID_SESSIONS; i++) valid.push(await mint(i));
  for (const s of valid) s.refreshes = 0;

  // Bad cookies: garbage, and seals of a real session tampered with in the MAC, in the
  // encrypted part, and cut short.
  const real = valid[0].cookie;
  const flip = (s, i) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
  const bad = ['garbage', 'Fe26.2*1*nope', flip(real, real.length - 10), flip(real, Math.floor(real.length / 2)), real.slice(0, real.length - 40)];

  let phase = 'warm-up';
  let dueEnd = 0;
  const pick = (now, index, first) => {
    const r = Math.random();
    if (phase === 'load' && now < dueEnd && (first || r < 0.3)) {
      // The first request of every connection is a due one: each due cookie is raced at once.
      const session = due[first ? index % due.length : Math.floor(Math.random() * due.length)];
      return { kind: 'due', path: r < 0.15 ? '/auth/session' : '/dashboard', json: r < 0.15, cookie: session.cookie, session };
    }
    const q = Math.random();
    if (q < 0.3) return { kind: 'public', path: q < 0.15 ? '/' : '/assets/site.css', json: q >= 0.15 };
    if (q < 0.8) {
      const session = valid[Math.floor(Math.random() * valid.length)];
      const json = q >= 0.55;
      return { kind: 'valid', path: json ? '/auth/session' : '/dashboard', json, cookie: session.cookie, session };
    }
    return { kind: 'bad', path: q < 0.9 ? '/dashboard' : '/auth/session', json: true, cookie: bad[Math.floor(Math.random() * bad.length)] };
  };
  const check = (request, result) => {
    const fresh = newSessionCookie(result.setCookie);
    switch (request.kind) {
      case 'public':
        return result.status === 200 ? null : 'public path not 200';
      case 'valid':
        if (result.status !== 200) return 'valid session not 200';
        if (fresh?.cleared) return 'valid session cleared';
        if (fresh && request.session.cookie === request.cookie) {
          // A browser takes the refreshed cookie (only from a request sent with its current one).
          request.session.cookie = fresh.value;
          request.session.refreshes++;
        }
        return null;
      case 'due':
        request.session.requests++;
        if (result.status !== 200) return 'due session not 200';
        if (!fresh || fresh.cleared) return `due session without a new cookie (${result.setCookie ?? 'none'})`;
        request.session.newCookies.add(fresh.value);
        return null;
      case 'bad':
        return result.status === 401 ? null : 'bad cookie not 401';
      default:
        return 'unknown kind';
    }
  };

  // Warm-up (no due traffic) while the due sessions age: JIT, caches, the JWKS, keep-alive.
  const warmMs = Math.max(0, dueAt - Date.now() - 2500);
  const warm = await run({ base: worker.url, connections: Math.min(CONNECTIONS, 8), ms: warmMs, pick, check });
  const memBefore = await memory(worker);
  await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now())));

  phase = 'load';
  const refreshGrantsBefore = proxy.count('authenticate:refresh_token', { forwarded: true });
  dueEnd = Date.now() + DUE_PHASE_MS;
  const stats = await run({ base: worker.url, connections: CONNECTIONS, ms: SECONDS * 1000, pick, check });
  await new Promise((r) => setTimeout(r, 1000));
  const memAfter = await memory(worker);

  const summary = summarize(stats);
  const dueReport = due.map((s) => ({
    requests: s.requests,
    newCookies: s.newCookies.size,
    refreshesAtWorkOS: proxy.forwardedGrants(s.refreshToken).length,
  }));
  const report = {
    seconds: SECONDS,
    connections: CONNECTIONS,
    warmUp: { requests: warm.requests, unexpected: warm.unexpected.length },
    ...summary,
    refreshGrants: proxy.count('authenticate:refresh_token', { forwarded: true }) - refreshGrantsBefore,
    validSessionRefreshes: valid.reduce((a, s) => a + s.refreshes, 0),
    due: dueReport,
    doubleSpent: proxy.doubleSpent().length,
    memory: { before: memBefore, after: memAfter },
  };
  fs.writeFileSync(path.join(artifacts(), `load-summary-${SECONDS}s-${CONNECTIONS}c.json`), JSON.stringify(report, null, 2));
  const line = (k) => {
    const s = summary.kinds[k];
    return s ? `${k} ${Object.entries(s.statuses).map(([st, n]) => `${st}x${n}`).join(',')} (p50 ${s.p50} ms, p99 ${s.p99} ms)` : `${k} -`;
  };
  console.log(
    [
      `load: ${summary.seconds} s x ${CONNECTIONS} connections through workerd: ${summary.requests} requests, ${summary.reqPerSecond} req/s, p50 ${summary.p50} ms, p99 ${summary.p99} ms, unexpected ${summary.unexpected}`,
      `  ${['public', 'valid', 'due', 'bad'].map(line).join(' | ')}`,
      `  refreshes at WorkOS: ${report.refreshGrants} (due sessions: ${dueReport.map((d) => d.refreshesAtWorkOS).join(',')}; new cookies per due session: ${dueReport.map((d) => d.newCookies).join(',')}; valid sessions refreshed ${report.validSessionRefreshes}x); double spends ${report.doubleSpent}`,
      `  isolate JS heap${memBefore.gc && memAfter.gc ? ' after GC' : ' (no GC)'}: ${MiB(memBefore.heapUsed)} -> ${MiB(memAfter.heapUsed)}; wasm memory ${MiB(memBefore.wasm)} -> ${MiB(memAfter.wasm)}; workerd RSS over the load ${MiB(memBefore.rssAfterGc)} -> ${MiB(memAfter.rss)} (before any inspector session ${MiB(memBefore.rss)}: the inspector's heap walk itself costs RSS)${memAfter.error ? ` (${memAfter.error})` : ''}`,
    ].join('\n'),
  );

  assert.deepEqual(warm.unexpected.slice(0, 10), [], 'warm-up: unexpected statuses');
  assert.deepEqual(stats.unexpected.slice(0, 10), [], `${stats.unexpected.length} unexpected statuses`);
  for (const [i, d] of dueReport.entries()) {
    assert.ok(d.requests >= 2, `due session ${i} was raced (${d.requests} requests)`);
    assert.equal(d.refreshesAtWorkOS, 1, `due session ${i}: its refresh token reached WorkOS ${d.refreshesAtWorkOS} times`);
    assert.equal(d.newCookies, 1, `due session ${i}: every racer got the same new cookie (${d.newCookies} distinct)`);
  }
  assert.equal(report.doubleSpent, 0, 'no refresh token reached WorkOS twice');
  assert.ok(memBefore.gc && memAfter.gc, `isolate heap read after a GC over the inspector: ${memBefore.error ?? memAfter.error}`);
  assert.ok(
    memAfter.heapUsed - memBefore.heapUsed < MAX_HEAP_GROWTH,
    `isolate JS heap grew ${MiB(memAfter.heapUsed - memBefore.heapUsed)} over ${summary.requests} requests`,
  );
  if (memBefore.wasm != null && memAfter.wasm != null) {
    assert.ok(memAfter.wasm - memBefore.wasm < MAX_WASM_GROWTH, `wasm memory grew ${MiB(memAfter.wasm - memBefore.wasm)}`);
  }
});
