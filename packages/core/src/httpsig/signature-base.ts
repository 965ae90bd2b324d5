/**
 * Builds the RFC 9421 signature base for a request or a response. Derived components come from
 * the request exactly as received (the raw target, never a re-parsed URL), control characters are
 * refused before anything is built (S15), and every failure is a WimseError.
 *
 * The base of a WIMSE signature (components without parameters, or `;req` only) is written here
 * directly: `http-message-signatures` would re-serialize, re-parse and re-serialize each component
 * name (a third of the verifier's CPU time in the profile, bench/results/). Any other component
 * parameter (`;sf`, `;bs`, `;key`, ...) is handed to that library, loaded on first use, so its
 * semantics stay the library's; a property test holds the two paths to the same bytes.
 */
import type * as HttpMessageSignatures from 'http-message-signatures';
import { type InnerList, type Item, serializeItem, serializeList } from 'structured-headers';
import { WimseError } from '../base/errors/wimse-error.js';
import { type FieldIndex, indexFields } from '../base/fields/field-index.js';
import type { HeaderValue } from '../base/fields/workload-request.js';
import { requireModule } from '../base/runtime/load-module.js';
import { serializeSignatureParams } from './serialize-fields.js';

/** The parts of a request a signature base is built from: method, target as sent, header fields. */
export interface RequestParts {
  readonly method: string;
  readonly target: string;
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

/** The parts of a response a signature base is built from: status and header fields. */
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
      const host = indexFields(request.headers).host;
      if (host?.length !== 1) throw new WimseError('signature_invalid', 'covered @authority but no single Host');
      return (host[0] as string).trim().toLowerCase();
    }
    default:
      throw new WimseError('signature_profile', `derived component ${name} is not supported`);
  }
}

function assertNoControlCharacters(values: readonly string[], what: string): void {
  for (const value of values) {
    if (CONTROL_CHARACTERS.test(value))
      throw new WimseError('signature_malformed', `${what} contains a control character`);
  }
}

/** A component name that serializes as itself in quotes (printable ASCII without `"`, `\`, space). */
const PLAIN_NAME = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The serialized component identifier when this module writes the base line itself: a plain name
 * with no parameters, or with `;req` (true) only. Anything else goes to the library.
 */
function plainComponentKey(name: string, params: ReadonlyMap<string, unknown>): string | undefined {
  if (name === '@signature-params' || !PLAIN_NAME.test(name)) return undefined;
  if (params.size === 0) return `"${name}"`;
  if (params.size === 1 && params.get('req') === true) return `"${name}";req`;
  return undefined;
}

/** Builds the signature base for `signatureInput` (the inner list with its parameters). */
export function buildSignatureBase(signatureInput: InnerList, message: SignedMessage): string {
  const request = message.request;
  const requestHeaders = indexFields(request.headers);
  const responseHeaders = message.kind === 'response' ? indexFields(message.response.headers) : undefined;
  if (CONTROL_CHARACTERS.test(request.method) || CONTROL_CHARACTERS.test(request.target)) {
    throw new WimseError('signature_malformed', 'the request line contains a control character');
  }

  const components = signatureInput[0];
  // Each component's identifier as this module writes it; none when the library must write the base.
  const keys: string[] = [];
  let plain = true;
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
    if (plain) {
      const key = plainComponentKey(name, params);
      if (key === undefined) plain = false;
      else keys.push(key);
    }
  }

  const deriveComponent = (name: string, params: ReadonlyMap<string, unknown>): string => {
    if (name === '@status') {
      if (message.kind !== 'response' || params.has('req'))
        throw new WimseError('signature_malformed', '@status outside a response');
      return String(message.response.status);
    }
    if (message.kind === 'response' && !params.has('req')) {
      throw new WimseError('signature_malformed', `${name} on a response needs ;req`);
    }
    return deriveRequestComponent(name, request);
  };
  try {
    if (!plain) return libraryBase(signatureInput, message, requestHeaders, responseHeaders, deriveComponent);
    let base = '';
    for (let i = 0; i < components.length; i++) {
      const [name, params] = components[i] as Item;
      const nameText = name as string;
      let value: string;
      if (nameText.startsWith('@')) value = deriveComponent(nameText, params);
      else {
        const headers = params.has('req') || !responseHeaders ? requestHeaders : responseHeaders;
        // RFC 9421 §2.1: each field line trimmed, lines joined with ", " (no obs-fold: control
        // characters were refused above).
        const lines = headers[nameText] as readonly string[];
        value = lines.length === 1 ? (lines[0] as string).trim() : lines.map((line) => line.trim()).join(', ');
      }
      base += `${keys[i]}: ${value}\n`;
    }
    return `${base}"@signature-params": ${serializeSignatureParams(signatureInput, keys)}`;
  } catch (cause) {
    if (cause instanceof WimseError) throw cause;
    throw new WimseError('signature_malformed', 'the signature base cannot be built', { cause });
  }
}

let library: typeof HttpMessageSignatures | undefined;

/** `http-message-signatures`, loaded the first time a component needs it (it is CommonJS). */
function httpMessageSignatures(): typeof HttpMessageSignatures {
  library ??= requireModule<typeof HttpMessageSignatures>('http-message-signatures');
  return library;
}

function libraryBase(
  signatureInput: InnerList,
  message: SignedMessage,
  requestHeaders: FieldIndex,
  responseHeaders: FieldIndex | undefined,
  deriveComponent: (name: string, params: ReadonlyMap<string, unknown>) => string,
): string {
  const { httpbis } = httpMessageSignatures();
  const request = message.request;
  // The library only reads the records it is given (its types ask for mutable ones).
  const asLibraryHeaders = (headers: FieldIndex) => headers as unknown as Record<string, string[]>;
  const libraryRequest = { method: request.method, url: request.target, headers: asLibraryHeaders(requestHeaders) };
  const componentParser = (name: string, params: Map<string, unknown>): string[] | null =>
    name.startsWith('@') ? [deriveComponent(name, params)] : null;
  const fields = signatureInput[0].map((item) => serializeItem(item));
  const base =
    message.kind === 'response'
      ? httpbis.createSignatureBase(
          { fields, componentParser },
          { status: message.response.status, headers: responseHeaders ? asLibraryHeaders(responseHeaders) : {} },
          libraryRequest,
        )
      : httpbis.createSignatureBase({ fields, componentParser }, libraryRequest);
  base.push(['"@signature-params"', [serializeList([signatureInput])]]);
  return httpbis.formatSignatureBase(base);
}
