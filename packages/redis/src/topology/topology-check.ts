import type { RedisCommandRunner } from '../client/redis-command-runner.js';
import { inspectRedisTopology } from './inspect-redis-topology.js';

/** `warn` (default): the store reads `ROLE` once and warns about a risky topology; `off`: no `ROLE` at all. */
export type TopologyCheckMode = 'warn' | 'off';

export interface TopologyCheckOptions {
  readonly mode: TopologyCheckMode;
  readonly warn: (message: string) => void;
  /** The durability setting's replica count, undefined when durability is off. */
  readonly durableReplicas: number | undefined;
  /** The store, as named in warnings. */
  readonly store: string;
}

/**
 * The topology check a store runs on its own client, the way it runs its eviction check: once,
 * when the store is created if the client is ready then, else at the store's first command once
 * it is. It never holds a request back; it only warns (once).
 */
export function createTopologyCheck(runner: RedisCommandRunner, options: TopologyCheckOptions): { poke(): void } {
  if (options.mode === 'off') return { poke() {} };
  let started = false;
  const start = () => {
    started = true;
    void inspectRedisTopology(runner, options.durableReplicas, "set the store's topologyCheck to 'off'").then(
      ({ problem }) => {
        if (problem === undefined) return;
        try {
          options.warn(`wimse-pep: ${options.store}: ${problem}`);
        } catch {
          // A failing logger must not turn into an unhandled rejection.
        }
      },
    );
  };
  if (runner.ready()) start();
  return {
    poke() {
      if (!started && runner.ready()) start();
    },
  };
}
