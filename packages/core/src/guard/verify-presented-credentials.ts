import { WimseError } from '../errors/wimse-error.js';
import { isFieldIndex } from '../request/field-index.js';
import { fieldLines } from '../request/field-lines.js';
import type { HttpSignatureIdentity, MtlsIdentity, WorkloadIdentity, WptIdentity } from '../types/identity.js';
import type { WorkloadRequest } from '../types/request.js';
import type { WorkloadVerifier } from '../verifier/create-verifier.js';

/**
 * A request that carries both a Workload Identity Certificate and a WIT (workload-creds,
 * "simultaneous use"): which one names the caller, and what happens when they disagree.
 */
export interface SimultaneousCredentials {
  /** Which identity the route sees (default `wit`: it is bound to this very request). */
  readonly authority?: 'wit' | 'mtls';
  /** `refuse` (default): different workloads are `identity_mismatch`; `allow`: the authority wins. */
  readonly onMismatch?: 'refuse' | 'allow';
}

const WIT_FIELDS = ['workload-identity-token', 'signature', 'signature-input'];

/** Whether the request presents a client certificate (its own TLS handshake or `Client-Cert`). */
export function carriesClientCertificate(request: Pick<WorkloadRequest, 'headers' | 'transport'>): boolean {
  if ((request.transport?.peerCertificates?.length ?? 0) > 0) return true;
  return (
    fieldLines(request.headers, 'client-cert').length > 0 || fieldLines(request.headers, 'client-cert-chain').length > 0
  );
}

/** Whether the request carries a WIT field or the fields of its HTTP signature. */
export function carriesWitCredentials(request: Pick<WorkloadRequest, 'headers'>): boolean {
  const headers = request.headers;
  if (isFieldIndex(headers)) return WIT_FIELDS.some((name) => headers[name] !== undefined);
  return Object.keys(headers).some((name) => WIT_FIELDS.includes(name.toLowerCase()));
}

/**
 * The proofs of possession a request carries, verified: a client certificate, a WIT with its
 * proof, or both (then they must name the same workload unless configured otherwise). A
 * certificate that is presented and fails is refused: never ignored in favour of the WIT.
 */
export async function verifyPresentedCredentials(
  verifier: WorkloadVerifier,
  request: WorkloadRequest,
  readBody: (() => Promise<Uint8Array | undefined>) | undefined,
  simultaneous: SimultaneousCredentials = {},
): Promise<WorkloadIdentity> {
  const certificate = carriesClientCertificate(request) ? await verifyCertificate(verifier, request) : undefined;
  const carriesWit = carriesWitCredentials(request);
  if (certificate && !carriesWit) return certificate;
  // With no WIT issuer configured, what is missing is the certificate, not a WIT.
  if (!certificate && !carriesWit && verifier.settings?.acceptsWits === false) {
    throw new WimseError('certificate_missing', 'no client certificate was presented');
  }
  // The verifier reads the body only once everything that does not need it has passed.
  const complete = readBody ? { ...request, readBody } : request;
  const wit: HttpSignatureIdentity | WptIdentity = await verifier.verify(complete);
  if (!certificate) return wit;
  return reconcile(certificate, wit, simultaneous);
}

function verifyCertificate(verifier: WorkloadVerifier, request: WorkloadRequest): Promise<MtlsIdentity | undefined> {
  // A verifier of the caller's own making may not know client certificates: refuse, never ignore.
  if (typeof verifier.verifyClientCertificate !== 'function') {
    throw new WimseError('certificate_untrusted', 'this verifier does not accept client certificates');
  }
  return verifier.verifyClientCertificate(request);
}

function reconcile(
  certificate: MtlsIdentity,
  wit: HttpSignatureIdentity | WptIdentity,
  simultaneous: SimultaneousCredentials,
): WorkloadIdentity {
  if (certificate.id !== wit.id && (simultaneous.onMismatch ?? 'refuse') === 'refuse') {
    throw new WimseError('identity_mismatch', `the client certificate names ${certificate.id}, the WIT ${wit.id}`);
  }
  return (simultaneous.authority ?? 'wit') === 'mtls' ? certificate : wit;
}

/** Validates the guard's `simultaneousCredentials` option once. */
export function checkSimultaneousCredentials(value: unknown): SimultaneousCredentials {
  if (value === undefined) return {};
  const options = value as SimultaneousCredentials;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError("simultaneousCredentials must be an object like { authority: 'wit', onMismatch: 'refuse' }");
  }
  if (options.authority !== undefined && options.authority !== 'wit' && options.authority !== 'mtls') {
    throw new TypeError("simultaneousCredentials.authority must be 'wit' or 'mtls'");
  }
  if (options.onMismatch !== undefined && options.onMismatch !== 'refuse' && options.onMismatch !== 'allow') {
    throw new TypeError("simultaneousCredentials.onMismatch must be 'refuse' or 'allow'");
  }
  return options;
}
