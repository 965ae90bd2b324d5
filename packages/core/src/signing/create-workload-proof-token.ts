import { tokenHash } from '../base/jose/token-hash.js';
import { boundedInteger, expectNonEmptyString } from '../base/options/option-checks.js';
import { base64urlEncode } from '../base/runtime/bytes.js';
import { randomBase64url } from '../base/runtime/random.js';
import { signBytes } from '../base/runtime/sign-bytes.js';
import type { SigningKey } from './signing-key.js';

/** The claims of a Workload Proof Token to mint: audience, lifetime, and the tokens it binds. */
export interface WorkloadProofTokenOptions {
  /** `aud`: the target URI of the request without query or fragment. */
  readonly audience: string;
  /** Seconds from now to `exp` (default 60). */
  readonly lifetimeSec?: number;
  /** The `Txn-Token` field value the request carries, bound by `tth`. */
  readonly txnToken?: string;
  /** Other context tokens the request carries, by lower-case header name, bound by `oth`. */
  readonly otherTokens?: Readonly<Record<string, string>>;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Creates a fresh Workload Proof Token (draft-ietf-wimse-wpt-02) for one request: typed
 * `wpt+jwt`, signed with the workload key under `cnf.jwk.alg`, with `aud`, a short `exp`, `iat`, a
 * 128-bit random `jti`, `wth` over the WIT and `tth`/`oth` over the context tokens sent with it.
 */
export async function createWorkloadProofToken(key: SigningKey, options: WorkloadProofTokenOptions): Promise<string> {
  const lifetimeSec = boundedInteger(options.lifetimeSec, 60, 1, 3600, 'createWorkloadProofToken: lifetimeSec', ' (s)');
  expectNonEmptyString(options.audience, 'createWorkloadProofToken: audience');
  const nowSec = Math.floor((options.now ?? Date.now)() / 1000);
  const claims: Record<string, unknown> = {
    aud: options.audience,
    exp: nowSec + lifetimeSec,
    iat: nowSec,
    jti: randomBase64url(16),
    wth: tokenHash(key.wit),
  };
  if (options.txnToken !== undefined) claims.tth = tokenHash(options.txnToken.trim());
  const other = Object.entries(options.otherTokens ?? {});
  if (other.length > 0) {
    claims.oth = Object.fromEntries(other.map(([name, value]) => [name.toLowerCase(), tokenHash(value.trim())]));
  }
  const header = { alg: key.alg, typ: 'wpt+jwt' };
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = await signBytes(input, key.privateKey, key.algorithm);
  return `${input}.${base64urlEncode(signature)}`;
}

function encode(value: object): string {
  return base64urlEncode(JSON.stringify(value));
}
