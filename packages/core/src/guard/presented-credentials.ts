import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { isBearerScheme } from '../bearer/read-bearer-token.js';
import type { WorkloadProof } from '../identity/workload-identity.js';
import type { PresentedCertificate } from '../mtls/read-presented-certificate.js';
import { type HopTrust, presentedCertificateCarrier } from '../mtls/read-presented-certificate.js';
import { carriesWpt } from '../wpt/read-wpt-token.js';

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
  readonly certificate: PresentedCertificate['via'] | undefined;
  /** The application-layer proof the request attempts, if any: a WPT, or an HTTP signature. */
  readonly applicationProof: 'http-signature' | 'wpt' | undefined;
}

export function presentedCredentials(
  request: Pick<WorkloadRequest, 'headers' | 'transport'>,
  hops: HopTrust,
): PresentedCredentials {
  const { headers } = request;
  const wit = fieldLines(headers, 'workload-identity-token').length > 0;
  const httpSignature =
    fieldLines(headers, 'signature').length > 0 || fieldLines(headers, 'signature-input').length > 0;
  const wpt = carriesWpt(headers);
  return {
    wit,
    httpSignature,
    wpt,
    bearer: fieldLines(headers, 'authorization').some(isBearerScheme),
    certificate: presentedCertificateCarrier(request, hops),
    applicationProof: wpt ? 'wpt' : wit || httpSignature ? 'http-signature' : undefined,
  };
}

/** Whether the request carries any WIMSE credential: a WIT, its proof, or a client certificate. */
export function presentsWimse(presented: PresentedCredentials): boolean {
  return presented.applicationProof !== undefined || presented.certificate !== undefined;
}

/**
 * The proof an audit event names before (or without) a verified identity: the application proof
 * when there is one (it is authoritative by default beside a certificate), else the certificate,
 * else a bearer token where bearer tokens are credentials.
 */
export function attemptedProof(presented: PresentedCredentials, bearerIsCredential: boolean): WorkloadProof | 'none' {
  if (presented.applicationProof !== undefined) return presented.applicationProof;
  if (presented.certificate !== undefined) return 'mtls';
  return bearerIsCredential && presented.bearer ? 'bearer' : 'none';
}
