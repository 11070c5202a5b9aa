// workos-edge/redis: the fleet refresh coordinator on Redis or Valkey.

import type { RefreshCoordinator } from './src/middleware/types.js';

export type { RefreshCoordinator } from './src/middleware/types.js';

/** A node-redis client (`sendCommand`) or an ioredis client (`call`), connected. */
export type RedisLike = { sendCommand(args: string[]): Promise<unknown> } | { call(...args: string[]): Promise<unknown> };

/** Options of `redisCoordinator`. */
export interface RedisCoordinatorOptions {
  /** Key prefix, default `workos-edge:refresh:`. */
  prefix?: string;
  /** Per-command timeout in ms (default 250); slower counts as down. */
  timeoutMs?: number;
  /** After a failure, skip Redis for this many ms (default 5000). */
  retryMs?: number;
}

/** One refresh per refresh token across every process sharing this Redis (`SET NX PX`). */
export declare function redisCoordinator(client: RedisLike, options?: RedisCoordinatorOptions): RefreshCoordinator;
