import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { WimseError } from '../base/errors/wimse-error.js';
import { bodyTimeout, bodyTooLarge, clientAborted } from './body-errors.js';
import { obtainRawBody, takeCompleteBody } from './raw-request-body.js';

/** A body's bytes, and the stream the framework's parsers read next (the same bytes). */
export interface BodyRead {
  readonly bytes: Uint8Array | undefined;
  readonly stream: Readable;
}

/**
 * The raw body of a request payload, byte for byte as received, within `limit` bytes and
 * `timeoutMs`: for a framework that hands the body over as a stream (Fastify's `preParsing`
 * payload). The request itself is read as every adapter reads it (`obtainRawBody`, bytes given
 * back to it); a stream that some earlier hook put in its place is collected and replayed.
 */
export async function readBodyStream(
  payload: Readable,
  request: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<BodyRead> {
  if (payload === request) return { bytes: await obtainRawBody(request, limit, timeoutMs), stream: payload };
  const buffered = typeof payload?.read === 'function' ? takeCompleteBody(payload, limit) : undefined;
  if (buffered !== undefined) return { bytes: buffered, stream: payload };
  const bytes = await collect(payload, limit, request.headers['content-length'], timeoutMs);
  return { bytes, stream: Readable.from(bytes.length > 0 ? [bytes] : [], { objectMode: false }) };
}

function collect(payload: Readable, limit: number, declared: string | undefined, timeoutMs: number): Promise<Buffer> {
  // The client went away before its body was complete (possibly while its signature was checked).
  if (typeof payload?.on === 'function' && payload.destroyed && !payload.readableEnded) {
    return Promise.reject(clientAborted());
  }
  if (typeof payload?.on !== 'function' || payload.readableEnded || payload.destroyed) {
    return Promise.reject(
      new WimseError('body_unavailable', 'the request body was consumed before the WIMSE PEP could read it'),
    );
  }
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      payload.off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      // Stop collecting; the stream keeps flowing with no listener, so the rest is discarded.
      if (size > limit) finish(bodyTooLarge(limit));
      else chunks.push(bytes);
    };
    const onEnd = () => finish();
    // A stream error or a close before 'end' is the client going away, not a server fault.
    const onError = (error: Error) => finish(clientAborted(error));
    const onClose = () => finish(clientAborted());
    // A body that stalls is answered (408, connection closed) instead of waiting forever.
    const timer = setTimeout(() => finish(bodyTimeout(timeoutMs)), timeoutMs);
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.on('close', onClose);
  });
}
