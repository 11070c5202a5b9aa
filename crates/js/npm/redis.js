// workos-edge/redis: a refresh coordinator on Redis or Valkey, so that a fleet of processes
// behind a load balancer spends each single-use refresh token once. Claim: `SET lock NX PX`;
// outcome: `SET result PX` (the new sealed cookie, encrypted, or the terminal reason), read by
// the losers until it appears. Keys hold a hash of the refresh token, never the token.
//
// Any Redis error or a command slower than `timeoutMs` throws, and the middleware falls back to
// coalescing inside the process (fail open); after a failure Redis is skipped for `retryMs`.

/**
 * @param client a connected node-redis client (`sendCommand([...])`) or ioredis (`call(...)`)
 * @param options `prefix` (default "workos-edge:refresh:"), `timeoutMs` (per command, default
 *   250), `retryMs` (how long to skip Redis after a failure, default 5000)
 */
export function redisCoordinator(client, { prefix = 'workos-edge:refresh:', timeoutMs = 250, retryMs = 5000 } = {}) {
  const send =
    typeof client?.sendCommand === 'function'
      ? (args) => client.sendCommand(args)
      : typeof client?.call === 'function'
        ? (args) => client.call(...args)
        : undefined;
  if (!send) throw new TypeError('redisCoordinator: pass a node-redis or ioredis client');
  let downUntil = 0;
  const command = async (args) => {
    if (Date.now() < downUntil) throw new Error('redisCoordinator: Redis unavailable (recent failure)');
    let timer;
    try {
      return await Promise.race([
        send(args),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`redisCoordinator: no reply in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      downUntil = Date.now() + retryMs;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  const lock = (key) => `${prefix}${key}:lock`;
  const result = (key) => `${prefix}${key}:result`;
  return {
    async claim(key, leaseMs) {
      return (await command(['SET', lock(key), '1', 'NX', 'PX', String(Math.ceil(leaseMs))])) === 'OK';
    },
    async publish(key, value, graceMs) {
      await command(['SET', result(key), value, 'PX', String(Math.ceil(graceMs))]);
      await command(['DEL', lock(key)]);
    },
    async result(key) {
      const value = await command(['GET', result(key)]);
      return value === null ? undefined : String(value);
    },
    async release(key) {
      await command(['DEL', lock(key)]);
    },
  };
}
