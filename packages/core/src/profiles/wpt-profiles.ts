/**
 * Workload Proof Token profiles as data: where the WPT travels, which `typ` it carries and which
 * access-token binding it knows. The WPT pipeline reads these fields and never branches on a name.
 */
export interface WptProfile {
  readonly name: WptProfileName;
  /**
   * Where the WPT is: `authorization` (-02: `Authorization: WPT <jwt>`, the only Authorization
   * field of the request) or `workload-proof-token` (-00/-01: its own header field, next to an
   * optional `Authorization: Bearer` access token).
   */
  readonly carrier: 'authorization' | 'workload-proof-token';
  /** JOSE `typ` values accepted (compared case-insensitively, `application/` prefix allowed). */
  readonly types: readonly string[];
  /**
   * Whether `ath` binds a bearer access token in `Authorization` (-00/-01). Where it does not (-02),
   * a request with a WPT cannot carry an access token, and a WPT with `ath` is refused.
   */
  readonly accessTokenHash: boolean;
}

/** The Workload Proof Token profiles: `wpt-02` (the default) and `wpt-01`. */
export type WptProfileName = 'wpt-02' | 'wpt-01';

export const wptProfiles: Readonly<Record<WptProfileName, WptProfile>> = {
  /** draft-ietf-wimse-wpt-02 (27 August 2026): the default. */
  'wpt-02': { name: 'wpt-02', carrier: 'authorization', types: ['wpt+jwt'], accessTokenHash: false },
  /**
   * draft-ietf-wimse-wpt-00/-01 and draft-ietf-wimse-s2s-protocol-07: the `Workload-Proof-Token`
   * header and `ath`, as the published examples send them. Opt-in only.
   */
  'wpt-01': { name: 'wpt-01', carrier: 'workload-proof-token', types: ['wpt+jwt'], accessTokenHash: true },
};

export const defaultWptProfileName: WptProfileName = 'wpt-02';

export function isWptProfileName(value: unknown): value is WptProfileName {
  return typeof value === 'string' && Object.hasOwn(wptProfiles, value);
}
