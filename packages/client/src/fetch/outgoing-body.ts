/** A request body turned into the exact bytes that are digested, signed and sent. */
export interface OutgoingBody {
  readonly bytes: Uint8Array | undefined;
  /** The `Content-Type` that fetch would have added for this kind of body, if any. */
  readonly contentType: string | undefined;
}

const STREAM_REFUSAL =
  'cannot be signed: Content-Digest and the signature cover the exact body bytes, so a streamed body must be ' +
  'read into a Uint8Array (or a string) before it is sent';

/**
 * Serializes a fetch body once: strings (UTF-8), Uint8Array and other views, ArrayBuffer,
 * URLSearchParams and Blob. Streams, async iterables and FormData (whose multipart boundary
 * fetch would choose after signing) are refused with a TypeError.
 */
export async function serializeBody(body: unknown): Promise<OutgoingBody> {
  if (body === undefined || body === null) return { bytes: undefined, contentType: undefined };
  if (typeof body === 'string') return { bytes: utf8(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) {
    return { bytes: utf8(body.toString()), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body.slice(0)), contentType: undefined };
  if (ArrayBuffer.isView(body)) {
    // A copy: the bytes sent are the bytes signed even if the caller reuses its buffer.
    const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { bytes: new Uint8Array(view), contentType: undefined };
  }
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    throw new TypeError(
      'a FormData body cannot be signed (fetch chooses the multipart boundary after signing); serialize it to bytes with its Content-Type first',
    );
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    return { bytes: new Uint8Array(await body.arrayBuffer()), contentType: body.type === '' ? undefined : body.type };
  }
  if (isStream(body)) throw new TypeError(`a streamed request body ${STREAM_REFUSAL}`);
  throw new TypeError(
    `unsupported request body type ${Object.prototype.toString.call(body)}: use a string, Uint8Array, ArrayBuffer, URLSearchParams or Blob`,
  );
}

function isStream(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Record<string | symbol, unknown>;
  return (
    typeof candidate.getReader === 'function' ||
    typeof candidate.pipe === 'function' ||
    typeof candidate[Symbol.asyncIterator] === 'function' ||
    typeof candidate[Symbol.iterator] === 'function'
  );
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
