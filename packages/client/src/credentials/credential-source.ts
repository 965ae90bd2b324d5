import type { WorkloadCredentials } from '@wimse-pep/core/signing';

/**
 * Where a calling workload's credentials come from. `getCredentials` is called before every
 * request and resolves a WIT with its matching private key, still valid; sources cache, reload
 * and refresh as they need.
 */
export interface CredentialSource {
  getCredentials(): Promise<WorkloadCredentials>;
}

/** A function that obtains fresh credentials, e.g. from an identity server or a workload API. */
export type CredentialsCallback = () => Promise<WorkloadCredentials> | WorkloadCredentials;

/**
 * The `credentials` option: fixed credentials, a callback that is called again before the WIT
 * expires, or any source (`fileCredentials(...)`, `refreshingCredentials(...)`, your own).
 */
export type CredentialsOption = WorkloadCredentials | CredentialsCallback | CredentialSource;

export function isCredentialSource(value: unknown): value is CredentialSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getCredentials?: unknown }).getCredentials === 'function'
  );
}
