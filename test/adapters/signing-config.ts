import type { ResponseSigningOptions } from '@wimse-pep/core';
import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import { generateTestKey, ISSUER, mintWit, NOW_SEC, type Scenario } from '../support/index.js';
import { SERVER_ID } from './harness.js';

/** How a case's server signs responses: not at all, when asked, or with a key source that fails. */
export type SigningSetup = 'none' | 'requested' | 'failing';

/** The protected service's own WIT and key, from the scenario's issuer. */
export async function serverCredentialsFor(scenario: Scenario): Promise<WorkloadCredentials> {
  const key = generateTestKey('ES256');
  const wit = await mintWit({
    issuerKey: scenario.issuerKey,
    kid: 'issuer-1',
    sub: SERVER_ID,
    cnfJwk: key.publicJwk,
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 3600,
    iss: ISSUER,
  });
  return { wit, privateKey: key.privateKey };
}

export function responseSigningFor(
  setup: SigningSetup | undefined,
  credentials: WorkloadCredentials,
): { responseSigning?: ResponseSigningOptions } {
  if (setup === 'requested') return { responseSigning: { credentials } };
  if (setup === 'failing')
    return { responseSigning: { credentials: () => Promise.reject(new Error('key store down')) } };
  return {};
}
