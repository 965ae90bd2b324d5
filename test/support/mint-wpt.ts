import { randomBytes } from 'node:crypto';
import type { WorkloadRequest } from '@wimse-pep/core';
import { tokenHash } from '@wimse-pep/core/signing';
import { signCompactJws } from './compact-jws.js';
import type { TestKeyPair } from './keys.js';
import { AUDIENCE, NOW_SEC, type Scenario } from './scenario.js';

export interface MintWptOptions {
  /** The workload key (the WIT's cnf key), or another key for a forged proof. */
  readonly key: TestKeyPair;
  /** The WIT that `wth` binds. */
  readonly wit: string;
  /** Claims replacing the defaults; a claim set to `undefined` is left out. */
  readonly claims?: Record<string, unknown>;
  /** Header members replacing the defaults; a member set to `undefined` is left out. */
  readonly header?: Record<string, unknown>;
}

/**
 * Mints a WPT by hand (so that tests can produce any header and claim set a conforming or hostile
 * sender could): by default a valid -02 proof for `AUDIENCE/orders` at the fixed test clock.
 */
export function mintWpt(options: MintWptOptions): string {
  return signCompactJws(
    { alg: options.key.alg, typ: 'wpt+jwt', ...options.header },
    {
      aud: `${AUDIENCE}/orders`,
      exp: NOW_SEC + 60,
      iat: NOW_SEC,
      jti: randomBytes(16).toString('base64url'),
      wth: tokenHash(options.wit),
      ...options.claims,
    },
    options.key,
  );
}

/** A request carrying the scenario's WIT and a WPT (`Authorization: WPT`), in the core's shape. */
export function wptWorkloadRequest(
  scenario: Pick<Scenario, 'wit' | 'workloadKey'>,
  options: Partial<MintWptOptions> & { target?: string; method?: string; headers?: Record<string, string> } = {},
): WorkloadRequest & { headers: Record<string, string> & { authorization: string } } {
  const wit = options.wit ?? scenario.wit;
  const token = mintWpt({
    key: options.key ?? scenario.workloadKey,
    wit,
    claims: options.claims,
    header: options.header,
  });
  return {
    method: options.method ?? 'GET',
    target: options.target ?? '/orders',
    headers: { 'workload-identity-token': wit, authorization: `WPT ${token}`, ...options.headers },
  };
}
