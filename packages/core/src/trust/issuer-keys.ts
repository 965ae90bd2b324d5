import type { JWTVerifyGetKey } from 'jose';

/** An issuer's keys as the WIT stage uses them. */
export interface IssuerKeys {
  /** The key for a WIT header (jose's key-lookup shape); an unobtainable key set is `unavailable`. */
  readonly getKey: JWTVerifyGetKey;
  /**
   * The generation of the key set in force now (a static set never changes), refreshing a remote
   * set whose maximum age has passed: a cached WIT verified under another generation is verified
   * again, so a withdrawn key withdraws its WITs (threat O8). A number at once while the set is
   * fresh (every warm request asks), a promise when it must be fetched first.
   */
  generation(): number | Promise<number>;
}
