// workos-edge/express: Express and Connect middleware; the session is `req.workos`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthKitOptions, RefreshCoordinator, Session } from './src/middleware/types.js';

export type { AuthKitOptions, RefreshCoordinator, Session } from './src/middleware/types.js';

/** A Connect/Express middleware function. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

declare global {
  namespace Express {
    interface Request {
      /** Set by workos-edge's `authkit()`: the SDK's authenticate() result, or null. */
      workos?: Session | null;
    }
  }
}

/** Session middleware (`req.workos`); answers the sign-in, callback and sign-out routes itself. */
export declare function authkit(options?: AuthKitOptions): Middleware;
/** Signed in, or the sign-in redirect (pages) / 401 JSON (the rest). */
export declare function requireAuth(): Middleware;
/** In an organization (`id`: that one), else 403. */
export declare function requireOrganization(id?: string): Middleware;
/** Has role `slug`, else 403. */
export declare function requireRole(slug: string): Middleware;
/** Has permission `slug`, else 403. */
export declare function requirePermission(slug: string): Middleware;
/** The in-process coordinator (the default). */
export declare function memoryCoordinator(): RefreshCoordinator;
