import {
  type CallerMigrationRecord,
  type CallerUse,
  type MechanismUse,
  type MigrationStore,
  proofOfPossession,
  WimseError,
  type WorkloadProof,
} from '@wimse-pep/core';
import { createCommandRunner, type RedisClientLike } from '../client/redis-command-runner.js';
import type { RedisDurability } from '../durability/create-durable-writer.js';
import type { EvictionCheckMode } from '../eviction/eviction-guard.js';
import { checkKeyPrefix, positiveInteger } from '../options.js';
import { createStoreSafeguards } from '../store/store-safeguards.js';
import type { TopologyCheckMode } from '../topology/topology-check.js';
import { forgetCallerScript, type LuaScript, recordUseScript } from './migration-scripts.js';

export interface RedisMigrationStoreOptions {
  /** Your connected node-redis (v5+) or ioredis client, single node or cluster. */
  readonly client: RedisClientLike;
  /**
   * Prefix of the store's three keys (default `wimse:`): `<prefix>{migration}:records`,
   * `...:plain` and `...:ratcheted`. They carry the hash tag `{migration}` (or your prefix's own
   * tag) so that on Redis Cluster they live on one shard and each update stays one atomic script.
   */
  readonly keyPrefix?: string;
  /** Most callers remembered (default 10 000). */
  readonly maxCallers?: number;
  /** Most route labels remembered per caller (default 32); later routes are not added. */
  readonly maxRoutesPerCaller?: number;
  /** Longest wait for Redis per call, in ms (default 500); then the call rejects with 503 `unavailable`. */
  readonly timeoutMs?: number;
  /** Retry-After, in seconds, on that 503 (default 1). */
  readonly retryAfterSec?: number;
  /**
   * The store checks its own Redis's `maxmemory-policy` when created, as the replay store does
   * (an `allkeys-*` policy may evict the records, ratchets included): `warn` (default), `refuse`
   * (every call rejects with 503 `unavailable` until `noeviction` is confirmed) or `off`.
   */
  readonly evictionCheck?: EvictionCheckMode;
  /** Where the eviction and topology checks' warnings go (default `console.warn`). */
  readonly warn?: (message: string) => void;
  /**
   * For replicated Redis (off by default), as on the replay store: each update (`recordUse`,
   * `reset`) waits until `replicas` replicas hold it, at most `timeoutMs`, on connections of the
   * store's own; fewer in time rejects with 503 `unavailable`, so a ratchet is not lost in a failover.
   */
  readonly durability?: RedisDurability;
  /** `warn` (default): read `ROLE` when created and warn about a replica or unprotected replicas; `off`. */
  readonly topologyCheck?: TopologyCheckMode;
}

/** The migration store; `close()` closes the connections it opened for durable writes (if any). */
export interface RedisMigrationStore extends MigrationStore {
  close(): void;
}

const PROOFS: readonly WorkloadProof[] = ['http-signature', 'wpt', 'mtls', 'bearer'];

/**
 * The migration state of every replica in one place: which callers are ratcheted to WITs and what
 * each still uses. Every update is one Lua script (atomic per caller, first ratchet wins), callers
 * and routes are bounded like the in-memory store, and a Redis that cannot answer is a 503.
 */
export function createRedisMigrationStore(options: RedisMigrationStoreOptions): RedisMigrationStore {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisMigrationStore needs options');
  const prefix = checkKeyPrefix(options.keyPrefix, 'wimse:', 'createRedisMigrationStore');
  const maxCallers = positiveInteger(options.maxCallers, 10_000, 'createRedisMigrationStore: maxCallers');
  const maxRoutes = positiveInteger(options.maxRoutesPerCaller, 32, 'createRedisMigrationStore: maxRoutesPerCaller');
  const retryAfterSec = positiveInteger(options.retryAfterSec, 1, 'createRedisMigrationStore: retryAfterSec');
  const timeoutMs = positiveInteger(options.timeoutMs, 500, 'createRedisMigrationStore: timeoutMs');
  const runner = createCommandRunner(options.client, { timeoutMs, retryAfterSec });
  const { durable, beforeCommand } = createStoreSafeguards(runner, options, {
    factory: 'createRedisMigrationStore',
    store: 'migration store',
    timeoutMs,
    retryAfterSec,
  });
  const keys = [`${prefix}{migration}:records`, `${prefix}{migration}:plain`, `${prefix}{migration}:ratcheted`];
  const records = keys[0] as string;
  // Every command waits for the eviction check under `refuse` (and runs at once otherwise).
  const run = async (args: readonly string[], what: string): Promise<unknown> => {
    const admitted = beforeCommand();
    if (admitted) await admitted;
    return runner.run(args, records, what);
  };
  // Updates go through the durable writer when durability is on (every update writes).
  const write = async (args: readonly string[], what: string): Promise<unknown> => {
    if (!durable) return run(args, what);
    const admitted = beforeCommand();
    if (admitted) await admitted;
    return durable.write(args, records, what, () => true);
  };

  const evaluate = async (lua: LuaScript, args: readonly string[], what: string): Promise<unknown> => {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await write(['EVALSHA', lua.sha1, ...tail], what);
    } catch (error) {
      // First use on this server (or after SCRIPT FLUSH): send the script itself once.
      if (!isNoScript(error)) throw error;
      return write(['EVAL', lua.source, ...tail], what);
    }
  };

  return {
    close: () => durable?.close(),
    async recordUse(use) {
      checkUse(use);
      const possession = proofOfPossession.includes(use.proof) ? '1' : '0';
      const reply = await evaluate(
        recordUseScript,
        [use.id, use.proof, use.route, String(use.atMs), possession, String(maxCallers), String(maxRoutes)],
        'migration recordUse',
      );
      return parseRecord(use.id, reply);
    },
    async get(id) {
      if (typeof id !== 'string') throw new TypeError('get: id must be a string');
      const reply = await run(['HGET', records, id], 'migration get');
      return reply === null ? undefined : parseRecord(id, reply);
    },
    async list() {
      const reply = await run(['HGETALL', records], 'migration list');
      return hashEntries(reply).map(([id, value]) => parseRecord(id, value));
    },
    async reset(id) {
      if (id === undefined) {
        await write(['DEL', ...keys], 'migration reset');
        return;
      }
      if (typeof id !== 'string') throw new TypeError('reset: id must be a string');
      await evaluate(forgetCallerScript, [id], 'migration reset');
    },
  };
}

function isNoScript(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && cause.message.startsWith('NOSCRIPT');
}

function checkUse(use: CallerUse): void {
  if (typeof use !== 'object' || use === null) throw new TypeError('recordUse needs { id, proof, route, atMs }');
  if (typeof use.id !== 'string' || use.id === '') throw new TypeError('recordUse: id must be a non-empty string');
  if (!PROOFS.includes(use.proof)) throw new TypeError('recordUse: proof is not a known proof');
  if (typeof use.route !== 'string') throw new TypeError('recordUse: route must be a string');
  if (!Number.isFinite(use.atMs)) throw new TypeError('recordUse: atMs must be a finite number');
}

interface StoredRecord {
  m?: Record<string, { c?: unknown; f?: unknown; l?: unknown }>;
  r?: unknown;
  t?: unknown;
}

/** The stored JSON back into a frozen record; anything malformed is a store failure (503). */
function parseRecord(id: string, reply: unknown): CallerMigrationRecord {
  let stored: StoredRecord;
  try {
    stored = JSON.parse(String(reply)) as StoredRecord;
  } catch (cause) {
    throw new WimseError('unavailable', 'the migration record in redis is not JSON', { cause });
  }
  const mechanisms: Partial<Record<WorkloadProof, MechanismUse>> = {};
  for (const [proof, use] of Object.entries(stored.m ?? {})) {
    if (!PROOFS.includes(proof as WorkloadProof)) continue;
    if (typeof use.c !== 'number' || typeof use.f !== 'number' || typeof use.l !== 'number') {
      throw new WimseError('unavailable', 'the migration record in redis is malformed');
    }
    mechanisms[proof as WorkloadProof] = Object.freeze({ count: use.c, firstSeenMs: use.f, lastSeenMs: use.l });
  }
  // Lua's cjson writes an empty array as {}.
  const routes = Array.isArray(stored.r) ? stored.r.filter((route): route is string => typeof route === 'string') : [];
  return Object.freeze({
    id,
    mechanisms: Object.freeze(mechanisms),
    routes: Object.freeze(routes),
    ...(typeof stored.t === 'number' ? { ratchetedAtMs: stored.t } : {}),
  });
}

/** HGETALL answers a flat [field, value, ...] array (RESP2), a Map or an object (RESP3). */
function hashEntries(reply: unknown): [string, unknown][] {
  if (Array.isArray(reply)) {
    const entries: [string, unknown][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) entries.push([String(reply[i]), reply[i + 1]]);
    return entries;
  }
  if (reply instanceof Map) return [...reply.entries()].map(([field, value]) => [String(field), value]);
  if (typeof reply === 'object' && reply !== null) return Object.entries(reply);
  throw new WimseError('unavailable', 'redis answered HGETALL with something else than a hash');
}
