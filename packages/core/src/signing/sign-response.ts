import type { BareItem, InnerList, Item } from 'structured-headers';
import type { HeaderValue } from '../base/fields/workload-request.js';
import { randomBase64url } from '../base/runtime/random.js';
import { contentDigest } from '../digest/check-content-digest.js';
import type { RequestParts } from '../httpsig/signature-base.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import { createSignatureFields } from './create-signature-fields.js';
import type { SigningKey } from './signing-key.js';

/** A response about to be sent: status, header fields and body (hashed into `Content-Digest`). */
export interface ResponseToSign {
  readonly status: number;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly body?: Uint8Array | undefined;
}

/** How to sign one response: the profile, the request's nonce to echo, lifetime and label. */
export interface SignResponseOptions {
  readonly profile: SignatureProfile;
  /** The verified request's `nonce`, echoed as `wimse-req-nonce`. */
  readonly requestNonce: string;
  /** Signature lifetime in seconds (default 60). */
  readonly lifetimeSec?: number;
  readonly label?: string;
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Signs a response as the callee (http-signature-07 §response): the callee's own WIT, `@status`,
 * the request-bound target components, `content-type` and `content-digest` when present, and
 * `wimse-req-nonce`. Returns the header fields to add to the response.
 */
export async function signResponse(
  response: ResponseToSign,
  request: RequestParts,
  key: SigningKey,
  options: SignResponseOptions,
): Promise<Record<string, string>> {
  const added: Record<string, string> = { 'workload-identity-token': key.wit };
  const hasField = (name: string) =>
    Object.keys(response.headers).some(
      (field) => field.toLowerCase() === name && response.headers[field] !== undefined,
    );
  if (response.body !== undefined && response.body.byteLength > 0 && !hasField('content-digest')) {
    added['content-digest'] = contentDigest(response.body);
  }
  const headers = { ...response.headers, ...added };
  const components: Item[] = [
    ['@status', new Map()],
    ['workload-identity-token', new Map()],
  ];
  for (const field of ['content-type', 'content-digest']) {
    if (hasField(field) || added[field] !== undefined) components.push([field, new Map()]);
  }
  for (const name of options.profile.requestTargetComponents) components.push([name, new Map([['req', true]])]);

  const nowSec = Math.floor((options.now ?? Date.now)() / 1000);
  const params = new Map<string, BareItem>([
    ['created', nowSec],
    ['expires', nowSec + (options.lifetimeSec ?? 60)],
    ['nonce', randomBase64url(16)],
    ['tag', options.profile.tag],
    ['wimse-req-nonce', options.requestNonce],
  ]);
  const input: InnerList = [components, params];
  const message = { kind: 'response', response: { status: response.status, headers }, request } as const;
  return { ...added, ...(await createSignatureFields(input, message, key, options.label ?? options.profile.label)) };
}
