import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** The JOSE `typ` of a Transaction Token (draft-ietf-oauth-transaction-tokens §4.1). */
export const TXN_TOKEN_TYPE = 'txntoken+jwt';

export interface IssueTxnTokenOptions {
  /** The Transaction Token Service's private key. */
  readonly key: KeyObject;
  readonly alg: string;
  readonly kid?: string | undefined;
  /** `aud`: the trust domain in which the token is valid. */
  readonly aud: string;
  /** `sub`: the principal the transaction runs for. */
  readonly sub: string;
  /** `scope`: space-separated. */
  readonly scope: string;
  /** `req_wl`: the workload that asks for the token. */
  readonly reqWl: string;
  /** `txn` (default a new random identifier). */
  readonly txn?: string | undefined;
  readonly tctx?: Readonly<Record<string, unknown>> | undefined;
  readonly rctx?: Readonly<Record<string, unknown>> | undefined;
  readonly iss?: string | undefined;
  readonly ttlSec: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** Signs a Txn-Token with the draft's required claims (`iat`, `aud`, `exp`, `txn`, `sub`, `scope`, `req_wl`). */
export async function issueTxnToken(
  options: IssueTxnTokenOptions,
): Promise<{ token: string; txn: string; exp: number }> {
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  const txn = options.txn ?? randomUUID();
  const exp = iat + options.ttlSec;
  const jwt = new SignJWT({
    txn,
    scope: options.scope,
    req_wl: options.reqWl,
    ...(options.tctx === undefined ? {} : { tctx: options.tctx }),
    ...(options.rctx === undefined ? {} : { rctx: options.rctx }),
  })
    .setProtectedHeader({
      alg: options.alg,
      typ: TXN_TOKEN_TYPE,
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    })
    .setAudience(options.aud)
    .setSubject(options.sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp);
  if (options.iss !== undefined) jwt.setIssuer(options.iss);
  return { token: await jwt.sign(options.key), txn, exp };
}
