import { splitScheme, trustDomainProblem } from './scheme-rules.js';

export interface ParsedWorkloadOrigin {
  readonly scheme: 'wimse' | 'spiffe';
  readonly trustDomain: string;
  /** `scheme://trust-domain`, exactly the configured value. */
  readonly origin: string;
}

/**
 * Validates a configured origin such as `wimse://example.com`: scheme and trust domain only, with
 * the trust-domain rules of identifiers. It checks configuration, not requests, so a mistake is a
 * TypeError thrown once at start-up.
 */
export function parseWorkloadOrigin(value: string): ParsedWorkloadOrigin {
  const split = typeof value === 'string' ? splitScheme(value) : undefined;
  if (!split) throw new TypeError(`${JSON.stringify(value)} is not a lower-case wimse:// or spiffe:// origin`);
  const problem = trustDomainProblem(split.rest);
  if (problem) {
    throw new TypeError(`${JSON.stringify(value)}: ${problem} (an origin has no path, port, userinfo or query)`);
  }
  return { scheme: split.rules.scheme, trustDomain: split.rest, origin: value };
}
