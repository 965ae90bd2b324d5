import type { JSONWebKeySet } from 'jose';
import type { IssuerProfileName } from './issuer-profiles.js';
import type { SpiffeBundleSource } from './spiffe-bundle-key-set.js';

/** Where an issuer's WIT-signing keys come from: never from the token itself. */
export type IssuerKeySource =
  | { readonly jwks: JSONWebKeySet }
  | {
      /** An https URL configured out of band (plain http only on loopback, for development). */
      readonly jwksUri: string;
      /** Minimum time between refetches triggered by an unknown `kid`, in ms (default 30 000). */
      readonly cooldownMs?: number;
      /** How long a fetched key set is used before it is refetched, in ms (default 600 000). */
      readonly cacheMaxAgeMs?: number;
      /** Timeout of one fetch, in ms (default 5 000). */
      readonly timeoutMs?: number;
    }
  /** A SPIFFE trust bundle: its `use: "wit-svid"` keys; the issuer follows the `wit-svid` profile. */
  | SpiffeBundleSource;

/** One identity server allowed to issue WITs for some origins of a trust domain. */
export type IssuerOptions = IssuerKeySource & {
  /**
   * The `iss` value this issuer puts in its WITs. A WIT that carries `iss` must carry exactly
   * this; a WIT without `iss` is accepted unless `requireIssuerClaim` is set.
   */
  readonly issuer?: string;
  readonly requireIssuerClaim?: boolean;
  /**
   * Origins (`scheme://trust-domain`) this issuer may assert identities in. Default: the trust
   * domain under the `wimse` scheme only. Two issuers can never claim the same origin.
   */
  readonly origins?: readonly string[];
  /**
   * JWS algorithms accepted for this issuer's WITs (asymmetric only). Default: ES256, ES384, EdDSA,
   * Ed25519, RS256, PS256. `Ed25519` (RFC 9864) is accepted wherever `EdDSA` is.
   */
  readonly algorithms?: readonly string[];
  /**
   * Extra rules its WITs must meet: `wit-svid` (SPIFFE WIT-SVID: `kid` required, RS/ES/PS only,
   * `spiffe://` origins, no `aud`; the default for keys from a SPIFFE bundle) or `wimse` (none).
   */
  readonly profile?: IssuerProfileName;
};

/** An identifier scheme a CA may vouch for. */
export type X509AuthorityScheme = 'wimse' | 'spiffe';

/** A CA certificate bound to the identifier schemes it vouches for within its trust domain. */
export interface X509AuthorityOptions {
  /** PEM text (possibly several blocks) or DER bytes. */
  readonly certificate: string | Uint8Array;
  /** The CA vouches for `<scheme>://<trust domain>/...` identifiers of these schemes only. */
  readonly schemes: readonly X509AuthorityScheme[];
}

/** One trust domain this service accepts callers from: its WIT issuers and keys, and its X.509 roots for mutual TLS. */
export interface TrustDomainOptions {
  /** The trust domain, e.g. `example.com`: lower-case, as it appears in identifiers. */
  readonly trustDomain: string;
  /** The WIT issuers of this domain; may be omitted when the domain is trusted for mTLS only. */
  readonly issuers?: readonly IssuerOptions[];
  /**
   * CA certificates that may vouch for Workload Identity Certificates of this trust domain, and of
   * no other: PEM text (possibly several blocks) or DER bytes, bound to the schemes of this
   * domain's issuers' origins (`wimse` when it has no issuer), or `{ certificate, schemes }` to say
   * which. `x509AuthoritiesFromSpiffeBundle` gives a SPIFFE bundle's X.509 authorities, bound to
   * `spiffe` only.
   */
  readonly x509Authorities?: readonly (string | Uint8Array | X509AuthorityOptions)[];
  /**
   * The `cnf.jwk.alg` values acceptable for this trust domain's proofs of possession
   * (http-signature-07 §3.1: a proof under any other algorithm is refused). Default: every
   * asymmetric JWS signature algorithm (ES256/384/512, EdDSA, Ed25519, RS256/384/512, PS256/384/512).
   * `Ed25519` is accepted wherever `EdDSA` is.
   */
  readonly proofAlgorithms?: readonly string[];
}
