/**
 * The one place that talks to `http-message-signatures`: builds the RFC 9421 signature base for a
 * request or a response. Derived components come from the request exactly as received (the raw
 * target, never a re-parsed URL), control characters are refused before anything is built (S15),
 * and every failure is a WimseError. Swapping the library is a change to this file alone.
 */
import { httpbis } from 'http-message-signatures';
import { type InnerList, serializeItem, serializeList } from 'structured-headers';
import { WimseError } from '../errors/wimse-error.js';
import type { HeaderValue } from '../types/request.js';

export interface RequestParts {
  readonly method: string;
  readonly target: string;
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

export interface ResponseParts {
  readonly status: number;
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

/** The message a signature covers: a request, or a response bound to its request. */
export type SignedMessage =
  | { readonly kind: 'request'; readonly request: RequestParts }
  | { readonly kind: 'response'; readonly response: ResponseParts; readonly request: RequestParts };

/** Any control character other than horizontal tab (RFC 9110 field-value). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Splits a request target (origin-form or absolute-form) into path and query without normalising. */
export function splitTarget(target: string): { path: string; query: string } {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(target);
    if (!absolute)
      throw new WimseError('signature_malformed', 'the request target is neither origin- nor absolute-form');
    pathAndQuery = absolute[1] ?? '';
  }
  const mark = pathAndQuery.indexOf('?');
  const path = mark === -1 ? pathAndQuery : pathAndQuery.slice(0, mark);
  const query = mark === -1 ? '?' : pathAndQuery.slice(mark);
  return { path: path === '' ? '/' : path, query };
}

function deriveRequestComponent(name: string, request: RequestParts): string {
  switch (name) {
    case '@method':
      return request.method;
    case '@request-target':
      return request.target;
    case '@path':
      return splitTarget(request.target).path;
    case '@query':
      return splitTarget(request.target).query;
    case '@authority': {
      const host = lowerCaseHeaders(request.headers).host;
      if (host?.length !== 1) throw new WimseError('signature_invalid', 'covered @authority but no single Host');
      return (host[0] as string).trim().toLowerCase();
    }
    default:
      throw new WimseError('signature_profile', `derived component ${name} is not supported`);
  }
}

function lowerCaseHeaders(headers: Readonly<Record<string, HeaderValue>>): Record<string, string[]> {
  const lower: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const lines = typeof value === 'string' ? [value] : [...value];
    lower[key] = [...(lower[key] ?? []), ...lines];
  }
  return lower;
}

function assertNoControlCharacters(values: readonly string[], what: string): void {
  if (values.some((value) => CONTROL_CHARACTERS.test(value))) {
    throw new WimseError('signature_malformed', `${what} contains a control character`);
  }
}

/** Builds the signature base for `signatureInput` (the inner list with its parameters). */
export function buildSignatureBase(signatureInput: InnerList, message: SignedMessage): string {
  const request = message.request;
  const requestHeaders = lowerCaseHeaders(request.headers);
  const responseHeaders = message.kind === 'response' ? lowerCaseHeaders(message.response.headers) : undefined;
  assertNoControlCharacters([request.method, request.target], 'the request line');

  const components = signatureInput[0];
  for (const [name, params] of components) {
    if (typeof name !== 'string') throw new WimseError('signature_malformed', 'a covered component is not a string');
    if (name !== name.toLowerCase()) throw new WimseError('signature_malformed', `component ${name} is not lower case`);
    const bound = params.has('req');
    if (bound && message.kind !== 'response')
      throw new WimseError('signature_malformed', ';req on a request signature');
    if (!name.startsWith('@')) {
      const headers = bound || !responseHeaders ? requestHeaders : responseHeaders;
      const lines = headers[name];
      if (!lines) throw new WimseError('signature_invalid', `covered field ${name} is absent from the message`);
      assertNoControlCharacters(lines, `field ${name}`);
    }
  }

  const libraryRequest = { method: request.method, url: request.target, headers: requestHeaders };
  const componentParser = (name: string, params: Map<string, unknown>): string[] | null => {
    if (!name.startsWith('@')) return null;
    if (name === '@status') {
      if (message.kind !== 'response' || params.has('req'))
        throw new WimseError('signature_malformed', '@status outside a response');
      return [String(message.response.status)];
    }
    if (message.kind === 'response' && !params.has('req')) {
      throw new WimseError('signature_malformed', `${name} on a response needs ;req`);
    }
    return [deriveRequestComponent(name, request)];
  };
  const fields = components.map((item) => serializeItem(item));
  try {
    const base =
      message.kind === 'response'
        ? httpbis.createSignatureBase(
            { fields, componentParser },
            { status: message.response.status, headers: responseHeaders ?? {} },
            libraryRequest,
          )
        : httpbis.createSignatureBase({ fields, componentParser }, libraryRequest);
    base.push(['"@signature-params"', [serializeList([signatureInput])]]);
    return httpbis.formatSignatureBase(base);
  } catch (cause) {
    if (cause instanceof WimseError) throw cause;
    throw new WimseError('signature_malformed', 'the signature base cannot be built', { cause });
  }
}
