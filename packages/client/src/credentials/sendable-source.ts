import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import type { CredentialSource } from './credential-source.js';
import { readSendableWit } from './read-sendable-wit.js';

/**
 * A caller's own credential source, whose WITs pass the same gate as those of the built-in sources
 * (`readSendableWit`) before anything is sent: a source handing over the wrong file, or a WIT
 * whose `cnf.jwk` holds the private key, fails with a CredentialError instead. Each new WIT is
 * checked once.
 */
export function sendableSource(source: CredentialSource): CredentialSource {
  let lastGiven: string | undefined;
  let lastWit = '';
  return {
    async getCredentials(): Promise<WorkloadCredentials> {
      const credentials = await source.getCredentials();
      const given = (credentials as { wit?: unknown } | null | undefined)?.wit;
      if (typeof given !== 'string' || given !== lastGiven) {
        lastWit = readSendableWit(given, 'credentials source').wit;
        lastGiven = given as string;
      }
      return lastWit === given ? credentials : { ...credentials, wit: lastWit };
    },
  };
}
