// The workos-edge Worker side by side with its peer, a plain JavaScript Worker on the official
// SDK (bench/js-sdk-worker), in one run. Each is bundled by `wrangler deploy --dry-run` (the
// upload size is wrangler's own figure), served by workerd through Miniflare in front of the
// same loopback origin and the same WorkOS emulator, and measured in alternating rounds:
//
//   public     a PUBLIC_PATHS request: no auth work at all (wrk);
//   warm       a protected path with one session cookie, over and over (wrk);
//   cold       a protected path where every request brings a session the Worker has never
//              seen (wrk with a Lua script that sends each cookie once; 5 000 sessions per
//              round, more than wrk can send in the run, sealed by iron-session with their
//              own access tokens — see coldSessions for why not the emulator);
//   refresh    every request brings a session whose token is due, so each one refreshes
//              through WorkOS (the emulator) and gets a new cookie;
//   cold start a new workerd (Miniflare) per sample: construction to first protected response.
//
// Each path also reports the CPU (user + system, from /proc) that the workerd serving each
// Worker spent per request: what a request costs, less at the mercy of this shared machine's
// neighbours than req/s (which also counts time the Worker waited for a core).
// Every response is checked (status, and the identity the origin saw) before anything is timed.
// Usage: node bench/worker.mjs [--rounds 3] [--seconds 8] [--sessions 5000] [--cold-seconds 2]
//        [--refreshes 50] [--starts 5] [--only public,warm,cold,refresh,start] [--json FILE]
// (scripts/bench worker builds both first.)

import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { WorkOS } from '@workos-inc/node';
import { Miniflare } from 'miniflare';

import { sealData } from 'iron-session';

import { API_KEY, CLIENT_ID, COOKIE_PASSWORD, freePort, root, startEmulator } from '../tests/e2e/harness.mjs';
import { startStandIn } from '../tests/e2e/workos-standin.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('--rounds', 3));
const seconds = Number(arg('--seconds', 8));
const sessionCount = Number(arg('--sessions', 5000));
const coldSeconds = Number(arg('--cold-seconds', 2));
const starts = Number(arg('--starts', 5));
const refreshCount = Number(arg('--refreshes', 50));
// `--names` (with `--profile edge`) measures the profiling build in build-profile/ instead.
// `--profile edge|sdk` samples that Worker's CPU (V8 profiler through workerd's inspector)
// over the whole run and prints the functions with the most self time.
const profileKey = arg('--profile', null);
const INSPECTOR_PORT = 9339;
const jsonOut = arg('--json', null);
// `--only public,warm` measures a subset (for profiling one path); the table shows what ran.
const only = new Set((arg('--only', 'public,warm,cold,refresh,start') ?? '').split(','));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const run = promisify(execFile);

/** `wrangler deploy --dry-run` of a config: the bundle directory and wrangler's size line. */
function bundle(config) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundle-'));
  const out = execFileSync(path.join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, '-c', config], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  if (!size) throw new Error(`no size line from wrangler for ${config}:\n${out}`);
  const main = fs.readdirSync(outdir).find((f) => /\.(m?js)$/.test(f) && !f.endsWith('.map'));
  return { outdir, main: path.join(outdir, main), kib: Number(size[1]), gzipKib: Number(size[2]) };
}

// The origin records who it saw, so every measured response is known to be authenticated.
const originSeen = new Map();
const origin = http.createServer((req, res) => {
  if (req.headers['x-workos-user-id']) originSeen.set(req.url, (originSeen.get(req.url) ?? 0) + 1);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
const originPort = await freePort();
await new Promise((r) => origin.listen(originPort, '127.0.0.1', r));
const emulator = await startEmulator();
const emulatorUrl = new URL(emulator.url);
// The emulator answers at most 1 000 calls a minute (then 429, which the SDK sits out), and
// the cold path needs thousands of sessions a round. So cold sessions are made here: access
// tokens signed with a key the stand-in adds to the emulator's JWKS (both Workers fetch their
// JWKS through it and trust it exactly as WorkOS's), sealed by the real iron-session as the
// SDK seals them. Everything else goes to the emulator through the stand-in unchanged.
const standIn = await startStandIn(emulator.url);

const settings = {
  WORKOS_CLIENT_ID: CLIENT_ID,
  WORKOS_API_KEY: API_KEY,
  WORKOS_COOKIE_PASSWORD: COOKIE_PASSWORD,
  WORKOS_API_BASE_URL: standIn.url,
  ORIGIN_URL: `http://127.0.0.1:${originPort}`,
  PUBLIC_PATHS: '/public/*',
  WORKOS_COOKIE_SECURE: 'false',
};
const peerSettings = { ...settings, PUBLIC_PATHS: '/public/' };

const workers = [
  { key: 'sdk', name: 'JS Worker on @workos-inc/node 11', bundle: bundle('bench/js-sdk-worker/wrangler.toml'), settings: peerSettings },
  { key: 'edge', name: 'workos-edge Worker', bundle: bundle(edgeConfig()), settings },
];

/** `wrangler.toml`, or with `--names` a copy serving `build-profile/` (made by
 *  `bash scripts/build-worker --profiling`, which keeps the wasm name section) so
 *  that `--profile edge` names the Rust functions. */
function edgeConfig() {
  if (!process.argv.includes('--names')) return 'wrangler.toml';
  const config = fs
    .readFileSync(path.join(root, 'wrangler.toml'), 'utf8')
    .replace(/\[build\][^\[]*/, '')
    .replace('main = "build/worker.mjs"', 'main = "build-profile/worker.mjs"');
  const file = path.join(root, '.wrangler-profile.toml');
  fs.writeFileSync(file, config);
  return file;
}

function miniflare(worker, extra = {}, { inspect = false } = {}) {
  return new Miniflare({
    modules: true,
    scriptPath: worker.bundle.main,
    modulesRoot: worker.bundle.outdir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    host: '127.0.0.1',
    port: 0,
    // One log line per request is the Worker's job in production; here it would measure the
    // terminal. Drain it.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
    bindings: { ...worker.settings, ...extra },
    ...(inspect ? { inspectorPort: INSPECTOR_PORT } : {}),
  });
}

/** The workerd processes this process has started (Miniflare spawns one per instance). */
function workerdPids() {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'workerd' && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
/** CPU seconds (user + system) the process `pid` has used so far (/proc/PID/stat). */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** `measure()` with the CPU its workerd spent, per request, in µs: steadier than req/s on a
 *  shared machine, where a neighbour takes wall time from both Workers unevenly. */
async function withCpu(pid, measure) {
  const before = cpuSeconds(pid);
  const result = await measure();
  result.cpuUs = ((cpuSeconds(pid) - before) * 1e6) / result.requests;
  return result;
}

/** Starts the V8 sampling profiler in the Worker behind the inspector; `stop()` prints. */
async function startProfiler() {
  const { default: WebSocket } = await import('ws');
  const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
  const target = targets.find((t) => t.id.includes('core:user')) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r) => ws.on('open', r));
  let id = 0;
  const pending = new Map();
  ws.on('message', (m) => {
    const d = JSON.parse(m);
    pending.get(d.id)?.(d);
    pending.delete(d.id);
  });
  const send = (method, params = {}) =>
    new Promise((r) => {
      pending.set(++id, r);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 100 });
  await send('Profiler.start');
  return async () => {
    const { result } = await send('Profiler.stop');
    ws.close();
    // PROFILE_OUT=FILE keeps the raw profile (a .cpuprofile that Chrome's DevTools opens).
    if (process.env.PROFILE_OUT) fs.writeFileSync(process.env.PROFILE_OUT, JSON.stringify(result.profile));
    const nodes = new Map(result.profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    for (const sample of result.profile.samples) {
      const f = nodes.get(sample).callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + 1);
    }
    const total = result.profile.samples.length;
    console.log(`\nCPU profile of ${profileKey} (self time, ${total} samples):`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 25))) {
      console.log(`${((100 * v) / total).toFixed(1).padStart(6)}%  ${k}`);
    }
    // Where the time is, by kind: our wasm, the JS glue (wasm-bindgen, the shim), the runtime.
    const kinds = new Map();
    for (const [k, v] of self) {
      const kind = /\.wasm|wasm-function/.test(k) ? 'wasm' : /\.m?js:/.test(k) ? 'JS glue' : /^\((idle|program|garbage collector)\)/.test(k) ? k.split(' ')[0] : 'runtime (natives, WebCrypto, fetch)';
      kinds.set(kind, (kinds.get(kind) ?? 0) + v);
    }
    console.log('by kind:', [...kinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`).join(', '));
    // Our wasm by crate (the name section's demangled paths), so a long tail adds up.
    const crates = new Map();
    for (const [k, v] of self) {
      if (!/\.wasm|wasm-function/.test(k)) continue;
      const crate = k.replace(/^[<&\s]+/, '').match(/^[A-Za-z_][A-Za-z0-9_]*/)?.[0] ?? '?';
      crates.set(crate, (crates.get(crate) ?? 0) + v);
    }
    console.log('wasm by crate:', [...crates].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`).join(', '));
  };
}

/** `n` sessions for a user the emulator signed in, each with its own access token (signed by
 *  the stand-in's key) and refresh token, sealed by iron-session. */
let template;
async function coldSessions(n) {
  template ??= await sdk.userManagement.authenticateWithPassword({
    clientId: CLIENT_ID,
    email: 'ada@example.com',
    password: 'analytical-engine-1843',
  });
  const user = template.user;
  const out = [];
  for (let i = 0; i < n; i++) {
    const accessToken = await standIn.sign(
      { sub: user.id, sid: `session_bench_${Date.now()}_${i}`, iss: 'https://api.workos.com', jti: `jti_${i}` },
      { expiresIn: '1h' },
    );
    const data = { accessToken, refreshToken: `refresh_bench_${i}`, user, impersonator: undefined };
    out.push(await sealData(data, { password: COOKIE_PASSWORD, ttl: 0 }));
  }
  return out;
}

/** Sessions made by the real SDK (password grant against the emulator, sealed by the SDK). */
const sdk = new WorkOS(API_KEY, { clientId: CLIENT_ID, apiHostname: emulatorUrl.hostname, port: Number(emulatorUrl.port), https: false });
async function sessions(n) {
  const out = [];
  for (let i = 0; i < n; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, n - i) }, () =>
        sdk.userManagement.authenticateWithPassword({
          clientId: CLIENT_ID,
          email: 'ada@example.com',
          password: 'analytical-engine-1843',
          session: { sealSession: true, cookiePassword: COOKIE_PASSWORD },
        }),
      ),
    );
    out.push(...batch.map((r) => r.sealedSession));
  }
  return out;
}

async function wrk(url, cookie, { script, duration = seconds } = {}) {
  const args = ['-t1', '-c8', `-d${duration}s`, '--latency', url];
  if (cookie) args.push('-H', `Cookie: wos-session=${cookie}`);
  if (script) args.push('-s', script);
  const { stdout: out } = await run('wrk', args, { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const ms = (m) => Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} non-2xx responses`);
  const requests = Number(/(\d+) requests in/.exec(out)[1]);
  return { rps, requests, p50: ms(/50%\s+([\d.]+)(us|ms|s)/.exec(out)), p99: ms(/99%\s+([\d.]+)(us|ms|s)/.exec(out)) };
}

/** wrk sending each cookie of `cookies` once, in order (a Lua script reads them from a file):
 *  every request brings a session new to the Worker, without a client in JavaScript as the
 *  bottleneck. Fails if wrk ran out of cookies (it would then measure warm requests). */
let coldRuns = 0;
async function wrkEachCookieOnce(url, cookies, duration) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  const list = path.join(dir, 'cookies.txt');
  fs.writeFileSync(list, cookies.join('\n') + '\n');
  const script = path.join(dir, 'cold.lua');
  const target = `/app/cold-${coldRuns++}`;
  fs.writeFileSync(
    script,
    `local cookies = {}
for line in io.lines(${JSON.stringify(list)}) do cookies[#cookies + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", ${JSON.stringify(target)}, { Cookie = "wos-session=" .. cookies[((i - 1) % #cookies) + 1] })
end
`,
  );
  const result = await wrk(url, null, { script, duration });
  fs.rmSync(dir, { recursive: true });
  if (result.requests > cookies.length) throw new Error(`${url}: ${result.requests} requests for ${cookies.length} cookies; mint more`);
  const seen = originSeen.get(target) ?? 0;
  if (seen < result.requests * 0.99) throw new Error(`${url}: the origin saw ${seen} users for ${result.requests} requests`);
  return result;
}

/** Each cookie sent once, 8 in flight; every answer must be a 200 the origin saw as a user. */
let batches = 0;
async function oncePerCookie(url, cookies) {
  const latencies = [];
  const target = `/app/batch-${batches++}`;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < cookies.length) {
        const cookie = cookies[next++];
        const t = performance.now();
        const res = await fetch(url + target, { headers: { cookie: `wos-session=${cookie}` } });
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${url}: ${res.status} for a valid session`);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const seen = originSeen.get(target) ?? 0;
  if (seen !== cookies.length) throw new Error(`${url}: the origin saw ${seen} users of ${cookies.length}`);
  latencies.sort((a, b) => a - b);
  return { rps: cookies.length / elapsed, requests: cookies.length, p50: median(latencies), p99: latencies[Math.floor(latencies.length * 0.99)] };
}

const results = Object.fromEntries(workers.map((w) => [w.key, { public: [], warm: [], cold: [], refresh: [], start: [] }]));
const instances = [];
try {
  for (const worker of workers) {
    // Each instance's workerd, told apart by which pids are new once it is up.
    const known = new Set(workerdPids());
    // The profiler attaches to the instance the measured path runs on (`--only refresh`: the
    // refresh-due one).
    const profileDue = only.size === 1 && only.has('refresh');
    const mf = miniflare(worker, {}, { inspect: worker.key === profileKey && !profileDue });
    worker.url = (await mf.ready).href.replace(/\/$/, '');
    [worker.pid] = workerdPids().filter((pid) => !known.has(pid));
    workerdPids().forEach((pid) => known.add(pid));
    const due = miniflare(worker, { REFRESH_BUFFER_SECONDS: '7200' }, { inspect: worker.key === profileKey && profileDue });
    worker.dueUrl = (await due.ready).href.replace(/\/$/, '');
    [worker.duePid] = workerdPids().filter((pid) => !known.has(pid));
    if (!worker.pid || !worker.duePid) throw new Error(`${worker.name}: its workerd process was not found`);
    instances.push(mf, due);
  }
  const [warmCookie] = await sessions(1);
  for (const worker of workers) {
    const check = await fetch(`${worker.url}/app`, { headers: { cookie: `wos-session=${warmCookie}` } });
    if (check.status !== 200) throw new Error(`${worker.name}: protected path answered ${check.status}`);
    if ((await fetch(`${worker.url}/public/x`)).status !== 200) throw new Error(`${worker.name}: public path failed`);
  }

  const stopProfiler = profileKey ? await startProfiler() : null;
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    const order = round % 2 ? [...workers].reverse() : workers;
    const cold = only.has('cold') ? await coldSessions(sessionCount) : [];
    const refreshing = only.has('refresh') ? await sessions(refreshCount * 2) : [];
    for (const worker of order) {
      const r = results[worker.key];
      if (only.has('public')) r.public.push(await withCpu(worker.pid, () => wrk(`${worker.url}/public/x`)));
      if (only.has('warm')) r.warm.push(await withCpu(worker.pid, () => wrk(`${worker.url}/app`, warmCookie)));
      if (only.has('cold')) r.cold.push(await withCpu(worker.pid, () => wrkEachCookieOnce(worker.url, cold, coldSeconds)));
    }
    // A refresh spends the session's refresh token: each Worker gets its own sessions.
    for (const [i, worker] of order.entries()) {
      const mine = refreshing.filter((_, j) => j % 2 === i);
      if (only.has('refresh')) results[worker.key].refresh.push(await withCpu(worker.duePid, () => oncePerCookie(worker.dueUrl, mine)));
    }
  }
  await stopProfiler?.();
  for (let i = 0; only.has('start') && i < starts; i++) {
    for (const worker of i % 2 ? [...workers].reverse() : workers) {
      const t = performance.now();
      const mf = miniflare(worker);
      const url = (await mf.ready).href.replace(/\/$/, '');
      const res = await fetch(`${url}/app`, { headers: { cookie: `wos-session=${warmCookie}` } });
      await res.arrayBuffer();
      results[worker.key].start.push(performance.now() - t);
      await mf.dispose();
      if (res.status !== 200) throw new Error(`${worker.name}: first request answered ${res.status}`);
    }
  }
} finally {
  await Promise.all(instances.map((mf) => mf.dispose()));
  emulator.stop();
  standIn.stop();
  origin.close();
}

const summary = {};
for (const worker of workers) {
  const r = results[worker.key];
  const pick = (runs) =>
    runs.length
      ? { rps: median(runs.map((x) => x.rps)), p50: median(runs.map((x) => x.p50)), p99: median(runs.map((x) => x.p99)), cpuUs: median(runs.map((x) => x.cpuUs)) }
      : null;
  summary[worker.key] = {
    name: worker.name,
    public: pick(r.public),
    warm: pick(r.warm),
    cold: pick(r.cold),
    refresh: pick(r.refresh),
    startMs: r.start.length ? median(r.start) : null,
    uploadKiB: worker.bundle.kib,
    gzipKiB: worker.bundle.gzipKib,
    rounds: Object.fromEntries(['public', 'warm', 'cold', 'refresh'].map((k) => [k, r[k].map((x) => Math.round(x.rps))])),
    cpuRounds: Object.fromEntries(['public', 'warm', 'cold', 'refresh'].map((k) => [k, r[k].map((x) => Math.round(x.cpuUs))])),
    starts: r.start.map((x) => Math.round(x)),
  };
}

const { sdk: peer, edge: ours } = summary;
const fmt = (n, d = 0) => n.toFixed(d).padStart(8);
const ratio = (a, b) => `${(a / b).toFixed(2)}×`.padStart(7);
console.log(`Side by side in one run: workerd (Miniflare), loopback origin, WorkOS emulator; ${rounds} alternating rounds, medians.`);
console.log(
  `public/warm: wrk -t1 -c8 -d${seconds}s; cold: wrk -t1 -c8 -d${coldSeconds}s, each request a session new to the Worker (${sessionCount} per round); ` +
    `refresh: ${refreshCount} SDK-made sessions per Worker per round, each sent once, 8 in flight.\n`,
);
console.log(`| path | ${peer.name} req/s (p50 / p99 ms) | ${ours.name} req/s (p50 / p99 ms) | ratio |`);
console.log('| --- | --- | --- | --- |');
for (const k of ['public', 'warm', 'cold', 'refresh']) {
  if (!peer[k]) continue;
  const a = peer[k];
  const b = ours[k];
  console.log(`| ${k} | ${fmt(a.rps)} (${a.p50.toFixed(2)} / ${a.p99.toFixed(2)}) | ${fmt(b.rps)} (${b.p50.toFixed(2)} / ${b.p99.toFixed(2)}) | ${ratio(b.rps, a.rps)} |`);
}
if (peer.startMs !== null) {
  console.log(`| cold start (new workerd → first protected response), ms | ${fmt(peer.startMs)} | ${fmt(ours.startMs)} | ${ratio(peer.startMs, ours.startMs)} faster |`);
}
console.log(`| upload (wrangler), KiB gzip | ${fmt(peer.gzipKiB, 1)} (${peer.uploadKiB} raw) | ${fmt(ours.gzipKiB, 1)} (${ours.uploadKiB} raw) | ${ratio(ours.gzipKiB, peer.gzipKiB)} the size |`);
if (peer.public || peer.warm || peer.cold || peer.refresh) {
  console.log('\nCPU per request of the workerd serving each Worker (user + system, /proc; medians of the rounds):\n');
  console.log(`| path | ${peer.name} µs | ${ours.name} µs | peer's / ours |`);
  console.log('| --- | --- | --- | --- |');
  for (const k of ['public', 'warm', 'cold', 'refresh']) {
    if (!peer[k]) continue;
    console.log(`| ${k} | ${fmt(peer[k].cpuUs)} | ${fmt(ours[k].cpuUs)} | ${ratio(peer[k].cpuUs, ours[k].cpuUs)} |`);
  }
  console.log('');
}
if (peer.warm && peer.public) {
  console.log(`\nauth cost (warm p50 / public p50): peer ${(peer.warm.p50 / peer.public.p50).toFixed(2)}, ours ${(ours.warm.p50 / ours.public.p50).toFixed(2)}`);
}
console.log(`rounds (req/s): ${JSON.stringify({ peer: peer.rounds, ours: ours.rounds })}`);
console.log(`rounds (CPU µs per request): ${JSON.stringify({ peer: peer.cpuRounds, ours: ours.cpuRounds })}`);
console.log(`cold starts (ms): peer ${peer.starts.join(', ')}; ours ${ours.starts.join(', ')}`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(summary, null, 2));
