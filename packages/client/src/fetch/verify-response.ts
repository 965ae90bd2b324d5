import { isWimseError, WimseError, type WorkloadVerifier } from '@wimse-pep/core';
import type { ResponderIdentity } from '@wimse-pep/core/signing';
import { readBoundedBody } from './read-bounded-body.js';
import type { SentRequest } from './sent-request.js';
import { serverProblemCode } from './server-problem-code.js';

/** The responder identity of each response that passed signed-response verification. */
const responders = new WeakMap<Response, ResponderIdentity>();

/**
 * The verified identity of the workload that signed `response`, for a response returned by a
 * WIMSE fetch with `requireSignedResponse`; `undefined` for any other response.
 */
export function responderOf(response: Response): ResponderIdentity | undefined {
  return responders.get(response);
}

/**
 * A required signed response that is missing, does not verify or cannot be read within the limits.
 * `code` is the verifier's (`signature_missing` for an unsigned response: R5, `signature_invalid`
 * for a wrong key or `wimse-req-nonce`: R4, R2, `unexpected_responder` for an unexpected
 * responder: R6, ...), or `body_too_large` / `body_timeout` for a body past
 * `requireSignedResponse.maxBodyBytes` / `bodyTimeoutMs`. `response` is what came back, NOT
 * verified: show it, never trust it. Its body is the whole body when it was read whole, otherwise
 * at most its first 16 KiB (a response refused on its headers, or one past a limit).
 */
export class ResponseVerificationError extends WimseError {
  readonly response: Response;

  constructor(cause: WimseError, message: string, response: Response) {
    super(cause.code, message, { cause });
    this.response = response;
  }
}

export interface ResponseRequirement {
  readonly verifier: WorkloadVerifier;
  readonly expectedId: string | undefined;
  /** The most body bytes read before the response is refused (`body_too_large`). */
  readonly maxBodyBytes: number;
  /** The longest wait for the whole body, in ms, once the headers passed (`body_timeout`). */
  readonly bodyTimeoutMs: number;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** How much of a refused response's body is kept for the caller to look at. */
const PREVIEW_BYTES = 16 * 1024;
/** Codes that the headers alone cannot settle: the body's digest is checked once it is read. */
const NEEDS_BODY = new Set(['digest_mismatch', 'digest_missing']);

/**
 * Verifies a required signed response against the request that was sent (its method, target,
 * headers and nonce) without trusting the body's size or pace:
 *
 * 1. on the headers alone, before any body byte is read: the core checks everything but the body
 *    (signed at all: R5; the responder's WIT; the expected responder: R6; the signature parameters
 *    and `wimse-req-nonce`: R2; the covered components), and stops at `Content-Digest`, the one
 *    check that needs the body. Anything else it finds refuses the response there;
 * 2. a `Content-Length` above `maxBodyBytes` is refused without reading;
 * 3. the body is read up to `maxBodyBytes` within `bodyTimeoutMs`, the stream cancelled past either;
 * 4. the whole response is verified, digest and signature included.
 *
 * Returns an equivalent Response whose body is still readable, registered for `responderOf`;
 * rejects with a ResponseVerificationError otherwise.
 */
export async function verifySignedResponse(
  response: Response,
  sent: SentRequest & { readonly nonce: string },
  requirement: ResponseRequirement,
): Promise<Response> {
  const headers = headerRecord(response.headers);
  const request = { method: sent.method, target: sent.target, headers: sent.headers };
  const expectations = { requestNonce: sent.nonce, expectedId: requirement.expectedId };
  const verify = (body: Uint8Array | undefined) =>
    requirement.verifier.verifyResponse({ status: response.status, headers, body }, request, expectations);

  let onHeaders: ResponderIdentity | undefined;
  try {
    onHeaders = await verify(undefined);
  } catch (error) {
    if (!isWimseError(error)) {
      cancelBody(response);
      throw error;
    }
    if (!NEEDS_BODY.has(error.code)) return refuse(error, await preview(response, requirement), response, sent);
  }

  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > requirement.maxBodyBytes) {
    cancelBody(response);
    const error = new WimseError(
      'body_too_large',
      `the response declares Content-Length ${declared}, more than requireSignedResponse.maxBodyBytes (${requirement.maxBodyBytes}); its body was not read`,
    );
    return refuse(error, undefined, response, sent);
  }

  const read = await readBoundedBody(response.body, requirement.maxBodyBytes, requirement.bodyTimeoutMs);
  if (read.outcome !== 'complete') {
    const error =
      read.outcome === 'too_large'
        ? new WimseError(
            'body_too_large',
            `the response body is larger than requireSignedResponse.maxBodyBytes (${requirement.maxBodyBytes}); the rest was not read`,
          )
        : new WimseError(
            'body_timeout',
            `the response body did not arrive within requireSignedResponse.bodyTimeoutMs (${requirement.bodyTimeoutMs} ms)`,
          );
    return refuse(error, read.bytes.subarray(0, PREVIEW_BYTES), response, sent);
  }

  const bytes = read.bytes;
  let responder: ResponderIdentity;
  if (onHeaders !== undefined && bytes.byteLength === 0) {
    // Verified whole on the headers: an empty body is what the first check assumed.
    responder = onHeaders;
  } else {
    try {
      responder = await verify(bytes.byteLength > 0 ? bytes : undefined);
    } catch (error) {
      if (!isWimseError(error)) throw error;
      return refuse(error, bytes, response, sent);
    }
  }
  const verified = rebuild(response, bytes);
  responders.set(verified, responder);
  return verified;
}

function refuse(error: WimseError, body: Uint8Array | undefined, response: Response, sent: SentRequest): never {
  const code =
    body === undefined ? undefined : serverProblemCode(response.status, response.headers.get('content-type'), body);
  const message =
    `the response to ${sent.method} ${sent.url} (HTTP ${response.status}) was required to be signed and ` +
    `failed verification: ${error.message}${code === undefined ? '' : ` (unverified: the server answered ${response.status} ${code})`}`;
  throw new ResponseVerificationError(error, message, rebuild(response, body));
}

/** The first bytes of a refused response, for the caller to look at; the rest is never read. */
async function preview(response: Response, requirement: ResponseRequirement): Promise<Uint8Array | undefined> {
  try {
    const read = await readBoundedBody(
      response.body,
      Math.min(PREVIEW_BYTES, requirement.maxBodyBytes),
      requirement.bodyTimeoutMs,
    );
    return read.bytes;
  } catch {
    return undefined;
  }
}

function cancelBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function rebuild(response: Response, bytes: Uint8Array | undefined): Response {
  const body = NULL_BODY_STATUSES.has(response.status) || bytes === undefined ? null : bytes;
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(copy, 'url', { value: response.url, enumerable: true });
  Object.defineProperty(copy, 'redirected', { value: response.redirected, enumerable: true });
  return copy;
}

/** Header fields as the core reads them; repeated fields are already joined by fetch. */
export function headerRecord(headers: Headers): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) record['set-cookie'] = cookies;
  return record;
}
