// workos-edge/express: Express and Connect middleware. `app.use(authkit())` answers the sign-in,
// callback and sign-out routes and puts the session (or null) on `req.workos`.

import { engines } from './src/middleware/registry.js';
import { privateCacheControl } from './src/middleware/engine.js';
import * as requirements from './src/middleware/requirements.js';

export { memoryCoordinator } from './src/middleware/coordinator.js';

const STATE = Symbol('workos-edge');

/** A Node request as the engine reads it (Express's `req.protocol` honours `trust proxy`). */
function requestView(req) {
  const protocol = req.protocol ?? (req.socket?.encrypted ? 'https' : 'http');
  const header = (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return { method: req.method, url: `${protocol}://${header('host')}${req.originalUrl ?? req.url}`, header };
}

function send(res, reply) {
  const cookies = [];
  for (const [name, value] of reply.headers) {
    if (name === 'set-cookie') cookies.push(value);
    else res.setHeader(name, value);
  }
  if (cookies.length) appendCookies(res, cookies);
  res.statusCode = reply.status;
  res.end(reply.body);
}

function appendCookies(res, lines) {
  const previous = res.getHeader('set-cookie');
  const list = previous === undefined ? [] : [].concat(previous);
  res.setHeader('set-cookie', [...list, ...lines]);
}

/** The session middleware: `req.workos` is the SDK's authenticate() result or null. */
export function authkit(options = {}) {
  const engineFor = engines(options);
  return (req, res, next) => {
    (async () => {
      const engine = engineFor(undefined);
      const view = requestView(req);
      const routed = await engine.route(view);
      if (routed) return send(res, routed);
      const loaded = await engine.load(view);
      req.workos = loaded.session;
      req[STATE] = { engine, view, loaded };
      if (loaded.setCookie.length) appendCookies(res, loaded.setCookie);
      if (loaded.session) {
        res.setHeader('vary', 'Cookie');
        // A handler may set its own Cache-Control later; it is checked as the head goes out.
        const writeHead = res.writeHead;
        res.writeHead = function (...args) {
          res.setHeader('cache-control', privateCacheControl(res.getHeader('cache-control')));
          return writeHead.apply(this, args);
        };
      }
      next();
    })().catch(next);
  };
}

function guard(requirement) {
  return (req, res, next) => {
    const state = req[STATE];
    if (!state) return next(new Error('workos-edge/express: use authkit() before requireAuth()/require*()'));
    state.engine
      .deny(state.view, state.loaded, [requirement])
      .then((denied) => (denied ? send(res, denied) : next()))
      .catch(next);
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
