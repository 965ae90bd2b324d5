import { parseItem, parseList } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import { type HopTrust, isTrustedHop } from '../request/hop-trust.js';
import type { ReceivedRequest } from '../request/received-request.js';

/** A client certificate chain and how it reached the service. */
export interface PresentedCertificate {
  /** Leaf first, as DER. */
  readonly chain: readonly Uint8Array[];
  /** `tls`: this service's own TLS handshake; `forwarded`: RFC 9440 fields from a trusted hop. */
  readonly via: 'tls' | 'forwarded';
}

/** Longest accepted `Client-Cert` plus `Client-Cert-Chain`, in characters. */
const MAX_FORWARDED_BYTES = 32_768;

/**
 * The certificate a caller presented, or undefined when there is none. RFC 9440 `Client-Cert`
 * fields are believed only from a configured trusted hop (by socket address): from anyone else
 * they are an attempt to claim an identity never proven in a handshake (threat T3), and refused.
 */
export function readPresentedCertificate(request: ReceivedRequest, hops: HopTrust): PresentedCertificate | undefined {
  const via = request.presented.certificate;
  if (via === 'forwarded') {
    if (!isTrustedHop(request.transport, hops.trustedProxies)) {
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

function malformed(message: string): WimseError {
  return new WimseError('certificate_invalid', message);
}
