import { WimseError } from '../../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import { optionError } from '../../base/options/option-checks.js';
import { type AddressRanges, addressRanges, ipVersion } from '../../base/runtime/address.js';
import { normalizeAddress } from '../../request/hop-trust.js';

/** Peers allowed to send credentials over plain HTTP; everyone, or a list of addresses and ranges. */
export type PlainHttpPeers = { readonly any: true } | { readonly any: false; readonly list: AddressRanges };

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/**
 * Validates `plainHttpFrom` once: IP addresses, CIDR ranges, `loopback`, or `any` (default
 * `['loopback']`). The trusted proxies of mutual TLS are trusted hops as well.
 */
export function plainHttpPeers(value: unknown, trustedProxies: ReadonlySet<string>): PlainHttpPeers {
  const where = 'createWorkloadGuard: plainHttpFrom';
  const entries = value === undefined ? ['loopback'] : value;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw optionError(where, "a non-empty array of IP addresses, CIDR ranges, 'loopback' or 'any'", value);
  }
  if (entries.includes('any')) return { any: true };
  const list = addressRanges();
  const add = (entry: string, at: string) => {
    const [address = '', prefix, extra] = entry.split('/');
    const family = ipVersion(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
      throw optionError(at, "an IP address, a CIDR range such as '10.0.0.0/8', 'loopback' or 'any'", entry);
    }
    list.add(address, bits);
  };
  entries.forEach((entry: unknown, i) => {
    if (entry === 'loopback') for (const range of LOOPBACK) add(range, `${where}[${i}]`);
    else if (typeof entry === 'string') add(entry, `${where}[${i}]`);
    else throw optionError(`${where}[${i}]`, "an IP address, a CIDR range, 'loopback' or 'any'", entry);
  });
  for (const proxy of trustedProxies) add(proxy, 'mtls.trustedProxies');
  return { any: false, list };
}

/**
 * Threat O3: credentials that crossed a plain-HTTP hop could be read by anyone on it. A request
 * presenting credentials over plain HTTP is refused unless its peer is a declared trusted hop
 * (by default a proxy or sidecar on this host). A request whose transport the adapter did not
 * describe is left to the adapter; a unix socket peer (no address) is on this host.
 */
export function checkPlainHttp(request: Pick<WorkloadRequest, 'transport'>, peers: PlainHttpPeers): void {
  if (peers.any || request.transport?.encrypted !== false) return;
  const address = normalizeAddress(request.transport.remoteAddress);
  if (address === undefined) return;
  if (peers.list.has(address)) return;
  throw new WimseError(
    'transport_insecure',
    `credentials sent over plain HTTP from ${address}, which is not a trusted hop (plainHttpFrom)`,
  );
}
