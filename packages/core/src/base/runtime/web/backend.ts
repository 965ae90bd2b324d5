/**
 * Which implementation of the runtime seam is loaded: `web-crypto` where the package resolves with
 * the `workerd`, `worker` or `browser` condition, or with `wimse-web-crypto` (to force it on Node,
 * Bun or Deno, which have node:crypto).
 */
export type CryptoBackend = 'node:crypto' | 'web-crypto';

/** This build's backend: `web-crypto`. */
export const cryptoBackend: CryptoBackend = 'web-crypto';
