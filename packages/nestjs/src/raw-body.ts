import type { IncomingMessage, ServerResponse } from 'node:http';
import { rememberRawBody } from '@wimse-pep/core/node';

/**
 * For an Express body parser that must be registered on the Express instance before Nest creates
 * the application (so before the WIMSE hook): `express.json({ verify: captureRawBody })`. The bytes
 * body-parser hands `verify` are decompressed: a compressed body verifies only with the parser
 * registered after the application is created (Nest's own parser, or `app.use(...)` after create).
 */
export function captureRawBody(req: IncomingMessage, _res: ServerResponse, buffer: Buffer): void {
  rememberRawBody(req, buffer);
}
