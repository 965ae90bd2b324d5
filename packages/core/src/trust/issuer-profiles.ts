/**
 * Issuer profiles as data: the extra rules a kind of identity server's WITs must meet, on top of
 * the WIMSE rules every WIT meets. `wit-svid` is the SPIFFE WIT-SVID standard
 * (spiffe/spiffe `standards/WIT-SVID.md`): `kid` required (§2.1), RS/ES/PS only for the token and
 * for `cnf.jwk` (§2.3, §3.2), a SPIFFE ID as `sub` (§3.1), no `aud` (§3.8).
 */
export interface IssuerProfile {
  readonly name: IssuerProfileName;
  /** Whether the JOSE header must carry `kid`. */
  readonly requireKid: boolean;
  /** JWS algorithms the profile permits for the WIT itself, or undefined for any asymmetric one. */
  readonly witAlgorithms: readonly string[] | undefined;
  /** Algorithms accepted when none are configured, or undefined for the verifier's default. */
  readonly defaultAlgorithms: readonly string[] | undefined;
  /** `cnf.jwk.alg` values the profile permits, or undefined for any asymmetric one. */
  readonly cnfAlgorithms: readonly string[] | undefined;
  /** The one identifier scheme its origins may use, or undefined for any. */
  readonly originScheme: 'wimse' | 'spiffe' | undefined;
  /** Whether `aud` is refused whatever the signature profile tolerates. */
  readonly refuseAudience: boolean;
}

/** The rules an issuer's WITs meet: `wimse` (the WIMSE rules only) or `wit-svid` (SPIFFE WIT-SVIDs, stricter). */
export type IssuerProfileName = 'wimse' | 'wit-svid';

/** WIT-SVID §2.3 and §3.2: RSASSA-PKCS1-v1_5, ECDSA and RSASSA-PSS; no EdDSA. */
const WIT_SVID_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const;

export const issuerProfiles: Readonly<Record<IssuerProfileName, IssuerProfile>> = {
  wimse: {
    name: 'wimse',
    requireKid: false,
    witAlgorithms: undefined,
    defaultAlgorithms: undefined,
    cnfAlgorithms: undefined,
    originScheme: undefined,
    refuseAudience: false,
  },
  'wit-svid': {
    name: 'wit-svid',
    requireKid: true,
    witAlgorithms: WIT_SVID_ALGORITHMS,
    defaultAlgorithms: WIT_SVID_ALGORITHMS,
    cnfAlgorithms: WIT_SVID_ALGORITHMS,
    originScheme: 'spiffe',
    refuseAudience: true,
  },
};
