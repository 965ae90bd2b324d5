import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { WimseError } from '../base/errors/wimse-error.js';
import { bodyTimeout, bodyTooLarge, clientAborted, DEFAULT_BODY_TIMEOUT_MS } from './body-errors.js';
import { requestSlot } from './request-slot.js';

/**
 * Raw body bytes of Node requests, shared by the adapters built on node:http (Express, Koa): each
 * request's bytes are read once, kept on the request (`requestSlot`), and given back to the stream
 * for the app's parser.
 */
const rawBodies = requestSlot<Uint8Array>('@wimse-pep/core.raw-body');

/** Keeps bytes that a body parser hook captured (e.g. body-parser's `verify`) for the digest check. */
export function rememberRawBody(req: IncomingMessage, bytes: Uint8Array): void {
  rawBodies.set(req, bytes);
}

/**
 * The raw body of `req` for the verifier, or `undefined` when the request has no body or its
 * bytes are gone (a parser consumed the stream and nothing captured them). In that last case the
 * core refuses with `body_unavailable` as soon as it needs the bytes: the digest is never skipped.
 */
export async function obtainRawBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number = DEFAULT_BODY_TIMEOUT_MS,
): Promise<Uint8Array | undefined> {
  const captured = rawBodies.get(req);
  if (captured !== undefined) {
    if (captured.byteLength > limit) throw bodyTooLarge(limit);
    return captured;
  }
  // Same rule as body-parser (type-is `hasBody`); `Content-Length: 0` is left to the parser too.
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0)) {
    return undefined;
  }
  // The client went away before its body was complete (possibly while its signature was checked).
  if (req.destroyed && !req.complete) throw clientAborted();
  if (req.readableDidRead || req.readableEnded || !req.readable) return undefined;
  const bytes = await readAndRestore(req, limit, timeoutMs);
  rememberRawBody(req, bytes);
  return bytes;
}

/** Whether the body is framed but its bytes could not be obtained (for a clearer error). */
export function bodyWasConsumed(req: IncomingMessage): boolean {
  return rawBodies.get(req) === undefined && (req.readableDidRead || req.readableEnded);
}

/**
 * Reads the whole body in paused mode, then puts it back with `readable.unshift()`, the stream
 * API made for "un-consuming" data pulled out optimistically so another party can read it. The
 * request object stays the stream the app's parser reads (body-parser reads `req` itself, and
 * skips a request that has finished), so it must never emit `'end'` here. It does not: the body
 * is complete once `req.complete` is set (the HTTP parser sets it just before pushing EOF), and
 * the `'end'` that the last `read()` schedules is cancelled when the buffer is non-empty again
 * ("one last unshift", Node's endReadableNT); `read()` is never called on an empty buffer, so an
 * empty body schedules no `'end'` at all. The bytes are unshifted in the same synchronous step,
 * after our `'readable'` listener is removed, so a later `'data'` listener (raw-body) gets them
 * followed by a normal `'end'`.
 */
function readAndRestore(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard the body; the refusal is answered without reading it
    return Promise.reject(bodyTooLarge(limit));
  }
  // Usually the whole body is already buffered (it came with the headers, or while the signature
  // was checked): take it and give it back in one step, with no listener, timer or wait.
  try {
    const buffered = takeCompleteBody(req, limit);
    if (buffered !== undefined) return Promise.resolve(buffered);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      clearTimeout(timer);
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onReadable = () => {
      // read() is called only while bytes are buffered: a read() at the end of an empty buffer
      // would schedule 'end' with nothing to unshift that could cancel it.
      while (req.readableLength > 0) {
        const chunk: Buffer = req.read();
        size += chunk.length;
        if (size > limit) {
          stop();
          req.resume();
          reject(bodyTooLarge(limit));
          return;
        }
        chunks.push(chunk);
      }
      if (!req.complete) return;
      stop();
      const bytes = Buffer.concat(chunks, size);
      if (bytes.length > 0) req.unshift(bytes);
      resolve(bytes);
    };
    // Not expected (the stream ends only once drained and not refilled), but never hang on it.
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(clientAborted(error));
    };
    const onClose = () => {
      stop();
      reject(clientAborted());
    };
    const timer = setTimeout(() => {
      stop();
      reject(bodyTimeout(timeoutMs));
    }, timeoutMs);
    // Start the underlying read (read(0) consumes nothing) before listening: otherwise attaching
    // 'readable' schedules a read(0) of its own, which emits 'end' on a zero-byte body that
    // completes meanwhile, with nothing to unshift to cancel it.
    if (req.readableLength === 0) req.read(0);
    req.on('readable', onReadable);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The body of a complete Node request still whole in its stream's buffer (the usual case: it came
 * with the headers; a `Content-Length` body whose every byte is buffered counts as complete), or
 * undefined when the request is not complete yet or its stream is in use
 * (then read it by listening). `read()` returns all of it at once and `unshift()` puts it back in
 * the same synchronous step, which cancels the `'end'` that the read scheduled (as in
 * `readAndRestore`), so the stream stays the one the app's parser reads. An empty body is not
 * read at all (reading it would end the stream). Too large a body is discarded, never given back;
 * a stream set to decode text no longer holds the bytes sent (`body_unavailable`). Shared by the
 * adapters built on node:http (Express, Koa, through obtainRawBody) and Fastify's payload.
 */
export function takeCompleteBody(stream: Readable, limit: number): Uint8Array | undefined {
  if ((stream as Partial<IncomingMessage>).complete !== true && !wholeBodyBuffered(stream)) return undefined;
  if (stream.readableFlowing === true || stream.destroyed || stream.readableEnded || stream.readableObjectMode) {
    return undefined;
  }
  if (stream.readableLength === 0) return new Uint8Array(0);
  const bytes: unknown = stream.read();
  if (!Buffer.isBuffer(bytes)) {
    if (bytes !== null) stream.unshift(bytes as string);
    throw new WimseError('body_unavailable', 'the request stream decodes text (setEncoding): its raw bytes are gone');
  }
  if (bytes.length > limit) {
    stream.resume();
    throw bodyTooLarge(limit);
  }
  stream.unshift(bytes);
  return bytes;
}

/**
 * Whether every byte of a `Content-Length` body is in the stream's buffer although the parser has
 * not marked the request complete yet: it does so only after the body, and a verification on the
 * event loop (`signatureVerification: 'inline'`) can ask in between. The framing says no other byte
 * belongs to this body, so it can be taken now (a chunked body waits for `complete`).
 */
function wholeBodyBuffered(stream: Readable): boolean {
  const headers = (stream as Partial<IncomingMessage>).headers;
  const length = headers?.['content-length'];
  if (length === undefined || headers?.['transfer-encoding'] !== undefined || !/^\d+$/.test(length)) return false;
  return stream.readableLength > 0 && stream.readableLength === Number(length);
}
