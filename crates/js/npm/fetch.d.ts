// workos-edge/fetch: AuthKit sessions for fetch-style handlers (Deno.serve, Bun.serve,
// Cloudflare Workers, Next.js middleware).

import type { AuthKitOptions, Requirement, RefreshCoordinator, Session, SignInOptions } from './src/middleware/types.js';

export type { AuthKitOptions, Requirement, RefreshCoordinator, Session, SignInOptions } from './src/middleware/types.js';

/** What `auth(request)` found. */
export interface AuthResult {
  /** The SDK's authenticate() result when signed in, else null. */
  session: Session | null;
  /** Why `session` is null (the SDK's reason strings). */
  reason: string | undefined;
  /** The session was refreshed for this request (its new cookie is in `setCookie`). */
  refreshed: boolean;
  /** `Set-Cookie` lines to send (a refreshed or cleared session). */
  setCookie: string[];
  /** A ready answer: the auth routes, or an unmet requirement (sign-in redirect, 401, 403, 503). */
  response: Response | undefined;
  /** Your response with `setCookie` added and, when signed in, `Cache-Control: private`. */
  finish(response: Response): Response;
}

/** Per-request options of `auth(request, ...)`. */
export interface AuthCallOptions {
  /** Requirements for this request; unmet → `response` is set. */
  require?: Requirement | Requirement[];
  /** Bindings with WORKOS_* settings (Cloudflare Workers' `env`). */
  env?: Record<string, unknown>;
}

/** The function `authkit()` returns. */
export interface AuthKit {
  (request: Request, options?: AuthCallOptions): Promise<AuthResult>;
  /** Redirect to AuthKit (PKCE, state in a sealed 10-minute cookie). */
  signIn(request: Request, options?: SignInOptions, call?: { env?: Record<string, unknown> }): Promise<Response>;
  /** Clear the cookie and end the WorkOS session. */
  signOut(request: Request, call?: { env?: Record<string, unknown> }): Promise<Response>;
  /** Complete a sign-in at the redirect URI. */
  callback(request: Request, call?: { env?: Record<string, unknown> }): Promise<Response>;
}

/** Creates the session loader; settings from `options`, then `env`, then the process environment. */
export declare function authkit(options?: AuthKitOptions): AuthKit;
/** Any signed-in user. */
export declare function requireAuth(): Requirement;
/** A session in an organization (`id`: that one). */
export declare function requireOrganization(id?: string): Requirement;
/** The role `slug`. */
export declare function requireRole(slug: string): Requirement;
/** The permission `slug`. */
export declare function requirePermission(slug: string): Requirement;
/** The in-process coordinator (the default). */
export declare function memoryCoordinator(): RefreshCoordinator;
/** A Web Request as the middleware engine reads it. */
export declare function requestView(request: Request): { method: string; url: string; header(name: string): string | undefined };
/** A middleware engine reply as a Web Response. */
export declare function toResponse(reply: { status: number; headers: [string, string][]; body: string }): Response;
