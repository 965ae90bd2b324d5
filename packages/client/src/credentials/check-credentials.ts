import { createPublicKey, type KeyObject } from 'node:crypto';
import { resolveSigningKey, type WorkloadCredentials } from '@wimse-pep/core/signing';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { CredentialError } from '../errors/credential-error.js';
import { readSendableWit } from './read-sendable-wit.js';

/** Credentials whose pair has been checked, with the private key imported once. */
export interface CheckedCredentials {
  readonly credentials: WorkloadCredentials & { readonly privateKey: KeyObject };
  /** The WIT's `sub`. */
  readonly subject: string;
  /** The WIT's `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /** The WIT's `iat`, when it has one. */
  readonly issuedAt: number | undefined;
}

/**
 * Checks that `credentials` can sign a request a verifier accepts: a WIT that may be sent (a
 * compact JWS typed `wit+jwt` whose `cnf.jwk` is public: `readSendableWit`) with `sub`, `exp` and
 * `cnf.jwk` (with `alg`), and a private key whose public half is exactly `cnf.jwk`. `where` names
 * the source in error messages (e.g. the file paths).
 */
export async function checkCredentials(credentials: WorkloadCredentials, where: string): Promise<CheckedCredentials> {
  if (typeof credentials !== 'object' || credentials === null || typeof credentials.wit !== 'string') {
    throw new CredentialError(`${where}: credentials must be { wit, privateKey }`);
  }
  const { wit, claims } = readSendableWit(credentials.wit, where);
  if (typeof claims.sub !== 'string') throw new CredentialError(`${where}: the WIT has no sub`);
  if (typeof claims.exp !== 'number') throw new CredentialError(`${where}: the WIT has no exp`);
  const cnfJwk = (claims.cnf as { jwk?: unknown } | undefined)?.jwk;
  if (typeof cnfJwk !== 'object' || cnfJwk === null) throw new CredentialError(`${where}: the WIT has no cnf.jwk`);

  let privateKey: KeyObject;
  try {
    privateKey = resolveSigningKey({ ...credentials, wit }).privateKey;
  } catch (cause) {
    throw new CredentialError(`${where}: ${(cause as Error).message}`, { cause });
  }
  let matches: boolean;
  try {
    const fromKey = await calculateJwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK);
    matches = fromKey === (await calculateJwkThumbprint(cnfJwk as JWK));
  } catch (cause) {
    throw new CredentialError(`${where}: cnf.jwk cannot be compared with the private key`, { cause });
  }
  if (!matches) {
    throw new CredentialError(`${where}: the private key does not match the WIT's cnf.jwk (mismatched pair)`);
  }
  return {
    credentials: { ...credentials, wit, privateKey },
    subject: claims.sub,
    expiresAt: claims.exp,
    issuedAt: typeof claims.iat === 'number' ? claims.iat : undefined,
  };
}
