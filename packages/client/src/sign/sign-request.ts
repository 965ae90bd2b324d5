import { randomBytes } from 'node:crypto';
import type { ProfileName } from '@wimse-pep/core';
import {
  contentDigest,
  createSignatureFields,
  defaultProfileName,
  profiles,
  resolveSigningKey,
  type WorkloadCredentials,
} from '@wimse-pep/core/signing';
import type { BareItem, InnerList, Item } from 'structured-headers';
import { checkLifetimeSec } from './lifetime-limits.js';

export interface RequestToSign {
  readonly method: string;
  /** The absolute URL the request goes to. */
  readonly url: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

export interface SignRequestOptions {
  /** Signature profile; default `http-sig-07`. */
  readonly profile?: ProfileName;
  /** `wimse-aud`; default the target URI without query or fragment. */
  readonly audience?: string;
  /** Ask the callee to sign its response (`wimse-sign-response`). */
  readonly signResponse?: boolean;
  /**
   * Signature lifetime in seconds (default 60), at most 360: a verifier with default options
   * refuses a longer one (`maxSignatureLifetimeSec`).
   */
  readonly lifetimeSec?: number;
  /** The label; default the profile's (`sig1` in -07, `wimse` before). */
  readonly label?: string;
  /** Override the nonce (tests only: a nonce must be random and unique). */
  readonly nonce?: string;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

export interface SignedRequest {
  /** The headers to send: the given ones plus the WIT, Content-Digest and the signature fields. */
  readonly headers: Record<string, string>;
  readonly nonce: string;
  /** The exact body bytes the digest covers. */
  readonly body: Uint8Array | undefined;
}

/**
 * Signs a request the way a WIMSE verifier checks it: the WIT in `Workload-Identity-Token`,
 * `Content-Digest` for a body, and an RFC 9421 signature with the profile's tag, parameters and
 * required components, made with the key of `cnf.jwk` under `cnf.jwk.alg`.
 */
export async function signRequest(
  request: RequestToSign,
  credentials: WorkloadCredentials,
  options: SignRequestOptions = {},
): Promise<SignedRequest> {
  checkLifetimeSec(options.lifetimeSec, 'http-signature', 'signRequest');
  const profile = profiles[options.profile ?? defaultProfileName];
  const key = resolveSigningKey(credentials);
  const url = new URL(request.url);
  const target = `${url.pathname}${url.search}`;
  const body = typeof request.body === 'string' ? new TextEncoder().encode(request.body) : request.body;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['workload-identity-token'] = key.wit;
  if (body !== undefined && body.byteLength > 0) headers['content-digest'] = contentDigest(body);

  const components: Item[] = profile.requestTargetComponents.map((name) => [name, new Map()]);
  for (const field of profile.coveredWhenPresent) {
    if (headers[field] !== undefined) components.push([field, new Map()]);
  }

  const nowSec = Math.floor((options.now ?? Date.now)() / 1000);
  const lifetime = options.lifetimeSec ?? 60;
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  const params = new Map<string, BareItem>([
    ['created', nowSec],
    ['expires', nowSec + lifetime],
    ['nonce', nonce],
    ['tag', profile.tag],
  ]);
  if (profile.requiredRequestParams.includes('wimse-aud')) {
    params.set('wimse-aud', options.audience ?? `${url.origin}${url.pathname}`);
  }
  if (options.signResponse) params.set('wimse-sign-response', true);

  const input: InnerList = [components, params];
  const message = { kind: 'request', request: { method: request.method, target, headers } } as const;
  Object.assign(headers, await createSignatureFields(input, message, key, options.label ?? profile.label));
  return { headers, nonce, body };
}
