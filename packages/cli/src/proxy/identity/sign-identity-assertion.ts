import { randomUUID } from 'node:crypto';
import type { WorkloadIdentity } from '@wimse-pep/core';
import { SignJWT } from 'jose';
import type { ResolvedProxyConfig } from '../config/resolve-proxy-config.js';

/** The JWT `typ` of the sidecar's identity assertions. */
export const ASSERTION_TYPE = 'wimse-pep-identity+jwt';

/**
 * A signed identity assertion for an upstream reached over a shared path: a short-lived JWT from
 * the sidecar's own key, audience the upstream, for this one request (`htm`, `htp`: its method
 * and path). The upstream verifies it with the sidecar's public key instead of trusting headers.
 */
export async function signIdentityAssertion(
  resolved: ResolvedProxyConfig,
  identity: WorkloadIdentity,
  method: string,
  path: string,
): Promise<string | undefined> {
  const settings = resolved.config.identity.assertion;
  const key = resolved.assertionKey;
  if (!settings || !key) return undefined;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    trust_domain: identity.trustDomain,
    proof: identity.proof,
    htm: method,
    htp: path,
    ...(identity.transaction ? { txn: identity.transaction.txn } : {}),
  })
    .setProtectedHeader({ alg: key.alg, typ: ASSERTION_TYPE, ...(key.kid === undefined ? {} : { kid: key.kid }) })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(identity.id)
    .setIssuedAt(now)
    .setExpirationTime(now + settings.lifetimeSec)
    .setJti(randomUUID())
    .sign(key.privateKey);
}
