import { parseItem, parseList } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';

/** A client certificate chain and how it reached the service. */
export interface PresentedCertificate {
  /** Leaf first, as DER. */
  readonly chain: readonly Uint8Array[];
  /** `tls`: this service's own TLS handshake; `forwarded`: RFC 9440 fields from a trusted hop. */
  readonly via: 'tls' | 'forwarded';
}

/** Which hops are trusted to forward a caller's certificate, and what their own certificate is. */
export interface HopTrust {
  /** Socket addresses whose RFC 9440 fields are believed. */
  readonly trustedProxies: ReadonlySet<string>;
  /** Whether a trusted proxy's own TLS certificate is the caller's when it forwards none. */
  readonly acceptProxyCertificate: boolean;
}

/** Longest accepted `Client-Cert` plus `Client-Cert-Chain`, in characters. */
const MAX_FORWARDED_BYTES = 32_768;

/**
 * How the request carries a certificate of the caller, without reading it: `forwarded` (RFC 9440
 * fields, believed only from a trusted hop), `tls` (this service's own handshake), or undefined.
 * A trusted proxy is a hop, not a caller: its own handshake certificate is no caller certificate
 * unless `acceptProxyCertificate` says so.
 */
export function presentedCertificateCarrier(
  request: Pick<WorkloadRequest, 'headers' | 'transport'>,
  hops: HopTrust,
): PresentedCertificate['via'] | undefined {
  if (fieldLines(request.headers, 'client-cert').length > 0) return 'forwarded';
  if (fieldLines(request.headers, 'client-cert-chain').length > 0) return 'forwarded';
  if ((request.transport?.peerCertificates?.length ?? 0) === 0) return undefined;
  if (hops.acceptProxyCertificate || hops.trustedProxies.size === 0) return 'tls';
  return isTrustedHop(request, hops.trustedProxies) ? undefined : 'tls';
}

/**
 * The certificate a caller presented, or undefined when there is none. RFC 9440 `Client-Cert`
 * fields are believed only from a configured trusted hop (by socket address): from anyone else
 * they are an attempt to claim an identity never proven in a handshake (threat T3), and refused.
 */
export function readPresentedCertificate(request: WorkloadRequest, hops: HopTrust): PresentedCertificate | undefined {
  const via = presentedCertificateCarrier(request, hops);
  if (via === 'forwarded') {
    if (!isTrustedHop(request, hops.trustedProxies)) {
      throw new WimseError('certificate_untrusted', 'Client-Cert was not sent by a trusted hop');
    }
    const forwarded = fieldLines(request.headers, 'client-cert');
    const forwardedChain = fieldLines(request.headers, 'client-cert-chain');
    return { chain: readForwarded(forwarded, forwardedChain), via };
  }
  const presented = request.transport?.peerCertificates;
  if (via === 'tls' && presented) return { chain: presented, via };
  return undefined;
}

/** Whether the connection comes from one of the trusted hops (by socket address). */
export function isTrustedHop(
  request: Pick<WorkloadRequest, 'transport'>,
  trustedProxies: ReadonlySet<string>,
): boolean {
  const hop = normalizeAddress(request.transport?.remoteAddress);
  return hop !== undefined && trustedProxies.has(hop);
}

function readForwarded(leafLines: readonly string[], chainLines: readonly string[]): Uint8Array[] {
  if (leafLines.length !== 1) throw malformed('exactly one Client-Cert field is needed');
  const [leafLine] = leafLines;
  const chainValue = chainLines.join(', ');
  if ((leafLine?.length ?? 0) + chainValue.length > MAX_FORWARDED_BYTES) throw malformed('Client-Cert is too large');
  try {
    const [leaf] = parseItem(leafLine ?? '');
    const rest = chainValue === '' ? [] : parseList(chainValue).map((member) => member[0]);
    return [leaf, ...rest].map((value) => {
      if (!(value instanceof ArrayBuffer)) throw new Error('not a byte sequence');
      return new Uint8Array(value);
    });
  } catch {
    throw malformed('Client-Cert and Client-Cert-Chain must be structured-field byte sequences');
  }
}

/** Socket addresses as Node reports them: IPv4 clients of a dual-stack socket look like `::ffff:a.b.c.d`. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function malformed(message: string): WimseError {
  return new WimseError('certificate_invalid', message);
}
