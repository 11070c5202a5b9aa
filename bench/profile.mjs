// Where the Worker's CPU goes on one path: serves a bundle (from `wrangler deploy --dry-run
// --outdir DIR`) in workerd with the V8 inspector on, loads it with wrk, samples with the
// inspector's profiler and prints the functions with the most self time.
//
// Usage: node bench/profile.mjs BUNDLE_MAIN BUNDLE_DIR [PATH]     (PATH default public/x)
//        EXTRA='{"SETTING":"value"}' adds Worker settings.
import { Miniflare } from 'miniflare';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import http from 'node:http';
const origin = http.createServer((q, r) => { r.writeHead(200, {'content-type':'application/json'}); r.end('{"ok":true}'); });
await new Promise((r) => origin.listen(0, '127.0.0.1', r));
const ORIGIN = `http://127.0.0.1:${origin.address().port}`;
const run = promisify(execFile);
const [scriptPath, modulesRoot, pathUrl = 'public/x'] = process.argv.slice(2);
const mf = new Miniflare({ modules: true, scriptPath, modulesRoot, inspectorPort: 9333, modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }], compatibilityDate: '2026-04-01', host: '127.0.0.1', port: 0, handleRuntimeStdio(a, b) { a.resume(); b.resume(); }, bindings: { WORKOS_CLIENT_ID: 'x', WORKOS_API_KEY: 'y', WORKOS_COOKIE_PASSWORD: 'z'.repeat(40), PUBLIC_PATHS: '/public/*', ORIGIN_URL: ORIGIN, ...JSON.parse(process.env.EXTRA ?? '{}') } });
const url = (await mf.ready).href;
await run('wrk', ['-t1', '-c8', '-d2s', url + pathUrl]);
const targets = await (await fetch('http://127.0.0.1:9333/json')).json();
const target = targets.find((t) => t.id.includes('core:user')) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.on('open', r));
let id = 0; const pending = new Map();
ws.on('message', (m) => { const d = JSON.parse(m); if (pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } });
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
await send('Profiler.enable'); await send('Profiler.setSamplingInterval', { interval: 100 }); await send('Profiler.start');
const { stdout } = await run('wrk', ['-t1', '-c8', '-d4s', url + pathUrl]);
console.log('rps', /Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]);
const { result } = await send('Profiler.stop');
const p = result.profile; const self = new Map(); const byId = new Map(p.nodes.map((n) => [n.id, n]));
const counts = new Map(); for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
let total = 0; for (const [nid, c] of counts) { const n = byId.get(nid); const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(key, (self.get(key) ?? 0) + c); total += c; }
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * v / total).toFixed(1).padStart(5), k);
ws.close(); await mf.dispose(); origin.close();
