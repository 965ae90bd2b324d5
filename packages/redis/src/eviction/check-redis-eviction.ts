import { createCommandRunner, type RedisClientLike } from '../client/redis-command-runner.js';
import { positiveInteger } from '../options.js';
import { inspectRedisEviction } from './inspect-redis-eviction.js';

export interface RedisEvictionCheckOptions {
  /**
   * What to do when Redis may evict live nonces, or when its policy cannot be read: `warn`
   * (default) calls `warn` and resolves; `refuse` rejects, so the service does not start.
   */
  readonly onRisk?: 'warn' | 'refuse';
  /** Where warnings go (default `console.warn`). */
  readonly warn?: (message: string) => void;
  /** Longest wait for Redis, in ms (default 2000). */
  readonly timeoutMs?: number;
}

export interface RedisEvictionCheck {
  /** `maxmemory-policy`, or undefined when it could not be read (CONFIG disabled). */
  readonly policy: string | undefined;
  /** True only for `noeviction`: a full Redis then refuses writes (503) instead of forgetting nonces. */
  readonly safe: boolean;
}

/**
 * A startup check: any `maxmemory-policy` other than `noeviction` lets Redis drop keys under
 * memory pressure, and every nonce key has a TTL, so even the `volatile-*` policies may forget a
 * nonce that can still be replayed. Managed services that forbid `CONFIG` make the policy
 * unreadable: with `refuse` that is a refusal too; there, skip this check (the opt-out) and set
 * the policy in the service's console. The stores run the same check on their own client when
 * created (their `evictionCheck` option); this one is for a check of your own, e.g. on Redis
 * Cluster with a client for each primary.
 */
export async function checkRedisEviction(
  client: RedisClientLike,
  options: RedisEvictionCheckOptions = {},
): Promise<RedisEvictionCheck> {
  const onRisk = options.onRisk ?? 'warn';
  if (onRisk !== 'warn' && onRisk !== 'refuse')
    throw new TypeError("checkRedisEviction: onRisk must be 'warn' or 'refuse'");
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const runner = createCommandRunner(client, {
    timeoutMs: positiveInteger(options.timeoutMs, 2000, 'checkRedisEviction: timeoutMs'),
    retryAfterSec: 1,
  });
  const { policy, problem } = await inspectRedisEviction(runner, 'skip this check');
  if (problem !== undefined) {
    if (onRisk === 'refuse') throw new Error(`wimse-pep: ${problem}`);
    warn(`wimse-pep: ${problem}`);
  }
  return { policy, safe: problem === undefined };
}
