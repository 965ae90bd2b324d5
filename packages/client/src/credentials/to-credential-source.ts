import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import { type CredentialSource, type CredentialsOption, isCredentialSource } from './credential-source.js';
import { refreshingCredentials } from './refreshing-credentials.js';
import { sendableSource } from './sendable-source.js';
import { staticCredentials } from './static-credentials.js';

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
