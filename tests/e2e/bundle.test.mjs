// The Worker as `wrangler deploy` uploads it, checked for what production requires and the
// local runtimes do not enforce: deployed Workers refuse to compile wasm from bytes at run time
// (Miniflare allows it), so the wasm must ship as a module of its own that the JS imports, and
// the exports must be the classes wrangler.toml binds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dryRunBundle, root } from './harness.mjs';

test('wrangler deploy --dry-run: one wasm module, imported by the JS, never compiled from bytes; the bound classes exported', () => {
  const { outdir: out, config } = dryRunBundle();
  const files = fs.readdirSync(out);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm module in ${files}`);
  const built = fs.readFileSync(path.join(root, 'build/glue_bg.wasm'));
  assert.ok(fs.readFileSync(path.join(out, wasm[0])).equals(built), 'the module is the built wasm, byte for byte');

  const js = files.filter((f) => /\.m?js$/.test(f)).map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
  assert.ok(js.includes(wasm[0]), 'the JS imports the wasm module by its name');
  for (const compile of [/WebAssembly\.compile\s*\(/, /WebAssembly\.instantiate\s*\(/, /new\s+WebAssembly\.Module\s*\(/, /compileStreaming|instantiateStreaming/]) {
    assert.doesNotMatch(js, compile, 'no wasm compiled at run time');
  }
  const longest = Math.max(0, ...(js.match(/[A-Za-z0-9+/=]{2000,}/g) ?? []).map((s) => s.length));
  assert.equal(longest, 0, `a ${longest}-character base64-like string in the bundle`);

  const exported = js.match(/export\s*\{([^}]*)\}/g)?.join(' ') ?? '';
  assert.match(exported, /\bas default\b/, 'a default export (the fetch handler)');
  for (const [, className] of config.matchAll(/class_name\s*=\s*"([^"]+)"/g)) {
    assert.match(exported, new RegExp(`\\bas ${className}\\b|\\b${className}\\b`), `the Durable Object class ${className} is exported`);
  }
});
