// Test harness for the end-to-end suites: the official WorkOS emulator, the real Worker in
// workerd (`wrangler dev`), an origin server that runs the real @workos-inc/node, and a small
// cookie-jar HTTP client that follows redirects by hand so every hop can be checked.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const COOKIE_PASSWORD = 'e2e-cookie-password-that-is-long-enough-0123';
export const CLIENT_ID = 'client_workos_edge_e2e';
export const API_KEY = 'sk_test_default';

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(url, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up at ${url}: ${last}`);
}

function start(command, args, options, label) {
  const log = fs.createWriteStream(path.join(artifacts(), `${label}.log`));
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export function stop(child) {
  if (child && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
}

export function artifacts() {
  const dir = path.join(root, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The official emulator with the repo's seed and memberships. */
export async function startEmulator() {
  const port = await freePort();
  const child = start('node', [path.join(root, 'scripts/emulator.mjs'), '--port', String(port)], { cwd: root }, `emulator-${port}`);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, 30_000, 'emulator');
  // Memberships are created right after health; wait for them.
  for (let i = 0; i < 100; i++) {
    const res = await api(url, 'GET', '/user_management/organization_memberships?limit=100');
    if (res.data.length >= 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, stop: () => stop(child) };
}

export async function api(base, method, pathname, body) {
  const res = await fetch(base + pathname, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, ...(text ? JSON.parse(text) : {}) };
}

let built = false;
/** Builds the Worker once per test process (scripts/build-worker, no downloads). */
export function buildWorker() {
  // E2E_SKIP_BUILD=1 reuses build/ (for iterating on tests while nothing in src/ changed).
  if (built || process.env.E2E_SKIP_BUILD) return;
  execFileSync('bash', [path.join(root, 'scripts/build-worker')], { cwd: root, stdio: 'inherit' });
  built = true;
}

/** `wrangler dev` on the built Worker with the given vars.
 *
 *  A port from `freePort()` can be taken again before workerd binds it (Miniflare and the
 *  inspector pick ports of their own, and suites start Workers in parallel): workerd then
 *  exits with "Address already in use" while whatever holds the port answers. So the Worker is
 *  up only when wrangler says "Ready on" its URL; if it exits first, it starts again on new
 *  ports. */
export async function startWorker(vars, options = {}) {
  buildWorker();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(vars, options);
    } catch (error) {
      if (!(error instanceof WorkerExited) || attempt >= 3) throw error;
    }
  }
}

class WorkerExited extends Error {}

/** Resolves when `child` prints `marker`; rejects with WorkerExited if it exits first. */
function printed(child, marker, ms, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not print "${marker}" in ${ms} ms`)), ms);
    const watch = (chunk) => {
      seen = (seen + chunk).slice(-4096);
      if (seen.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new WorkerExited(`${what} exited (${code}) before it was ready`));
    });
  });
}

/** wrangler.toml for a copy in another directory: the built Worker and www/ by absolute path,
 *  and no [build] step (the tests build once, `buildWorker`). */
export function builtWorkerConfig() {
  return fs
    .readFileSync(path.join(root, 'wrangler.toml'), 'utf8')
    .replace(/\[build\][^\[]*/, '')
    .replace('main = "build/worker.mjs"', `main = "${path.join(root, 'build/worker.mjs')}"`)
    .replace('directory = "./www"', `directory = "${path.join(root, 'www')}"`);
}

/** The built Worker bundled as `wrangler deploy` would upload it: `{outdir, main, config}`. */
export function dryRunBundle() {
  buildWorker();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workos-edge-bundle-'));
  const config = builtWorkerConfig();
  fs.writeFileSync(path.join(dir, 'wrangler.toml'), config);
  const outdir = path.join(dir, 'out');
  execFileSync(path.join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, '-c', path.join(dir, 'wrangler.toml')], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    stdio: 'pipe',
  });
  const main = fs.readdirSync(outdir).find((f) => /\.m?js$/.test(f) && !f.endsWith('.map'));
  return { outdir, main: path.join(outdir, main), config };
}

async function startWorkerOnce(vars, { coordinator = true } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workos-edge-e2e-'));
  let config = builtWorkerConfig();
  // `coordinator: false` runs the Worker without the refresh Durable Object (in-isolate
  // coalescing only), as a deployment without the binding would.
  if (!coordinator) config = config.replace(/\[\[durable_objects\.bindings\]\][\s\S]*$/, '');
  fs.writeFileSync(path.join(dir, 'wrangler.toml'), config);
  const allVars = {
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_API_KEY: API_KEY,
    WORKOS_COOKIE_PASSWORD: COOKIE_PASSWORD,
    ...vars,
  };
  const args = ['dev', '--config', path.join(dir, 'wrangler.toml'), '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--inspector-port', String(await freePort()), '--show-interactive-dev-session=false');
  for (const [k, v] of Object.entries(allVars)) args.push('--var', `${k}:${v}`);
  const child = start(path.join(root, 'node_modules/.bin/wrangler'), args, {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  }, `wrangler-${port}`);
  const url = `http://127.0.0.1:${port}`;
  await printed(child, `Ready on ${url}`, 90_000, `wrangler dev on port ${port}`);
  await waitFor(`${url}/`, 30_000, 'wrangler dev');
  return { url, child, stop: () => stop(child) };
}

/** An origin that records what reaches it and checks the cookie with the real SDK. */
export async function startOrigin(emulatorUrl) {
  const { WorkOS } = await import('@workos-inc/node');
  const emulator = new URL(emulatorUrl);
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const cookies = Object.fromEntries(
      (req.headers.cookie ?? '').split(';').filter(Boolean).map((p) => {
        const i = p.indexOf('=');
        return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
      }),
    );
    let sdk = null;
    if (cookies['wos-session']) {
      const workos = new WorkOS(API_KEY, {
        clientId: CLIENT_ID,
        apiHostname: emulator.hostname,
        port: Number(emulator.port),
        https: false,
      });
      try {
        sdk = await workos.userManagement
          .loadSealedSession({ sessionData: cookies['wos-session'], cookiePassword: COOKIE_PASSWORD })
          .authenticate();
      } catch (e) {
        sdk = { threw: String(e) };
      }
    }
    const record = { method: req.method, url: req.url, headers: req.headers, cookie: cookies['wos-session'] ?? null, sdk };
    requests.push(record);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' });
    res.end(JSON.stringify({ path: req.url, seen: true }));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, requests, last: () => requests.at(-1), stop: () => server.close() };
}

/** A browser-like client: a cookie jar and manual redirects. */
export class Browser {
  /** `timeoutMs` bounds every request; `onSetCookie(base, lines)` sees every Set-Cookie. */
  constructor(base, { timeoutMs, onSetCookie } = {}) {
    this.base = base;
    this.jar = new Map();
    this.timeoutMs = timeoutMs;
    this.onSetCookie = onSetCookie;
  }

  cookieHeader(url) {
    const u = new URL(url);
    return [...this.jar.values()]
      .filter((c) => u.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** Keeps what a browser would: a `Max-Age` of 0 or an `Expires` in the past deletes. */
  store(res) {
    const lines = res.headers.getSetCookie();
    this.onSetCookie?.(this.base, lines);
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      const attr = (n) => attrs.find((a) => a.toLowerCase().startsWith(`${n}=`))?.slice(n.length + 1);
      const maxAge = attr('max-age');
      const expires = attr('expires');
      const gone = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) this.jar.delete(name);
      else this.jar.set(name, { name, value, path: attr('path') ?? '/' });
    }
  }

  /** One request; cookies for our origin only, as a browser would. */
  async request(url, { method = 'GET', headers = {}, body, document = true } = {}) {
    const full = new URL(url, this.base).href;
    const h = { ...headers };
    if (full.startsWith(this.base)) {
      const cookie = this.cookieHeader(full);
      if (cookie) h.cookie = cookie;
    }
    if (document) {
      h['sec-fetch-dest'] ??= 'document';
      h.accept ??= 'text/html';
    }
    const signal = this.timeoutMs ? AbortSignal.timeout(this.timeoutMs) : undefined;
    const res = await fetch(full, { method, headers: h, body, redirect: 'manual', signal });
    if (full.startsWith(this.base)) this.store(res);
    return res;
  }

  /** Follows redirects (across origins) and returns every hop. */
  async navigate(url, options = {}) {
    const hops = [];
    let next = new URL(url, this.base).href;
    for (let i = 0; i < 10; i++) {
      const res = await this.request(next, options);
      hops.push({ url: next, status: res.status, location: res.headers.get('location'), res });
      if (res.status < 300 || res.status >= 400) break;
      next = new URL(res.headers.get('location'), next).href;
      options = { ...options, method: 'GET', body: undefined };
    }
    return hops;
  }

  get session() {
    return this.jar.get('wos-session')?.value;
  }

  async signIn(returnTo = '/dashboard', loginHint) {
    const q = new URLSearchParams({ returnTo });
    if (loginHint) q.set('loginHint', loginHint);
    return this.navigate(`/auth/login?${q}`);
  }

  async json(url, options = {}) {
    const res = await this.request(url, { ...options, document: false, headers: { accept: 'application/json', ...(options.headers ?? {}) } });
    return { status: res.status, headers: res.headers, body: await res.json().catch(() => null) };
  }

  async post(url, body) {
    return this.json(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', origin: this.base },
    });
  }
}

/** The refresh token inside a cookie, read with our own CLI (the test knows the password). */
export function unsealWithCli(cookie) {
  const bin = path.join(root, 'target/debug/workos-edge');
  const out = execFileSync(bin, ['unseal', '--password', COOKIE_PASSWORD], { input: cookie, encoding: 'utf8' });
  return JSON.parse(out);
}
