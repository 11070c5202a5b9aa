// The peer: the plain JavaScript Worker a WorkOS user writes today on the official SDK
// (@workos-inc/node 11, its `workerd` build), doing what the workos-edge Worker does on the
// paths the benchmark measures, the way authkit-nextjs does it:
//   - PUBLIC_PATHS prefixes pass through to the origin;
//   - otherwise `loadSealedSession().authenticate()`; when the access token is invalid or
//     expires within REFRESH_BUFFER_SECONDS, `session.refresh()` and the new cookie goes on the
//     response and to the origin;
//   - forwarded with the identity headers; no session → 401.
// Kept deliberately idiomatic, not tuned: it is the baseline users compare against.

import { WorkOS } from '@workos-inc/node';

let workos;
function client(env) {
  if (!workos) {
    const base = new URL(env.WORKOS_API_BASE_URL ?? 'https://api.workos.com');
    workos = new WorkOS(env.WORKOS_API_KEY, {
      clientId: env.WORKOS_CLIENT_ID,
      apiHostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      https: base.protocol === 'https:',
    });
  }
  return workos;
}

function readCookie(header, name) {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function tokenExpiry(accessToken) {
  try {
    return JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp;
  } catch {
    return 0;
  }
}

async function forward(request, env, url, identity, newCookie) {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) if (name.startsWith('x-workos-')) headers.delete(name);
  if (identity) {
    headers.set('x-workos-user-id', identity.user.id);
    headers.set('x-workos-user-email', identity.user.email);
    if (identity.sessionId) headers.set('x-workos-session-id', identity.sessionId);
    if (identity.organizationId) headers.set('x-workos-organization-id', identity.organizationId);
    if (identity.role) headers.set('x-workos-role', identity.role);
    if (identity.permissions) headers.set('x-workos-permissions', identity.permissions.join(','));
  }
  if (newCookie) headers.set('cookie', `wos-session=${newCookie}`);
  const upstream = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
    method: request.method,
    headers,
    body: request.body,
  });
  if (!identity) return upstream;
  const response = new Response(upstream.body, upstream);
  response.headers.set('cache-control', 'private, no-store');
  if (newCookie) {
    response.headers.append('set-cookie', `wos-session=${newCookie}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=34560000`);
  }
  return response;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const publicPaths = (env.PUBLIC_PATHS ?? '').split(',').filter(Boolean);
    if (publicPaths.some((p) => url.pathname.startsWith(p))) return forward(request, env, url);

    const sessionData = readCookie(request.headers.get('cookie'), 'wos-session');
    if (!sessionData) return Response.json({ error: 'unauthenticated' }, { status: 401 });
    const session = client(env).userManagement.loadSealedSession({
      sessionData,
      cookiePassword: env.WORKOS_COOKIE_PASSWORD,
    });
    const auth = await session.authenticate();
    const buffer = Number(env.REFRESH_BUFFER_SECONDS ?? 60);
    const due = auth.authenticated && tokenExpiry(auth.accessToken) - Date.now() / 1000 <= buffer;
    if (auth.authenticated && !due) return forward(request, env, url, auth);
    if (auth.authenticated || auth.reason === 'invalid_jwt') {
      const refreshed = await session.refresh();
      if (refreshed.authenticated) return forward(request, env, url, refreshed, refreshed.sealedSession);
    }
    return Response.json({ error: 'unauthenticated', reason: auth.reason }, { status: 401 });
  },
};
