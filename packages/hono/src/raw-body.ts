import { WimseError } from '@wimse-pep/core';
import type { Context } from 'hono';
import type { BodySettings } from './options.js';

/** The detail of `body_unavailable`: what went wrong and how to register the middleware instead. */
export const BODY_UNAVAILABLE_HINT =
  'the request body was read by middleware before wimse() in a way that loses its exact bytes: ' +
  'register wimse() before it, or have it read the body with c.req.arrayBuffer() (or c.req.json()/c.req.text() on UTF-8 bodies)';

type BodyCache = Partial<Record<'arrayBuffer' | 'text' | 'json' | 'blob' | 'formData', Promise<unknown>>>;

/**
 * The exact bytes of the request body, read within the limits only when the guard asks (after the
 * credentials held), and left in Hono's body cache, where `c.req.json()`, `c.req.parseBody()`,
 * `c.req.text()` and `c.req.arrayBuffer()` find them: with a Content-Length, through Hono's own
 * cached `arrayBuffer()` (then `c.req.raw` itself is read: use `c.req`); without one (chunked), from
 * a clone read within the limit, which leaves `c.req.raw` readable too.
 */
export async function readRawBody(c: Context, settings: BodySettings): Promise<Uint8Array | undefined> {
  const cache = c.req.bodyCache as BodyCache;
  if (cache.arrayBuffer) return new Uint8Array((await cache.arrayBuffer) as ArrayBuffer);
  if (cache.text) return exactText((await cache.text) as string, c.req.raw.headers.get('content-length'));
  const raw = c.req.raw;
  if (Object.keys(cache).length > 0 || raw.bodyUsed) throw new WimseError('body_unavailable', BODY_UNAVAILABLE_HINT);
  if (raw.body === null) return undefined;
  const declared = Number(raw.headers.get('content-length') ?? Number.NaN);
  if (declared > settings.limit) throw bodyTooLarge(settings.limit);
  // A declared length within the limit (the HTTP parser holds the sender to it): Hono's own cached
  // arrayBuffer(), the fast path of every server adapter. Otherwise a clone, read within the limit.
  const bytes = Number.isInteger(declared)
    ? await withinTime(c.req.arrayBuffer(), settings.timeoutMs).then((buffer) => new Uint8Array(buffer))
    : await readLimited(raw.clone().body as ReadableStream<Uint8Array>, settings);
  // Some servers (@hono/node-server) end the stream of a client that hung up instead of failing it.
  if (raw.signal.aborted || (Number.isInteger(declared) && bytes.byteLength !== declared)) throw clientAborted();
  cache.arrayBuffer ??= Promise.resolve(bytes.buffer);
  return bytes;
}

/**
 * A body an earlier middleware read as text is its exact bytes only when decoding lost nothing: no
 * U+FFFD (no invalid sequence replaced) and as many UTF-8 bytes as the Content-Length (no BOM
 * dropped). Anything else cannot be proven byte-exact and is refused.
 */
function exactText(text: string, contentLength: string | null): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (text.includes('\uFFFD') || contentLength === null || Number(contentLength) !== bytes.byteLength) {
    throw new WimseError('body_unavailable', BODY_UNAVAILABLE_HINT);
  }
  return bytes;
}

/** The body read by Hono, or 408 when it has not arrived in time (a stalled sender). */
async function withinTime(read: Promise<ArrayBuffer>, timeoutMs: number): Promise<ArrayBuffer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([read, timedOut]);
  } catch (error) {
    if (error instanceof WimseError) throw error;
    throw clientAborted(error);
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(stream: ReadableStream<Uint8Array>, settings: BodySettings): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimeout(settings.timeoutMs)), settings.timeoutMs);
  });
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await Promise.race([reader.read(), timedOut]);
      } catch (error) {
        if (error instanceof WimseError) throw error;
        throw clientAborted(error);
      }
      if (chunk.done) break;
      length += chunk.value.byteLength;
      if (length > settings.limit) throw bodyTooLarge(settings.limit);
      chunks.push(chunk.value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function clientAborted(cause?: unknown): WimseError {
  return new WimseError('client_aborted', 'the client closed the connection before its body was received', { cause });
}

function bodyTooLarge(limit: number): WimseError {
  return new WimseError('body_too_large', `the request body exceeds ${limit} bytes`);
}

/** `Connection: close`: a server that honours it drops the socket instead of waiting for the rest. */
function bodyTimeout(timeoutMs: number): WimseError {
  return new WimseError('body_timeout', `the request body did not arrive within ${timeoutMs} ms`, {
    headers: { connection: 'close' },
  });
}
