// End-to-end: browser-less clients. The real Worker in workerd (wrangler dev) in front of an
// origin, against the official WorkOS emulator through a small stand-in (workos-standin.mjs:
// the API-key validation route in the real API's shape, public device authorization, and one
// extra signing key for tokens the emulator cannot mint). Our CLI signs in with the device
// flow, and its tokens, hand-made bad tokens and organization API keys are sent as
// `Authorization: Bearer`.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { API_KEY, artifacts, CLIENT_ID, root, startEmulator, startOrigin, startWorker } from './harness.mjs';
import { startStandIn } from './workos-standin.mjs';

const run = promisify(execFile);
const CLI = path.join(root, 'target/debug/workos-edge');
const AUTHKIT = 'https://example-app.authkit.app';

let emulator;
let standIn;
let origin;
/** API keys on, metadata configured, `aud` checked, rules on /reports and /admin. */
let gateway;
/** The defaults: no API keys, no metadata. */
let plain;
let configHome;
let organizations;

before(async () => {
  emulator = await startEmulator();
  standIn = await startStandIn(emulator.url);
  origin = await startOrigin(emulator.url);
  const common = {
    WORKOS_API_BASE_URL: standIn.url,
    ORIGIN_URL: origin.url,
    ROUTE_RULES: '/reports/**=permission:reports:read; /admin/**=role:admin',
    PUBLIC_PATHS: '/public/**',
  };
  [gateway, plain] = await Promise.all([
    startWorker({
      ...common,
      API_KEYS: 'on',
      WORKOS_AUTHKIT_DOMAIN: AUTHKIT,
      // The emulator puts the client id in `aud`.
      WORKOS_AUDIENCE: CLIENT_ID,
      // Every request logged, so the no-secrets check sees successes too.
      LOG_REQUESTS: 'all',
    }),
    startWorker(common),
  ]);
  configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'workos-edge-cli-'));
  organizations = Object.fromEntries(
    (await (await fetch(`${emulator.url}/organizations?limit=100`, { headers: { authorization: `Bearer ${API_KEY}` } })).json())
      .data.map((o) => [o.name, o.id]),
  );
});

after(() => {
  for (const s of [gateway, plain, origin, standIn, emulator]) s?.stop();
});

/** Runs our CLI with its own config directory, pointed at the stand-in. */
function cli(...args) {
  return run(CLI, args, {
    env: {
      ...process.env,
      XDG_CONFIG_HOME: configHome,
      WORKOS_CLIENT_ID: CLIENT_ID,
      WORKOS_API_BASE_URL: standIn.url,
    },
    timeout: 60_000,
  });
}

function credentialsFile() {
  return path.join(configHome, 'workos-edge', 'credentials.json');
}

/** A request as a program makes it: no Sec-Fetch-*, JSON wanted. */
function call(base, pathname, { token, headers = {}, ...init } = {}) {
  return fetch(base + pathname, {
    redirect: 'manual',
    ...init,
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

/** Decodes a JWT's payload (no check: for reading what a test made). */
function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** An org-scoped access token for Ada, from the emulator (password grant, then a refresh into
 *  the organization, as switchToOrganization does). */
async function adaToken(organization) {
  const post = (body) =>
    fetch(`${emulator.url}/user_management/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, client_secret: API_KEY, ...body }),
    }).then((r) => r.json());
  const signedIn = await post({ grant_type: 'password', email: 'ada@example.com', password: 'analytical-engine-1843' });
  const scoped = await post({
    grant_type: 'refresh_token',
    refresh_token: signedIn.refresh_token,
    organization_id: organizations[organization],
  });
  assert.ok(scoped.access_token, 'the emulator minted an organization token');
  return scoped.access_token;
}

function assertChallenge(response, { error, metadata = true, host }) {
  const challenge = response.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer realm="127\.0\.0\.1"/, challenge);
  const metadataUrl = `resource_metadata="${host}/.well-known/oauth-protected-resource"`;
  if (metadata) assert.ok(challenge.includes(metadataUrl), challenge);
  else assert.ok(!challenge.includes('resource_metadata'), challenge);
  if (error) assert.ok(challenge.includes(`error="${error}"`), challenge);
  else assert.ok(!challenge.includes('error='), challenge);
  return challenge;
}

describe('CLI device sign-in, then bearer requests', () => {
  let accessToken;

  test('workos-edge login runs the device flow and stores the credentials privately', async () => {
    const { stdout, stderr } = await cli('login');
    assert.match(stderr, /user_management\/authorize\/device\/verify/, 'prints the verification URL');
    assert.match(stderr, /\b[A-Z0-9]{6,}\b/, 'prints the user code');
    const stored = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8'));
    assert.equal(stored.user.email, 'ada@example.com');
    for (const secret of [stored.access_token, stored.refresh_token]) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'login never prints a token');
    }
    assert.equal(fs.statSync(credentialsFile()).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(credentialsFile())).mode & 0o777, 0o700);

    const whoami = await cli('whoami');
    assert.match(whoami.stdout, /ada@example\.com/);
  });

  test('workos-edge token → a bearer request reaches the origin with the identity and no cookie', async () => {
    accessToken = (await cli('token')).stdout.trim();
    assert.match(accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = claimsOf(accessToken);

    const response = await call(gateway.url, '/api/things?x=1', { token: accessToken });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('set-cookie'), null, 'a bearer request never gets a cookie');
    assert.match(response.headers.get('cache-control'), /private, no-store/);
    assert.match(response.headers.get('vary') ?? '', /Authorization/);
    const seen = origin.last();
    assert.equal(seen.url, '/api/things?x=1');
    assert.equal(seen.headers['x-workos-credential'], 'access_token');
    assert.equal(seen.headers['x-workos-user-id'], claims.sub);
    assert.equal(seen.headers['x-workos-session-id'], claims.sid);
    assert.equal(seen.headers['x-workos-user-email'], undefined, 'the token carries no email');
    assert.equal(seen.headers.authorization, `Bearer ${accessToken}`, 'Authorization reaches the origin unchanged');
    assert.equal(seen.headers.cookie, undefined);
  });

  test('a document navigation with a bearer token is served, not redirected', async () => {
    const response = await call(gateway.url, '/page', {
      token: accessToken,
      headers: { accept: 'text/html', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' },
    });
    assert.equal(response.status, 200);
    assert.equal(origin.last().headers['x-workos-credential'], 'access_token');
  });

  test('route rules answer 403 insufficient_scope naming what is missing', async () => {
    const refused = await call(gateway.url, '/reports/q3', { token: accessToken });
    assert.equal(refused.status, 403);
    const challenge = assertChallenge(refused, { error: 'insufficient_scope', host: gateway.url });
    assert.ok(challenge.includes('scope="reports:read"'), challenge);
    const body = await refused.json();
    assert.equal(body.error, 'insufficient_scope');
    assert.match(body.error_description, /permission:reports:read/);

    const admin = await adaToken('Analytical Engines');
    const allowed = await call(gateway.url, '/reports/q3', { token: admin });
    assert.equal(allowed.status, 200);
    const seen = origin.last();
    assert.equal(seen.headers['x-workos-organization-id'], organizations['Analytical Engines']);
    assert.equal(seen.headers['x-workos-role'], 'admin');
    assert.match(seen.headers['x-workos-permissions'], /reports:read/);

    const member = await adaToken('Harvard Computation Lab');
    const roleRefused = await call(gateway.url, '/admin/users', { token: member });
    assert.equal(roleRefused.status, 403);
    assertChallenge(roleRefused, { error: 'insufficient_scope', host: gateway.url });
  });

  test('workos-edge token refreshes a token near expiry and rewrites the file', async () => {
    const before = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8'));
    // Emulator tokens live an hour: asking for two hours of validity forces the refresh.
    const fresh = (await cli('token', '--min-validity', '7200')).stdout.trim();
    assert.notEqual(fresh, before.access_token);
    const after = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8'));
    assert.equal(after.access_token, fresh);
    assert.notEqual(after.refresh_token, before.refresh_token, 'the single-use refresh token was replaced');
    assert.equal(fs.statSync(credentialsFile()).mode & 0o777, 0o600);
    // The spent refresh token is refused by WorkOS; the new access token works at the edge.
    const spent = await fetch(`${emulator.url}/user_management/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: before.refresh_token }),
    });
    assert.equal(spent.status, 400);
    const response = await call(gateway.url, '/api/after-refresh', { token: fresh });
    assert.equal(response.status, 200);
    assert.equal(origin.last().headers['x-workos-user-id'], claimsOf(fresh).sub);
    // Without the flag, a fresh token is printed as it is.
    assert.equal((await cli('token')).stdout.trim(), fresh);
  });

  test('workos-edge logout deletes the credentials', async () => {
    await cli('logout');
    assert.ok(!fs.existsSync(credentialsFile()));
    await assert.rejects(cli('token'), (e) => e.code === 3);
  });
});

describe('bad bearer values: 401 invalid_token, never a redirect, never the origin', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases = {
    'not a token at all': async () => 'this.is.not-a-jwt',
    'a malformed Authorization value': async () => 'a b',
    tampered: async () => {
      const token = await adaToken('Analytical Engines');
      const [h, , s] = token.split('.');
      const payload = { ...claimsOf(token), role: 'owner' };
      return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    },
    expired: () => standIn.sign({ sub: 'user_x', aud: CLIENT_ID }, { expiresIn: now() - 120 }),
    'not yet valid': () => standIn.sign({ sub: 'user_x', aud: CLIENT_ID }, { notBefore: now() + 600 }),
    'another audience': () => standIn.sign({ sub: 'user_x', aud: 'someone-else' }),
    'alg none': async () => {
      const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'user_x', aud: CLIENT_ID, exp: now() + 600 })}.`;
    },
    'HS256 with the public key as secret': async () => {
      const { createHmac } = await import('node:crypto');
      const jwks = await (await fetch(`${standIn.url}/sso/jwks/${CLIENT_ID}`)).json();
      const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const data = `${enc({ alg: 'HS256', kid: jwks.keys[0].kid })}.${enc({ sub: 'user_x', exp: now() + 600 })}`;
      return `${data}.${createHmac('sha256', JSON.stringify(jwks.keys[0])).update(data).digest('base64url')}`;
    },
  };

  for (const [name, make] of Object.entries(cases)) {
    test(name, async () => {
      const token = await make();
      const before = origin.requests.length;
      for (const document of [false, true]) {
        const headers = document ? { accept: 'text/html', 'sec-fetch-dest': 'document' } : {};
        const authorization = name === 'a malformed Authorization value' ? `Bearer ${token}` : undefined;
        const response = await call(gateway.url, '/api/secret', {
          token: authorization ? undefined : token,
          headers: { ...headers, ...(authorization ? { authorization } : {}) },
        });
        assert.equal(response.status, 401, `${name} (document: ${document})`);
        assert.equal(response.headers.get('set-cookie'), null);
        assertChallenge(response, { error: 'invalid_token', host: gateway.url });
        if (!document) {
          const body = await response.json();
          assert.equal(body.error, 'invalid_token');
          assert.ok(body.error_description, 'says why');
        }
      }
      assert.equal(origin.requests.length, before, 'the origin never saw it');
    });
  }

  test('a refused bearer token is not rescued by a cookie, and other schemes are the origin\'s', async () => {
    const refused = await call(gateway.url, '/api/x', {
      token: await cases.expired(),
      headers: { cookie: 'wos-session=whatever' },
    });
    assert.equal(refused.status, 401);
    assertChallenge(refused, { error: 'invalid_token', host: gateway.url });

    const basic = await call(gateway.url, '/public/page', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.status, 200);
    assert.equal(origin.last().headers.authorization, 'Basic dXNlcjpwYXNz');
  });
});

describe('challenges and RFC 9728 metadata', () => {
  test('no credential: 401 with a Bearer challenge that points to the metadata', async () => {
    const response = await call(gateway.url, '/api/x');
    assert.equal(response.status, 401);
    assertChallenge(response, { host: gateway.url });
    const withoutMetadata = await call(plain.url, '/api/x');
    assertChallenge(withoutMetadata, { metadata: false, host: plain.url });
  });

  test('documents without any credential still go to sign-in', async () => {
    const response = await call(gateway.url, '/dashboard', { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
    assert.equal(response.status, 302);
    assert.match(response.headers.get('location'), /^\/auth\/login\?returnTo=/);
  });

  test('/.well-known/oauth-protected-resource names AuthKit, for any origin, cacheable', async () => {
    const response = await fetch(`${gateway.url}/.well-known/oauth-protected-resource`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('cache-control'), /public, max-age=\d+/);
    assert.deepEqual(await response.json(), {
      resource: gateway.url,
      authorization_servers: [AUTHKIT],
      bearer_methods_supported: ['header'],
    });
    const mcp = await (await fetch(`${gateway.url}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.equal(mcp.resource, `${gateway.url}/mcp`);
    const preflight = await fetch(`${gateway.url}/.well-known/oauth-protected-resource`, {
      method: 'OPTIONS',
      headers: { origin: 'https://inspector.example', 'access-control-request-headers': 'mcp-protocol-version' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');

    assert.equal((await fetch(`${plain.url}/.well-known/oauth-protected-resource`)).status, 404);
  });
});

describe('organization API keys', () => {
  let counter = 0;
  const newKey = (permissions = ['reports:read']) => {
    const value = `sk_org_test_${Date.now()}_${counter++}_abcdef`;
    standIn.addApiKey(value, { id: `api_key_${counter}`, organizationId: organizations['Analytical Engines'], permissions });
    return value;
  };

  test('a valid key reaches the origin as its organization, with its permissions', async () => {
    const key = newKey(['reports:read', 'dashboard:read']);
    const response = await call(gateway.url, '/reports/q3', { token: key });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('set-cookie'), null);
    const seen = origin.last();
    assert.equal(seen.headers['x-workos-credential'], 'api_key');
    assert.match(seen.headers['x-workos-api-key-id'], /^api_key_/);
    assert.equal(seen.headers['x-workos-organization-id'], organizations['Analytical Engines']);
    assert.equal(seen.headers['x-workos-permissions'], 'reports:read,dashboard:read');
    assert.equal(seen.headers['x-workos-user-id'], undefined, 'a key is no user');
  });

  test('route rules apply to the key\'s permissions; a key has no role', async () => {
    const key = newKey(['dashboard:read']);
    const reports = await call(gateway.url, '/reports/q3', { token: key });
    assert.equal(reports.status, 403);
    assertChallenge(reports, { error: 'insufficient_scope', host: gateway.url });
    assert.equal((await call(gateway.url, '/admin/x', { token: key })).status, 403);
  });

  test('an unknown key is 401 invalid_token; with API keys off, keys are not even looked up', async () => {
    const before = standIn.state.validations;
    const response = await call(gateway.url, '/api/x', { token: 'sk_org_unknown_key_123' });
    assert.equal(response.status, 401);
    assertChallenge(response, { error: 'invalid_token', host: gateway.url });
    assert.equal(standIn.state.validations, before + 1);

    const key = newKey();
    const off = await call(plain.url, '/api/x', { token: key });
    assert.equal(off.status, 401);
    assertChallenge(off, { error: 'invalid_token', metadata: false, host: plain.url });
    assert.equal(standIn.state.validations, before + 1, 'no validation with API_KEYS off');
  });

  test('20 requests with one new key cost at most one validation', async () => {
    const key = newKey();
    standIn.state.delayMs = 300;
    const before = standIn.state.validations;
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, () => call(gateway.url, '/api/burst', { token: key })));
      assert.deepEqual([...new Set(burst.map((r) => r.status))], [200]);
      const after = await Promise.all(Array.from({ length: 20 }, () => call(gateway.url, '/api/again', { token: key })));
      assert.deepEqual([...new Set(after.map((r) => r.status))], [200]);
    } finally {
      standIn.state.delayMs = 0;
    }
    assert.ok(standIn.state.validations - before <= 1, `validations: ${standIn.state.validations - before}`);
  });

  for (const mode of ['5xx', 'unreachable']) {
    test(`WorkOS ${mode === '5xx' ? 'failing' : 'unreachable'}: 503 with Retry-After, never 401`, async () => {
      const key = newKey();
      standIn.state.down = mode;
      try {
        const response = await call(gateway.url, '/api/x', { token: key });
        assert.equal(response.status, 503);
        assert.ok(Number(response.headers.get('retry-after')) > 0);
        if (mode === '5xx') assert.equal(response.headers.get('retry-after'), '7', 'WorkOS\'s Retry-After is passed on');
      } finally {
        standIn.state.down = null;
      }
      // The outage was not remembered as a verdict on the key.
      assert.equal((await call(gateway.url, '/api/x', { token: key })).status, 200);
    });
  }

  test('no key, token or cookie value appears in the Worker\'s log', async () => {
    const key = newKey();
    await call(gateway.url, '/api/logged', { token: key });
    const unknown = 'sk_org_never_logged_987654';
    await call(gateway.url, '/api/logged', { token: unknown });
    await new Promise((r) => setTimeout(r, 500));
    const log = fs.readFileSync(path.join(artifacts(), `wrangler-${new URL(gateway.url).port}.log`), 'utf8');
    assert.match(log, /"decision":"api_key"/, 'the log line was written');
    for (const secret of [key, unknown, API_KEY]) assert.ok(!log.includes(secret), 'a secret reached the log');
  });
});
