import type { ProfileName, WorkloadVerifier } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import type { BearerOption } from '../bearer/bearer-source.js';
import { toBearerSource } from '../bearer/to-bearer-source.js';
import type { CredentialsOption } from '../credentials/credential-source.js';
import { toCredentialSource } from '../credentials/to-credential-source.js';
import { checkLifetimeSec } from '../sign/lifetime-limits.js';
import { signRequest } from '../sign/sign-request.js';
import { serializeBody } from './outgoing-body.js';
import { redactHeaders } from './redact-headers.js';
import type { SentRequest } from './sent-request.js';
import { checkTransactionToken } from './transaction-token.js';
import { verifySignedResponse } from './verify-response.js';
import { wptRequestHeaders } from './wpt-request.js';

/** Ask every callee to sign its response, and accept only responses that verify. */
export interface RequireSignedResponse {
  /** A verifier created with the trust configuration of the servers this client calls. */
  readonly verifier: WorkloadVerifier;
  /** The workload the responder must be (R6): one identifier, or one per target URL. */
  readonly expectedId?: string | ((url: URL) => string | undefined);
  /**
   * The largest body read, in bytes (default 10 MiB, at most 1 GiB): a signed response is read
   * whole before its digest and signature can be checked, so a longer one is refused with
   * `body_too_large` (on its `Content-Length`, or once that many bytes came) and its stream cancelled.
   */
  readonly maxBodyBytes?: number;
  /**
   * The longest wait for the whole body once the headers have passed, in ms (default 30 000, at
   * most 600 000): a slower or endless body is refused with `body_timeout` and its stream cancelled.
   */
  readonly bodyTimeoutMs?: number;
}

/** Default `requireSignedResponse.maxBodyBytes`. */
export const DEFAULT_SIGNED_RESPONSE_MAX_BYTES = 10 * 1024 * 1024;
/** Default `requireSignedResponse.bodyTimeoutMs`: as long as a service waits for a request body. */
export const DEFAULT_SIGNED_RESPONSE_TIMEOUT_MS = 30_000;

export interface WimseFetchOptions {
  /**
   * The caller's WIT and key: fixed, a refreshing callback, or a source such as `fileCredentials`.
   * Required unless `bearer` is given (a caller not migrated yet sends its bearer token only).
   */
  readonly credentials?: CredentialsOption;
  /**
   * A bearer token sent as `Authorization: Bearer ...` during a bearer-to-WIT migration: a fixed
   * token, a callback called again before the token expires, or a source such as
   * `refreshingBearer`. With `credentials` too, the request is dual-sent: the HTTP signature
   * covers `authorization`, so the token cannot be swapped in transit. Never logged.
   */
  readonly bearer?: BearerOption;
  /**
   * The proof of possession: `http-signature` (default, RFC 9421) or `wpt`, a fresh Workload Proof
   * Token per request in `Authorization: WPT` (draft-ietf-wimse-wpt-02; no bearer token beside it,
   * no signed response).
   */
  readonly proof?: 'http-signature' | 'wpt';
  /** With `proof: 'wpt'`: header fields whose tokens the WPT binds in `oth` when the request has them. */
  readonly wptOtherTokens?: readonly string[];
  /**
   * A Transaction Token to forward with every request (a fixed one, or one per target URL), unless
   * the request sets `Txn-Token` itself. It is sent unchanged, and bound to the proof: the HTTP
   * signature covers `txn-token`, a WPT carries its hash in `tth`. To forward the token of the
   * request being handled, pass it per call: `headers: { ...forwardTransactionToken(req.headers) }`.
   */
  readonly transactionToken?: string | ((url: URL) => string | undefined);
  /** Signature profile; default `http-sig-07`. */
  readonly profile?: ProfileName;
  /**
   * `wimse-aud`: default the target URI without query or fragment. A fixed value, or one per
   * target URL when the callee knows itself by another name (a proxy rewrites the authority).
   */
  readonly audience?: string | ((url: URL) => string);
  /**
   * Lifetime of each signature, or of each WPT, in seconds (default 60): at most 360 for a
   * signature and 300 for a WPT, the longest a verifier with default options accepts.
   */
  readonly lifetimeSec?: number;
  /** Require, and verify, a signed response (`wimse-sign-response`). */
  readonly requireSignedResponse?: RequireSignedResponse;
  /** The fetch that sends the signed request (default the global `fetch`). */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** The clock in epoch milliseconds (default `Date.now`); also given to a callback source. */
  readonly now?: () => number;
  /**
   * Told about each request just before it is sent (logging, demos, debugging). The credentials
   * of an `Authorization` field are redacted in what it is given.
   */
  readonly onRequest?: (request: SentRequest) => void;
}

/** A fetch that signs: same arguments and result as the global `fetch`. */
export type WimseFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Set by the signer; a caller's own value would be replaced or contradict it. */
const SIGNER_FIELDS = ['workload-identity-token', 'signature', 'signature-input', 'content-digest'];
/** Options that only a signed request uses: refused without credentials, where they would do nothing. */
const SIGNING_OPTIONS = ['profile', 'audience', 'lifetimeSec', 'requireSignedResponse'] as const;
/** Methods that fetch normalizes to upper case (every other method is sent as written). */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/**
 * Creates a fetch that sends every request as a WIMSE workload: the `Workload-Identity-Token`,
 * `Content-Digest` over the exact body bytes, and an RFC 9421 signature of the chosen profile
 * (random 128-bit nonce, `created`, short `expires`, `tag`, `wimse-aud`, the required
 * components). With `requireSignedResponse`, the response must be signed by a trusted workload
 * over this very request, judged on its headers before its body is read and its body read under
 * `maxBodyBytes` and `bodyTimeoutMs`; otherwise the promise rejects with a `ResponseVerificationError`.
 * Before anything is sent, the WIT must be a compact `wit+jwt` JWS whose `cnf.jwk` is public
 * (`readSendableWit`), whatever the credential source; otherwise a `CredentialError`.
 *
 * With `bearer`, the request also carries `Authorization: Bearer <token>` (covered by the
 * signature); with `bearer` and no `credentials`, it carries only that: the caller is not migrated
 * yet, and nothing is signed.
 *
 * Redirects are not followed by default (`redirect: 'manual'`): a signature covers one target
 * and cannot be replayed to another, so `redirect: 'follow'` is refused.
 *
 * @example
 * ```ts
 * const wimseFetch = createWimseFetch({
 *   credentials: fileCredentials({ witPath: '/run/wimse/wit.jwt', keyPath: '/run/wimse/key.jwk' }),
 * });
 * const response = await wimseFetch('https://orders.internal.example/orders', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ item: 'tea' }),
 * });
 * ```
 */
export function createWimseFetch(options: WimseFetchOptions): WimseFetch {
  if (typeof options !== 'object' || options === null) throw new TypeError('createWimseFetch: options are required');
  if (options.credentials === undefined && options.bearer === undefined) {
    throw new TypeError('createWimseFetch: credentials (a WIT and its key) or bearer (a token) is required');
  }
  if (options.credentials === undefined) {
    const unused = SIGNING_OPTIONS.find((name) => options[name] !== undefined);
    if (unused !== undefined) {
      throw new TypeError(`createWimseFetch: ${unused} applies to signed requests, and needs credentials`);
    }
  }
  const source = options.credentials === undefined ? undefined : toCredentialSource(options.credentials, options.now);
  let bearerSource: ReturnType<typeof toBearerSource> | undefined;
  try {
    bearerSource = options.bearer === undefined ? undefined : toBearerSource(options.bearer, options.now);
  } catch (error) {
    throw new TypeError(`createWimseFetch: ${(error as Error).message}`);
  }
  const profile = options.profile;
  if (profile !== undefined && !Object.hasOwn(profiles, profile)) {
    throw new TypeError(`createWimseFetch: unknown profile ${String(profile)}`);
  }
  const required = options.requireSignedResponse;
  if (required !== undefined && typeof required.verifier?.verifyResponse !== 'function') {
    throw new TypeError('createWimseFetch: requireSignedResponse.verifier must come from createVerifier');
  }
  const maxBodyBytes = boundedInteger(
    required?.maxBodyBytes,
    DEFAULT_SIGNED_RESPONSE_MAX_BYTES,
    2 ** 30,
    'maxBodyBytes',
  );
  const bodyTimeoutMs = boundedInteger(
    required?.bodyTimeoutMs,
    DEFAULT_SIGNED_RESPONSE_TIMEOUT_MS,
    600_000,
    'bodyTimeoutMs',
  );
  const proof = options.proof ?? 'http-signature';
  if (proof !== 'http-signature' && proof !== 'wpt')
    throw new TypeError(`createWimseFetch: unknown proof ${String(proof)}`);
  const lifetimeSec = options.lifetimeSec;
  checkLifetimeSec(lifetimeSec, proof, 'createWimseFetch');
  if (proof === 'wpt' && (options.bearer !== undefined || required !== undefined || source === undefined)) {
    throw new TypeError(
      'createWimseFetch: proof wpt needs credentials, and takes neither bearer nor requireSignedResponse',
    );
  }
  const txnOption = options.transactionToken;
  if (typeof txnOption === 'string') checkTransactionToken(txnOption, 'createWimseFetch: transactionToken');
  else if (txnOption !== undefined && typeof txnOption !== 'function') {
    throw new TypeError('createWimseFetch: transactionToken must be a Txn-Token or a function of the target URL');
  }
  const send = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));

  return async function wimseFetch(input, init = {}) {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input instanceof URL ? input.href : String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`cannot sign a ${url.protocol} URL`);
    if (request?.body != null && init.body === undefined) {
      throw new TypeError('a Request with a body cannot be signed (its body is a stream): pass the body in init');
    }
    const redirect = init.redirect ?? 'manual';
    if (redirect === 'follow') {
      throw new TypeError("redirect: 'follow' is refused: a signed request is valid for its target only");
    }
    const method = normalizeMethod(init.method ?? request?.method ?? 'GET');
    const headers: Record<string, string> = {};
    new Headers(init.headers ?? request?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    for (const name of SIGNER_FIELDS) {
      if (headers[name] !== undefined) throw new TypeError(`the ${name} header is set by the signer, not the caller`);
    }
    const txnToken = headers['txn-token'] ?? transactionTokenFor(options.transactionToken, url);
    if (txnToken !== undefined) headers['txn-token'] = checkTransactionToken(txnToken, 'the txn-token header');
    if (bearerSource !== undefined && headers.authorization !== undefined) {
      throw new TypeError('the authorization header is set from the bearer option, not by the caller');
    }
    const body = await serializeBody(init.body);
    if (body.contentType !== undefined && headers['content-type'] === undefined) {
      headers['content-type'] = body.contentType;
    }
    // A signed response's Content-Digest covers the bytes as sent: no content-coding to undo.
    if (required !== undefined && headers['accept-encoding'] === undefined) headers['accept-encoding'] = 'identity';

    if (bearerSource !== undefined) headers.authorization = `Bearer ${await bearerSource.getBearer()}`;
    const target = `${url.pathname}${url.search}`;
    const { headers: _h, body: _b, method: _m, ...rest } = init;
    const signal = request && init.signal === undefined ? { signal: request.signal } : {};

    if (source === undefined) {
      // Not migrated yet: the bearer token alone, nothing signed.
      options.onRequest?.({ method, url: url.href, target, headers: redactHeaders(headers), body: body.bytes });
      return send(url.href, {
        ...rest,
        ...signal,
        method,
        headers,
        redirect,
        ...(body.bytes === undefined ? {} : { body: body.bytes }),
      });
    }

    const audience = typeof options.audience === 'function' ? options.audience(url) : options.audience;
    if (proof === 'wpt') {
      const wpt = await wptRequestHeaders(url, headers, await source.getCredentials(), {
        audience,
        lifetimeSec,
        otherTokens: options.wptOtherTokens,
        now: options.now,
      });
      options.onRequest?.({
        method,
        url: url.href,
        target,
        headers: redactHeaders(wpt.headers),
        body: body.bytes,
        nonce: wpt.jti,
      });
      return send(url.href, {
        ...rest,
        ...signal,
        method,
        headers: wpt.headers,
        redirect,
        ...(body.bytes === undefined ? {} : { body: body.bytes }),
      });
    }
    const signed = await signRequest(
      { method, url, headers, ...(body.bytes === undefined ? {} : { body: body.bytes }) },
      await source.getCredentials(),
      {
        ...(profile === undefined ? {} : { profile }),
        ...(audience === undefined ? {} : { audience }),
        ...(lifetimeSec === undefined ? {} : { lifetimeSec }),
        ...(options.now === undefined ? {} : { now: options.now }),
        signResponse: required !== undefined,
      },
    );
    const sent = { method, url: url.href, target, headers: signed.headers, body: signed.body, nonce: signed.nonce };
    options.onRequest?.({ ...sent, headers: redactHeaders(signed.headers) });

    const response = await send(url.href, {
      ...rest,
      ...signal,
      method,
      headers: signed.headers,
      redirect,
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });
    if (required === undefined) return response;
    const expectedId = typeof required.expectedId === 'function' ? required.expectedId(url) : required.expectedId;
    return verifySignedResponse(response, sent, {
      verifier: required.verifier,
      expectedId,
      maxBodyBytes,
      bodyTimeoutMs,
    });
  };
}

function transactionTokenFor(option: WimseFetchOptions['transactionToken'], url: URL): string | undefined {
  return typeof option === 'function' ? option(url) : option;
}

function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** A positive integer option of `requireSignedResponse`, up to `max`. */
function boundedInteger(value: unknown, fallback: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(
      `createWimseFetch: requireSignedResponse.${name} must be an integer from 1 to ${max}, got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
  return value;
}
