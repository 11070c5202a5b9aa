// Helpers for the middleware suites: a proxy in front of the emulator that counts refresh
// calls, sign-in through an app's own routes, and organization-scoped cookies.

import http from 'node:http';
import { WorkOS } from 'workos-edge';

export const COOKIE_PASSWORD = 'npm-middleware-cookie-password-0123456789';
export const CLIENT_ID = 'client_npm_middleware';
export const API_KEY = 'sk_test_default';

/**
 * A proxy to `target` that counts `POST /user_management/authenticate` with
 * `grant_type=refresh_token`, so a test can tell how many refreshes reached WorkOS.
 */
export async function countingProxy(target) {
  const counts = { refresh: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST' && req.url.startsWith('/user_management/authenticate') && /"grant_type":"refresh_token"/.test(body.toString())) {
      counts.refresh++;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['content-length'];
    const upstream = await fetch(target + req.url, { method: req.method, headers, body: body.length ? body : undefined, redirect: 'manual' });
    const out = {};
    upstream.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'content-length' && name !== 'transfer-encoding') out[name] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${server.address().port}`);
  return {
    url: url.href.replace(/\/$/, ''),
    counts,
    /** Middleware options pointing the WorkOS API at this proxy. */
    options: { apiHostname: url.hostname, apiPort: url.port, apiHttps: false },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The `name=value` of a Set-Cookie line among `response`'s. */
export function setCookie(response, name) {
  return response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/**
 * Signs in through the app at `base` the way a browser does: a page request → AuthKit (the
 * emulator signs in at once) → the app's callback → back to the page. Returns the session cookie
 * (`wos-session=...`) and the hops.
 */
export async function signInThrough(base, path = '/app/me') {
  let res = await fetch(`${base}${path}`, { redirect: 'manual', headers: { 'sec-fetch-dest': 'document', accept: 'text/html' } });
  if (res.status !== 302) throw new Error(`expected the sign-in redirect, got ${res.status}: ${await res.text()}`);
  const flow = res.headers.getSetCookie()[0].split(';')[0];
  const authorize = await fetch(res.headers.get('location'), { redirect: 'manual' });
  await authorize.arrayBuffer();
  const callback = authorize.headers.get('location');
  res = await fetch(callback, { redirect: 'manual', headers: { cookie: flow } });
  if (res.status !== 302) throw new Error(`callback answered ${res.status}: ${await res.text()}`);
  const session = setCookie(res, 'wos-session');
  if (!session) throw new Error('the callback set no session cookie');
  return { cookie: session.split(';')[0], returnedTo: res.headers.get('location'), callback };
}

/** The same session switched into organization `organizationId` (a refresh straight at the emulator). */
export async function inOrganization(emulatorUrl, cookie, organizationId) {
  const workos = new WorkOS(API_KEY, { clientId: CLIENT_ID, baseUrl: emulatorUrl });
  const sessionData = cookie.slice(cookie.indexOf('=') + 1);
  const result = await workos.userManagement.loadSealedSession({ sessionData, cookiePassword: COOKIE_PASSWORD }).refresh({ organizationId });
  if (!result.authenticated) throw new Error(`switching organization failed: ${result.reason}`);
  return `wos-session=${result.sealedSession}`;
}

/** Organization ids by name (the emulator mints new ones at every start). */
export async function organizations(emulatorUrl) {
  const res = await fetch(`${emulatorUrl}/organizations`, { headers: { authorization: `Bearer ${API_KEY}` } });
  const list = await res.json();
  return Object.fromEntries(list.data.map((o) => [o.name, o.id]));
}
