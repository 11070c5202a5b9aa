// A stand-in in front of the official WorkOS emulator, for the three places where emulator
// 0.14.0 differs from the real API or cannot make what a test needs. Everything else is passed
// through to the emulator unchanged.
//
// 1. `POST /api_keys/validations`: the emulator reads `{key}` and answers `{valid}`; the real
//    API (as @workos-inc/node 11's `apiKeys.createValidation` calls it) reads `{"value": …}`
//    and answers `{"api_key": {…}}` or `{"api_key": null}`. Answered here in the real shape,
//    for the keys a test registers, with a call counter, a delay and an outage switch.
// 2. `POST /user_management/authorize/device`: the emulator demands an API key, the real API
//    takes public clients (our CLI sends none). The emulator's key is added here.
// 3. `GET /sso/jwks/:client_id`: the emulator's keys plus one test key, so that a test can
//    sign what the emulator never mints (expired tokens, `nbf` in the future, another `aud`)
//    with a key the Worker trusts exactly as it trusts WorkOS's.

import http from 'node:http';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import { API_KEY, freePort } from './harness.mjs';

/** Starts the stand-in; `state` is live (change `down`, `delayMs`, read `validations`). */
export async function startStandIn(emulatorUrl) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const testJwk = { ...(await exportJWK(publicKey)), kid: 'standin-test-key', alg: 'RS256', use: 'sig' };
  const state = {
    /** Keys WorkOS knows: value → the api_key object it answers. */
    apiKeys: new Map(),
    /** Validations answered (or refused while down). */
    validations: 0,
    /** `'5xx'` answers 503 with Retry-After, `'unreachable'` drops the connection. */
    down: null,
    /** Each validation takes this long (makes concurrent requests overlap). */
    delayMs: 0,
  };

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://standin');
    const json = (status, value, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };

    if (req.method === 'POST' && url.pathname === '/api_keys/validations') {
      state.validations++;
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.down === 'unreachable') return req.socket.destroy();
      if (state.down === '5xx') return json(503, { message: 'Service unavailable' }, { 'retry-after': '7' });
      if (req.headers.authorization !== `Bearer ${API_KEY}`) return json(401, { message: 'Unauthorized' });
      let value;
      try {
        value = JSON.parse(body.toString('utf8')).value;
      } catch {
        return json(422, { message: 'value is required' });
      }
      return json(200, { api_key: state.apiKeys.get(value) ?? null });
    }

    if (req.method === 'GET' && url.pathname.startsWith('/sso/jwks/')) {
      const upstream = await fetch(emulatorUrl + url.pathname);
      const jwks = await upstream.json();
      return json(200, { keys: [...jwks.keys, testJwk] });
    }

    const headers = { ...req.headers };
    delete headers.host;
    delete headers['content-length'];
    if (url.pathname === '/user_management/authorize/device' && !headers.authorization) {
      headers.authorization = `Bearer ${API_KEY}`;
    }
    const upstream = await fetch(emulatorUrl + req.url, {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : body,
      redirect: 'manual',
    });
    const out = {};
    upstream.headers.forEach((v, k) => {
      if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    /** Registers a key WorkOS will call valid, in the real reply's shape. */
    addApiKey(value, { id, organizationId, permissions = [], name = 'test key' }) {
      const now = new Date().toISOString();
      state.apiKeys.set(value, {
        object: 'api_key',
        id,
        owner: { type: 'organization', id: organizationId },
        name,
        obfuscated_value: `sk_…${value.slice(-4)}`,
        permissions,
        last_used_at: null,
        created_at: now,
        updated_at: now,
      });
    },
    /** Signs claims with the test key (RS256 unless the header says otherwise). */
    sign(claims, { header = {}, expiresIn = '10m', notBefore } = {}) {
      let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: testJwk.kid, ...header }).setIssuedAt();
      if (expiresIn !== null) jwt = jwt.setExpirationTime(expiresIn);
      if (notBefore) jwt = jwt.setNotBefore(notBefore);
      return jwt.sign(privateKey);
    },
    stop: () => server.close(),
  };
}
