// workos-edge/hono: Hono middleware; the session is `c.get('workos')`.

import type { MiddlewareHandler } from 'hono';
import type { AuthKitOptions, RefreshCoordinator, Session } from './src/middleware/types.js';

export type { AuthKitOptions, RefreshCoordinator, Session } from './src/middleware/types.js';

/** Context variables set by `authkit()`: `new Hono<{ Variables: WorkOSVariables }>()`. */
export interface WorkOSVariables {
  /** The SDK's authenticate() result when signed in, else null. */
  workos: Session | null;
}

/** Session middleware; answers the sign-in, callback and sign-out routes itself. */
export declare function authkit(options?: AuthKitOptions): MiddlewareHandler<{ Variables: WorkOSVariables }>;
/** Signed in, or the sign-in redirect (pages) / 401 JSON (the rest). */
export declare function requireAuth(): MiddlewareHandler;
/** In an organization (`id`: that one), else 403. */
export declare function requireOrganization(id?: string): MiddlewareHandler;
/** Has role `slug`, else 403. */
export declare function requireRole(slug: string): MiddlewareHandler;
/** Has permission `slug`, else 403. */
export declare function requirePermission(slug: string): MiddlewareHandler;
/** The in-process coordinator (the default). */
export declare function memoryCoordinator(): RefreshCoordinator;
