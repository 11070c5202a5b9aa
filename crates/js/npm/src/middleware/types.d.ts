// Types shared by workos-edge/fetch, /hono and /express.

import type { AuthenticateWithSessionCookieSuccessResponse } from '../../index.js';

/** The signed-in session: the SDK's `authenticate()` success result. */
export type Session = AuthenticateWithSessionCookieSuccessResponse;

/**
 * Why there is no session: the SDK's reason strings (`no_session_cookie_provided`,
 * `invalid_session_cookie`, `invalid_jwt`, and refresh's `invalid_grant`, `mfa_enrollment`,
 * `sso_required`, `rate_limit_exceeded`, `timeout`, `server_error`, `network_error`).
 */
export type Reason = string;

/**
 * A pluggable fleet coordinator: one refresh per refresh token across processes. Keys are hex
 * hashes of the refresh token; values are JSON strings the middleware writes and reads.
 * Any method may throw (the store is down): the middleware then coalesces in-process only.
 */
export interface RefreshCoordinator {
  /** Become the one who refreshes `key` for `leaseMs`; false when someone else holds it. */
  claim(key: string, leaseMs: number): Promise<boolean>;
  /** Publish the outcome for `graceMs` and end the claim. */
  publish(key: string, value: string, graceMs: number): Promise<void>;
  /** The published outcome, if any. */
  result(key: string): Promise<string | undefined>;
  /** End the claim without an outcome (a transient failure: someone else may try). */
  release(key: string): Promise<void>;
}

/** Options, named as authkit-nextjs names them; each falls back to its environment variable. */
export interface AuthKitOptions {
  /** `WORKOS_CLIENT_ID`. */
  clientId?: string;
  /** `WORKOS_API_KEY`. */
  apiKey?: string;
  /** `WORKOS_COOKIE_PASSWORD`, at least 32 characters; the same one your other apps use. */
  cookiePassword?: string;
  /** `WORKOS_REDIRECT_URI`; default: this host's `/auth/callback`. Its path is the callback route. */
  redirectUri?: string;
  /** `WORKOS_COOKIE_NAME`, default `wos-session`. */
  cookieName?: string;
  /** `WORKOS_COOKIE_MAX_AGE` in seconds, default 400 days. */
  cookieMaxAge?: number;
  /** `WORKOS_COOKIE_DOMAIN`; default host-only. */
  cookieDomain?: string;
  /** `WORKOS_COOKIE_SAMESITE`: `lax` (default), `strict` or `none`. */
  cookieSameSite?: 'lax' | 'strict' | 'none';
  /** `WORKOS_COOKIE_SECURE`; default: Secure when the redirect URI (or request) is https. */
  cookieSecure?: boolean;
  /** `WORKOS_API_HOSTNAME`, default `api.workos.com`. */
  apiHostname?: string;
  /** `WORKOS_API_HTTPS`, default true. */
  apiHttps?: boolean;
  /** `WORKOS_API_PORT`. */
  apiPort?: number | string;
  /** `WORKOS_REFRESH_BUFFER_SECONDS`: refresh when the access token expires within this (default 60). */
  refreshBufferSeconds?: number;
  /** Sign-in route, default `/auth/login` (`?returnTo=/path&loginHint=&screenHint=&organizationId=`). */
  signInPath?: string;
  /** Sign-out route, default `/auth/logout` (POST, or GET as a same-origin navigation). */
  signOutPath?: string;
  /** Where sign-out lands, default `/`. */
  signOutReturnPath?: string;
  /** Answer the sign-in, callback and sign-out routes (default true). */
  routes?: boolean;
  /** Fleet coordinator (default: in-process). See `workos-edge/redis`. */
  coordinator?: RefreshCoordinator;
  /** fetch for WorkOS calls (tests, proxies). */
  fetch?: typeof fetch;
  /** Told about errors handled on the way (Redis down, a refresh WorkOS refused); never secrets. */
  onError?: (error: unknown) => void;
  /** Coordinator timing in ms: claim lease, outcome grace period, how long losers wait, poll interval. */
  timing?: { leaseMs?: number; graceMs?: number; waitMs?: number; pollMs?: number };
}

/** A route requirement made by `requireAuth()` and the other `require*` helpers. */
export interface Requirement {
  readonly description: string;
  /** undefined when met, else the reason in the 403 body. */
  check(session: Session): string | undefined;
}

/** Sign-in parameters passed through to AuthKit. */
export interface SignInOptions {
  /** A path on this origin to come back to (anything else becomes `/`). */
  returnTo?: string;
  loginHint?: string;
  screenHint?: 'sign-in' | 'sign-up';
  organizationId?: string;
}
