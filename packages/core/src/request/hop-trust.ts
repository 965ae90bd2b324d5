import type { RequestTransport } from '../base/fields/workload-request.js';

/** Which hops are trusted to forward a caller's certificate, and what their own certificate is. */
export interface HopTrust {
  /** Socket addresses whose RFC 9440 fields are believed. */
  readonly trustedProxies: ReadonlySet<string>;
  /** Whether a trusted proxy's own TLS certificate is the caller's when it forwards none. */
  readonly acceptProxyCertificate: boolean;
}

/** Whether the connection comes from one of the trusted hops (by socket address). */
export function isTrustedHop(transport: RequestTransport | undefined, trustedProxies: ReadonlySet<string>): boolean {
  const hop = normalizeAddress(transport?.remoteAddress);
  return hop !== undefined && trustedProxies.has(hop);
}

/** Socket addresses as Node reports them: IPv4 clients of a dual-stack socket look like `::ffff:a.b.c.d`. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
