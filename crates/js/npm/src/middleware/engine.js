// The framework-free middleware engine: loads the session of a request (refreshing it when due,
// once per refresh token), answers the sign-in, callback and sign-out routes, and turns unmet
// requirements into replies. It sees requests as `{method, url, header(name)}` and answers
// `{status, headers: [[name, value]], body}`; fetch.js, hono.js and express.js translate.

import * as core from '../core.js';
import { WorkOS, sealData, unsealData } from '../../index.js';
import { coordinate, memoryCoordinator, DEFAULT_TIMING } from './coordinator.js';

const SIGN_IN_TTL_SECONDS = 600;
const STATE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function random(length) {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return bytes;
}

/** The JSON claims of a JWT whose signature was already checked (or whose seal's MAC was). */
function claimsOf(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

const json = (status, body, headers = []) => ({
  status,
  headers: [['content-type', 'application/json'], ['cache-control', 'no-store'], ...headers],
  body: JSON.stringify(body),
});
const redirect = (location, headers = []) => ({
  status: 302,
  headers: [['location', location], ['cache-control', 'no-store'], ...headers],
  body: '',
});

/** A page navigation (gets the sign-in redirect) rather than an API call (gets 401 JSON). */
function isDocument(req) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const dest = req.header('sec-fetch-dest');
  if (dest) return dest === 'document';
  return (req.header('accept') ?? '').includes('text/html');
}

export class AuthKitEngine {
  constructor(config) {
    this.config = config;
    this.workos = new WorkOS(config.apiKey, { clientId: config.clientId, baseUrl: config.baseUrl, fetch: config.fetch });
    this.coordinator = config.coordinator ?? memoryCoordinator();
    this.fallback = this.coordinator.fallback ?? memoryCoordinator();
    this.inflight = new Map();
    this.timing = { ...DEFAULT_TIMING, ...(config.timing ?? {}) };
  }

  cookieOptions(req, maxAge) {
    const c = this.config;
    const secureByUrl = new URL(c.redirectUri ?? req.url).protocol === 'https:';
    return { path: '/', domain: c.cookieDomain, maxAge, sameSite: c.cookieSameSite, secure: c.cookieSecure ?? secureByUrl };
  }

  sessionCookie(req, sealed) {
    return core.setCookie(this.config.cookieName, sealed, this.cookieOptions(req, this.config.cookieMaxAge));
  }

  clearSessionCookie(req) {
    return core.clearCookie(this.config.cookieName, this.cookieOptions(req));
  }

  /**
   * The session of a request: `{session, reason?, setCookie: [], retryAfter?}`. `session` is the
   * SDK's authenticate() result when signed in (refreshed first when its token is due), else null
   * with the SDK's reason string.
   */
  async load(req) {
    const { cookieName, cookiePassword, refreshBufferSeconds } = this.config;
    const sealed = core.cookieValue(req.header('cookie') ?? '', cookieName);
    if (!sealed) return { session: null, reason: 'no_session_cookie_provided', setCookie: [] };
    const users = this.workos.userManagement;
    const auth = await users.loadSealedSession({ sessionData: sealed, cookiePassword }).authenticate();
    if (auth.authenticated) {
      const exp = claimsOf(auth.accessToken).exp;
      if (typeof exp !== 'number' || exp * 1000 - Date.now() > refreshBufferSeconds * 1000) {
        return { session: auth, setCookie: [] };
      }
    } else if (auth.reason !== 'invalid_jwt') {
      return { session: null, reason: auth.reason, setCookie: [this.clearSessionCookie(req)] };
    }
    const outcome = await this.refresh(sealed);
    if (outcome.sealed) {
      const fresh = await users.loadSealedSession({ sessionData: outcome.sealed, cookiePassword }).authenticate();
      if (fresh.authenticated) return { session: fresh, refreshed: true, setCookie: [this.sessionCookie(req, outcome.sealed)] };
      return { session: null, reason: fresh.reason, setCookie: [this.clearSessionCookie(req)] };
    }
    if (!outcome.retryable) return { session: null, reason: outcome.reason, setCookie: [this.clearSessionCookie(req)] };
    // WorkOS is unavailable: a token that is still valid keeps serving; an expired one cannot.
    if (auth.authenticated) return { session: auth, setCookie: [] };
    return { session: null, reason: outcome.reason, retryAfter: outcome.retryAfter ?? 1, setCookie: [] };
  }

  /**
   * Refreshes the session in `sealed` once per refresh token: concurrent callers in this process
   * share one promise, and the coordinator shares the outcome across processes.
   * Resolves to `{sealed}` or `{reason, retryable, retryAfter?}`.
   */
  refresh(sealed) {
    const opened = core.unsealSession(sealed, this.config.cookiePassword, Date.now());
    const refreshToken = opened.ok ? opened.value?.refreshToken : undefined;
    if (typeof refreshToken !== 'string') return Promise.resolve({ reason: 'invalid_session_cookie', retryable: false });
    const key = core.refreshKey(refreshToken, opened.value.organizationId ?? undefined);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.coordinated(key, sealed).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  async coordinated(key, sealed) {
    const work = () => this.callWorkOS(sealed);
    const final = (outcome) => Boolean(outcome.sealed) || !outcome.retryable;
    let spent = false;
    const once = async () => {
      spent = true;
      return work();
    };
    try {
      return await coordinate(this.coordinator, key, once, final, this.timing);
    } catch (error) {
      // The fleet store failed (Redis down): fail open to this process's own coalescing, unless
      // the refresh token was already spent in this attempt.
      this.config.onError?.(error);
      if (spent) return { reason: 'server_error', retryable: true };
      return coordinate(this.fallback, key, work, final, this.timing);
    }
  }

  async callWorkOS(sealed) {
    const session = this.workos.userManagement.loadSealedSession({ sessionData: sealed, cookiePassword: this.config.cookiePassword });
    try {
      const result = await session.refresh();
      if (result.authenticated) return { sealed: result.sealedSession };
      return { reason: result.reason, retryable: Boolean(result.retryable), retryAfter: result.retryAfter };
    } catch (error) {
      this.config.onError?.(error);
      // Thrown by the SDK for replies it does not classify (a 401 for a revoked client, say):
      // the cookie cannot be refreshed, so it is treated like invalid_grant.
      return { reason: error?.code === 'invalid_grant' ? 'invalid_grant' : 'invalid_session_cookie', retryable: false };
    }
  }

  /** A reply for the sign-in, callback or sign-out routes, else undefined. */
  async route(req) {
    if (!this.config.routes) return undefined;
    const { pathname, searchParams } = new URL(req.url);
    if (pathname === this.config.signInPath && req.method === 'GET') {
      return this.signIn(req, {
        returnTo: searchParams.get('returnTo') ?? undefined,
        loginHint: searchParams.get('loginHint') ?? undefined,
        screenHint: searchParams.get('screenHint') ?? undefined,
        organizationId: searchParams.get('organizationId') ?? undefined,
      });
    }
    if (pathname === this.config.callbackPath && req.method === 'GET') return this.callback(req);
    if (pathname === this.config.signOutPath && (req.method === 'GET' || req.method === 'POST')) return this.signOut(req);
    return undefined;
  }

  redirectUri(req) {
    return this.config.redirectUri ?? new URL(this.config.callbackPath, req.url).href;
  }

  signInCookieName(state) {
    return `${this.config.cookieName}-signin-${state.slice(0, 12)}`;
  }

  /** Redirect to AuthKit (PKCE), with the verifier and return path in a sealed 10-minute cookie. */
  async signIn(req, { returnTo, loginHint, screenHint, organizationId } = {}) {
    const url = new URL(req.url);
    const path = core.safeReturnPath(returnTo ?? `${url.pathname}${url.search}`) ?? '/';
    const state = core.pkcePair(random(32)).codeVerifier;
    const { codeVerifier, codeChallenge } = core.pkcePair(random(32));
    const location = this.workos.userManagement.getAuthorizationUrl({
      provider: 'authkit',
      redirectUri: this.redirectUri(req),
      state,
      codeChallenge,
      codeChallengeMethod: 'S256',
      ...(loginHint && { loginHint }),
      ...(screenHint === 'sign-up' || screenHint === 'sign-in' ? { screenHint } : {}),
      ...(organizationId && { organizationId }),
    });
    const flow = await sealData({ state, codeVerifier, returnTo: path }, { password: this.config.cookiePassword, ttl: SIGN_IN_TTL_SECONDS });
    return redirect(location, [['set-cookie', core.setCookie(this.signInCookieName(state), flow, this.cookieOptions(req, SIGN_IN_TTL_SECONDS))]]);
  }

  /** `GET <callback>?code&state`: exchanges the code, sets the session cookie, goes back. */
  async callback(req) {
    const params = new URL(req.url).searchParams;
    const error = params.get('error');
    if (error) return json(400, { error: 'sign_in_failed', reason: error.replace(/[^\w.-]/g, '').slice(0, 64) });
    const code = params.get('code');
    const state = params.get('state') ?? '';
    if (!code || !STATE_SHAPE.test(state)) return json(400, { error: 'invalid_request', reason: 'missing_code_or_state' });
    const flowName = this.signInCookieName(state);
    const clearFlow = core.clearCookie(flowName, this.cookieOptions(req));
    const sealed = core.cookieValue(req.header('cookie') ?? '', flowName);
    const flow = sealed ? await unsealData(sealed, { password: this.config.cookiePassword }) : {};
    if (flow.state !== state) return json(400, { error: 'invalid_request', reason: 'invalid_state' }, [['set-cookie', clearFlow]]);
    try {
      const auth = await this.workos.userManagement.authenticateWithCode({
        code,
        codeVerifier: flow.codeVerifier,
        userAgent: req.header('user-agent'),
        session: { sealSession: true, cookiePassword: this.config.cookiePassword },
      });
      return redirect(flow.returnTo ?? '/', [
        ['set-cookie', clearFlow],
        ['set-cookie', this.sessionCookie(req, auth.sealedSession)],
      ]);
    } catch (e) {
      this.config.onError?.(e);
      return json(e?.status >= 500 || e?.status === undefined ? 502 : 400, { error: 'sign_in_failed', reason: e?.code ?? 'code_exchange_failed' }, [
        ['set-cookie', clearFlow],
      ]);
    }
  }

  /**
   * Clears the cookie and ends the WorkOS session. POST from our origin, or GET as a same-origin
   * (or typed-in) navigation; anything cross-site is refused so no page can sign users out.
   */
  async signOut(req) {
    const origin = new URL(req.url).origin;
    const site = req.header('sec-fetch-site');
    const sentOrigin = req.header('origin');
    const crossSite = (site && site !== 'same-origin' && site !== 'none') || (sentOrigin && sentOrigin !== origin);
    if (crossSite) return json(403, { error: 'forbidden', reason: 'cross_site_sign_out' });
    const returnTo = new URL(this.config.signOutReturnPath, origin).href;
    const clear = ['set-cookie', this.clearSessionCookie(req)];
    const sealed = core.cookieValue(req.header('cookie') ?? '', this.config.cookieName);
    // The seal's MAC vouches for the token inside; its session id is all that logout needs, even
    // when the token itself has expired.
    const opened = sealed ? core.unsealSession(sealed, this.config.cookiePassword, Date.now()) : { ok: false };
    const sid = opened.ok && typeof opened.value?.accessToken === 'string' ? claimsOf(opened.value.accessToken).sid : undefined;
    if (!sid) return redirect(returnTo, [clear]);
    return redirect(this.workos.userManagement.getLogoutUrl({ sessionId: sid, returnTo }), [clear]);
  }

  /**
   * The reply for the first unmet requirement, or undefined when all are met. The session's
   * Set-Cookie lines are not in it: the adapter adds them to whatever response goes out.
   */
  async deny(req, loaded, requirements) {
    if (!requirements.length) return undefined;
    if (!loaded.session) {
      if (loaded.retryAfter !== undefined) {
        return json(503, { error: 'unavailable', reason: loaded.reason }, [['retry-after', String(loaded.retryAfter)]]);
      }
      if (isDocument(req)) return this.signIn(req);
      return json(401, { error: 'unauthorized', reason: loaded.reason });
    }
    for (const requirement of requirements) {
      const unmet = requirement.check(loaded.session);
      if (unmet) return json(403, { error: 'forbidden', reason: unmet });
    }
    return undefined;
  }
}

/** Headers every response to a signed-in request gets: never cached by shared caches. */
export function privateCacheControl(existing) {
  if (existing && /\b(private|no-store)\b/i.test(existing)) return existing;
  return 'private, no-store';
}
