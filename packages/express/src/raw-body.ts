import type { IncomingMessage, ServerResponse } from 'node:http';
import { rememberRawBody } from '@wimse-pep/core/node';

export const BODY_UNAVAILABLE_HINT =
  'the request body was consumed by a body parser before wimse() could see its raw bytes: ' +
  'register wimse() before your body parser or pass { verify: captureRawBody } to it';

/**
 * For apps whose body parser must run before `wimse()`: `express.json({ verify: captureRawBody })`
 * (also `urlencoded`, `raw`, `text`). body-parser hands `verify` the bytes it read (after
 * decompression: a compressed body is verified only when `wimse()` runs before the parser).
 */
export function captureRawBody(req: IncomingMessage, _res: ServerResponse, buffer: Buffer): void {
  rememberRawBody(req, buffer);
}
