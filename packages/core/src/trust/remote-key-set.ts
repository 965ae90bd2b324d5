import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { withEd25519Alias } from './ed25519-alias.js';

export interface RemoteKeySetOptions {
  /** Minimum time between refetches triggered by an unknown `kid` after a successful fetch, in ms. */
  readonly cooldownMs: number;
  /** How long a fetched key set is used before it must be fetched again, in ms. */
  readonly cacheMaxAgeMs: number;
  /** Time limit of one fetch, in ms. */
  readonly timeoutMs: number;
  /** The verifier's clock, in ms since the epoch. */
  readonly now: () => number;
}

/** Largest key set accepted, in bytes: a key set is a handful of public keys. */
const MAX_KEY_SET_BYTES = 256 * 1024;
/** First delay after a failed fetch; it doubles with each further failure, up to `cooldownMs`. */
const FIRST_BACKOFF_MS = 1000;

interface FetchedKeySet {
  readonly getKey: JWTVerifyGetKey;
  readonly fetchedAt: number;
  /** Increases with every successful fetch: WITs verified under an older set are checked again. */
  readonly generation: number;
}

/**
 * An issuer's key set fetched from its configured URL, with the timing rules that keep both the
 * identity server and the verifier safe (threats O1, O7, O8):
 * - a set is used for `cacheMaxAgeMs`; after that it must be fetched again before any key from it
 *   is trusted, and if that fetch fails the verifier answers 503, never with stale keys;
 * - an unknown `kid` refetches at most once per `cooldownMs` (a rotation is picked up, a flood of
 *   invented kids is not a flood of fetches); within the cool-down it is refused as invalid;
 * - a failed fetch is cooled down too: no new attempt before a backoff of 1 s, doubling per failure
 *   up to `cooldownMs`, and everything that needs the set meanwhile is answered 503 with
 *   `Retry-After`. The cap keeps a legitimately rotated key out for at most `cooldownMs` once the
 *   identity server is back;
 * - concurrent needs share one fetch.
 */
export class RemoteKeySet {
  readonly #url: URL;
  readonly #options: RemoteKeySetOptions;
  #current: FetchedKeySet | undefined;
  #pending: Promise<FetchedKeySet> | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #failures = 0;
  #retryAt = Number.NEGATIVE_INFINITY;
  #generation = 0;

  constructor(url: URL, options: RemoteKeySetOptions) {
    this.#url = url;
    this.#options = options;
  }

  /** The key for a WIT header (jose's key-lookup shape). */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const set = await this.#fresh();
    try {
      return await set.getKey(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid may be a rotated key: look again in the set being fetched right now, or
      // fetch it, unless the last fetch succeeded within the cool-down (then the kid is unknown)
      // or failed within its backoff (then the set is unavailable).
      const now = this.#options.now();
      if (this.#pending === undefined) {
        if (this.#failures > 0 && now < this.#retryAt) throw this.#unavailable(now);
        if (this.#failures === 0 && now - this.#lastAttemptAt < this.#options.cooldownMs) throw error;
      }
      const refreshed = await this.#refresh(now);
      if (refreshed === set) throw error;
      return refreshed.getKey(header, token);
    }
  };

  /**
   * The generation of the key set in force now, fetching it first when its maximum age has passed
   * (a 503 when that is impossible). A verified WIT remembers the generation it was verified under.
   */
  generation(): number | Promise<number> {
    return this.#freshNow()?.generation ?? this.#fresh().then((set) => set.generation);
  }

  async #fresh(): Promise<FetchedKeySet> {
    return this.#freshNow() ?? this.#refresh(this.#options.now());
  }

  /** The set in force now when its maximum age has not passed; undefined when it must be fetched. */
  #freshNow(): FetchedKeySet | undefined {
    const current = this.#current;
    if (current === undefined || this.#options.now() - current.fetchedAt >= this.#options.cacheMaxAgeMs)
      return undefined;
    return current;
  }

  #refresh(now: number): Promise<FetchedKeySet> {
    if (this.#pending !== undefined) return this.#pending;
    if (now < this.#retryAt) return Promise.reject(this.#unavailable(now));
    this.#lastAttemptAt = now;
    const pending = this.#fetch().then(
      (getKey) => {
        this.#failures = 0;
        this.#retryAt = Number.NEGATIVE_INFINITY;
        this.#generation += 1;
        this.#current = { getKey, fetchedAt: now, generation: this.#generation };
        return this.#current;
      },
      (cause: unknown) => {
        this.#failures += 1;
        const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (this.#failures - 1), this.#options.cooldownMs);
        this.#retryAt = now + backoff;
        // A set past its maximum age is not trusted any more, whatever the fetch says.
        if (this.#current !== undefined && now - this.#current.fetchedAt >= this.#options.cacheMaxAgeMs) {
          this.#current = undefined;
        }
        throw new WimseError('unavailable', 'the issuer key set could not be fetched', {
          cause,
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(backoff / 1000))) },
        });
      },
    );
    this.#pending = pending;
    const clear = () => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  #unavailable(now: number): WimseError {
    return new WimseError('unavailable', 'the issuer key set is unavailable (cooling down after a failed fetch)', {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil((this.#retryAt - now) / 1000))) },
    });
  }

  async #fetch(): Promise<JWTVerifyGetKey> {
    const response = await fetch(this.#url, {
      headers: { accept: 'application/json, application/jwk-set+json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`key set answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_KEY_SET_BYTES) {
      await response.body?.cancel();
      throw new Error('key set too large');
    }
    const bytes = await response.arrayBuffer();
    if (bytes.byteLength > MAX_KEY_SET_BYTES) throw new Error('key set too large');
    const jwks = JSON.parse(new TextDecoder().decode(bytes)) as JSONWebKeySet;
    // createLocalJWKSet validates the shape (a `keys` array of JWKs) and throws otherwise.
    return withEd25519Alias(createLocalJWKSet(jwks));
  }
}
