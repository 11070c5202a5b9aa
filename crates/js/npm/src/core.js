// The wasm core, initialised the way this runtime wants (package.json "imports" → "#wasm"
// picks src/wasm/workerd.js, browser.js or node.js by export condition) before any export is used.
import '#wasm';

export * from '../wasm/workos_edge_js.js';
