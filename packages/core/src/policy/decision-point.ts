import type { JWTPayload } from 'jose';
import { WimseError } from '../errors/wimse-error.js';
import type { WorkloadPolicy } from './types.js';

/** What an external policy decision point is asked. No token, signature or key is ever sent. */
export interface DecisionInput {
  readonly subject: string;
  readonly trustDomain: string;
  readonly method: string;
  readonly target: string;
  readonly claims: Readonly<JWTPayload>;
}

export type DecisionPoint = (input: DecisionInput, signal: AbortSignal) => Promise<boolean>;

/**
 * A policy backed by an external decision point (OPA, Cedar, ...). The call is aborted at the
 * timeout, and no answer, an error or anything but `true` denies: never allow by default.
 */
export function fromDecisionPoint(ask: DecisionPoint, options: { timeoutMs: number }): WorkloadPolicy {
  if (typeof ask !== 'function') throw new TypeError('fromDecisionPoint needs a function');
  const { timeoutMs } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('fromDecisionPoint timeoutMs must be positive');
  return async (identity, request) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new WimseError('policy_denied', `the decision point did not answer within ${timeoutMs} ms`));
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
      return (await Promise.race([ask(input, controller.signal), timeout])) === true;
    } catch (cause) {
      if (cause instanceof WimseError) throw cause;
      throw new WimseError('policy_denied', 'the decision point failed', { cause });
    } finally {
      clearTimeout(timer);
    }
  };
}
