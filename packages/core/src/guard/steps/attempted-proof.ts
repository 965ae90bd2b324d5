import type { WorkloadProof } from '../../identity/workload-identity.js';
import type { PresentedCredentials } from '../../request/presented-credentials.js';

/**
 * The proof an audit event names before (or without) a verified identity: the application proof
 * when there is one (it is authoritative by default beside a certificate), else the certificate,
 * else a bearer token where bearer tokens are credentials.
 */
export function attemptedProof(presented: PresentedCredentials, bearerIsCredential: boolean): WorkloadProof | 'none' {
  if (presented.applicationProof !== undefined) return presented.applicationProof;
  if (presented.certificate !== undefined) return 'mtls';
  return bearerIsCredential && presented.bearer ? 'bearer' : 'none';
}
