/**
 * A problem with the caller's own credentials (a WIT and its private key), found before anything
 * is sent: a pair that does not match, an expired WIT, a file that cannot be read. Distinct from
 * `WimseError`, which reports what a peer sent.
 */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}
