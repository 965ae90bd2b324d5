import { optionError } from '../base/options/option-checks.js';
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
    throw optionError(`${where}.profile`, `one of ${Object.keys(issuerProfiles).join(', ')}`, name);
  }
  const profile = issuerProfiles[name as IssuerProfileName];
  if (bundle && profile.name !== 'wit-svid') {
    throw optionError(`${where}.profile`, '"wit-svid" for keys from a SPIFFE bundle (they sign WIT-SVIDs)', name);
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
        throw optionError(`${where}.algorithms`, `algorithms the ${profile.name} profile allows`, alg);
      }
    }
  }
  if (profile.originScheme !== undefined) {
    for (const origin of configured.origins) {
      if (!origin.startsWith(`${profile.originScheme}://`)) {
        throw optionError(`${where}.origins`, `${profile.originScheme}:// origins (${profile.name} profile)`, origin);
      }
    }
  }
}

/** Default origins of an issuer in `trustDomain` under its profile. */
export function defaultOrigins(profile: IssuerProfile, trustDomain: string): readonly string[] {
  return [`${profile.originScheme ?? 'wimse'}://${trustDomain}`];
}
