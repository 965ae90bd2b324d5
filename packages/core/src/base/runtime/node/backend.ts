/** Which implementation of the runtime seam is loaded: `node:crypto` on Node (and Bun, Deno by default). */
export type CryptoBackend = 'node:crypto' | 'web-crypto';

/** This build's backend: `node:crypto`. */
export const cryptoBackend: CryptoBackend = 'node:crypto';
