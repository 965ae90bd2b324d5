import { type IssuerProfile, type IssuerProfileName, issuerProfiles } from './issuer-profiles.js';
import { isSpiffeBundleSource } from './spiffe-bundle-key-set.js';

/**
 * The issuer's profile from configuration: `profile` when set, else `wit-svid` for an issuer whose
 * keys come from a SPIFFE bundle (only SPIFFE issues from one) and `wimse` otherwise.
 */
export function resolveIssuerProfile(options: Readonly<Record<string, unknown>>, where: string): IssuerProfile {
  const bundle = isSpiffeBundleSource(options);
  const name: unknown = options.profile ?? (bundle ? 'wit-svid' : 'wimse');
  if (typeof name !== 'string' || !Object.hasOwn(issuerProfiles, name)) {
    throw new TypeError(`${where}.profile must be one of ${Object.keys(issuerProfiles).join(', ')}`);
  }
  const profile = issuerProfiles[name as IssuerProfileName];
  if (bundle && profile.name !== 'wit-svid') {
    throw new TypeError(`${where}.profile: keys from a SPIFFE bundle sign WIT-SVIDs; use profile "wit-svid"`);
  }
  return profile;
}

/** Checks the configured algorithms and origins against the profile, naming the field at fault. */
export function checkIssuerProfileConfiguration(
  profile: IssuerProfile,
  configured: { readonly algorithms: readonly string[]; readonly origins: readonly string[] },
  where: string,
): void {
  if (profile.witAlgorithms !== undefined) {
    for (const alg of configured.algorithms) {
      if (!profile.witAlgorithms.includes(alg)) {
        throw new TypeError(`${where}.algorithms: ${alg} is not allowed by the ${profile.name} profile`);
      }
    }
  }
  if (profile.originScheme !== undefined) {
    for (const origin of configured.origins) {
      if (!origin.startsWith(`${profile.originScheme}://`)) {
        throw new TypeError(`${where}.origins: ${origin} is not a ${profile.originScheme}:// origin (${profile.name})`);
      }
    }
  }
}

/** Default origins of an issuer in `trustDomain` under its profile. */
export function defaultOrigins(profile: IssuerProfile, trustDomain: string): readonly string[] {
  return [`${profile.originScheme ?? 'wimse'}://${trustDomain}`];
}
