// Bundlers (Vite, webpack 5, Parcel; Rollup with an asset plugin) and browsers: the
// `new URL(..., import.meta.url)` form is what bundlers recognise to emit the .wasm as an asset
// and rewrite its URL; it is fetched and compiled with top-level await.
import init from '../../wasm/workos_edge_js.js';

await init({ module_or_path: new URL('../../wasm/workos_edge_js_bg.wasm', import.meta.url) });
