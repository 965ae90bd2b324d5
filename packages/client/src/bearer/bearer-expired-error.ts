import { CredentialError } from '../errors/credential-error.js';
import type { CheckedBearerToken } from './check-bearer-token.js';

/** Why an expired bearer token is not sent; names when it expired, never the token. */
export function bearerExpiredError(checked: CheckedBearerToken, where: string): CredentialError {
  return new CredentialError(
    `${where}: the bearer token expired at ${new Date((checked.expiresAt ?? 0) * 1000).toISOString()}`,
  );
}
