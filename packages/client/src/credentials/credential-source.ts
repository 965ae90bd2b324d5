import type { WorkloadCredentials } from '@wimse-pep/core';
import { refreshingCredentials } from './refreshing-credentials.js';
import { sendableSource } from './sendable-source.js';
import { staticCredentials } from './static-credentials.js';

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

/** Turns the `credentials` option into a source; a source given as is has its WITs checked before use. */
export function toCredentialSource(option: CredentialsOption, now?: () => number): CredentialSource {
  if (typeof option === 'function') return refreshingCredentials(option, now === undefined ? {} : { now });
  if (isCredentialSource(option)) return sendableSource(option);
  if (typeof option === 'object' && option !== null && typeof (option as WorkloadCredentials).wit === 'string') {
    return staticCredentials(option as WorkloadCredentials, now === undefined ? {} : { now });
  }
  throw new TypeError(
    'credentials must be { wit, privateKey }, a function returning them, or a source such as fileCredentials(...)',
  );
}
