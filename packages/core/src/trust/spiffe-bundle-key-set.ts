import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { errors, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { lookupSignatureAlgorithm } from '../wit/algorithms.js';
import {
  parseSpiffeBundle,
  type SpiffeBundleDocument,
  SpiffeBundleError,
  type WitSvidAuthorities,
} from './spiffe-bundle.js';

/** How often a bundle is fetched again: its refresh hint, within these bounds. */
export interface SpiffeBundleRefreshOptions {
  /**
   * Minimum time between two fetches, in ms (default 30 000): between refetches triggered by an
   * unknown `kid`, after a failed fetch (every verification meanwhile fails closed at once), and
   * the floor of the bundle's `spiffe_refresh_hint`.
   */
  readonly cooldownMs?: number;
  /**
   * The longest a fetched bundle is used before it is fetched again, in ms (default 600 000): the
   * bundle's `spiffe_refresh_hint` is honoured up to this; a bundle without one uses it too.
   */
  readonly cacheMaxAgeMs?: number;
  /** Timeout of one fetch or file read, in ms (default 5 000). */
  readonly timeoutMs?: number;
}

/**
 * Keys from a SPIFFE trust bundle: only its `use: "wit-svid"` keys sign WIT-SVIDs. An issuer with
 * one of these sources follows the `wit-svid` issuer profile.
 */
export type SpiffeBundleSource =
  /** A bundle document given in configuration. */
  | { readonly spiffeBundle: SpiffeBundleDocument }
  /** A bundle file (e.g. written by a SPIFFE helper), read at start-up and again on refresh. */
  | ({ readonly spiffeBundleFile: string } & SpiffeBundleRefreshOptions)
  /** A SPIFFE bundle endpoint (https_web profile): https, plain http only on loopback. */
  | ({ readonly spiffeBundleUri: string } & SpiffeBundleRefreshOptions);

const BUNDLE_FIELDS = ['spiffeBundle', 'spiffeBundleFile', 'spiffeBundleUri'] as const;
const KEY_SOURCE_FIELDS = [...BUNDLE_FIELDS, 'jwks', 'jwksUri'] as const;

export function isSpiffeBundleSource(source: object): source is SpiffeBundleSource {
  return BUNDLE_FIELDS.some((field) => (source as Record<string, unknown>)[field] !== undefined);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_BUNDLE_BYTES = 1024 * 1024;

/**
 * Builds the key lookup of a WIT-SVID issuer from a SPIFFE bundle. The WIT's `kid` selects one
 * `wit-svid` key (no kid, no key); a remote or file bundle is fetched when first needed, again
 * after its refresh hint (bounded by `cooldownMs` and `cacheMaxAgeMs`), and again for an unknown
 * `kid` at most once per `cooldownMs`. A fetch that fails or times out fails closed: the lookup
 * throws, which the WIT stage reports as unavailable (503), and no fetch is tried again before
 * `cooldownMs` has passed.
 */
export function createSpiffeBundleKeySet(
  source: SpiffeBundleSource,
  where: string,
  now: () => number = Date.now,
): JWTVerifyGetKey {
  const given = KEY_SOURCE_FIELDS.filter((field) => (source as Record<string, unknown>)[field] !== undefined);
  if (given.length !== 1) throw new TypeError(`${where}: give exactly one key source, not ${given.join(' and ')}`);
  const fields = source as Partial<Record<(typeof BUNDLE_FIELDS)[number], unknown>> & SpiffeBundleRefreshOptions;
  if (fields.spiffeBundle !== undefined) {
    const authorities = parseConfigured(fields.spiffeBundle, `${where}.spiffeBundle`);
    return lookupIn(async () => authorities);
  }
  const cooldownMs = positive(fields.cooldownMs, 30_000, `${where}.cooldownMs`);
  const cacheMaxAgeMs = positive(fields.cacheMaxAgeMs, 600_000, `${where}.cacheMaxAgeMs`);
  const timeoutMs = positive(fields.timeoutMs, 5_000, `${where}.timeoutMs`);
  let load: () => Promise<WitSvidAuthorities>;
  let current: { authorities: WitSvidAuthorities; loadedAtMs: number } | undefined;
  if (fields.spiffeBundleFile !== undefined) {
    const path = fields.spiffeBundleFile;
    if (typeof path !== 'string' || path === '') throw new TypeError(`${where}.spiffeBundleFile must be a path`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new TypeError(`${where}.spiffeBundleFile: ${path} cannot be read`, { cause });
    }
    // Read once now so that a wrong path or a broken file stops start-up.
    current = { authorities: parseConfigured(parseJson(text), `${where}.spiffeBundleFile`), loadedAtMs: now() };
    load = async () => parseSpiffeBundle(parseJson(await readFile(path, { encoding: 'utf8', signal: timeout() })));
  } else {
    const url = bundleUrl(fields.spiffeBundleUri, `${where}.spiffeBundleUri`);
    load = async () => parseSpiffeBundle(parseJson(await fetchBundle(url, timeout())));
  }
  function timeout(): AbortSignal {
    return AbortSignal.timeout(timeoutMs);
  }

  let lastAttemptMs = Number.NEGATIVE_INFINITY;
  let lastFailure: Error | undefined;
  let loading: Promise<WitSvidAuthorities> | undefined;

  function reload(): Promise<WitSvidAuthorities> {
    loading ??= (async () => {
      lastAttemptMs = now();
      try {
        const authorities = await load();
        current = { authorities, loadedAtMs: now() };
        lastFailure = undefined;
        return authorities;
      } catch (cause) {
        lastFailure = new SpiffeBundleError(`${where}: the SPIFFE bundle could not be obtained`, { cause });
        throw lastFailure;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  }

  function refreshDueMs(authorities: WitSvidAuthorities): number {
    const hintMs = authorities.refreshHintSec === undefined ? cacheMaxAgeMs : authorities.refreshHintSec * 1000;
    return Math.min(Math.max(hintMs, cooldownMs), cacheMaxAgeMs);
  }

  const coolingDown = () => now() - lastAttemptMs < cooldownMs;

  return lookupIn(
    async () => {
      if (current !== undefined && now() - current.loadedAtMs < refreshDueMs(current.authorities)) {
        return current.authorities;
      }
      // Stale or never loaded: a failure a moment ago is answered at once, without a new fetch.
      if (lastFailure !== undefined && coolingDown()) throw lastFailure;
      return reload();
    },
    async () => (coolingDown() ? undefined : reload()),
  );
}

/**
 * The lookup itself: the `kid` names one `wit-svid` key whose type fits the WIT's `alg`; an
 * unknown `kid` may refresh the bundle once (`refetch`), for a key rotated in since the last fetch.
 */
function lookupIn(
  authorities: () => Promise<WitSvidAuthorities>,
  refetch?: () => Promise<WitSvidAuthorities | undefined>,
): JWTVerifyGetKey {
  const imported = new WeakMap<JWK, Map<string, Awaited<ReturnType<typeof importJWK>>>>();
  return async (header) => {
    const kid = header.kid;
    const alg = header.alg;
    if (typeof kid !== 'string' || typeof alg !== 'string') {
      throw new errors.JWKSNoMatchingKey('a WIT-SVID names its key with kid');
    }
    let jwk = (await authorities()).keys.get(kid);
    if (jwk === undefined && refetch !== undefined) jwk = (await refetch())?.keys.get(kid);
    if (jwk === undefined || !fits(jwk, alg)) throw new errors.JWKSNoMatchingKey();
    let byAlg = imported.get(jwk);
    if (byAlg === undefined) {
      byAlg = new Map();
      imported.set(jwk, byAlg);
    }
    let key = byAlg.get(alg);
    if (key === undefined) {
      const { use: _use, key_ops: _keyOps, ...publicKey } = jwk;
      key = await importJWK(publicKey, alg);
      byAlg.set(alg, key);
    }
    return key;
  };
}

/** Whether a bundle key can verify `alg`: its type and curve, and its own `alg` when it names one. */
function fits(jwk: JWK, alg: string): boolean {
  const expected = lookupSignatureAlgorithm(alg);
  if (!expected || jwk.kty !== expected.kty) return false;
  if (expected.crv !== undefined && jwk.crv !== expected.crv) return false;
  return jwk.alg === undefined || jwk.alg === alg;
}

function parseConfigured(document: unknown, where: string): WitSvidAuthorities {
  let authorities: WitSvidAuthorities;
  try {
    authorities = parseSpiffeBundle(document);
  } catch (cause) {
    throw new TypeError(`${where}: ${(cause as Error).message}`, { cause });
  }
  if (authorities.keys.size === 0) {
    throw new TypeError(`${where}: the bundle has no usable key with use "wit-svid" (EC or RSA, with a kid)`);
  }
  return authorities;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SpiffeBundleError('the SPIFFE bundle is not JSON', { cause });
  }
}

function bundleUrl(value: unknown, where: string): URL {
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new TypeError(`${where} is not a URL`);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new TypeError(`${where} must be https (plain http only on loopback)`);
  }
  return url;
}

async function fetchBundle(url: URL, signal: AbortSignal): Promise<string> {
  // Configured out of band: a redirect is not followed to somewhere else.
  const response = await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new SpiffeBundleError(`the bundle endpoint answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BUNDLE_BYTES) {
    await response.body?.cancel();
    throw new SpiffeBundleError(`the bundle exceeds ${MAX_BUNDLE_BYTES} bytes`);
  }
  const bytes = await response.arrayBuffer();
  if (bytes.byteLength > MAX_BUNDLE_BYTES) throw new SpiffeBundleError(`the bundle exceeds ${MAX_BUNDLE_BYTES} bytes`);
  return new TextDecoder().decode(bytes);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}
