// workos-edge: WorkOS AuthKit sessions for Node, Deno and JavaScript Workers, over the same
// Rust core as the workos-edge Worker (compiled to wasm). Shaped like @workos-inc/node so that
// switching is a change of import. This file does HTTP (fetch), the RS256 signature check
// (node:crypto where the runtime has it, else WebCrypto) and caching; every decision about seals,
// tokens and replies is made in the core.

import * as core from './src/core.js';

/** Reasons `authenticate()` returns, as the SDK exports them. */
export const AuthenticateWithSessionCookieFailureReason = Object.freeze({
  INVALID_JWT: 'invalid_jwt',
  INVALID_SESSION_COOKIE: 'invalid_session_cookie',
  NO_SESSION_COOKIE_PROVIDED: 'no_session_cookie_provided',
});

/** Reasons `refresh()` returns, as the SDK exports them. */
export const RefreshSessionFailureReason = Object.freeze({
  INVALID_SESSION_COOKIE: 'invalid_session_cookie',
  NO_SESSION_COOKIE_PROVIDED: 'no_session_cookie_provided',
  INVALID_GRANT: 'invalid_grant',
  MFA_ENROLLMENT: 'mfa_enrollment',
  SSO_REQUIRED: 'sso_required',
  RATE_LIMIT_EXCEEDED: 'rate_limit_exceeded',
  TIMEOUT: 'timeout',
  SERVER_ERROR: 'server_error',
  NETWORK_ERROR: 'network_error',
});

/** An error reply from WorkOS; `name` is the SDK's exception class name. */
export class WorkOSError extends Error {
  constructor({ name, message, status, code, requestID }) {
    super(message);
    this.name = name ?? 'WorkOSError';
    if (status !== undefined) this.status = status;
    if (code !== undefined) this.code = code;
    if (requestID !== undefined) this.requestID = requestID;
  }
}

// jose's defaults, which the SDK uses: a JWKS is kept 10 minutes; an unknown `kid` refetches
// it at most once per 5-minute cool-down.
const JWKS_MAX_AGE_MS = 10 * 60 * 1000;
const JWKS_COOLDOWN_MS = 5 * 60 * 1000;
const TOKEN_CACHE_LIMIT = 10_000;
const SESSION_CACHE_LIMIT = 1_000;
// iron's tolerance on a seal's own expiration (seals written with a ttl).
const SEAL_SKEW_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 60_000;

function env(name) {
  try {
    if (typeof process !== 'undefined' && process.env) return process.env[name];
    if (typeof Deno !== 'undefined') return Deno.env.get(name);
  } catch {
    // Deno without --allow-env: treat as unset.
  }
  return undefined;
}

function randomBytes(length) {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

function fail(error) {
  return new WorkOSError(error ?? { name: 'Error', message: 'unknown error' });
}

/** Re-throws a core error with the SDK's exception type where it has one. */
function rethrow(error) {
  const message = String(error?.message ?? error);
  // The SDK throws TypeError for bad arguments.
  if (message.startsWith('Incomplete arguments') || message.startsWith("'screenHint'")) throw new TypeError(message);
  throw error instanceof Error ? error : new Error(message);
}

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } };

// Node 20.16+ and Deno: node:crypto's synchronous RSA verify, reached without an import statement
// so that bundlers for other runtimes never see it (they use WebCrypto). In Node, WebCrypto's
// verify runs on the thread pool and costs several times more per call.
const nodeCrypto = (() => {
  try {
    return globalThis.process?.getBuiltinModule?.('node:crypto');
  } catch {
    return undefined;
  }
})();

const utf8 = new TextEncoder();
let scratch = new Uint8Array(8192);
/** `text` as UTF-8, written into a buffer reused by every call (`encodeInto` is ~15x faster
 *  than `encode` for a cookie). Valid until the next call: callers use it synchronously. */
function utf8Bytes(text) {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = utf8.encodeInto(text, scratch);
  return scratch.subarray(0, written);
}
const nodeVerifiers = new WeakMap();
/**
 * `(keyIndex, signedData, signature) => boolean` over a `KeySet`'s keys, imported into
 * node:crypto once per key set (at import, not inside the callback: the core calls it with
 * views into wasm memory, which a call back into the wasm could move). A key node:crypto
 * cannot import verifies nothing.
 */
function nodeVerifier(keySet) {
  let verify = nodeVerifiers.get(keySet);
  if (verify === undefined) nodeVerifiers.set(keySet, (verify = importedVerifier(keySet)));
  return verify;
}

function importedVerifier(keySet) {
  const keys = Array.from({ length: keySet.length }, (_, i) => {
    try {
      const jwk = JSON.parse(keySet.keyJson(i));
      return nodeCrypto.createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    } catch {
      return undefined;
    }
  });
  return (index, signedData, signature) => {
    const key = keys[index];
    return key !== undefined && nodeCrypto.verify('sha256', signedData, key, signature);
  };
}

const INVALID_SESSION_COOKIE = Object.freeze({ authenticated: false, reason: 'invalid_session_cookie' });

/**
 * Opens a cookie with node:crypto: the core checks the seal up to its MAC and derives the keys
 * (`openSeal`, one buffer: see crates/js/src/opening.rs for its layout); the HMAC-SHA256 check
 * (constant time) and the AES-256-CBC decryption run here, in iron's order. `{plaintext}`, or
 * `{decided}` with the SDK's failure result.
 */
function openNatively(sessionData, password) {
  const bytes = utf8Bytes(sessionData || '');
  const opened = core.openSeal(bytes, password, Date.now());
  if (!(opened instanceof Uint8Array)) return { decided: { ...opened.decided } };
  const view = new DataView(opened.buffer, opened.byteOffset, opened.byteLength);
  const [macBaseLength, macLength, ivLength, ciphertextLength, candidates, macBaseFollows] = [0, 4, 8, 12, 16, 20].map((at) => view.getUint32(at, true));
  let at = 24;
  const take = (length) => opened.subarray(at, (at += length));
  const macBase = macBaseFollows ? take(macBaseLength) : bytes.subarray(0, macBaseLength);
  const mac = take(macLength);
  const iv = take(ivLength);
  const ciphertext = take(ciphertextLength);
  for (let i = 0; i < candidates; i++) {
    const macKey = take(32);
    const encryptionKey = take(32);
    const expected = nodeCrypto.createHmac('sha256', macKey).update(macBase).digest();
    if (expected.length !== mac.length || !nodeCrypto.timingSafeEqual(expected, mac)) continue;
    if (ivLength !== 16) return { decided: { ...INVALID_SESSION_COOKIE } };
    try {
      const decipher = nodeCrypto.createDecipheriv('aes-256-cbc', encryptionKey, iv);
      const head = decipher.update(ciphertext);
      const tail = decipher.final();
      const plaintext = new Uint8Array(head.length + tail.length);
      plaintext.set(head);
      plaintext.set(tail, head.length);
      return { plaintext };
    } catch {
      return { decided: { ...INVALID_SESSION_COOKIE } };
    }
  }
  return { decided: { ...INVALID_SESSION_COOKIE } };
}

// The SDK builds its result objects with every key present (`undefined` when the token has no
// such claim); the core leaves absent ones out. Same keys, same order, so `deepStrictEqual`,
// `Object.keys` and `'role' in result` agree with the SDK.
const AUTHENTICATED_KEYS = ['authenticated', 'sessionId', 'organizationId', 'role', 'roles', 'permissions', 'entitlements', 'featureFlags', 'user', 'authenticationMethod', 'impersonator', 'accessToken'];
const REFRESHED_KEYS = ['authenticated', 'sealedSession', 'session', 'authenticationMethod', 'sessionId', 'organizationId', 'role', 'roles', 'permissions', 'entitlements', 'featureFlags', 'user', 'impersonator'];
const RESPONSE_KEYS = ['user', 'organizationId', 'accessToken', 'refreshToken', 'impersonator', 'authenticationMethod', 'oauthTokens'];

function withKeys(keys, value) {
  const out = {};
  for (const key of keys) out[key] = value[key];
  for (const [key, v] of Object.entries(value)) if (!(key in out)) out[key] = v;
  return out;
}

/** A refresh result as the SDK returns it: full key set on success, `error` an Error. */
function refreshResult(result) {
  if (result.authenticated) return withKeys(REFRESHED_KEYS, { ...result, session: withKeys(RESPONSE_KEYS, result.session) });
  if (result.error) return { ...result, error: fail(result.error) };
  return result;
}

export class WorkOS {
  /**
   * @param {string | undefined} apiKey  `sk_...` (default: env WORKOS_API_KEY)
   * @param {object} [options] `clientId`, `apiHostname`, `https`, `port`, `baseUrl`, `fetch`,
   *   `timeout` (ms), `issuer`, `clockToleranceSeconds`, `tokenCache` (default true)
   */
  constructor(apiKey, options = {}) {
    if (apiKey && typeof apiKey === 'object') {
      options = apiKey;
      apiKey = options.apiKey;
    }
    this.key = apiKey ?? env('WORKOS_API_KEY');
    this.clientId = options.clientId ?? env('WORKOS_CLIENT_ID');
    if (!this.key && !this.clientId) {
      throw new Error(
        'WorkOS requires either an API key or a clientId. For server-side: new WorkOS("sk_...") or new WorkOS({ apiKey: "sk_..." }). For PKCE/public clients: new WorkOS({ clientId: "client_..." })',
      );
    }
    const protocol = options.https === false ? 'http' : 'https';
    const host = options.apiHostname ?? 'api.workos.com';
    const port = options.port ? `:${options.port}` : '';
    this.baseURL = (options.baseUrl ?? `${protocol}://${host}${port}`).replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.issuer = options.issuer === undefined ? undefined : [].concat(options.issuer);
    this.leeway = options.clockToleranceSeconds ?? 0;
    this.tokenCacheEnabled = options.tokenCache !== false;
    this.userManagement = new UserManagement(this);
  }

  /** Performs a core request description; never throws for HTTP or network failures. */
  async send({ method, url, headers, body }) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeout);
    try {
      const res = await this.fetchFn(url, {
        method,
        headers: Object.fromEntries(headers),
        body: body ?? undefined,
        signal: controller.signal,
      });
      return {
        kind: 'response',
        status: res.status,
        retryAfter: res.headers.get('retry-after') ?? undefined,
        requestId: res.headers.get('x-request-id') ?? undefined,
        body: await res.text(),
      };
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'timeout' };
      return { kind: 'network', message: String(error?.cause?.message ?? error?.message ?? error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async get(path, query = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
    const qs = params.toString();
    const headers = [['Accept', 'application/json, text/plain, */*']];
    if (this.key) headers.push(['Authorization', `Bearer ${this.key}`]);
    const reply = await this.send({ method: 'GET', url: `${this.baseURL}${path}${qs ? `?${qs}` : ''}`, headers });
    return this.json(reply);
  }

  async post(path, body) {
    const headers = [
      ['Accept', 'application/json, text/plain, */*'],
      ['Content-Type', 'application/json'],
    ];
    if (this.key) headers.push(['Authorization', `Bearer ${this.key}`]);
    const reply = await this.send({ method: 'POST', url: `${this.baseURL}${path}`, headers, body: JSON.stringify(body) });
    return this.json(reply);
  }

  json(reply) {
    if (reply.kind === 'timeout') throw new WorkOSError({ name: 'OauthException', message: 'Error: Request timeout', status: 408 });
    if (reply.kind === 'network') throw new TypeError(`fetch failed: ${reply.message}`);
    const body = reply.body ? JSON.parse(reply.body) : undefined;
    if (reply.status >= 200 && reply.status < 300) return body;
    throw new WorkOSError({
      name: reply.status === 401 ? 'UnauthorizedException' : reply.status === 404 ? 'NotFoundException' : 'GenericServerException',
      message: body?.message ?? body?.error_description ?? `HTTP ${reply.status}`,
      status: reply.status,
      code: body?.code ?? body?.error,
      requestID: reply.requestId,
    });
  }
}

const camelSession = (s) => ({
  object: 'session',
  id: s.id,
  userId: s.user_id,
  ipAddress: s.ip_address,
  userAgent: s.user_agent,
  ...(s.organization_id !== undefined && { organizationId: s.organization_id }),
  ...(s.impersonator !== undefined && { impersonator: s.impersonator }),
  authMethod: s.auth_method,
  status: s.status,
  expiresAt: s.expires_at,
  endedAt: s.ended_at,
  createdAt: s.created_at,
  updatedAt: s.updated_at,
});

/** A page of a list plus auto-pagination: `for await (const item of list)` walks every page. */
class AutoPaginatable {
  constructor(page, fetchPage, options) {
    this.object = 'list';
    this.page = page;
    this.fetchPage = fetchPage;
    this.options = options ?? {};
  }
  get data() {
    return this.page.data;
  }
  get listMetadata() {
    return this.page.listMetadata;
  }
  async *[Symbol.asyncIterator]() {
    let page = this.page;
    for (;;) {
      yield* page.data;
      if (!page.listMetadata.after) return;
      page = await this.fetchPage({ ...this.options, after: page.listMetadata.after });
    }
  }
  /** Every item of every page (only the first page when `limit` was given, as the SDK). */
  async autoPagination() {
    if (this.options.limit) return this.data;
    const all = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

export class UserManagement {
  constructor(workos) {
    this.workos = workos;
    this.jwks = undefined;
    this.jwksFetchedAt = 0;
    this.keys = new Map();
    this.verifiedTokens = new Map();
    this.verifiedSessions = new Map();
  }

  get clientId() {
    return this.workos.clientId;
  }

  /** `loadSealedSession({sessionData, cookiePassword})`. */
  loadSealedSession({ sessionData, cookiePassword }) {
    return new CookieSession(this, sessionData, cookiePassword);
  }

  /** `getSessionFromCookie`: the unsealed object, `{}` when it does not open. */
  async getSessionFromCookie({ sessionData, cookiePassword = env('WORKOS_COOKIE_PASSWORD') }) {
    if (!cookiePassword) throw new Error('Cookie password is required');
    if (!sessionData) return undefined;
    const out = core.unsealSession(sessionData, cookiePassword, Date.now());
    return out.ok ? out.value : {};
  }

  /** The JWKS when it is cached and fresh: no promise to wait for. */
  freshJwks() {
    return this.jwks && Date.now() - this.jwksFetchedAt < JWKS_MAX_AGE_MS ? this.jwks : undefined;
  }

  async getJwks(force = false) {
    if (!this.clientId) throw new Error('Missing client ID. Did you provide it when initializing WorkOS?');
    const now = Date.now();
    const stale = now - this.jwksFetchedAt >= JWKS_MAX_AGE_MS;
    const cooled = now - this.jwksFetchedAt >= JWKS_COOLDOWN_MS;
    if (this.jwks && !stale && !(force && cooled)) return this.jwks;
    // One fetch at a time: concurrent requests share it instead of each asking WorkOS.
    this.jwksFetch ??= this.workos
      .get(`/sso/jwks/${encodeURIComponent(this.clientId)}`)
      .then((jwks) => {
        // Converted into the core once per fetch, not on every authenticate().
        this.jwks = new core.KeySet(jwks);
        this.jwksFetchedAt = Date.now();
        return this.jwks;
      })
      .finally(() => {
        this.jwksFetch = undefined;
      });
    return this.jwksFetch;
  }

  /** RS256 (RSASSA-PKCS1-v1_5, SHA-256) over `signedData` with any of the candidate JWKs. */
  async verifySignature(keys, signedData, signature) {
    for (const jwk of keys) {
      const cacheKey = `${jwk.kid ?? ''}|${jwk.n}|${jwk.e}`;
      let key = this.keys.get(cacheKey);
      if (!key) {
        key = nodeCrypto
          ? nodeCrypto.createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
          : await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256' }, RS256, false, ['verify']);
        this.keys.set(cacheKey, key);
      }
      const valid = nodeCrypto
        ? nodeCrypto.verify('sha256', signedData, key, signature)
        : await crypto.subtle.verify(RS256, key, signature, signedData);
      if (valid) return true;
    }
    return false;
  }

  /** A cookie value that authenticated with this password: its result, until the token (or the
   *  seal's own ttl) expires. The cookie's MAC covers everything the result is made of, so the
   *  same value with the same password always gives the same result until then. */
  rememberSession(sessionData, password, result, expiresAt) {
    if (!this.workos.tokenCacheEnabled) return;
    let validUntil = expiresAt === undefined ? Infinity : expiresAt * 1000;
    const sealExpiration = Number(sessionData.split('~')[0].split('*')[5]);
    if (sealExpiration) validUntil = Math.min(validUntil, sealExpiration + SEAL_SKEW_MS);
    const sessions = this.verifiedSessions;
    if (sessions.size >= SESSION_CACHE_LIMIT) sessions.delete(sessions.keys().next().value);
    sessions.set(sessionData, { password: passwordKey(password), result: copyJson(result), validUntil });
  }

  cachedSession(sessionData, password) {
    if (!this.workos.tokenCacheEnabled) return undefined;
    const entry = this.verifiedSessions.get(sessionData);
    if (entry === undefined || entry.password !== passwordKey(password)) return undefined;
    if (entry.validUntil <= Date.now()) {
      this.verifiedSessions.delete(sessionData);
      return undefined;
    }
    return copyJson(entry.result);
  }

  rememberToken(token, expiresAt) {
    if (!this.workos.tokenCacheEnabled) return;
    if (this.verifiedTokens.size >= TOKEN_CACHE_LIMIT) this.verifiedTokens.delete(this.verifiedTokens.keys().next().value);
    this.verifiedTokens.set(token, expiresAt ?? Infinity);
  }

  isVerified(token) {
    if (!this.workos.tokenCacheEnabled) return false;
    const exp = this.verifiedTokens.get(token);
    if (exp === undefined) return false;
    if (exp * 1000 <= Date.now()) {
      this.verifiedTokens.delete(token);
      return false;
    }
    return true;
  }

  async authenticateWith(grant, session) {
    const body = { ...grant, client_id: grant.client_id ?? this.clientId, client_secret: this.workos.key };
    if (!body.client_id) throw new TypeError('clientId is required. Provide it in method options or when initializing WorkOS.');
    const request = core.authenticateRequest(strip(body), this.workos.baseURL, this.workos.key);
    const reply = await this.workos.send(request);
    const seal = session?.sealSession ? session.cookiePassword : undefined;
    if (session?.sealSession && !seal) throw new Error('Cookie password is required');
    const out = core.completeAuthentication(reply, seal, randomBytes(80));
    if (!out.ok) throw fail(out.error);
    return withKeys(RESPONSE_KEYS, out.result);
  }

  /** `authenticateWithCode({code, codeVerifier?, invitationToken?, ipAddress?, userAgent?, session?})`. */
  authenticateWithCode({ clientId, code, codeVerifier, invitationToken, ipAddress, userAgent, session }) {
    if (!this.workos.key && !codeVerifier) {
      throw new TypeError('authenticateWithCode requires either an API key or a codeVerifier');
    }
    return this.authenticateWith(
      {
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        code_verifier: codeVerifier,
        invitation_token: invitationToken,
        ip_address: ipAddress,
        user_agent: userAgent,
      },
      session,
    );
  }

  /** `authenticateWithPassword({email, password, ...})`. */
  authenticateWithPassword({ clientId, email, password, invitationToken, ipAddress, userAgent, session }) {
    return this.authenticateWith(
      {
        grant_type: 'password',
        client_id: clientId,
        email,
        password,
        invitation_token: invitationToken,
        ip_address: ipAddress,
        user_agent: userAgent,
      },
      session,
    );
  }

  /** `authenticateWithMagicAuth({code, email, ...})`. */
  authenticateWithMagicAuth({ clientId, code, email, invitationToken, ipAddress, userAgent, session }) {
    return this.authenticateWith(
      {
        grant_type: 'urn:workos:oauth:grant-type:magic-auth:code',
        client_id: clientId,
        code,
        email,
        invitation_token: invitationToken,
        ip_address: ipAddress,
        user_agent: userAgent,
      },
      session,
    );
  }

  /** `authenticateWithRefreshToken({refreshToken, organizationId?, ...})`. */
  authenticateWithRefreshToken({ clientId, refreshToken, organizationId, ipAddress, userAgent, session }) {
    return this.authenticateWith(
      {
        grant_type: 'refresh_token',
        client_id: clientId,
        refresh_token: refreshToken,
        organization_id: organizationId,
        ip_address: ipAddress,
        user_agent: userAgent,
      },
      session,
    );
  }

  /** `getAuthorizationUrl({provider|connectionId|organizationId, redirectUri, state, ...})`. */
  getAuthorizationUrl(options) {
    const clientId = options.clientId ?? this.clientId;
    if (!clientId) throw new TypeError('clientId is required. Provide it in method options or when initializing WorkOS.');
    try {
      return core.authorizationUrl(this.workos.baseURL, { ...options, clientId });
    } catch (error) {
      rethrow(error);
    }
  }

  /** `getAuthorizationUrlWithPKCE(options)` → `Promise<{url, state, codeVerifier}>` (async, as the SDK). */
  async getAuthorizationUrlWithPKCE(options) {
    const { codeVerifier, codeChallenge } = core.pkcePair(randomBytes(32));
    const state = options.state ?? core.pkcePair(randomBytes(32)).codeVerifier;
    const url = this.getAuthorizationUrl({ ...options, state, codeChallenge, codeChallengeMethod: 'S256' });
    return { url, state, codeVerifier };
  }

  /** `getLogoutUrl({sessionId, returnTo?})`. */
  getLogoutUrl({ sessionId, returnTo }) {
    try {
      return core.logoutUrl(this.workos.baseURL, sessionId ?? '', returnTo || undefined);
    } catch (error) {
      rethrow(error);
    }
  }

  /** `listSessions(userId, {limit, before, after, order})`: an auto-paginating list. */
  async listSessions(userId, options) {
    const fetchPage = async (params) => {
      const page = await this.workos.get(`/user_management/users/${encodeURIComponent(userId)}/sessions`, {
        ...params,
        order: params.order || 'desc',
      });
      return { data: page.data.map(camelSession), listMetadata: page.list_metadata ?? {} };
    };
    return new AutoPaginatable(await fetchPage(options ?? {}), fetchPage, options);
  }

  /** `revokeSession({sessionId})`. */
  async revokeSession({ sessionId }) {
    await this.workos.post('/user_management/sessions/revoke', { session_id: sessionId });
  }
}

/** A password (string or `{id: password}` map) as a comparable cache key: a SHA-256
 *  fingerprint, so that cache entries never hold the secret. The last one is memoised (an app
 *  uses one password; hashing it on every request would cost a wasm call each time). */
let lastPassword;
let lastPasswordKey;
/**
 * A deep copy of a JSON-shaped value (plain objects, arrays, primitives, `undefined` members
 * kept): what callers get from the session cache, so that changing a result never changes the
 * next one. Several times cheaper than `structuredClone` for these small trees.
 */
function copyJson(value) {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object') return value;
  const copy = {};
  for (const key of Object.keys(value)) copy[key] = copyJson(value[key]);
  return copy;
}

function passwordKey(password) {
  if (password === lastPassword && typeof password === 'string') return lastPasswordKey;
  const key = core.passwordFingerprint(password);
  if (typeof password === 'string') {
    lastPassword = password;
    lastPasswordKey = key;
  }
  return key;
}

function strip(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** The sealed session of one request, as `loadSealedSession` returns it. */
export class CookieSession {
  constructor(userManagement, sessionData, cookiePassword) {
    if (!cookiePassword) throw new Error('cookiePassword is required');
    this.userManagement = userManagement;
    this.sessionData = sessionData;
    this.cookiePassword = cookiePassword;
  }

  /** `{authenticated: true, sessionId, organizationId, role, ..., user, accessToken}` or
   *  `{authenticated: false, reason}` exactly as the SDK. */
  async authenticate() {
    const um = this.userManagement;
    if (!this.sessionData) return { authenticated: false, reason: 'no_session_cookie_provided' };
    const cached = um.cachedSession(this.sessionData, this.cookiePassword);
    if (cached !== undefined) return cached;
    const w = um.workos;
    let jwks = um.freshJwks() ?? (await um.getJwks());
    // With node:crypto the seal's HMAC and AES run natively and the core does the rest.
    const opened = nodeCrypto ? openNatively(this.sessionData, this.cookiePassword) : undefined;
    if (opened?.decided) return opened.decided;
    if (opened) return this.finishOpened(opened.plaintext, jwks);
    // Without node:crypto (Workers, browsers): the core opens the cookie, WebCrypto verifies.
    const begin = (keys) => core.beginAuthenticate(this.sessionData, this.cookiePassword, keys, Date.now(), w.leeway, w.issuer);
    let auth = begin(jwks);
    if (auth.unknownKeyId) {
      auth.free();
      jwks = await um.getJwks(true);
      auth = begin(jwks);
    }
    const decided = auth.result;
    if (decided !== undefined) {
      auth.free();
      return decided;
    }
    const token = auth.accessToken;
    const valid = um.isVerified(token) || (await um.verifySignature(JSON.parse(auth.candidateKeys), auth.signedData, auth.signature));
    const { result, expiresAt } = JSON.parse(auth.finish(valid));
    if (!result.authenticated) return result;
    const shaped = withKeys(AUTHENTICATED_KEYS, result);
    um.rememberToken(token, expiresAt);
    um.rememberSession(this.sessionData, this.cookiePassword, shaped, expiresAt);
    return shaped;
  }

  /** The rest of `authenticate()` after node:crypto opened the cookie: one synchronous core
   *  call, node:crypto verifying the signature by key position. */
  async finishOpened(plaintext, jwks) {
    const um = this.userManagement;
    const w = um.workos;
    const tilde = this.sessionData.indexOf('~');
    const suffix = tilde < 0 ? '' : this.sessionData.slice(tilde);
    const known = w.tokenCacheEnabled ? (token) => um.isVerified(token) : undefined;
    const run = () => JSON.parse(core.authenticateOpened(suffix, plaintext, jwks, Date.now(), w.leeway, w.issuer, nodeVerifier(jwks), known));
    let out = run();
    if (out.unknownKeyId) {
      jwks = await um.getJwks(true);
      out = run();
      if (out.unknownKeyId) return { authenticated: false, reason: 'invalid_jwt' };
    }
    const { result, expiresAt } = out;
    if (!result.authenticated) return result;
    const shaped = withKeys(AUTHENTICATED_KEYS, result);
    um.rememberToken(result.accessToken, expiresAt);
    um.rememberSession(this.sessionData, this.cookiePassword, shaped, expiresAt);
    return shaped;
  }

  /** `refresh({organizationId?, cookiePassword?})`: new tokens, resealed (with the new password
   *  when given); the SDK's result object. */
  async refresh({ organizationId, cookiePassword } = {}) {
    const um = this.userManagement;
    const w = um.workos;
    const plan = core.planRefresh(this.sessionData || undefined, this.cookiePassword, Date.now(), w.baseURL, um.clientId ?? '', w.key, organizationId);
    if (!plan.ok) {
      if (plan.error) throw fail(plan.error);
      return refreshResult(plan.result);
    }
    const reply = await w.send(plan.request);
    const out = core.completeRefresh(reply, cookiePassword ?? this.cookiePassword, randomBytes(80));
    if (out.error) throw fail(out.error);
    if (out.ok) {
      this.sessionData = out.sealed;
      if (cookiePassword) this.cookiePassword = cookiePassword;
    }
    return refreshResult(out.result);
  }

  /** `getLogoutUrl({returnTo?})`: needs a valid session (refresh first when it expired). */
  async getLogoutUrl({ returnTo } = {}) {
    const result = await this.authenticate();
    if (!result.authenticated) throw new Error(`Failed to extract session ID for logout URL: ${result.reason}`);
    return this.userManagement.getLogoutUrl({ sessionId: result.sessionId, returnTo });
  }
}

/** iron-session 8's `sealData(data, {password, ttl})`: `ttl` in seconds (default 14 days, 0 =
 *  never expires); a `{id: password}` map seals with the highest id. */
export async function sealData(data, { password, ttl = 14 * 24 * 3600 }) {
  if (data === undefined) throw new TypeError('sealData: data must be JSON-serializable (got undefined)');
  // iron's rule: any non-zero ttl sets an expiration (a negative one is already expired).
  const expiration = ttl ? Date.now() + ttl * 1000 : undefined;
  return core.sealData(data, password, expiration, randomBytes(80));
}

/** iron-session 8's `unsealData(seal, {password})`: `{}` when the seal does not open. */
export async function unsealData(seal, { password }) {
  return core.unsealData(seal, password, Date.now());
}
