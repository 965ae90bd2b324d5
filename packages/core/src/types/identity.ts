import type { JWTPayload } from 'jose';
import type { ProfileName } from '../profiles/profiles.js';

/** What the verifier returns once the WIT and its proof of possession have both been verified. */
export interface WorkloadIdentity {
  /** The workload identifier (`sub` of the WIT), canonical, compared byte for byte. */
  readonly id: string;
  /** The trust domain: the authority of `id`. */
  readonly trustDomain: string;
  /** Scheme and trust domain of `id`, e.g. `wimse://example.com`. */
  readonly origin: string;
  /** The WIT's `iss`, when present. */
  readonly issuer?: string | undefined;
  /** Every claim of the verified WIT. */
  readonly claims: Readonly<JWTPayload>;
  /** RFC 7638 SHA-256 thumbprint of `cnf.jwk`, base64url. */
  readonly keyThumbprint: string;
  /** How possession of the key was proven. */
  readonly proof: 'http-signature';
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
  /** The WIT's `exp`, seconds since the epoch. */
  readonly expiresAt: number;
}
