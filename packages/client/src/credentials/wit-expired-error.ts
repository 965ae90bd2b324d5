import { CredentialError } from '../errors/credential-error.js';
import type { CheckedCredentials } from './check-credentials.js';

/** Why credentials whose WIT has expired are not used; names the WIT's subject and `exp`. */
export function witExpiredError(checked: CheckedCredentials, where: string): CredentialError {
  return new CredentialError(
    `${where}: the WIT for ${checked.subject} expired at ${new Date(checked.expiresAt * 1000).toISOString()}`,
  );
}
