// A TypeScript app using every entry point of the packed workos-edge, type-checked by
// tests/npm/pack.mjs with `tsc --noEmit` (strict, nodenext). Never run.

import { WorkOS, sealData, type AuthenticateResult } from 'workos-edge';
import { authkit, requireAuth, requireRole, type AuthResult } from 'workos-edge/fetch';
import * as honoKit from 'workos-edge/hono';
import * as expressKit from 'workos-edge/express';
import { redisCoordinator } from 'workos-edge/redis';
import { Hono } from 'hono';
import express from 'express';

const workos = new WorkOS('sk_test', { clientId: 'client_123' });
export async function check(cookie: string): Promise<string | undefined> {
  const result: AuthenticateResult = await workos.userManagement.loadSealedSession({ sessionData: cookie, cookiePassword: 'x'.repeat(32) }).authenticate();
  if (result.authenticated) return result.user.email;
  const reason: 'invalid_jwt' | 'invalid_session_cookie' | 'no_session_cookie_provided' = result.reason;
  return reason;
}
export const sealed: Promise<string> = sealData({ a: 1 }, { password: 'x'.repeat(32) });

const auth = authkit({ clientId: 'client_123', cookieSameSite: 'lax' });
export async function handler(request: Request): Promise<Response> {
  const result: AuthResult = await auth(request, { require: [requireAuth(), requireRole('admin')] });
  if (result.response) return result.response;
  return result.finish(Response.json({ email: result.session?.user.email, org: result.session?.organizationId }));
}

const app = new Hono<{ Variables: honoKit.WorkOSVariables }>();
app.use(honoKit.authkit({ redirectUri: 'https://app.example/auth/callback' }));
app.get('/admin', honoKit.requireAuth(), honoKit.requirePermission('members:manage'), (c) => {
  const session = c.get('workos');
  return c.json({ id: session?.user.id ?? null });
});

const server = express();
server.use(expressKit.authkit({ coordinator: redisCoordinator({ sendCommand: async (args: string[]) => args.length }) }));
server.get('/org', expressKit.requireOrganization(), (req, res) => {
  res.json({ org: req.workos?.organizationId ?? null });
});
