import { randomUUID } from 'node:crypto';
import { signCompactJws } from './compact-jws.js';
import type { TestKeyPair } from './keys.js';
import { NOW_SEC, TRUST_DOMAIN } from './scenario.js';

export const TXN_SERVICE_ISSUER = 'https://tts.td.example';

export interface MintTxnTokenOptions {
  /** The Transaction Token Service's key (or another, for a forged token). */
  readonly key: TestKeyPair;
  /** Claims replacing the defaults; a claim set to `undefined` is left out. */
  readonly claims?: Record<string, unknown>;
  /** Header members replacing the defaults; a member set to `undefined` is left out. */
  readonly header?: Record<string, unknown>;
}

/**
 * Mints a Txn-Token by hand (so that tests can produce any header and claim set a conforming or
 * hostile issuer could): by default a valid draft-ietf-oauth-transaction-tokens-10 token for the
 * test trust domain at the fixed test clock, two minutes long.
 */
export function mintTxnToken(options: MintTxnTokenOptions): string {
  return signCompactJws(
    { alg: options.key.alg, typ: 'txntoken+jwt', kid: options.key.publicJwk.kid, ...options.header },
    {
      iss: TXN_SERVICE_ISSUER,
      iat: NOW_SEC - 10,
      exp: NOW_SEC + 110,
      aud: TRUST_DOMAIN,
      txn: randomUUID(),
      sub: 'user:alice',
      scope: 'orders:read orders:write',
      req_wl: 'wimse://td.example/service/gateway',
      tctx: { action: 'refund', amount: 125 },
      rctx: { req_ip: '192.0.2.7' },
      ...options.claims,
    },
    options.key,
  );
}
