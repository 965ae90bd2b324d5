import { readFileSync } from 'node:fs';
import type { WorkloadRequest } from '@wimse-pep/core';

export const VECTORS_DIR = new URL('../fixtures/vectors/', import.meta.url);

export function readVectorJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, VECTORS_DIR), 'utf8')) as T;
}

export interface ParsedHttpMessage {
  readonly startLine: string;
  readonly headers: Record<string, string[]>;
  readonly body: Uint8Array | undefined;
}

/** Parses a captured HTTP/1.1 message (CRLF or LF line ends), keeping field values as they are. */
export function parseHttpMessage(text: string): ParsedHttpMessage {
  // The s2s-07 response file starts with a stray `Response:` line (copied as published).
  const normalized = text.replace(/\r\n/g, '\n').replace(/^Response:\n/, '');
  const split = normalized.indexOf('\n\n');
  const head = split === -1 ? normalized : normalized.slice(0, split);
  const bodyText = split === -1 ? '' : normalized.slice(split + 2);
  const [startLine = '', ...lines] = head.split('\n');
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    headers[name] = [...(headers[name] ?? []), line.slice(colon + 1).trim()];
  }
  const length = headers['content-length']?.[0];
  const body = length === undefined ? undefined : new TextEncoder().encode(bodyText).slice(0, Number(length));
  return { startLine, headers, body };
}

/** Reads a `*-request.http.txt` vector as the core's request shape. */
export function readRequestVector(name: string): WorkloadRequest & { headers: Record<string, string[]> } {
  const message = parseHttpMessage(readFileSync(new URL(name, VECTORS_DIR), 'utf8'));
  const [method = '', target = ''] = message.startLine.split(' ');
  return { method, target, headers: message.headers, body: message.body };
}
