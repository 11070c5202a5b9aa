// One refresh per refresh token. Every engine coalesces inside its process (one promise per
// refresh key); a coordinator extends that to a fleet: the first caller claims the key for a
// short lease and publishes the outcome for a grace period, the others poll for it. The same
// grace period serves a request that still carries the old cookie after the refresh (a second
// tab), which would otherwise spend the single-use refresh token again (invalid_grant).

/** How long a claim lasts if its holder dies, how long outcomes are kept, how long losers wait. */
export const DEFAULT_TIMING = Object.freeze({ leaseMs: 10_000, graceMs: 30_000, waitMs: 12_000, pollMs: 25 });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The in-process coordinator (the default): claims and outcomes in two maps with expiry. */
export function memoryCoordinator() {
  const claims = new Map();
  const results = new Map();
  const live = (map, key) => {
    const entry = map.get(key);
    if (entry && entry.until > Date.now()) return entry;
    map.delete(key);
    return undefined;
  };
  const prune = (map) => {
    if (map.size < 1000) return;
    for (const key of [...map.keys()]) live(map, key);
  };
  return {
    async claim(key, leaseMs) {
      if (live(claims, key)) return false;
      prune(claims);
      claims.set(key, { until: Date.now() + leaseMs });
      return true;
    },
    async publish(key, value, graceMs) {
      prune(results);
      results.set(key, { value, until: Date.now() + graceMs });
      claims.delete(key);
    },
    async result(key) {
      return live(results, key)?.value;
    },
    async release(key) {
      claims.delete(key);
    },
  };
}

/**
 * Runs `work` (resolving to a JSON-serialisable outcome) once per key across everyone sharing
 * `coordinator`; the others get the published outcome. `shouldPublish(outcome)` says whether
 * it is final (a transient failure is not: the claim is released so another caller may try).
 */
export async function coordinate(coordinator, key, work, shouldPublish, timing = DEFAULT_TIMING) {
  const deadline = Date.now() + timing.waitMs;
  for (;;) {
    const published = await coordinator.result(key);
    if (published !== undefined && published !== null) return JSON.parse(published);
    if (await coordinator.claim(key, timing.leaseMs)) {
      // An outcome may have landed between the look and the claim.
      const late = await coordinator.result(key);
      if (late !== undefined && late !== null) {
        await coordinator.release(key);
        return JSON.parse(late);
      }
      let outcome;
      try {
        outcome = await work();
      } catch (error) {
        await coordinator.release(key).catch(() => {});
        throw error;
      }
      // Publishing may fail (the fleet store went away); the outcome is ours either way.
      if (shouldPublish(outcome)) await coordinator.publish(key, JSON.stringify(outcome), timing.graceMs).catch(() => {});
      else await coordinator.release(key).catch(() => {});
      return outcome;
    }
    if (Date.now() >= deadline) return { reason: 'timeout', retryable: true };
    await sleep(timing.pollMs);
  }
}
