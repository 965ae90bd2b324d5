import type { RedisCommandRunner } from '../client/redis-command-runner.js';

export interface RedisTopologyInspection {
  /** `master` or `slave` as `ROLE` answers, undefined when it could not be read. */
  readonly role: string | undefined;
  /** Replicas connected to the primary (0 on a replica, or when unknown). */
  readonly replicas: number;
  /** Why this topology is a risk for the store, for a warning; undefined when it is not. */
  readonly problem: string | undefined;
}

/**
 * Reads the role of the store's Redis with one `ROLE` and says what it means for nonces: on a
 * replica every write is refused (READONLY, so every request is a 503); on a primary with
 * replicas and no durability setting, a failover may promote a replica that never received the
 * latest nonces (replication is asynchronous) and their replay window reopens; and a durability
 * setting asking for more replicas than are connected refuses every write. Never rejects.
 */
export async function inspectRedisTopology(
  runner: RedisCommandRunner,
  durableReplicas: number | undefined,
  optOut: string,
): Promise<RedisTopologyInspection> {
  let reply: unknown;
  try {
    reply = await runner.run(['ROLE'], undefined, 'topology check');
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    return {
      role: undefined,
      replicas: 0,
      problem: `could not read the Redis role (${reason}); if ROLE is disabled (managed service), ${optOut}`,
    };
  }
  const role = Array.isArray(reply) ? String(reply[0]) : undefined;
  if (role === 'slave') {
    return {
      role,
      replicas: 0,
      problem: `Redis is a replica (of ${String((reply as unknown[])[1])}:${String((reply as unknown[])[2])}): it refuses every write (READONLY), so every request is refused (503); point the store at the primary`,
    };
  }
  if (role !== 'master') return { role, replicas: 0, problem: undefined };
  const replicas = Array.isArray((reply as unknown[])[2]) ? ((reply as unknown[])[2] as unknown[]).length : 0;
  if (durableReplicas === undefined && replicas > 0) {
    return {
      role,
      replicas,
      problem: `Redis is a primary with ${replicas} replica(s) and the store has no durability setting: replication is asynchronous, so a failover may promote a replica without the latest nonces and accept their requests again; set durability: { replicas, timeoutMs } (or min-replicas-to-write on the primary), see "Replicated and clustered Redis" in the README`,
    };
  }
  if (durableReplicas !== undefined && replicas < durableReplicas) {
    return {
      role,
      replicas,
      problem: `the store's durability asks ${durableReplicas} replica(s) to acknowledge each write but the primary has ${replicas} connected: every write is refused (503) until enough replicas are in sync`,
    };
  }
  return { role, replicas, problem: undefined };
}
