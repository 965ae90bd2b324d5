import { createWorkloadProofToken, resolveSigningKey, type WorkloadCredentials } from '@wimse-pep/core/signing';
import { decodeJwt } from 'jose';

export interface WptRequestOptions {
  /** `aud`: default the target URI without query or fragment. */
  readonly audience?: string | undefined;
  /** Seconds from now to `exp` (default 60). */
  readonly lifetimeSec?: number | undefined;
  /** Header fields (lower case) of the request whose tokens `oth` binds when present. */
  readonly otherTokens?: readonly string[] | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * The header fields of a WPT request (draft-ietf-wimse-wpt-02): the WIT and `Authorization: WPT`
 * with a fresh proof for this target, binding the `Txn-Token` and the `otherTokens` the request
 * carries. Returns them with the proof's `jti`.
 */
export async function wptRequestHeaders(
  url: URL,
  headers: Readonly<Record<string, string>>,
  credentials: WorkloadCredentials,
  options: WptRequestOptions,
): Promise<{ headers: Record<string, string>; jti: string }> {
  if (headers.authorization !== undefined) {
    throw new TypeError('the authorization header carries the WPT: a WPT request cannot send another credential');
  }
  const key = resolveSigningKey(credentials);
  const otherTokens: Record<string, string> = {};
  for (const name of options.otherTokens ?? []) {
    const value = headers[name.toLowerCase()];
    if (value !== undefined) otherTokens[name.toLowerCase()] = value;
  }
  const txnToken = headers['txn-token'];
  const token = await createWorkloadProofToken(key, {
    audience: options.audience ?? `${url.origin}${url.pathname}`,
    ...(options.lifetimeSec === undefined ? {} : { lifetimeSec: options.lifetimeSec }),
    ...(txnToken === undefined ? {} : { txnToken }),
    otherTokens,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    headers: { ...headers, 'workload-identity-token': key.wit, authorization: `WPT ${token}` },
    jti: String(decodeJwt(token).jti),
  };
}
