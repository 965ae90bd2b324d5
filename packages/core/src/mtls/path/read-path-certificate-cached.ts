import { LRUCache } from 'lru-cache';
import { base64Encode } from '../../base/runtime/bytes.js';
import { type PathCertificate, readPathCertificate } from './read-path-certificate.js';

/**
 * Certificates already read, by their exact DER: a client on a new connection, or another client of
 * the same CA, presents the same intermediates (and often the same leaf) again, and reading one
 * with the ASN.1 schema costs several times Node's own parse. Only what the bytes say is cached,
 * never a verdict: validity, chaining and every path check run on each presentation.
 */
const readCertificates = new LRUCache<string, PathCertificate>({ max: 512 });

/** {@link readPathCertificate}, remembering certificates that read correctly. */
export function readPathCertificateCached(der: Uint8Array): PathCertificate {
  const key = base64Encode(der);
  const known = readCertificates.get(key);
  if (known) return known;
  const certificate = readPathCertificate(der);
  readCertificates.set(key, certificate);
  return certificate;
}
