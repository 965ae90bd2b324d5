import type { RedisCommandRunner } from '../client/redis-command-runner.js';
import { createDurableWriter, type DurableWriter } from '../durability/create-durable-writer.js';
import { createEvictionGuard } from '../eviction/eviction-guard.js';
import { durabilityOption, evictionCheckMode, topologyCheckMode, warnFunction } from '../options.js';
import { createTopologyCheck } from '../topology/topology-check.js';

/** The options every Redis store takes for its safeguards, as the user gave them. */
export interface SafeguardOptions {
  readonly client: unknown;
  readonly evictionCheck?: unknown;
  readonly topologyCheck?: unknown;
  readonly warn?: unknown;
  readonly durability?: unknown;
}

/** What a store runs beside its commands: the eviction and topology checks, and durable writes. */
export interface StoreSafeguards {
  /**
   * Before each command: waits for the eviction check under `refuse` (undefined when there is
   * nothing to wait for, so the hot path has no promise), and starts the topology check once.
   */
  beforeCommand(): Promise<void> | undefined;
  /** The writer that waits for replicas, when `durability` is on. */
  readonly durable: DurableWriter | undefined;
}

/**
 * Checks a store's safeguard options once (`factory` names it in errors) and sets them up over its
 * command runner: the eviction guard, the topology check and, with `durability`, the durable writer
 * on connections of its own.
 */
export function createStoreSafeguards(
  runner: RedisCommandRunner,
  options: SafeguardOptions,
  settings: {
    readonly factory: string;
    readonly store: string;
    readonly timeoutMs: number;
    readonly retryAfterSec: number;
  },
): StoreSafeguards {
  const { factory, store, timeoutMs, retryAfterSec } = settings;
  const durability = durabilityOption(options.durability, factory);
  const warn = warnFunction(options.warn, factory);
  const eviction = createEvictionGuard(runner, {
    mode: evictionCheckMode(options.evictionCheck, factory),
    warn,
    retryAfterSec,
    store,
  });
  const topology = createTopologyCheck(runner, {
    mode: topologyCheckMode(options.topologyCheck, factory),
    warn,
    durableReplicas: durability?.replicas,
    store,
  });
  const durable = durability
    ? createDurableWriter(options.client, { durability, timeoutMs, retryAfterSec, store, clientReady: runner.ready })
    : undefined;
  return {
    durable,
    beforeCommand() {
      const admitted = eviction.admit();
      topology.poke();
      return admitted ?? undefined;
    },
  };
}
