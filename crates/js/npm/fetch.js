// workos-edge/fetch: AuthKit sessions for any fetch-style handler (Deno.serve, Bun.serve,
// Cloudflare Workers, Next.js middleware): a Request in, the session or a ready Response out.

import { engines } from './src/middleware/registry.js';
import { privateCacheControl } from './src/middleware/engine.js';

export { requireAuth, requireOrganization, requireRole, requirePermission } from './src/middleware/requirements.js';
export { memoryCoordinator } from './src/middleware/coordinator.js';

/** A Web Request as the engine reads it. */
export function requestView(request) {
  return { method: request.method, url: request.url, header: (name) => request.headers.get(name) ?? undefined };
}

/** An engine reply as a Web Response. */
export function toResponse(reply) {
  const headers = new Headers();
  for (const [name, value] of reply.headers) headers.append(name, value);
  return new Response(reply.body || null, { status: reply.status, headers });
}

/** A Response with the session's Set-Cookie lines and, when signed in, private caching. */
function finish(response, setCookie, signedIn) {
  if (!setCookie.length && !signedIn) return response;
  let out = response;
  try {
    applyHeaders(out.headers, setCookie, signedIn);
  } catch {
    // Immutable headers (a Response from fetch()): copy it.
    out = new Response(response.body, response);
    applyHeaders(out.headers, setCookie, signedIn);
  }
  return out;
}

function applyHeaders(headers, setCookie, signedIn) {
  for (const line of setCookie) headers.append('set-cookie', line);
  if (signedIn) {
    headers.set('cache-control', privateCacheControl(headers.get('cache-control')));
    headers.append('vary', 'Cookie');
  }
}

/**
 * `authkit(options)` → `auth(request, {require, env})`: the session of `request` (refreshed when
 * due) as `{session, reason, setCookie, response, finish}`. `response` is set when the request is
 * one of the sign-in/callback/sign-out routes or a requirement is unmet; otherwise call
 * `finish(yourResponse)` to add the Set-Cookie and `Cache-Control: private`.
 */
export function authkit(options = {}) {
  const engineFor = engines(options);
  const auth = async (request, { require = [], env } = {}) => {
    const engine = engineFor(env);
    const req = requestView(request);
    const routed = await engine.route(req);
    if (routed) return { session: null, reason: undefined, setCookie: [], response: toResponse(routed), finish: (r) => r };
    const loaded = await engine.load(req);
    const requirements = Array.isArray(require) ? require : [require];
    const denied = await engine.deny(req, loaded, requirements);
    return {
      session: loaded.session,
      reason: loaded.reason,
      refreshed: Boolean(loaded.refreshed),
      setCookie: loaded.setCookie,
      response: denied && finish(toResponse(denied), loaded.setCookie, false),
      finish: (response) => finish(response, loaded.setCookie, Boolean(loaded.session)),
    };
  };
  /** Redirect to AuthKit; `returnTo` is kept only when it is a path on this origin. */
  auth.signIn = async (request, signInOptions, { env } = {}) => toResponse(await engineFor(env).signIn(requestView(request), signInOptions));
  /** Clear the cookie and end the WorkOS session. */
  auth.signOut = async (request, { env } = {}) => toResponse(await engineFor(env).signOut(requestView(request)));
  /** Complete a sign-in at the redirect URI. */
  auth.callback = async (request, { env } = {}) => toResponse(await engineFor(env).callback(requestView(request)));
  return auth;
}
