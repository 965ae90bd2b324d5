import { errors, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { describeValue, optionError, positiveNumber } from '../base/options/option-checks.js';
import { readTextFile, readTextFileNow } from '../base/runtime/files.js';
import { lookupSignatureAlgorithm } from '../base/runtime/signature-algorithms.js';
import type { IssuerKeys } from './issuer-keys.js';
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
 * Builds the keys of a WIT-SVID issuer from a SPIFFE bundle. The WIT's `kid` selects one
 * `wit-svid` key (no kid, no key). A remote or file bundle is fetched when first needed and used
 * until its `spiffe_refresh_hint` has passed (never less than `cooldownMs`, never more than
 * `cacheMaxAgeMs`); then it must be fetched again before any key from it is trusted. An unknown
 * `kid` refetches at most once per `cooldownMs`. A fetch that fails or times out fails closed:
 * 503 with `Retry-After`, and no new attempt before a backoff (1 s, doubling per failure, up to
 * `cooldownMs`) has passed; a file bundle is read again under the same rules.
 */
export function createSpiffeBundleKeySet(
  source: SpiffeBundleSource,
  where: string,
  now: () => number = Date.now,
): IssuerKeys {
  const given = KEY_SOURCE_FIELDS.filter((field) => (source as Record<string, unknown>)[field] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(`${where} must be an issuer with exactly one key source, got ${given.join(' and ') || 'none'}`);
  }
  const fields = source as Partial<Record<(typeof BUNDLE_FIELDS)[number], unknown>> & SpiffeBundleRefreshOptions;
  if (fields.spiffeBundle !== undefined) {
    const authorities = parseConfigured(fields.spiffeBundle, `${where}.spiffeBundle`);
    return { getKey: lookupIn(async () => authorities), generation: () => 0 };
  }
  const cooldownMs = positive(fields.cooldownMs, 30_000, `${where}.cooldownMs`);
  const cacheMaxAgeMs = positive(fields.cacheMaxAgeMs, 600_000, `${where}.cacheMaxAgeMs`);
  const timeoutMs = positive(fields.timeoutMs, 5_000, `${where}.timeoutMs`);
  const timeout = () => AbortSignal.timeout(timeoutMs);
  let load: () => Promise<WitSvidAuthorities>;
  let initial: WitSvidAuthorities | undefined;
  if (fields.spiffeBundleFile !== undefined) {
    const path = fields.spiffeBundleFile;
    if (typeof path !== 'string' || path === '') throw optionError(`${where}.spiffeBundleFile`, 'a path', path);
    let text: string;
    try {
      text = readTextFileNow(path);
    } catch (cause) {
      throw new TypeError(`${where}.spiffeBundleFile must be a readable file, got ${describeValue(path)}`, { cause });
    }
    // Read once now so that a wrong path or a broken file stops start-up.
    initial = parseConfigured(parseJson(text), `${where}.spiffeBundleFile`);
    load = async () => parseSpiffeBundle(parseJson(await readTextFile(path, timeout())));
  } else {
    const url = bundleUrl(fields.spiffeBundleUri, `${where}.spiffeBundleUri`);
    load = async () => parseSpiffeBundle(parseJson(await fetchBundle(url, timeout())));
  }
  const bundle = new RefreshedBundle(load, { cooldownMs, cacheMaxAgeMs, now }, initial);
  return {
    getKey: lookupIn(
      () => bundle.fresh().then((loaded) => loaded.authorities),
      () => bundle.refetchForUnknownKid().then((loaded) => loaded?.authorities),
    ),
    generation: () => bundle.freshNow()?.generation ?? bundle.fresh().then((loaded) => loaded.generation),
  };
}

interface LoadedBundle {
  readonly authorities: WitSvidAuthorities;
  readonly loadedAt: number;
  /** Increases with every successful load: WITs verified under an older bundle are checked again. */
  readonly generation: number;
}

/** First delay after a failed fetch; it doubles with each further failure, up to `cooldownMs`. */
const FIRST_BACKOFF_MS = 1000;

/** A bundle fetched or read again on its refresh hint, with the cool-down rules above. */
class RefreshedBundle {
  #current: LoadedBundle | undefined;
  #pending: Promise<LoadedBundle> | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #failures = 0;
  #retryAt = Number.NEGATIVE_INFINITY;
  #generation = 0;

  constructor(
    private readonly load: () => Promise<WitSvidAuthorities>,
    private readonly timing: { cooldownMs: number; cacheMaxAgeMs: number; now: () => number },
    initial: WitSvidAuthorities | undefined,
  ) {
    if (initial !== undefined) {
      this.#lastAttemptAt = timing.now();
      this.#current = { authorities: initial, loadedAt: this.#lastAttemptAt, generation: ++this.#generation };
    }
  }

  /** The bundle in force now, loaded again first once its refresh hint has passed. */
  fresh(): Promise<LoadedBundle> {
    const current = this.freshNow();
    return current !== undefined ? Promise.resolve(current) : this.#refresh(this.timing.now());
  }

  /** The bundle in force now when its refresh hint has not passed; undefined when it must be loaded. */
  freshNow(): LoadedBundle | undefined {
    const current = this.#current;
    if (current === undefined || this.timing.now() - current.loadedAt >= this.#maxAge(current.authorities)) {
      return undefined;
    }
    return current;
  }

  /** A new load for an unknown kid, unless the last one succeeded within the cool-down. */
  refetchForUnknownKid(): Promise<LoadedBundle | undefined> {
    const now = this.timing.now();
    if (this.#pending !== undefined) return this.#pending;
    if (this.#failures === 0 && now - this.#lastAttemptAt < this.timing.cooldownMs) return Promise.resolve(undefined);
    return this.#refresh(now);
  }

  #maxAge(authorities: WitSvidAuthorities): number {
    const { cooldownMs, cacheMaxAgeMs } = this.timing;
    const hintMs = authorities.refreshHintSec === undefined ? cacheMaxAgeMs : authorities.refreshHintSec * 1000;
    return Math.min(Math.max(hintMs, cooldownMs), cacheMaxAgeMs);
  }

  #refresh(now: number): Promise<LoadedBundle> {
    if (this.#pending !== undefined) return this.#pending;
    if (now < this.#retryAt) return Promise.reject(this.#unavailable(now, undefined));
    this.#lastAttemptAt = now;
    const pending = this.load().then(
      (authorities) => {
        this.#failures = 0;
        this.#retryAt = Number.NEGATIVE_INFINITY;
        this.#current = { authorities, loadedAt: now, generation: ++this.#generation };
        return this.#current;
      },
      (cause: unknown) => {
        this.#failures += 1;
        this.#retryAt = now + Math.min(FIRST_BACKOFF_MS * 2 ** (this.#failures - 1), this.timing.cooldownMs);
        // A bundle past its refresh time is not trusted any more, whatever the fetch says.
        if (this.#current !== undefined && now - this.#current.loadedAt >= this.#maxAge(this.#current.authorities)) {
          this.#current = undefined;
        }
        throw this.#unavailable(now, cause);
      },
    );
    this.#pending = pending;
    const clear = () => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  #unavailable(now: number, cause: unknown): WimseError {
    return new WimseError('unavailable', 'the SPIFFE bundle could not be obtained', {
      cause,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil((this.#retryAt - now) / 1000))) },
    });
  }
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
    throw new TypeError(`${where} must be a SPIFFE bundle, got one that is not (${(cause as Error).message})`, {
      cause,
    });
  }
  if (authorities.keys.size === 0) {
    throw new TypeError(`${where} must be a bundle with a usable "wit-svid" key (EC or RSA, with a kid), got none`);
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
    throw optionError(where, 'an absolute URL', value);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw optionError(where, 'an https URL (plain http only on loopback)', value);
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
  return positiveNumber(value, fallback, name);
}
