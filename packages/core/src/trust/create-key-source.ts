import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { IssuerKeySource } from '../types/options.js';
import { createSpiffeBundleKeySet, isSpiffeBundleSource } from './spiffe-bundle-key-set.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Builds the key lookup of one issuer from configuration. A remote key set must be https: the URL
 * comes from configuration only, and plain http is allowed on loopback alone, where no network
 * sits between the verifier and a development identity server.
 */
export function createKeySource(source: IssuerKeySource, where: string): JWTVerifyGetKey {
  if (isSpiffeBundleSource(source)) return createSpiffeBundleKeySet(source, where);
  if ('jwks' in source) {
    if (!source.jwks || !Array.isArray(source.jwks.keys) || source.jwks.keys.length === 0) {
      throw new TypeError(`${where}: jwks must be a JSON Web Key Set with at least one key`);
    }
    for (const key of source.jwks.keys) {
      if ('d' in key || key.kty === 'oct') {
        throw new TypeError(`${where}: jwks must hold public keys only`);
      }
    }
    return createLocalJWKSet(source.jwks);
  }
  let url: URL;
  try {
    url = new URL(source.jwksUri);
  } catch {
    throw new TypeError(`${where}: jwksUri is not a URL`);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new TypeError(`${where}: jwksUri must be https (plain http only on loopback)`);
  }
  return createRemoteJWKSet(url, {
    cooldownDuration: positive(source.cooldownMs, 30_000, `${where}.cooldownMs`),
    cacheMaxAge: positive(source.cacheMaxAgeMs, 600_000, `${where}.cacheMaxAgeMs`),
    timeoutDuration: positive(source.timeoutMs, 5_000, `${where}.timeoutMs`),
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}
