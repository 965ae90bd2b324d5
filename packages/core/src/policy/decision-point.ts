import type { JWTPayload } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { expectFunction, positiveNumber } from '../base/options/option-checks.js';
import type { WorkloadPolicy } from './types.js';

/** What an external policy decision point is asked. No token, signature or key is ever sent. */
export interface DecisionInput {
  /** The verified, canonical workload identifier. */
  readonly subject: string;
  readonly trustDomain: string;
  readonly method: string;
  readonly target: string;
  /** The verified WIT claims. */
  readonly claims: Readonly<JWTPayload>;
}

/** An external policy decision point: resolves whether the request is allowed; must stop when the signal aborts (the deadline passed). */
export type DecisionPoint = (input: DecisionInput, signal: AbortSignal) => Promise<boolean>;

/**
 * A policy backed by an external decision point (OPA, Cedar, ...). The call gets an AbortSignal
 * that is aborted at the timeout; no answer in time or an error is a `policy_denied`, and anything
 * but `true` is a denial: never allow by default.
 */
export function fromDecisionPoint(ask: DecisionPoint, options: { timeoutMs: number }): WorkloadPolicy {
  expectFunction(ask, 'fromDecisionPoint: decision point', 'a function (input, signal) => boolean');
  const timeoutMs = positiveNumber(options?.timeoutMs ?? Number.NaN, 0, 'fromDecisionPoint: timeoutMs');
  return async (identity, request) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new WimseError('policy_denied', `the external decision point timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const input: DecisionInput = {
      subject: identity.id,
      trustDomain: identity.trustDomain,
      method: request.method,
      target: request.target,
      claims: identity.claims,
    };
    try {
      // `then` also catches a decision point that throws synchronously.
      const answer = Promise.resolve().then(() => ask(input, controller.signal));
      return (await Promise.race([answer, timeout])) === true;
    } catch (cause) {
      if (cause instanceof WimseError && cause.code === 'policy_denied') throw cause;
      throw new WimseError('policy_denied', 'the external decision point failed', { cause });
    } finally {
      clearTimeout(timer);
    }
  };
}
