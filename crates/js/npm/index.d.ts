// Types for workos-edge: the @workos-inc/node session API over a Rust/wasm core.

export declare const AuthenticateWithSessionCookieFailureReason: {
  readonly INVALID_JWT: 'invalid_jwt';
  readonly INVALID_SESSION_COOKIE: 'invalid_session_cookie';
  readonly NO_SESSION_COOKIE_PROVIDED: 'no_session_cookie_provided';
};
export type AuthenticateWithSessionCookieFailureReason =
  (typeof AuthenticateWithSessionCookieFailureReason)[keyof typeof AuthenticateWithSessionCookieFailureReason];

export declare const RefreshSessionFailureReason: {
  readonly INVALID_SESSION_COOKIE: 'invalid_session_cookie';
  readonly NO_SESSION_COOKIE_PROVIDED: 'no_session_cookie_provided';
  readonly INVALID_GRANT: 'invalid_grant';
  readonly MFA_ENROLLMENT: 'mfa_enrollment';
  readonly SSO_REQUIRED: 'sso_required';
  readonly RATE_LIMIT_EXCEEDED: 'rate_limit_exceeded';
  readonly TIMEOUT: 'timeout';
  readonly SERVER_ERROR: 'server_error';
  readonly NETWORK_ERROR: 'network_error';
};
export type RefreshSessionFailureReason = (typeof RefreshSessionFailureReason)[keyof typeof RefreshSessionFailureReason];

export interface User {
  object: 'user';
  id: string;
  email: string;
  emailVerified: boolean;
  name?: string | null;
  firstName?: string | null;
  profilePictureUrl?: string | null;
  lastName?: string | null;
  lastSignInAt?: string | null;
  locale?: string | null;
  createdAt: string;
  updatedAt: string;
  externalId?: string | null;
  metadata?: Record<string, string>;
}

export interface Impersonator {
  email: string;
  reason: string | null;
}

export interface AuthenticateWithSessionCookieSuccessResponse {
  authenticated: true;
  sessionId: string;
  organizationId?: string;
  role?: string;
  roles?: string[];
  permissions?: string[];
  entitlements?: string[];
  featureFlags?: string[];
  user: User;
  authenticationMethod?: string;
  impersonator?: Impersonator;
  accessToken: string;
}

export interface AuthenticateWithSessionCookieFailedResponse {
  authenticated: false;
  reason: AuthenticateWithSessionCookieFailureReason;
}

export type AuthenticateResult = AuthenticateWithSessionCookieSuccessResponse | AuthenticateWithSessionCookieFailedResponse;

export interface AuthenticationResponse {
  user: User;
  organizationId?: string | null;
  accessToken: string;
  refreshToken: string;
  impersonator?: Impersonator;
  authenticationMethod?: string;
  oauthTokens?: { accessToken: string; refreshToken?: string; expiresAt?: number; scopes: string[] };
  sealedSession?: string;
  [extra: string]: unknown;
}

export interface RefreshSuccess {
  authenticated: true;
  sealedSession: string;
  session: AuthenticationResponse;
  authenticationMethod?: string;
  sessionId: string;
  organizationId?: string;
  role?: string;
  roles?: string[];
  permissions?: string[];
  entitlements?: string[];
  featureFlags?: string[];
  user: User;
  impersonator?: Impersonator;
}

export interface RefreshFailure {
  authenticated: false;
  reason: RefreshSessionFailureReason;
  retryable: boolean;
  retryAfter?: number;
  /** The error behind a retryable failure (a `WorkOSError` with the SDK's exception `name`). */
  error?: WorkOSError;
}

export type Password = string | Record<string, string>;

export interface WorkOSOptions {
  apiKey?: string;
  clientId?: string;
  apiHostname?: string;
  https?: boolean;
  port?: number;
  /** Full base URL; wins over apiHostname/https/port. */
  baseUrl?: string;
  /** Injected fetch (tests, custom agents). */
  fetch?: typeof fetch;
  /** HTTP timeout in ms (default 60 000, as the SDK). */
  timeout?: number;
  /** Accepted `iss` values; unset = not checked (the SDK's default). */
  issuer?: string | string[];
  /** Seconds of skew tolerated on `exp`/`nbf` (default 0, as the SDK). */
  clockToleranceSeconds?: number;
  /** Remember verified cookies and access tokens until the token's `exp` (default true). */
  tokenCache?: boolean;
}

export interface SessionOptions {
  sealSession: boolean;
  cookiePassword?: string;
}

export declare class WorkOSError extends Error {
  constructor(error: { name?: string; message: string; status?: number; code?: string; requestID?: string });
  status?: number;
  code?: string;
  requestID?: string;
}

export declare class CookieSession {
  sessionData: string | undefined;
  cookiePassword: string;
  authenticate(): Promise<AuthenticateResult>;
  refresh(options?: { organizationId?: string; cookiePassword?: string }): Promise<RefreshSuccess | RefreshFailure>;
  getLogoutUrl(options?: { returnTo?: string }): Promise<string>;
}

export interface Session {
  object: 'session';
  id: string;
  userId: string;
  ipAddress: string | null;
  userAgent: string | null;
  organizationId?: string;
  impersonator?: Impersonator;
  authMethod: string;
  status: 'active' | 'expired' | 'revoked';
  expiresAt: string;
  endedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ListOptions {
  limit?: number;
  before?: string;
  after?: string;
  order?: 'asc' | 'desc';
}

export interface AutoPaginatable<T> extends AsyncIterable<T> {
  object: 'list';
  data: T[];
  listMetadata: { before?: string | null; after?: string | null };
  autoPagination(): Promise<T[]>;
}

interface GrantCommon {
  clientId?: string;
  ipAddress?: string;
  userAgent?: string;
  session?: SessionOptions;
}

export declare class UserManagement {
  readonly clientId: string | undefined;
  loadSealedSession(options: { sessionData: string | undefined; cookiePassword: string }): CookieSession;
  getSessionFromCookie(options: { sessionData: string | undefined; cookiePassword?: string }): Promise<Record<string, unknown> | undefined>;
  authenticateWithCode(options: GrantCommon & { code: string; codeVerifier?: string; invitationToken?: string }): Promise<AuthenticationResponse>;
  authenticateWithPassword(options: GrantCommon & { email: string; password: string; invitationToken?: string }): Promise<AuthenticationResponse>;
  authenticateWithMagicAuth(options: GrantCommon & { code: string; email: string; invitationToken?: string }): Promise<AuthenticationResponse>;
  authenticateWithRefreshToken(options: GrantCommon & { refreshToken: string; organizationId?: string }): Promise<AuthenticationResponse>;
  getAuthorizationUrl(options: {
    clientId?: string;
    redirectUri: string;
    provider?: string;
    connectionId?: string;
    organizationId?: string;
    loginHint?: string;
    domainHint?: string;
    screenHint?: 'sign-in' | 'sign-up';
    state?: string;
    codeChallenge?: string;
    codeChallengeMethod?: string;
    prompt?: string;
    invitationToken?: string;
    maxAge?: number;
    claimNonce?: string;
    providerQueryParams?: Record<string, string | boolean | number>;
    providerScopes?: string[];
  }): string;
  getAuthorizationUrlWithPKCE(
    options: Omit<Parameters<UserManagement['getAuthorizationUrl']>[0], 'codeChallenge' | 'codeChallengeMethod'>,
  ): Promise<{ url: string; state: string; codeVerifier: string }>;
  getLogoutUrl(options: { sessionId: string; returnTo?: string }): string;
  listSessions(userId: string, options?: ListOptions): Promise<AutoPaginatable<Session>>;
  revokeSession(options: { sessionId: string }): Promise<void>;
}

export declare class WorkOS {
  constructor(apiKey?: string | WorkOSOptions, options?: WorkOSOptions);
  readonly baseURL: string;
  readonly clientId: string | undefined;
  readonly userManagement: UserManagement;
}

export declare function sealData(data: unknown, options: { password: Password; ttl?: number }): Promise<string>;
export declare function unsealData<T = Record<string, unknown>>(seal: string, options: { password: Password; ttl?: number }): Promise<T>;
