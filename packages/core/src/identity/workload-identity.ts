import type { JWTPayload } from 'jose';
import type { ProfileName } from '../profiles/profiles.js';
import type { WptProfileName } from '../profiles/wpt-profiles.js';
import type { TransactionContext } from './transaction-context.js';

/**
 * How a caller proved who it is. `http-signature` and `wpt` prove possession of the key bound in a
 * WIT; `mtls` is a Workload Identity Certificate presented in mutual TLS; `bearer` proves nothing
 * beyond holding a token (accepted only during a migration).
 */
export type WorkloadProof = 'http-signature' | 'wpt' | 'mtls' | 'bearer';

/** Every proof, strongest first. */
export const workloadProofs: readonly WorkloadProof[] = ['http-signature', 'wpt', 'mtls', 'bearer'];

/** The proofs that bind the request to a key the caller holds. */
export const proofOfPossession: readonly WorkloadProof[] = ['http-signature', 'wpt', 'mtls'];

/** What every authenticated caller has, whatever the proof. */
interface WorkloadIdentityBase {
  /** The workload identifier, canonical, compared byte for byte. */
  readonly id: string;
  /** The trust domain: the authority of `id`. */
  readonly trustDomain: string;
  /** Scheme and trust domain of `id`, e.g. `wimse://example.com`. */
  readonly origin: string;
  /** The credential's issuer (`iss`), when present. */
  readonly issuer?: string | undefined;
  /** Every claim of the verified credential (the WIT, or the bearer token). */
  readonly claims: Readonly<JWTPayload>;
  /** When the credential expires, seconds since the epoch. */
  readonly expiresAt: number;
  /** How the caller proved who it is. */
  readonly proof: WorkloadProof;
  /** A thumbprint of the key the caller proved it holds; absent for `bearer`. */
  readonly keyThumbprint?: string | undefined;
  /**
   * The request's header fields (lower case) that this proof consumed and verified: the WIT, the
   * signature fields, `authorization` (a WPT, or a bearer token), forwarded `client-cert` fields.
   * A handler that passes the request on must not forward them as they are (threat O2): they are
   * a proof addressed to this service. `withoutConsumedFields` drops them; `txn-token` is never
   * among them (it is forwarded unchanged).
   */
  readonly consumedFields: readonly string[];
  /**
   * Layered authentication (arch §3.3.4): a Workload Identity Certificate in mutual TLS and a WIT
   * with its proof on the same request, both verified. The identity is the authoritative one
   * (`simultaneousCredentials.authority`); both are here.
   */
  readonly layered?: LayeredIdentities | undefined;
  /**
   * The verified Transaction Token of the request (guard option `transactionTokens`): the context
   * the call is made in. Absent when the request carries none or the guard does not read them.
   */
  readonly transaction?: TransactionContext | undefined;
}

/** The transport and the application identity of one request, both verified. */
export interface LayeredIdentities {
  readonly transport: MtlsIdentity;
  readonly application: HttpSignatureIdentity | WptIdentity;
}

/** A WIT whose key was proven with an RFC 9421 HTTP Message Signature over the request. */
export interface HttpSignatureIdentity extends WorkloadIdentityBase {
  readonly proof: 'http-signature';
  /** RFC 7638 SHA-256 thumbprint of `cnf.jwk`, base64url. */
  readonly keyThumbprint: string;
  /** The signature profile the request was verified under. */
  readonly profile: ProfileName;
  /** The label of the verified signature in `Signature-Input`. */
  readonly signatureLabel: string;
  /** The signature's `created`, seconds since the epoch. */
  readonly created: number;
  /** The signature's `expires`, seconds since the epoch. */
  readonly expires: number;
  /** The signature's `nonce`. */
  readonly nonce: string;
  /** The signature's `wimse-aud`, when the profile has it. */
  readonly audience?: string | undefined;
  /** Whether the caller asked for a signed response (`wimse-sign-response`). */
  readonly signResponse: boolean;
  /** The covered components, serialized as in `Signature-Input`, e.g. `"@method"`. */
  readonly coveredComponents: readonly string[];
  /**
   * Dual send during a migration: the bearer token sent beside the WIT (covered by the
   * signature). Context only: the identity is the WIT's.
   */
  readonly bearer?: BearerContext | undefined;
}

/** A verified bearer token that came with a WIT (dual send). */
export interface BearerContext {
  /** The workload identifier the bearer token maps to. */
  readonly id: string;
  /** Every claim of the verified bearer token. */
  readonly claims: Readonly<JWTPayload>;
  /** Whether `id` differs from the WIT's `sub` (only ever true with `subjectMismatch: 'report'`). */
  readonly mismatch: boolean;
}

/** A WIT whose key was proven with a Workload Proof Token. */
export interface WptIdentity extends WorkloadIdentityBase {
  readonly proof: 'wpt';
  /** RFC 7638 SHA-256 thumbprint of `cnf.jwk`, base64url. */
  readonly keyThumbprint: string;
  /** The WPT profile the request was verified under. */
  readonly profile: WptProfileName;
  /** The WPT's `jti`, recorded in the replay store for its sender. */
  readonly jti: string;
  /** The WPT's `exp`, seconds since the epoch. */
  readonly expires: number;
  /** The WPT's `aud` that named this service. */
  readonly audience: string;
  /**
   * Header fields whose tokens the WPT binds (`txn-token`, `oth` entries, `authorization` under the
   * legacy `ath`): only these may inform authorization beside the workload identity.
   */
  readonly boundTokens: readonly string[];
}

/** A Workload Identity Certificate presented in mutual TLS (directly or through a trusted hop). */
export interface MtlsIdentity extends WorkloadIdentityBase {
  readonly proof: 'mtls';
  /** SHA-256 thumbprint of the leaf certificate (DER), base64url. */
  readonly keyThumbprint: string;
}

/** A bearer token, accepted only where a route's migration mode allows it. */
export interface BearerIdentity extends WorkloadIdentityBase {
  readonly proof: 'bearer';
  /** `jwt`: verified with the configured issuer keys; `opaque`: accepted by the `verifyBearer` hook. */
  readonly tokenKind: 'jwt' | 'opaque';
}

/**
 * What the verifier returns once a caller is authenticated. Narrow on `proof` for the fields of
 * one proof (`identity.proof === 'http-signature' && identity.nonce`).
 */
export type WorkloadIdentity = HttpSignatureIdentity | WptIdentity | MtlsIdentity | BearerIdentity;
