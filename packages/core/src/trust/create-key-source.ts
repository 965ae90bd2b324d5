import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { expectNonEmptyString, isPlainObject, optionError } from '../base/options/option-checks.js';
import { withEd25519Alias } from './ed25519-alias.js';
import type { IssuerKeys } from './issuer-keys.js';
import { RemoteKeySet } from './remote-key-set.js';
import { createSpiffeBundleKeySet, isSpiffeBundleSource, type SpiffeBundleSource } from './spiffe-bundle-key-set.js';

/** Every member an issuer's key source may have, whichever kind it is. */
type IssuerKeySourceFields = {
  jwks: unknown;
  jwksUri: unknown;
  cooldownMs: unknown;
  cacheMaxAgeMs: unknown;
  timeoutMs: unknown;
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Builds the key lookup of one issuer from configuration. A remote key set must be https: the URL
 * comes from configuration only, and plain http is allowed on loopback alone, where no network
 * sits between the verifier and a development identity server.
 */
export function createKeySource(
  source: Readonly<Partial<Record<keyof IssuerKeySourceFields, unknown>>>,
  where: string,
  now: () => number,
): IssuerKeys {
  if (isSpiffeBundleSource(source)) return createSpiffeBundleKeySet(source as SpiffeBundleSource, where, now);
  const hasJwks = source.jwks !== undefined;
  const hasUri = source.jwksUri !== undefined;
  if (hasJwks === hasUri) {
    throw optionError(
      where,
      'an issuer with exactly one of jwks (a JSON Web Key Set) or jwksUri (an https URL)',
      source,
    );
  }
  if (source.jwks !== undefined) {
    const jwks: unknown = source.jwks;
    if (!isPlainObject(jwks) || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
      throw optionError(
        `${where}.jwks`,
        'a JSON Web Key Set like { keys: [{ kty, ... }] } with at least one key',
        jwks,
      );
    }
    jwks.keys.forEach((key: unknown, k) => {
      if (!isPlainObject(key) || typeof key.kty !== 'string') {
        throw optionError(`${where}.jwks.keys[${k}]`, 'a JSON Web Key (an object with kty)', key);
      }
      if ('d' in key || key.kty === 'oct') {
        throw optionError(`${where}.jwks.keys[${k}]`, 'a public key (no d, no kty oct)', key);
      }
    });
    const getKey = withEd25519Alias(createLocalJWKSet(jwks as unknown as JSONWebKeySet));
    return { getKey, generation: () => 0 };
  }
  let url: URL;
  try {
    url = new URL(expectNonEmptyString(source.jwksUri, `${where}.jwksUri`));
  } catch (cause) {
    if (cause instanceof TypeError && cause.message.startsWith(where)) throw cause;
    throw optionError(`${where}.jwksUri`, 'an absolute https URL', source.jwksUri);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw optionError(`${where}.jwksUri`, 'an https URL (plain http only on loopback)', source.jwksUri);
  }
  const remote = new RemoteKeySet(url, {
    cooldownMs: positive(source.cooldownMs, 30_000, `${where}.cooldownMs`),
    cacheMaxAgeMs: positive(source.cacheMaxAgeMs, 600_000, `${where}.cacheMaxAgeMs`),
    timeoutMs: positive(source.timeoutMs, 5_000, `${where}.timeoutMs`),
    now,
  });
  return { getKey: remote.getKey, generation: () => remote.generation() };
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw optionError(name, 'a positive number of milliseconds', value);
  }
  return value;
}
