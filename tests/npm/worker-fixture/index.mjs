// A Cloudflare Worker built on the npm package: Hono with workos-edge/hono, settings from the
// Worker's vars (env), plus a route that authenticates SDK vectors with the base API.

import { Hono } from 'hono';
import { WorkOS } from 'workos-edge';
import { authkit, requireAuth, requireOrganization, requireRole, requirePermission } from 'workos-edge/hono';

const app = new Hono();

// Vectors: the JWKS comes with the request, so no network is needed.
app.post('/vectors/authenticate', async (c) => {
  const { sessionData, cookiePassword, clientId, jwks } = await c.req.json();
  const workos = new WorkOS('sk_test_fixture', { clientId, fetch: async () => Response.json(jwks), tokenCache: false });
  return c.json(await workos.userManagement.loadSealedSession({ sessionData, cookiePassword }).authenticate());
});

const session = authkit();
app.use('/auth/*', session);
app.use('/app/*', session);
const me = (c) => {
  const s = c.get('workos');
  return c.json({ email: s?.user.email ?? null, organizationId: s?.organizationId ?? null, role: s?.role ?? null });
};
app.get('/app/public', me);
app.get('/app/me', requireAuth(), me);
app.get('/app/org', requireOrganization(), me);
app.get('/app/admin', requireRole('admin'), me);
app.get('/app/members', requirePermission('members:manage'), me);

// Every token is due here: each request with a cookie refreshes it (coalescing tests).
const eager = new Hono();
eager.use(authkit({ refreshBufferSeconds: 7200 }));
eager.get('/me', requireAuth(), me);
app.route('/eager', eager);

export default app;
