import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import { hasExpired } from '../expiry/has-expired.js';
import { type CheckedCredentials, checkCredentials } from './check-credentials.js';
import type { CredentialSource } from './credential-source.js';
import { witExpiredError } from './wit-expired-error.js';

export interface StaticCredentialsOptions {
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Fixed credentials: the pair is checked once (the first request fails with a CredentialError
 * when the key does not match `cnf.jwk`), and every request after the WIT's `exp` fails too:
 * use `fileCredentials` or a callback for credentials that rotate.
 */
export function staticCredentials(
  credentials: WorkloadCredentials,
  options: StaticCredentialsOptions = {},
): CredentialSource {
  const now = options.now ?? Date.now;
  let checked: Promise<CheckedCredentials> | undefined;
  return {
    async getCredentials() {
      checked ??= checkCredentials(credentials, 'credentials');
      const current = await checked;
      if (hasExpired(current, now())) throw witExpiredError(current, 'credentials');
      return current.credentials;
    },
  };
}
