import type { WorkloadIdentity } from '../identity/workload-identity.js';
import type { VerifiedWit } from './verify-wit.js';

/** What a verified WIT says of its workload: the part of an identity every WIT-based proof shares. */
export type WitIdentity = Pick<
  WorkloadIdentity,
  'id' | 'trustDomain' | 'origin' | 'issuer' | 'claims' | 'keyThumbprint' | 'expiresAt'
> & { readonly keyThumbprint: string };

export function witIdentity(wit: VerifiedWit): WitIdentity {
  return {
    id: wit.subject.id,
    trustDomain: wit.subject.trustDomain,
    origin: wit.subject.origin,
    issuer: typeof wit.claims.iss === 'string' ? wit.claims.iss : undefined,
    claims: wit.claims,
    keyThumbprint: wit.keyThumbprint,
    expiresAt: wit.expiresAt,
  };
}
