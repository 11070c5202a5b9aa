// The npm package workos-edge as installed from its tarball (tests/npm/pack.mjs): its size
// (wasm gzip, tarball), cold `import` time in fresh Node processes, and authenticate()
// against @workos-inc/node 11, side by side in one Node process, on the same
// cookie (public.json's organization session, sealed by the real SDK) and the same JWKS (served by
// a stubbed fetch; both cache it after the first call). Medians of µs per call over several
// rounds; rounds of the three contenders are interleaved so drift hits them alike.
//
//   npm run bench:npm            (node tests/npm/bench.mjs [--rounds 7] [--calls 500])
//
// Not a test: timings on a shared machine are noisy. Targets: >= 5x the SDK with the token cache
// off, >= 20x with it on.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkOS as SdkWorkOS } from '@workos-inc/node';
import { WorkOS } from 'workos-edge';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pub = JSON.parse(fs.readFileSync(path.join(root, 'crates/core/tests/data/public.json'), 'utf8'));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 7);
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const CALLS = arg('--calls', 500);
const WARMUP = arg('--warmup', 300);

// Size and cold start: the installed package's wasm (target <= 150 KiB gzip), the tarball, and
// `import` in a fresh process (median of 7; the process's own start-up is not counted).
const here = path.dirname(fileURLToPath(import.meta.url));
const installed = path.dirname(fileURLToPath(import.meta.resolve('workos-edge')));
const wasm = fs.readFileSync(path.join(installed, 'wasm/workos_edge_js_bg.wasm'));
const wasmGzip = zlib.gzipSync(wasm, { level: 9 }).length;
const packedInfo = path.join(here, 'node_modules/.packed.json');
const tarball = fs.existsSync(packedInfo) ? JSON.parse(fs.readFileSync(packedInfo, 'utf8')).size : undefined;
const importMs = (entry) => {
  const script = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' }));
};
const coldImports = (entry) => Array.from({ length: 7 }, () => importMs(entry));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`wasm: ${kib(wasm.length)}, ${kib(wasmGzip)} gzip -9 (target <= 150 KiB: ${wasmGzip <= 150 * 1024 ? 'met' : 'NOT met'})`);
if (tarball) console.log(`tarball (npm pack): ${kib(tarball)}`);
for (const entry of ['workos-edge', 'workos-edge/express', '@workos-inc/node']) {
  const times = coldImports(entry);
  console.log(`cold import('${entry}'): median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})`);
}
console.log('');

const vector = pub.seal_vectors[2];
assert.equal(vector.id, 'public-organization');
const jwksUrl = `${pub.api_base_url}/sso/jwks/${pub.client_id}`;

function jwksFetch(counter) {
  return async (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    assert.equal(url, jwksUrl, 'only the JWKS is fetched');
    counter.count++;
    return new Response(JSON.stringify(pub.jwks), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

// The SDK's jose fetches the JWKS through the global fetch.
const sdkFetches = { count: 0 };
globalThis.fetch = jwksFetch(sdkFetches);
const uncachedFetches = { count: 0 };
const cachedFetches = { count: 0 };

const contenders = [
  { name: '@workos-inc/node 11.0.0', workos: new SdkWorkOS('sk_test_bench', { clientId: pub.client_id }), fetches: sdkFetches },
  {
    name: 'workos-edge (tokenCache: false)',
    workos: new WorkOS('sk_test_bench', { clientId: pub.client_id, fetch: jwksFetch(uncachedFetches), tokenCache: false }),
    fetches: uncachedFetches,
  },
  {
    name: 'workos-edge (tokenCache: true)',
    workos: new WorkOS('sk_test_bench', { clientId: pub.client_id, fetch: jwksFetch(cachedFetches) }),
    fetches: cachedFetches,
  },
];
for (const c of contenders) {
  c.session = c.workos.userManagement.loadSealedSession({ sessionData: vector.sealed, cookiePassword: vector.password });
  c.perRound = [];
}

// Same answer from all three before timing anything.
const [expected, ...others] = await Promise.all(contenders.map((c) => c.session.authenticate()));
assert.equal(expected.authenticated, true);
for (const result of others) assert.deepStrictEqual(result, expected);

async function run(c, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const result = await c.session.authenticate();
    if (!result.authenticated) throw new Error(`${c.name}: ${result.reason}`);
  }
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

for (const c of contenders) await run(c, WARMUP);
for (let round = 0; round < ROUNDS; round++) {
  for (const c of contenders) c.perRound.push(await run(c, CALLS));
}

for (const c of contenders) c.median = median(c.perRound);
const sdk = contenders[0].median;

console.log(
  `authenticate() on ${vector.id} (${vector.sealed.length}-byte cookie), Node ${process.version}, ` +
    `${ROUNDS} rounds x ${CALLS} calls after ${WARMUP} warm-up, medians`,
);
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (noisy when high)`);
console.log('');
console.log(`${'implementation'.padEnd(34)} ${'µs/op'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)} ${'vs SDK'.padStart(8)}  JWKS fetches`);
for (const c of contenders) {
  const row = [
    c.name.padEnd(34),
    c.median.toFixed(1).padStart(9),
    Math.min(...c.perRound).toFixed(1).padStart(9),
    Math.max(...c.perRound).toFixed(1).padStart(9),
    `${(sdk / c.median).toFixed(1)}x`.padStart(8),
    `  ${c.fetches.count}`,
  ];
  console.log(row.join(' '));
}
const uncached = sdk / contenders[1].median;
const cached = sdk / contenders[2].median;
console.log('');
console.log(`uncached: ${uncached.toFixed(1)}x faster (target >= 5x: ${uncached >= 5 ? 'met' : 'NOT met'})`);
console.log(`cached:   ${cached.toFixed(1)}x faster (target >= 20x: ${cached >= 20 ? 'met' : 'NOT met'})`);
