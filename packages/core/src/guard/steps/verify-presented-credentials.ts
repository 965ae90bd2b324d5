import { WimseError } from '../../base/errors/wimse-error.js';
import { isPlainObject, oneOf, optionError } from '../../base/options/option-checks.js';
import type {
  HttpSignatureIdentity,
  MtlsIdentity,
  WorkloadIdentity,
  WptIdentity,
} from '../../identity/workload-identity.js';
import type { ReceivedRequest } from '../../request/received-request.js';
import type { WorkloadVerifier } from '../../verifier/create-verifier.js';

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

export interface PresentedVerification {
  readonly verifier: WorkloadVerifier;
  /** The request prepared once; it carries at least a certificate or an application proof. */
  readonly request: ReceivedRequest;
  readonly simultaneous: SimultaneousCredentials;
}

/**
 * Verifies every WIMSE credential the request presents: a client certificate, a WIT with its
 * proof (HTTP signature or WPT), or both (layered: then they must name the same workload unless
 * configured otherwise, and the identity carries both). A credential that is presented and fails
 * is refused: never ignored in favour of another.
 */
export async function verifyPresentedCredentials(options: PresentedVerification): Promise<WorkloadIdentity> {
  const { verifier, request } = options;
  const { presented } = request;
  const certificate = presented.certificate === undefined ? undefined : await verifyCertificate(verifier, request);
  if (presented.applicationProof === undefined) {
    if (certificate) return certificate;
    throw new WimseError('certificate_missing', 'no client certificate was presented');
  }
  // The verifier reads the body only once everything that does not need it has passed.
  const application: HttpSignatureIdentity | WptIdentity = await verifier.verify(request);
  if (!certificate) return application;
  return layered(certificate, application, options.simultaneous);
}

async function verifyCertificate(verifier: WorkloadVerifier, request: ReceivedRequest): Promise<MtlsIdentity> {
  // A verifier of the caller's own making may not know client certificates: refuse, never ignore.
  if (typeof verifier.verifyClientCertificate !== 'function') {
    throw new WimseError('certificate_untrusted', 'this verifier does not accept client certificates');
  }
  const certificate = await verifier.verifyClientCertificate(request);
  if (!certificate) throw new WimseError('certificate_missing', 'no client certificate was presented');
  return certificate;
}

/** Both layers verified: the authority names the caller, and the identity carries both. */
function layered(
  transport: MtlsIdentity,
  application: HttpSignatureIdentity | WptIdentity,
  simultaneous: SimultaneousCredentials,
): WorkloadIdentity {
  if (transport.id !== application.id && (simultaneous.onMismatch ?? 'refuse') === 'refuse') {
    throw new WimseError(
      'identity_mismatch',
      `the client certificate names ${transport.id}, the WIT ${application.id}`,
    );
  }
  const layers = { transport, application };
  const consumedFields = [...new Set([...application.consumedFields, ...transport.consumedFields])];
  return (simultaneous.authority ?? 'wit') === 'mtls'
    ? Object.assign({}, transport, { consumedFields, layered: layers })
    : Object.assign({}, application, { consumedFields, layered: layers });
}

/** Validates the guard's `simultaneousCredentials` option once. */
export function checkSimultaneousCredentials(value: unknown, where: string): SimultaneousCredentials {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw optionError(where, "an object like { authority: 'wit', onMismatch: 'refuse' }", value);
  }
  oneOf(value.authority, ['wit', 'mtls'], `${where}.authority`);
  oneOf(value.onMismatch, ['refuse', 'allow'], `${where}.onMismatch`);
  return value as SimultaneousCredentials;
}
