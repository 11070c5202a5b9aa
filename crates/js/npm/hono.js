// workos-edge/hono: Hono middleware. `app.use(authkit())` answers the sign-in, callback and
// sign-out routes and puts the session (or null) on the context: `c.get('workos')`. Settings
// come from the options, then `c.env` (Workers bindings), then the process environment.

import { engines } from './src/middleware/registry.js';
import { privateCacheControl } from './src/middleware/engine.js';
import * as requirements from './src/middleware/requirements.js';
import { requestView, toResponse } from './fetch.js';

export { memoryCoordinator } from './src/middleware/coordinator.js';

const STATE = 'workos:state';

function bindings(c) {
  return c.env && typeof c.env === 'object' ? c.env : undefined;
}

/** The session middleware; `c.get('workos')` is the SDK's authenticate() result or null. */
export function authkit(options = {}) {
  const engineFor = engines(options);
  return async (c, next) => {
    const engine = engineFor(bindings(c));
    const req = requestView(c.req.raw);
    const routed = await engine.route(req);
    if (routed) return toResponse(routed);
    const loaded = await engine.load(req);
    c.set('workos', loaded.session);
    c.set(STATE, { engine, req, loaded });
    await next();
    if (!loaded.setCookie.length && !loaded.session) return;
    try {
      decorate(c.res.headers, loaded);
    } catch {
      c.res = new Response(c.res.body, c.res);
      decorate(c.res.headers, loaded);
    }
  };
}

function decorate(headers, loaded) {
  for (const line of loaded.setCookie) headers.append('set-cookie', line);
  if (loaded.session) {
    headers.set('cache-control', privateCacheControl(headers.get('cache-control')));
    headers.append('vary', 'Cookie');
  }
}

function guard(requirement) {
  return async (c, next) => {
    const state = c.get(STATE);
    if (!state) throw new Error('workos-edge/hono: use authkit() before requireAuth()/require*()');
    const denied = await state.engine.deny(state.req, state.loaded, [requirement]);
    if (denied) return toResponse(denied);
    await next();
  };
}

/** Signed in, or the sign-in redirect (pages) / 401 JSON (the rest). */
export const requireAuth = () => guard(requirements.requireAuth());
/** In an organization (`id`: that one), else 403. */
export const requireOrganization = (id) => guard(requirements.requireOrganization(id));
/** Has role `slug`, else 403. */
export const requireRole = (slug) => guard(requirements.requireRole(slug));
/** Has permission `slug`, else 403. */
export const requirePermission = (slug) => guard(requirements.requirePermission(slug));
