/** A body read up to a size cap and a time limit. */
export interface BoundedBody {
  /** What was read: the whole body when `complete`, else at most `maxBytes` of its first bytes. */
  readonly bytes: Uint8Array;
  /** `complete`, `too_large` (more than `maxBytes` came) or `timeout` (not all of it within `timeoutMs`). */
  readonly outcome: 'complete' | 'too_large' | 'timeout';
}

/**
 * Reads a response body, but never more than `maxBytes` of it and never for longer than
 * `timeoutMs`: past either, the stream is cancelled (which closes the connection) and what was read
 * is returned with the reason. A stream that fails (a reset connection, an aborted request) rejects.
 */
export async function readBoundedBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  timeoutMs: number,
): Promise<BoundedBody> {
  if (body === null) return { bytes: new Uint8Array(0), outcome: 'complete' };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let outcome: BoundedBody['outcome'] | undefined;
  const timer = setTimeout(() => {
    outcome ??= 'timeout';
    // Settles the pending read with done: true.
    reader.cancel().catch(() => {});
  }, timeoutMs);
  try {
    while (outcome === undefined) {
      const { done, value } = await reader.read();
      if (outcome !== undefined) break;
      if (done) {
        outcome = 'complete';
        break;
      }
      if (length + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - length));
        length = maxBytes;
        outcome = 'too_large';
        break;
      }
      chunks.push(value);
      length += value.byteLength;
    }
  } finally {
    clearTimeout(timer);
    // Not awaited: a stream whose cancel never settles must not hold the caller.
    if (outcome !== 'complete') reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return { bytes: concat(chunks, length), outcome };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
