import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { checkContentDigest } from './check-content-digest.js';

/**
 * What can be said of the digest before the body is read: a declared non-empty body
 * (`Content-Length` > 0) without any `Content-Digest` field is `digest_missing` already.
 */
export function checkDigestFieldPresent(headers: WorkloadRequest['headers']): void {
  if (fieldLines(headers, 'content-digest').length > 0) return;
  const length = fieldLines(headers, 'content-length')[0];
  if (length !== undefined && /^\s*\d+\s*$/.test(length) && Number(length) > 0) {
    throw new WimseError('digest_missing', 'a request with a body needs Content-Digest');
  }
}

/**
 * The body (`body`, else `readBody()`, called only now) against `Content-Digest`.
 */
export async function checkRequestBody(request: WorkloadRequest): Promise<void> {
  const body = request.body ?? (request.readBody ? await request.readBody() : undefined);
  checkContentDigest(request.headers, body, requestHasBody(request.headers, body));
}

/**
 * A body is present when bytes were received or the framing says so (Content-Length > 0 or
 * Transfer-Encoding). Framing without bytes means the adapter could not read the raw body: that
 * is refused rather than letting the digest check be skipped.
 */
function requestHasBody(headers: WorkloadRequest['headers'], body: Uint8Array | undefined): boolean {
  if (body !== undefined) return body.byteLength > 0;
  const length = fieldLines(headers, 'content-length')[0];
  const framed = (length !== undefined && length.trim() !== '0') || fieldLines(headers, 'transfer-encoding').length > 0;
  if (framed) throw new WimseError('body_unavailable', 'the request has a body but its raw bytes were not provided');
  return false;
}
