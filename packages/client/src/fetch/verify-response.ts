import { isWimseError, type ResponderIdentity, WimseError, type WorkloadVerifier } from '@wimse-pep/core';
import type { SentRequest } from './sent-request.js';

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
 * A required signed response that is missing or does not verify. `code` is the verifier's
 * (`signature_missing` for an unsigned response: R5, `signature_invalid` for a wrong key or
 * `wimse-req-nonce`: R4, R2, `unexpected_responder` for an unexpected responder: R6, ...);
 * `response` is what came back, readable but NOT verified: show it, never trust it.
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
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Reads the whole response, verifies its signature against the request that was sent (its
 * method, target, headers and nonce) and returns an equivalent Response whose body is still
 * readable, registered for `responderOf`. Rejects with a ResponseVerificationError otherwise.
 */
export async function verifySignedResponse(
  response: Response,
  sent: SentRequest & { readonly nonce: string },
  requirement: ResponseRequirement,
): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const copy = () => rebuild(response, bytes);
  let responder: ResponderIdentity;
  try {
    responder = await requirement.verifier.verifyResponse(
      {
        status: response.status,
        headers: headerRecord(response.headers),
        body: bytes.byteLength > 0 ? bytes : undefined,
      },
      { method: sent.method, target: sent.target, headers: sent.headers },
      { requestNonce: sent.nonce, expectedId: requirement.expectedId },
    );
  } catch (error) {
    if (!isWimseError(error)) throw error;
    const message =
      `the response to ${sent.method} ${sent.url} (HTTP ${response.status}) was required to be signed and ` +
      `failed verification: ${error.message}${serverSaid(response, bytes)}`;
    throw new ResponseVerificationError(error, message, copy());
  }
  const verified = copy();
  responders.set(verified, responder);
  return verified;
}

function rebuild(response: Response, bytes: Uint8Array): Response {
  const body = NULL_BODY_STATUSES.has(response.status) ? null : bytes;
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

/** For an unsigned error answer, the problem code the server gave (a hint, never trusted). */
function serverSaid(response: Response, bytes: Uint8Array): string {
  if (response.status < 400 || !(response.headers.get('content-type') ?? '').includes('json')) return '';
  try {
    const problem = JSON.parse(new TextDecoder().decode(bytes)) as { code?: unknown; title?: unknown };
    const what = typeof problem.code === 'string' ? problem.code : problem.title;
    return typeof what === 'string' ? ` (unverified: the server answered ${response.status} ${what})` : '';
  } catch {
    return '';
  }
}
