import { createCommandRunner, type RedisClientLike } from '../client/redis-command-runner.js';
import { positiveInteger } from '../options.js';

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
 * the policy in the service's console. On Redis Cluster, run it with a client for each primary.
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
  let policy: string | undefined;
  let problem: string | undefined;
  try {
    policy = readPolicy(await runner.run(['CONFIG', 'GET', 'maxmemory-policy'], undefined, 'eviction check'));
    if (policy === undefined) problem = 'Redis did not report maxmemory-policy';
    else if (policy !== 'noeviction') {
      problem = `Redis maxmemory-policy is ${policy}: under memory pressure it may evict nonces that can still be replayed; set it to noeviction`;
    }
  } catch (error) {
    problem = `could not read Redis maxmemory-policy (${error instanceof Error ? error.message : 'unknown error'}); if CONFIG is disabled (managed service), make sure the policy is noeviction and skip this check`;
  }
  if (problem !== undefined) {
    if (onRisk === 'refuse') throw new Error(`wimse-pep: ${problem}`);
    warn(`wimse-pep: ${problem}`);
  }
  return { policy, safe: problem === undefined };
}

/** CONFIG GET answers ['maxmemory-policy', value] (RESP2) or { 'maxmemory-policy': value } (RESP3). */
function readPolicy(reply: unknown): string | undefined {
  if (Array.isArray(reply)) {
    const value: unknown = reply[1];
    return typeof value === 'string' ? value : undefined;
  }
  if (reply instanceof Map) {
    const value: unknown = reply.get('maxmemory-policy');
    return typeof value === 'string' ? value : undefined;
  }
  if (typeof reply === 'object' && reply !== null) {
    const value: unknown = (reply as Record<string, unknown>)['maxmemory-policy'];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
