import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import type { IssuerProfile } from '../trust/issuer-profiles.js';

/**
 * The issuer profile's header rules, checked before any key is looked up: a WIT-SVID without
 * `kid` is refused without touching the bundle. (`alg` is held to the profile by the issuer's
 * algorithm allowlist, which the profile bounds at configuration.)
 */
export function checkProfileHeader(header: JWTHeaderParameters, profile: IssuerProfile | undefined): void {
  if (profile === undefined) return;
  if (profile.requireKid && (typeof header.kid !== 'string' || header.kid === '')) {
    throw new WimseError('wit_invalid', `a ${profile.name} WIT must carry kid`);
  }
}

/** The issuer profile's claim rules, checked once the signature verified. */
export function checkProfileClaims(claims: JWTPayload, profile: IssuerProfile | undefined): void {
  if (profile === undefined) return;
  if (profile.refuseAudience && claims.aud !== undefined) {
    throw new WimseError('wit_invalid', `a ${profile.name} WIT must not carry aud`);
  }
  const cnfAlg = (claims.cnf as { jwk?: { alg?: unknown } } | undefined)?.jwk?.alg;
  if (profile.cnfAlgorithms !== undefined && typeof cnfAlg === 'string' && !profile.cnfAlgorithms.includes(cnfAlg)) {
    throw new WimseError('wit_invalid', `cnf.jwk alg ${cnfAlg} is not allowed in a ${profile.name} WIT`);
  }
}
