// The bundler/browser path of the packed package (export condition `browser`): the wasm is
// fetched from `new URL(..., import.meta.url)` and compiled with top-level await. Run by
// runtimes.test.mjs under `deno run --conditions=browser` (Deno's fetch reads file: URLs, as a
// browser fetches the asset a bundler emitted). Prints one JSON line.

const fetched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  fetched.push(String(input instanceof Request ? input.url : input));
  return realFetch(input, init);
};
const ours = await import('workos-edge');
globalThis.fetch = realFetch;

const password = 'browser-path-cookie-password-0123456789';
const sealed = await ours.sealData({ hello: 'browser' }, { password, ttl: 0 });
const opened = await ours.unsealData(sealed, { password });
console.log(JSON.stringify({ fetched: fetched.map((u) => u.replace(/^.*\//, '')), opened }));
