import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';

export interface FormatOptions {
  /** Shorten header values longer than this many characters (default: never). */
  readonly abbreviate?: number;
  /** Fields never shortened (default `signature-input`, whose parameters are the point). */
  readonly keepWhole?: readonly string[];
  /**
   * Fields (lower case) shown only by their start, length and hash (`concealedValue`): a WIT or a
   * signature is enough, with the request, to replay it within its lifetime. Default none.
   */
  readonly conceal?: readonly string[];
}

/** The fields `wimse-pep request` conceals unless asked to show them: the WIT and the signature. */
export const CONCEALED_FIELDS: readonly string[] = ['workload-identity-token', 'signature'];

/**
 * A value shown by its first characters, its length and the start of its SHA-256, so that two
 * runs can be told apart or matched without printing the value.
 */
export function concealedValue(value: string): string {
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 12);
  return `${value.slice(0, 12)}… (${value.length} characters, sha-256 ${digest}…)`;
}

export interface RequestToShow {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
}

export interface ResponseToShow {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: Headers | Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
}

/** The WIT's JOSE header and claims, as the seed's demo prints them. */
export function formatWit(wit: string): string {
  return `${JSON.stringify(decodeProtectedHeader(wit), null, 2)}\n${JSON.stringify(decodeJwt(wit), null, 2)}`;
}

/** `workload-identity-token` → `Workload-Identity-Token`. */
export function displayFieldName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}

function fieldLines(entries: Iterable<[string, string]>, options: FormatOptions): string[] {
  const limit = options.abbreviate;
  const keepWhole = options.keepWhole ?? ['signature-input'];
  const conceal = options.conceal ?? [];
  return [...entries].map(([name, value]) => {
    if (conceal.includes(name.toLowerCase())) return `${displayFieldName(name)}: ${concealedValue(value)}`;
    const shorten = limit !== undefined && value.length > limit && !keepWhole.includes(name.toLowerCase());
    const shown = shorten ? `${value.slice(0, limit)}…` : value;
    return `${displayFieldName(name)}: ${shown}`;
  });
}

/** The body as text when it is printable UTF-8, else its size. */
export function bodyText(body: Uint8Array | undefined): string {
  if (body === undefined || body.byteLength === 0) return '';
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return text;
  } catch {
    // binary
  }
  return `<${body.byteLength} bytes of binary content>`;
}

/** An HTTP/1.1-style rendering of a request. */
export function formatRequest(request: RequestToShow, options: FormatOptions = {}): string {
  const url = new URL(request.url);
  const lines = [
    `${request.method} ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    ...fieldLines(Object.entries(request.headers), options),
  ];
  const body = bodyText(request.body);
  return body === '' ? lines.join('\n') : `${lines.join('\n')}\n\n${body}`;
}

/** An HTTP/1.1-style rendering of a response. */
export function formatResponse(response: ResponseToShow, options: FormatOptions = {}): string {
  const entries: [string, string][] =
    response.headers instanceof Headers ? [...response.headers.entries()] : Object.entries(response.headers);
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText ?? ''}`.trimEnd(), ...fieldLines(entries, options)];
  const body = bodyText(response.body);
  return body === '' ? lines.join('\n') : `${lines.join('\n')}\n\n${body}`;
}

/** `3725` → `1h 2m 5s`. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.abs(Math.round(totalSeconds));
  const parts: string[] = [];
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds % 60 || parts.length === 0) parts.push(`${seconds % 60}s`);
  return parts.join(' ');
}
