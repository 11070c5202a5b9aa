// Packs dist/npm/workos-edge (`npm pack`), installs the tarball into a clean temporary project
// and links it as tests/npm/node_modules/workos-edge, so every suite in tests/npm imports the
// PACKED package by name, exactly as an app would. Then checks the package: publint, attw
// (--pack: types resolve for every entry point and module resolution mode) and a TypeScript
// consumer type-checked with tsc --noEmit.
//
//   node tests/npm/pack.mjs            (after `npm run build:npm`)

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = path.join(root, 'dist/npm/workos-edge');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' }, ...options });
  } catch (error) {
    if (error.stdout) console.log(error.stdout);
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${error.status})`);
  }
}

// The previous run's project goes (one install at a time is enough).
const record = path.join(here, 'node_modules/.packed.json');
if (fs.existsSync(record)) fs.rmSync(JSON.parse(fs.readFileSync(record, 'utf8')).project, { recursive: true, force: true });
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'workos-edge-pack-'));
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', project], { cwd: dist }))[0];
const tarball = path.join(project, packed.filename);
const files = packed.files.map((f) => f.path).sort();
console.log(`packed ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KiB (unpacked ${(packed.unpackedSize / 1024).toFixed(1)} KiB, ${files.length} files)`);
if (!files.includes('wasm/workos_edge_js_bg.wasm')) throw new Error('the tarball lacks wasm/workos_edge_js_bg.wasm');
if (files.some((f) => /bytes\.js$/.test(f))) throw new Error('the tarball still carries a base64 copy of the wasm');

fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project });
const installed = path.join(project, 'node_modules/workos-edge');

// The suites import `workos-edge` by name: tests/npm/node_modules/workos-edge -> the install.
const link = path.join(here, 'node_modules/workos-edge');
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.rmSync(link, { recursive: true, force: true });
fs.symlinkSync(installed, link, 'dir');
console.log(`installed into ${project}; linked as tests/npm/node_modules/workos-edge`);

console.log(run(bin('publint'), ['--strict', installed]).trim());
// attw: every entry point resolves to types under node16 (ESM), bundler and node10. The
// "cjs-resolves-to-esm" rule is about require() of an ESM-only package (which Node 20.19+ and
// 22 allow); the package is ESM only on purpose (top-level await for bundlers). `./wasm` is
// the raw .wasm for bundler setups that want it, with no types to resolve.
const attwArgs = ['--pack', dist, '--format', 'table-flipped', '--ignore-rules', 'cjs-resolves-to-esm', '--exclude-entrypoints', './wasm'];
console.log(run(bin('attw'), attwArgs).trim());

// A TypeScript consumer, checked against the installed package's .d.ts files.
fs.mkdirSync(path.join(project, 'src'), { recursive: true });
fs.copyFileSync(path.join(here, 'consumer.ts'), path.join(project, 'src/consumer.ts'));
for (const dep of ['hono', 'express', '@types/express', '@types/node']) {
  const from = path.join(root, 'node_modules', dep);
  if (!fs.existsSync(from)) continue;
  const to = path.join(project, 'node_modules', dep);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.symlinkSync(from, to, 'dir');
}
fs.writeFileSync(
  path.join(project, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: ['node'], skipLibCheck: false },
    include: ['src'],
  }),
);
run(bin('tsc'), ['--noEmit', '-p', project], { stdio: ['ignore', 'inherit', 'inherit'] });
console.log('tsc --noEmit: the consumer type-checks against the packed .d.ts files');
fs.writeFileSync(record, JSON.stringify({ tarball, project, size: packed.size, unpackedSize: packed.unpackedSize }));
