// Cloudflare Workers (workerd): deployed Workers refuse to compile wasm from bytes, so the .wasm
// is imported as a module; wrangler uploads it as a module of its own and the runtime hands us
// the compiled WebAssembly.Module.
import wasmModule from '../../wasm/workos_edge_js_bg.wasm';
import { initSync } from '../../wasm/workos_edge_js.js';

initSync({ module: wasmModule });
