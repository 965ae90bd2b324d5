import { isInnerList } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import { fieldValue } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { base64Encode } from '../base/runtime/bytes.js';
import { digest, equalInConstantTime, type HashAlgorithm } from '../base/runtime/hash.js';
import { parseDictionary } from '../base/sf/parse-dictionary.js';

/**
 * The RFC 9530 algorithms we accept ("active" in the registry); others are ignored. A Map: a member
 * named `constructor` is an unknown algorithm, not Object.prototype's.
 */
const SUPPORTED_DIGESTS: ReadonlyMap<string, HashAlgorithm> = new Map([
  ['sha-256', 'sha256'],
  ['sha-512', 'sha512'],
]);
export const CONTENT_DIGEST_MAX_BYTES = 4_096;

/**
 * Step 4: `Content-Digest` against the raw body bytes (S13, S14). With a body the field is
 * required; every supported digest present must match; a field that has only unsupported
 * algorithms is a rejection. Without a body, a field that is present is still checked.
 */
export function checkContentDigest(
  headers: WorkloadRequest['headers'],
  body: Uint8Array | undefined,
  hasBody: boolean,
): void {
  const value = fieldValue(headers, 'content-digest');
  if (value === undefined) {
    if (hasBody) throw new WimseError('digest_missing', 'a request with a body needs Content-Digest');
    return;
  }
  if (value.length > CONTENT_DIGEST_MAX_BYTES) throw new WimseError('digest_mismatch', 'Content-Digest is too large');
  let digests: ReturnType<typeof parseDictionary>;
  try {
    digests = parseDictionary(value);
  } catch (cause) {
    throw new WimseError('digest_mismatch', 'Content-Digest is not a structured-field dictionary', { cause });
  }
  const bytes = body ?? new Uint8Array(0);
  let checked = 0;
  for (const [name, member] of digests) {
    const algorithm = SUPPORTED_DIGESTS.get(name);
    if (algorithm === undefined) continue;
    const received = member[0];
    if (isInnerList(member) || !(received instanceof Uint8Array)) {
      throw new WimseError('digest_mismatch', `Content-Digest ${name} is not a byte sequence`);
    }
    if (!equalInConstantTime(received, digest(algorithm, bytes))) {
      throw new WimseError('digest_mismatch', `Content-Digest ${name} does not match the body`);
    }
    checked++;
  }
  if (checked === 0) throw new WimseError('digest_missing', 'Content-Digest has no sha-256 or sha-512 digest');
}

/** Computes a `Content-Digest` field value for the given bytes (used by signers). */
export function contentDigest(body: Uint8Array, algorithm: 'sha-256' | 'sha-512' = 'sha-256'): string {
  return `${algorithm}=:${base64Encode(digest(SUPPORTED_DIGESTS.get(algorithm) as HashAlgorithm, body))}:`;
}
