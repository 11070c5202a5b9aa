// The Worker's JavaScript entry point. scripts/build-worker copies it next to wasm-bindgen's
// glue (`./glue.js`, which instantiates the wasm from `./glue_bg.wasm`, a module import as
// production requires) and bundles the two into build/worker.mjs, wrangler's `main`.
//
// It only hands calls to the wasm: no per-request wrapper objects, and for requests that need
// no waiting (plain public ones, signed-in ones with a known session) no async export at all.
// The glue is generated with wasm-bindgen's reset-state support, so a trap in the wasm (which
// the request paths' lints rule out) leaves the next call with a fresh instance instead of a
// broken one.
import * as wasm from './glue.js';

export default {
  fetch(request, env, ctx) {
    // The lanes (src/proxy/lane.rs): a request that needs no waiting goes to the origin
    // without the async export's machinery; anything else takes `fetch`.
    const started = Date.now();
    const sent = wasm.fetchLane(request, env);
    if (sent === undefined) return wasm.fetch(request, env, ctx);
    if (Array.isArray(sent)) {
      // Signed in: the wasm makes every answer private and adds the request's cookies.
      const [origin, answer] = sent;
      return origin.then(
        (response) => answer.answered(response),
        () => answer.failed(),
      );
    }
    return sent.then(
      (response) => (passesOn(response.status) ? response : wasm.publicAnswered(request, env, response, started)),
      () => wasm.publicFailed(request, env, started),
    );
  },
};

/** Answers `fetch` passes on untouched and unlogged on a public path (the lane is never taken
 *  with LOG_REQUESTS=all); the wasm looks at any other. */
function passesOn(status) {
  return status === 101 || (status >= 200 && status < 400);
}

/** A Durable Object class over a wasm-bindgen one. After a reset the wasm object of an
 *  instance is stale (the glue refuses it): it is built again from the same state and env. */
function durableObject(Wasm) {
  return class {
    constructor(state, env) {
      this.state = state;
      this.env = env;
      this.inner = new Wasm(state, env);
    }

    fetch(request) {
      try {
        return this.inner.fetch(request);
      } catch (error) {
        if (!String(error?.message).includes('stale object')) throw error;
        this.inner = new Wasm(this.state, this.env);
        return this.inner.fetch(request);
      }
    }
  };
}

export const RefreshCoordinator = durableObject(wasm.RefreshCoordinator);
export const RevocationList = durableObject(wasm.RevocationList);
