import { Readable } from 'node:stream';
import { bodyTimeout, clientAborted, takeCompleteBody, WimseError } from '@wimse-pep/core';

/** The body's bytes, and the stream Fastify's parsers read next (the same bytes). */
export interface RawBody {
  readonly bytes: Uint8Array;
  readonly stream: Readable;
}

/**
 * Reads the request payload into one Buffer, byte for byte as received, refusing more than
 * `limit` bytes. A stream that is already consumed means something read the body before the
 * plugin: that is a configuration fault, refused rather than verified without the body.
 */
export async function readRawBody(
  payload: Readable,
  limit: number,
  declaredLength: string | undefined,
  timeoutMs: number,
): Promise<RawBody> {
  // The usual case, a complete request whose body came with its headers: taken and given back in
  // one step (core), so the parsers read the request itself, not a second stream.
  const buffered = typeof payload?.read === 'function' ? takeCompleteBody(payload, limit) : undefined;
  if (buffered !== undefined) return { bytes: buffered, stream: payload };
  const bytes = await collectBody(payload, limit, declaredLength, timeoutMs);
  return { bytes, stream: replayBody(bytes) };
}

function collectBody(
  payload: Readable,
  limit: number,
  declaredLength: string | undefined,
  timeoutMs: number,
): Promise<Buffer> {
  // The client went away before its body was complete (possibly while its signature was checked).
  if (typeof payload?.on === 'function' && payload.destroyed && !payload.readableEnded) {
    return Promise.reject(clientAborted());
  }
  if (typeof payload?.on !== 'function' || payload.readableEnded || payload.destroyed) {
    return Promise.reject(
      new WimseError(
        'body_unavailable',
        'the request body was consumed before @wimse-pep/fastify: register the plugin before anything that reads the payload',
      ),
    );
  }
  if (declaredLength !== undefined && Number(declaredLength) > limit) {
    return Promise.reject(tooLarge(limit));
  }
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
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(bytes);
    };
    const onEnd = () => finish();
    // A stream error or a close before 'end' is the client going away, not a server fault.
    const onError = (error: Error) => finish(clientAborted(error));
    const onClose = () => finish(clientAborted());
    // A body that stalls is answered (408, connection closed) instead of waiting forever.
    const timer = setTimeout(() => {
      finish(bodyTimeout(timeoutMs));
    }, timeoutMs);
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.on('close', onClose);
  });
}

/** The same bytes again, as the byte stream Fastify's content-type parsers expect. */
function replayBody(body: Buffer): Readable {
  return Readable.from(body.length > 0 ? [body] : [], { objectMode: false });
}

function tooLarge(limit: number): WimseError {
  return new WimseError('body_too_large', `the request body exceeds ${limit} bytes`);
}
