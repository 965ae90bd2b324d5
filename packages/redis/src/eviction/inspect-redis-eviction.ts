import type { RedisCommandRunner } from '../client/redis-command-runner.js';

export interface RedisEvictionInspection {
  /** `maxmemory-policy`, or undefined when it could not be read (CONFIG disabled, Redis unreachable). */
  readonly policy: string | undefined;
  /** Why the policy is a risk or could not be confirmed, for a warning; undefined for `noeviction`. */
  readonly problem: string | undefined;
}

/**
 * Reads `maxmemory-policy` with one `CONFIG GET` and says whether it is safe: only `noeviction`
 * is (every nonce key has a TTL, so the `volatile-*` policies may drop live nonces too). Never
 * rejects: a policy that cannot be read is a problem, worded with `optOut`, the way to skip the
 * check where `CONFIG` is disabled (managed services).
 */
export async function inspectRedisEviction(
  runner: RedisCommandRunner,
  optOut: string,
): Promise<RedisEvictionInspection> {
  let policy: string | undefined;
  try {
    policy = readPolicy(await runner.run(['CONFIG', 'GET', 'maxmemory-policy'], undefined, 'eviction check'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    return {
      policy: undefined,
      problem: `could not read Redis maxmemory-policy (${reason}); if CONFIG is disabled (managed service), make sure the policy is noeviction and ${optOut}`,
    };
  }
  if (policy === undefined) return { policy, problem: 'Redis did not report maxmemory-policy' };
  if (policy !== 'noeviction') {
    return {
      policy,
      problem: `Redis maxmemory-policy is ${policy}: under memory pressure it may evict keys that are still needed (nonces that can still be replayed, migration ratchets); set it to noeviction`,
    };
  }
  return { policy, problem: undefined };
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
