import type { Context } from 'koa';

/**
 * The raw body when a body parser ran before `wimse()` and consumed the stream. @koa/bodyparser
 * (and koa-bodyparser) keep `ctx.request.rawBody`, but as a string: co-body inflates gzip or
 * deflate bodies, decodes the bytes (UTF-8, its default `encoding`, assumed here), replaces
 * invalid sequences with U+FFFD and strips a leading BOM. Its UTF-8 encoding is used only when it
 * provably is the received bytes, never a look-alike of them:
 *  - no Content-Encoding (or `identity`): nothing was inflated;
 *  - a Content-Length equal to the encoded length: co-body reads exactly Content-Length bytes,
 *    so a stripped BOM (3 bytes) would show, and a chunked body (unknown length) is not trusted;
 *  - no U+FFFD: every sequence was valid UTF-8, and valid UTF-8 round-trips byte for byte.
 * Otherwise `undefined`: the core then refuses with `body_unavailable`, never skipping the digest.
 */
export function rawBodyFromParser(ctx: Context): Uint8Array | undefined {
  const text: unknown = (ctx.request as { rawBody?: unknown }).rawBody;
  if (typeof text !== 'string' || text.includes('\uFFFD')) return undefined;
  const { 'content-encoding': coding, 'content-length': length, 'transfer-encoding': chunked } = ctx.req.headers;
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') return undefined;
  if (chunked !== undefined || length === undefined || !/^\d+$/.test(length)) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.byteLength === Number(length) ? bytes : undefined;
}
