// Throughput of the built Worker in workerd (Miniflare, as Cloudflare's own tooling runs it),
// in front of a small loopback origin: a public path (no auth work) against a protected path
// with a valid session cookie, measured in the same run with wrk. The ratio is what
// authentication costs at the edge; the JavaScript Worker built on @workos-inc/node measured
// 1.60 (public 2 085 req/s, protected 1 244 req/s) on this machine kind (perf baseline).
//
// Usage: node bench/worker.mjs [--rounds 3] [--seconds 8]   (needs build/: scripts/build-worker)

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import path from 'node:path';

import { Miniflare } from 'miniflare';

import { Browser, CLIENT_ID, API_KEY, COOKIE_PASSWORD, freePort, root, startEmulator } from '../tests/e2e/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('--rounds', 3);
const seconds = arg('--seconds', 8);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// wrk runs asynchronously: the origin server lives in this process and must keep answering.
async function wrk(url, cookie) {
  const args = ['-t1', '-c8', `-d${seconds}s`, '--latency', url];
  if (cookie) args.push('-H', `Cookie: wos-session=${cookie}`);
  const { stdout: out } = await promisify(execFile)('wrk', args, { encoding: 'utf8' });
  if (process.env.BENCH_DEBUG) console.error(out);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p50ms = Number(p50[1]) * { us: 0.001, ms: 1, s: 1000 }[p50[2]];
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} non-2xx responses`);
  return { rps, p50ms };
}

const origin = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
const originPort = await freePort();
await new Promise((r) => origin.listen(originPort, '127.0.0.1', r));
const emulator = await startEmulator();

const port = await freePort();
const mf = new Miniflare({
  modules: true,
  scriptPath: path.join(root, 'build/index.js'),
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01',
  host: '127.0.0.1',
  port,
  // One log line per request is the Worker's job in production; here it would measure the
  // terminal. Drain it.
  handleRuntimeStdio(stdout, stderr) {
    stdout.resume();
    stderr.resume();
  },
  bindings: {
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_API_KEY: API_KEY,
    WORKOS_COOKIE_PASSWORD: COOKIE_PASSWORD,
    WORKOS_API_BASE_URL: emulator.url,
    ORIGIN_URL: `http://127.0.0.1:${originPort}`,
    PUBLIC_PATHS: '/public/*',
  },
});
const url = (await mf.ready).href.replace(/\/$/, '');

try {
  const browser = new Browser(url);
  await browser.signIn('/app');
  const cookie = browser.session;
  if (!cookie) throw new Error('sign-in through the Worker failed');
  const check = await fetch(`${url}/app`, { headers: { cookie: `wos-session=${cookie}` } });
  if (check.status !== 200) throw new Error(`protected path answered ${check.status}`);

  const publicRuns = [];
  const protectedRuns = [];
  for (let i = 0; i < rounds; i++) {
    publicRuns.push(await wrk(`${url}/public/x`));
    protectedRuns.push(await wrk(`${url}/app`, cookie));
  }
  const pub = { rps: median(publicRuns.map((r) => r.rps)), p50: median(publicRuns.map((r) => r.p50ms)) };
  const prot = { rps: median(protectedRuns.map((r) => r.rps)), p50: median(protectedRuns.map((r) => r.p50ms)) };
  const ratio = pub.rps / prot.rps;
  const gzip = execFileSync('bash', ['-c', 'cat build/index_bg.wasm build/index.js | gzip -9 | wc -c'], { cwd: root, encoding: 'utf8' });
  console.log(`workos-edge Worker in workerd (Miniflare), wrk -t1 -c8 -d${seconds}s, ${rounds} rounds, medians`);
  console.log(`  public path     ${pub.rps.toFixed(0).padStart(6)} req/s   p50 ${pub.p50.toFixed(2)} ms`);
  console.log(`  protected path  ${prot.rps.toFixed(0).padStart(6)} req/s   p50 ${prot.p50.toFixed(2)} ms   (valid session cookie)`);
  console.log(`  authentication cost: ${ratio.toFixed(2)}x the public path (JavaScript @workos-inc/node Worker: 1.60x)`);
  console.log(`  rounds: public ${publicRuns.map((r) => r.rps.toFixed(0)).join(', ')}; protected ${protectedRuns.map((r) => r.rps.toFixed(0)).join(', ')}`);
  console.log(`  bundle (wasm + JS, gzip -9): ${(Number(gzip) / 1024).toFixed(1)} KiB`);
} finally {
  await mf.dispose();
  emulator.stop();
  origin.close();
}
