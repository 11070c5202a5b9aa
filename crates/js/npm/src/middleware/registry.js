// One engine per middleware instance and configuration, so caches (JWKS, verified tokens) and
// refresh single-flight are shared by every request it sees. In Workers the settings come from
// each request's `env`; they are resolved again only when they change.

import { resolveOptions, configKey } from './config.js';
import { AuthKitEngine } from './engine.js';

/** `(env?) => engine` for `options` completed from `env` and the process environment. */
export function engines(options = {}) {
  const byConfig = new Map();
  let lastEnv;
  let lastEngine;
  return (env) => {
    if (lastEngine && env === lastEnv) return lastEngine;
    const config = resolveOptions(options, env);
    const key = configKey(config);
    let engine = byConfig.get(key);
    if (!engine) {
      engine = new AuthKitEngine({ ...config, timing: options.timing });
      byConfig.set(key, engine);
    }
    lastEnv = env;
    lastEngine = engine;
    return engine;
  };
}
