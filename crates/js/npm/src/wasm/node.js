// Node 20+, Deno 2 and Bun: read the .wasm that ships next to this file and compile it
// synchronously, so `import 'workos-edge'` is ready when it returns (no top-level await).
import { readFileSync } from 'node:fs';
import { initSync } from '../../wasm/workos_edge_js.js';

const bytes = readFileSync(new URL('../../wasm/workos_edge_js_bg.wasm', import.meta.url));
initSync({ module: new WebAssembly.Module(bytes) });
