import { BlockList, isIP } from 'node:net';
import { WimseError } from '../errors/wimse-error.js';
import { normalizeAddress } from '../mtls/read-presented-certificate.js';
import { optionError } from '../options/option-checks.js';
import type { WorkloadRequest } from '../types/request.js';

/** Peers allowed to send credentials over plain HTTP; everyone, or a list of addresses and ranges. */
export type PlainHttpPeers = { readonly any: true } | { readonly any: false; readonly list: BlockList };

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
  const list = new BlockList();
  const add = (entry: string, at: string) => {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
      throw optionError(at, "an IP address, a CIDR range such as '10.0.0.0/8', 'loopback' or 'any'", entry);
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
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
  const family = isIP(address);
  if (family !== 0 && peers.list.check(address, family === 6 ? 'ipv6' : 'ipv4')) return;
  throw new WimseError(
    'transport_insecure',
    `credentials sent over plain HTTP from ${address}, which is not a trusted hop (plainHttpFrom)`,
  );
}
