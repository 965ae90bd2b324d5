import httpbis from 'http-message-signatures/lib/httpbis/index.js';

/**
 * Off Node there is no `require`: the modules the core loads lazily on Node are imported here up
 * front (the signature-base library's httpbis part, without its node:crypto algorithms), and the
 * optional peers (OpenTelemetry) are absent.
 */
const bundled: Readonly<Record<string, unknown>> = { 'http-message-signatures': { httpbis } };

export function requireModule<T>(name: string): T {
  const module = bundled[name];
  if (module === undefined) throw new Error(`${name} cannot be loaded on the Web Crypto backend`);
  return module as T;
}

/** An optional peer: absent off Node. */
export function optionalModule<T>(name: string): T | undefined {
  return bundled[name] as T | undefined;
}
