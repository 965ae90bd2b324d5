import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { parseWorkloadId } from '@wimse-pep/core';
import { SignJWT } from 'jose';

export interface IssueWitOptions {
  /** The identity server's private key. */
  readonly issuerKey: KeyObject;
  /** Its JWS algorithm (e.g. ES256). */
  readonly alg: string;
  readonly kid?: string | undefined;
  /** The workload identifier; must be canonical (checked with the core's parseWorkloadId). */
  readonly sub: string;
  /** The workload's public key, with `alg`. */
  readonly cnfJwk: Record<string, unknown>;
  readonly ttlSec: number;
  readonly iss?: string | undefined;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** Signs a WIT (`typ: wit+jwt`) binding `cnfJwk` to `sub`. Throws the core's WimseError for a bad `sub`. */
export function issueWit(options: IssueWitOptions): Promise<string> {
  parseWorkloadId(options.sub);
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  const jwt = new SignJWT({ cnf: { jwk: options.cnfJwk } })
    .setProtectedHeader({
      alg: options.alg,
      typ: 'wit+jwt',
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    })
    .setSubject(options.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSec)
    .setJti(randomUUID());
  if (options.iss !== undefined) jwt.setIssuer(options.iss);
  return jwt.sign(options.issuerKey);
}
