import type { JSONWebKeySet } from 'jose';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { ProfileName } from '../profiles/profiles.js';
import type { WptProfileName } from '../profiles/wpt-profiles.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { IssuerProfileName } from '../trust/issuer-profiles.js';
import type { SpiffeBundleSource } from '../trust/spiffe-bundle-key-set.js';

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

/** What `notIssuedBefore` answers: a time in seconds since the epoch, a Date, or nothing. */
export type NotIssuedBeforeAnswer = number | Date | undefined | null;

/** The audiences this service answers as: fixed origins, or a function of the request. */
export type AudienceOption = readonly string[] | ((request: WorkloadRequest) => readonly string[]);

/** Workload Identity Certificates presented in mutual TLS. */
export interface MutualTlsOptions {
  /**
   * Socket addresses of TLS-terminating proxies whose RFC 9440 `Client-Cert` fields are believed.
   * From any other address those fields are refused. Default: none.
   */
  readonly trustedProxies?: readonly string[];
  /**
   * A trusted proxy is a hop, not a caller: on a connection from one of `trustedProxies`, only
   * `Client-Cert` (and `Client-Cert-Chain`) carry a caller certificate, and the proxy's own TLS
   * client certificate is never taken as the caller's identity. `true` makes that certificate the
   * caller's when the proxy forwards none (for a proxy that is itself the calling workload).
   * Default false.
   */
  readonly acceptProxyCertificate?: boolean;
}

export interface VerifierOptions {
  /** The trust domains whose workloads may call this service. At least one. */
  readonly trustDomains: readonly TrustDomainOptions[];
  /**
   * The origins this service answers as (e.g. `https://orders.internal.example`); a signature's
   * `wimse-aud` must equal one of them followed by the request path. Never derived from `Host`.
   * Required by every profile that carries `wimse-aud`.
   */
  readonly audiences?: AudienceOption;
  /** Signature profile; default `http-sig-07`. */
  readonly profile?: ProfileName;
  /** Allowed clock skew, in seconds, for WIT and signature times (default 60, at most 300). */
  readonly clockToleranceSec?: number;
  /**
   * Longest accepted `expires - created`, in seconds (default 360: the drafts ask for "minutes",
   * and the published -07 examples are signed for 300 to 304 s).
   */
  readonly maxSignatureLifetimeSec?: number;
  /**
   * Longest accepted WIT lifetime, `exp - iat` (or `exp - now` without `iat`), in seconds; a longer
   * one is refused as `wit_invalid` (workload-creds: unreasonably long lifetimes SHOULD be rejected).
   * Default 86 400 (one day).
   */
  readonly maxWitLifetimeSec?: number;
  /**
   * Revocation by time, per workload (threat U2): returns the time (seconds since the epoch, or a
   * Date) before which WITs of `workloadId` must not have been issued, or undefined for none. A WIT
   * whose `iat` is earlier (or that has no `iat`) is refused as `wit_revoked`, also when it was
   * verified and cached before. Called on every verification; bounded by
   * `notIssuedBeforeTimeoutMs`, and a throw or a timeout is `unavailable` (503, fail closed).
   */
  readonly notIssuedBefore?: (workloadId: string) => NotIssuedBeforeAnswer | Promise<NotIssuedBeforeAnswer>;
  /** Time limit of one `notIssuedBefore` call, in ms (default 1 000). */
  readonly notIssuedBeforeTimeoutMs?: number;
  /** Largest accepted `Workload-Identity-Token` value, in bytes (default 8192). */
  readonly maxWitBytes?: number;
  /**
   * Where nonces are remembered; default an in-memory store of 1 000 000 live nonces (one process
   * only: replicas need a shared store such as `@wimse-pep/redis`).
   */
  readonly replayStore?: ReplayStore;
  /**
   * Longest wait for one replay store call, in ms (default 1000, 1 to 60 000): a store that has
   * not answered by then is a 503 `unavailable`, whatever store it is.
   */
  readonly replayStoreTimeoutMs?: number;
  /** How many verified WITs to keep (by exact token) until their `exp`; 0 disables. Default 1000. */
  readonly witCacheSize?: number;
  /** Client certificates: trusted proxies for forwarded certificates (anchors are per trust domain). */
  readonly mtls?: MutualTlsOptions;
  /** The clock, in milliseconds since the epoch; for tests. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Where the request's signature is checked: `thread-pool` (default: libuv's pool, off the event
   * loop; measured best under concurrent load) or `inline` on the event loop (less CPU per request
   * one at a time, no hop; see bench/results/hot-path.md).
   */
  readonly signatureVerification?: 'inline' | 'thread-pool';
  /**
   * Workload Proof Tokens (draft-ietf-wimse-wpt-02), accepted next to HTTP signatures: a request
   * with `Authorization: WPT` takes the WPT pipeline. `false` refuses WPT requests as lacking an
   * HTTP signature. Default: accepted, `wpt-02` profile.
   */
  readonly wpt?: WptOptions | false;
}

/** How Workload Proof Tokens are verified. */
export interface WptOptions {
  /** WPT profile; default `wpt-02`. `wpt-01` reads the older `Workload-Proof-Token` header and `ath`. */
  readonly profile?: WptProfileName;
  /** Longest accepted time from now to a WPT's `exp`, in seconds (default 300). */
  readonly maxLifetimeSec?: number;
  /**
   * Header fields (lower case) whose tokens this service understands as `oth` entries; each must
   * be bound by `oth` whenever the request carries it. Any other `oth` entry refuses the WPT.
   */
  readonly otherTokens?: readonly string[];
  /** Largest accepted WPT, in bytes (default 8192). */
  readonly maxBytes?: number;
}
