import type { FieldIndex } from '../base/fields/field-index.js';
import type { RequestTransport } from '../base/fields/workload-request.js';
import { type HopTrust, isTrustedHop } from './hop-trust.js';

export type { HopTrust } from './hop-trust.js';

/**
 * What a request carries, decided from its fields and its connection before anything is verified.
 * The guard chooses the proof from it, verifies every credential in it (none is ignored), and
 * audits the proof it names, whatever the outcome.
 */
export interface PresentedCredentials {
  /** A `Workload-Identity-Token` field. */
  readonly wit: boolean;
  /** A `Signature` or `Signature-Input` field. */
  readonly httpSignature: boolean;
  /** A Workload Proof Token: `Authorization: WPT`, or the pre-02 `Workload-Proof-Token` field. */
  readonly wpt: boolean;
  /** An `Authorization: Bearer` field (a credential only on a guard with a `migration` option). */
  readonly bearer: boolean;
  /** The caller's certificate and how it came; a trusted hop's own certificate is not one. */
  readonly certificate: 'tls' | 'forwarded' | undefined;
  /** The application-layer proof the request attempts, if any: a WPT, or an HTTP signature. */
  readonly applicationProof: 'http-signature' | 'wpt' | undefined;
}

/** A WPT credential anywhere in an `Authorization` line, including one a proxy joined with another. */
const WPT_SCHEME_ANYWHERE = /(?:^|,)[ \t]*WPT(?: |$)/i;
const BEARER_SCHEME = /^[ \t]*bearer(?: |$)/i;

export function presentedCredentials(
  fields: FieldIndex,
  transport: RequestTransport | undefined,
  hops: HopTrust,
): PresentedCredentials {
  const authorization = fields.authorization ?? [];
  const wit = fields['workload-identity-token'] !== undefined;
  const httpSignature = fields.signature !== undefined || fields['signature-input'] !== undefined;
  const wpt =
    fields['workload-proof-token'] !== undefined || authorization.some((line) => WPT_SCHEME_ANYWHERE.test(line));
  return {
    wit,
    httpSignature,
    wpt,
    bearer: authorization.some(isBearerScheme),
    certificate: certificateCarrier(fields, transport, hops),
    applicationProof: wpt ? 'wpt' : wit || httpSignature ? 'http-signature' : undefined,
  };
}

/** Whether an `Authorization` line uses the Bearer scheme (case-insensitive, RFC 9110 §11.1). */
export function isBearerScheme(line: string): boolean {
  return BEARER_SCHEME.test(line);
}

/**
 * How the request carries a certificate of the caller, without reading it: `forwarded` (RFC 9440
 * fields, believed only from a trusted hop), `tls` (this service's own handshake), or undefined.
 * A trusted proxy is a hop, not a caller: its own handshake certificate is no caller certificate
 * unless `acceptProxyCertificate` says so.
 */
function certificateCarrier(
  fields: FieldIndex,
  transport: RequestTransport | undefined,
  hops: HopTrust,
): 'tls' | 'forwarded' | undefined {
  if (fields['client-cert'] !== undefined || fields['client-cert-chain'] !== undefined) return 'forwarded';
  if ((transport?.peerCertificates?.length ?? 0) === 0) return undefined;
  if (hops.acceptProxyCertificate || hops.trustedProxies.size === 0) return 'tls';
  return isTrustedHop(transport, hops.trustedProxies) ? undefined : 'tls';
}

/** Whether the request carries any WIMSE credential: a WIT, its proof, or a client certificate. */
export function presentsWimse(presented: PresentedCredentials): boolean {
  return presented.applicationProof !== undefined || presented.certificate !== undefined;
}
