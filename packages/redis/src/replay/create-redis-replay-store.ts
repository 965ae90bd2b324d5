import { createHash } from 'node:crypto';
import { type ReplayStore, WimseError } from '@wimse-pep/core';
import { createCommandRunner, type RedisClientLike } from '../client/redis-command-runner.js';
import type { RedisDurability } from '../durability/create-durable-writer.js';
import type { EvictionCheckMode } from '../eviction/eviction-guard.js';
import { checkKeyPrefix, positiveInteger } from '../options.js';
import { createStoreSafeguards } from '../store/store-safeguards.js';
import type { TopologyCheckMode } from '../topology/topology-check.js';

export interface RedisReplayStoreOptions {
  /** Your connected node-redis (v5+) or ioredis client, single node or cluster. */
  readonly client: RedisClientLike;
  /**
   * Prefix of every nonce key (default `wimse:nonce:`). On Redis Cluster, a hash tag such as
   * `{wimse}:nonce:` keeps them on one shard; without one they spread across shards (each check
   * is a single-key command, so both work).
   */
  readonly keyPrefix?: string;
  /** Longest wait for Redis per check, in ms (default 250); then 503 `unavailable`. */
  readonly timeoutMs?: number;
  /** Retry-After, in seconds, on the 503 sent while Redis cannot answer (default 1). */
  readonly retryAfterSec?: number;
  /**
   * The clock used for TTLs when the verifier does not pass its own (it does), in epoch ms.
   * Default `Date.now`. Redis's clock never judges a signature window.
   */
  readonly now?: () => number;
  /**
   * The store checks its own Redis's `maxmemory-policy` when created (one `CONFIG GET`; any
   * policy but `noeviction` may evict nonces that can still be replayed): `warn` (default) warns
   * once through `warn`, records go on; `refuse` fails every record closed (503 `unavailable`)
   * until `noeviction` is confirmed; `off` skips it, for managed services that disable CONFIG
   * (set the policy in their console). On Redis Cluster the client picks one node to ask.
   */
  readonly evictionCheck?: EvictionCheckMode;
  /** Where the eviction and topology checks' warnings go (default `console.warn`). */
  readonly warn?: (message: string) => void;
  /**
   * For replicated Redis (off by default): after each new nonce, wait until `replicas` replicas
   * hold it (`WAIT`, on connections of the store's own to the key's primary, `connections` per
   * primary, default 4), at most `timeoutMs`; fewer in time is a 503 `unavailable`, so a failover
   * cannot forget a nonce the store accepted. Best effort with several replicas: Redis may still
   * promote one that was not among those that acknowledged. See the README.
   */
  readonly durability?: RedisDurability;
  /**
   * The store reads its Redis's `ROLE` when created and warns (through `warn`) when it is a
   * replica (every write refused) or a primary with replicas and no `durability` (a failover may
   * reopen replay windows): `warn` (default) or `off`.
   */
  readonly topologyCheck?: TopologyCheckMode;
}

/** The replay store; `close()` closes the connections it opened for durable writes (if any). */
export interface RedisReplayStore extends ReplayStore {
  close(): void;
}

/**
 * A replay store shared by every replica: one atomic `SET <prefix><sha-256 of key> 1 NX PX <ttl>`
 * per check (never check-then-set), the TTL computed from the verifier's clock as
 * `expiresAtMs - now`. The key is the verifier's replay key, tagged with its kind (`sig:<nonce>`,
 * `wpt:<digest>`), and Redis holds its digest, so an attacker-chosen nonce never becomes an
 * arbitrary key, nor another kind's key, and every key has the same size. Any error, timeout or
 * disconnect is a 503 `unavailable` (fail closed), never an accepted request. The caller id the
 * verifier passes is not used: every replica shares one Redis, sized for all of them.
 *
 * @example
 * ```ts
 * const client = await createClient({ url: process.env.REDIS_URL }).connect(); // or new Redis(...) (ioredis)
 * const pep = wimse({ verifier: { trustDomains, audiences, replayStore: createRedisReplayStore({ client }) } });
 * ```
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): RedisReplayStore {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisReplayStore needs options');
  const keyPrefix = checkKeyPrefix(options.keyPrefix, 'wimse:nonce:', 'createRedisReplayStore');
  const retryAfterSec = positiveInteger(options.retryAfterSec, 1, 'createRedisReplayStore: retryAfterSec');
  const timeoutMs = positiveInteger(options.timeoutMs, 250, 'createRedisReplayStore: timeoutMs');
  const runner = createCommandRunner(options.client, { timeoutMs, retryAfterSec });
  const clock = options.now ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createRedisReplayStore: now must be a function');
  const { durable, beforeCommand } = createStoreSafeguards(runner, options, {
    factory: 'createRedisReplayStore',
    store: 'replay store',
    timeoutMs,
    retryAfterSec,
  });

  return {
    close: () => durable?.close(),
    async addIfAbsent(replayKey: string, expiresAtMs: number, _createdAtMs: number, nowMs?: number) {
      const admitted = beforeCommand();
      if (admitted) await admitted;
      const key = keyPrefix + createHash('sha256').update(replayKey).digest('base64url');
      // At least 1 ms: PX 0 is an error, and a nonce that is already past its window is refused
      // by the verifier's own time checks anyway.
      const ttlMs = Math.max(1, Math.ceil(expiresAtMs - (nowMs ?? clock())));
      const command = ['SET', key, '1', 'NX', 'PX', String(ttlMs)];
      // A replay (nil) wrote nothing and needs no acknowledgement.
      const reply = durable
        ? await durable.write(command, key, 'replay check', (written) => written === 'OK')
        : await runner.run(command, key, 'replay check');
      // OK: recorded now. nil: the key exists, a replay. Anything else is not an answer.
      if (reply === 'OK') return true;
      if (reply === null) return false;
      throw new WimseError('unavailable', 'redis answered SET NX with neither OK nor nil', {
        headers: { 'retry-after': String(retryAfterSec) },
      });
    },
  };
}
