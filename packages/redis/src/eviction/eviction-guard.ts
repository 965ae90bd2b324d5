import { WimseError } from '@wimse-pep/core';
import type { RedisCommandRunner } from '../client/redis-command-runner.js';
import { inspectRedisEviction } from './inspect-redis-eviction.js';

/**
 * What a store does about a Redis whose `maxmemory-policy` may evict its keys: `warn` (default)
 * once, `refuse` to record until `noeviction` is confirmed, or `off` (no `CONFIG GET` at all,
 * for managed services that disable CONFIG: set the policy in their console).
 */
export type EvictionCheckMode = 'warn' | 'refuse' | 'off';

export interface EvictionGuardOptions {
  readonly mode: EvictionCheckMode;
  readonly warn: (message: string) => void;
  /** Retry-After, in seconds, of a refusal; also the least time between two checks under `refuse`. */
  readonly retryAfterSec: number;
  /** The store, as named in warnings and refusals. */
  readonly store: string;
}

/** Asked before each of a store's commands: undefined to go on at once, or a promise to await first (it rejects with a 503). */
export interface EvictionGuard {
  admit(): undefined | Promise<void>;
}

/**
 * The eviction check a store runs on its own client. It starts when the store is created, if the
 * client is ready then (else at the store's first command once it is), with one `CONFIG GET`.
 * - `warn`: the store never waits for it; an evicting policy, or one that cannot be read, is
 *   warned about once (a client not yet connected is not a failure: the check waits for it).
 * - `refuse`: every command waits for the check and fails closed (503 `unavailable`, Retry-After)
 *   until it has seen `noeviction`; after a check that did not, the next one runs at most once
 *   per `retryAfterSec`, so a policy set right (`CONFIG SET maxmemory-policy noeviction`) is
 *   picked up without a restart. Once confirmed, it is not checked again.
 * Each distinct problem is warned about once, in both modes.
 */
export function createEvictionGuard(runner: RedisCommandRunner, options: EvictionGuardOptions): EvictionGuard {
  if (options.mode === 'off') return { admit: () => undefined };
  const retryAfter = { 'retry-after': String(options.retryAfterSec) };
  let confirmed = false;
  let checked = false;
  let running: Promise<void> | undefined;
  let warned: string | undefined;
  let failedAtMs = Number.NEGATIVE_INFINITY;

  const check = (): Promise<void> => {
    running ??= inspectRedisEviction(runner, "set the store's evictionCheck to 'off'")
      .then(({ problem }) => {
        checked = true;
        if (problem === undefined) {
          confirmed = true;
          return;
        }
        failedAtMs = Date.now();
        if (problem === warned) return;
        warned = problem;
        try {
          options.warn(`wimse-pep: ${options.store}: ${problem}`);
        } catch {
          // A failing logger must not turn into an unhandled rejection.
        }
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  if (runner.ready()) void check();

  if (options.mode === 'warn') {
    return {
      admit() {
        if (!checked && running === undefined && runner.ready()) void check();
        return undefined;
      },
    };
  }

  const refusal = () =>
    new WimseError(
      'unavailable',
      `the ${options.store} refuses to record until Redis's maxmemory-policy is confirmed to be noeviction (evictionCheck: 'refuse')`,
      { headers: retryAfter },
    );
  const admitWhenConfirmed = async (): Promise<void> => {
    if (running === undefined) {
      if (!runner.ready())
        throw new WimseError('unavailable', `redis is not connected (${options.store} eviction check)`, {
          headers: retryAfter,
        });
      if (Date.now() - failedAtMs < options.retryAfterSec * 1000) throw refusal();
      void check();
    }
    await running;
    if (!confirmed) throw refusal();
  };
  return { admit: () => (confirmed ? undefined : admitWhenConfirmed()) };
}
