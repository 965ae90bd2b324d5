import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type ClientReadableStream, credentials as grpcCredentials, type Metadata } from '@grpc/grpc-js';
import { type SpiffeBundleDocument, WIT_SVID_USE } from '@wimse-pep/core';
import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import { CredentialError } from '../errors/credential-error.js';
import { hasExpired } from '../expiry/has-expired.js';
import { watchWorkloadApi } from '../workload-api/watch-workload-api.js';
import {
  loadWorkloadApi,
  type WitBundlesResponse,
  type WitSvidMessage,
  type WitSvidRequest,
  type WitSvidResponse,
} from '../workload-api/workload-api-definition.js';
import { workloadApiTarget } from '../workload-api/workload-api-target.js';
import { type CheckedCredentials, checkCredentials } from './check-credentials.js';
import type { CredentialSource } from './credential-source.js';

export interface WorkloadApiCredentialsOptions {
  /**
   * The Workload API endpoint: `unix:///path/to/agent.sock` (or `tcp://<IP>:<port>`). Default: the
   * `SPIFFE_ENDPOINT_SOCKET` environment variable, as the SPIFFE Workload Endpoint requires.
   */
  readonly endpoint?: string;
  /** Ask for this SPIFFE ID only; default every identity, of which the first (the default) is used. */
  readonly spiffeId?: string;
  /** Use the WIT-SVID whose `hint` is this (e.g. `internal`); default the first one. */
  readonly hint?: string;
  /** How long a request waits for the first WIT-SVID (or the next, after a denial), in ms (default 10 000). */
  readonly waitMs?: number;
  /** First reconnect delay in ms (default 500); it doubles per failure in a row up to `maxBackoffMs`. */
  readonly minBackoffMs?: number;
  /** Longest reconnect delay in ms (default 30 000). */
  readonly maxBackoffMs?: number;
  /** PermissionDenied answers in a row retried before giving up for good (default 5). */
  readonly maxPermissionDenied?: number;
  /** The clock in epoch milliseconds, for WIT expiry (default `Date.now`). */
  readonly now?: () => number;
  /** Told about every WIT-SVID taken into use (no token or key in it). */
  readonly onUpdate?: (event: { readonly spiffeId: string; readonly expiresAt: number }) => void;
  /** Told about a problem while the last WIT-SVID stays in use (a lost stream, an unusable message). */
  readonly onError?: (error: CredentialError) => void;
}

export interface WorkloadApiCredentialSource extends CredentialSource {
  /**
   * The WIT bundles the Workload API serves (`FetchWITBundles`), by trust domain SPIFFE ID
   * (`spiffe://example.org`): SPIFFE bundle documents (keys marked `use: "wit-svid"`) for `spiffeBundle` in a verifier's configuration. The
   * stream is opened at the first call and kept up to date until `close()`.
   */
  getBundles(): Promise<ReadonlyMap<string, SpiffeBundleDocument>>;
  /** Ends the streams and the connection; afterwards every call fails. */
  close(): void;
}

/**
 * Credentials straight from a SPIFFE Workload API (a SPIRE agent with WIT-SVIDs enabled, or
 * `wimse-pep dev-issuer --workload-api`): `FetchWITSVID` is streamed from the moment the source is
 * created, and every WIT-SVID the agent sends (a rotation) is checked (its private key matches
 * `cnf.jwk`, `sub` is its SPIFFE ID, unexpired) and used from the next request on.
 *
 * When the agent goes away the stream is reopened with a backoff and the last WIT-SVID is used
 * until it expires; after that requests fail with a CredentialError saying why. PermissionDenied
 * withdraws the WIT-SVID (Workload API §7.2.1) and is retried `maxPermissionDenied` times;
 * Unimplemented (no WIT-SVID profile) and InvalidArgument are final. Call `close()` when done: an
 * open stream keeps the process alive.
 */
export function workloadApiCredentials(options: WorkloadApiCredentialsOptions = {}): WorkloadApiCredentialSource {
  const address = options.endpoint ?? process.env.SPIFFE_ENDPOINT_SOCKET;
  if (address === undefined || address === '') {
    throw new TypeError('workloadApiCredentials: endpoint is required when SPIFFE_ENDPOINT_SOCKET is not set');
  }
  const target = workloadApiTarget(
    address,
    options.endpoint === undefined ? 'SPIFFE_ENDPOINT_SOCKET' : 'workloadApiCredentials: endpoint',
  );
  const waitMs = nonNegative(options.waitMs, 10_000, 'waitMs');
  const watchOptions = {
    minBackoffMs: nonNegative(options.minBackoffMs, 500, 'minBackoffMs'),
    maxBackoffMs: nonNegative(options.maxBackoffMs, 30_000, 'maxBackoffMs'),
    maxPermissionDenied: nonNegative(options.maxPermissionDenied, 5, 'maxPermissionDenied'),
  };
  const now = options.now ?? Date.now;
  const where = `Workload API ${address}`;
  const { Client } = loadWorkloadApi();
  // The channel reconnects on the same schedule as the streams, so a returning agent is found soon.
  const client = new Client(target, grpcCredentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': Math.max(1, watchOptions.minBackoffMs),
    'grpc.max_reconnect_backoff_ms': Math.max(1, watchOptions.maxBackoffMs),
  }) as unknown as {
    close(): void;
    FetchWITSVID(request: WitSvidRequest, metadata: Metadata): ClientReadableStream<WitSvidResponse>;
    FetchWITBundles(request: object, metadata: Metadata): ClientReadableStream<WitBundlesResponse>;
  };

  const svids = new Latest<CheckedCredentials>(where, 'WIT-SVID', waitMs);
  // Messages are checked one after the other, so a later rotation never loses to an earlier one.
  let checking = Promise.resolve();
  const watch = watchWorkloadApi<WitSvidResponse>(
    (metadata) => client.FetchWITSVID({ spiffe_id: options.spiffeId ?? '' }, metadata),
    watchOptions,
    {
      message(response) {
        checking = checking.then(async () => {
          try {
            const checked = await checkSvid(response, options, where, now);
            svids.set(checked);
            options.onUpdate?.({ spiffeId: checked.subject, expiresAt: checked.expiresAt });
          } catch (error) {
            options.onError?.(error as CredentialError);
          }
        });
      },
      denied(detail) {
        // "the client SHOULD cease using the redacted SVIDs" (Workload API §7.2.1).
        svids.withdraw(`the agent denied this workload its WIT-SVID (${detail})`);
        options.onError?.(new CredentialError(`${where}: ${detail}`));
      },
      interrupted(detail, retryInMs) {
        svids.problem = detail;
        options.onError?.(new CredentialError(`${where}: ${detail}; reconnecting in ${retryInMs} ms`));
      },
      gaveUp(detail) {
        svids.fail(new CredentialError(`${where}: FetchWITSVID failed for good: ${detail}`));
      },
    },
  );

  let bundles: { latest: Latest<ReadonlyMap<string, SpiffeBundleDocument>>; close(): void } | undefined;
  function watchBundles() {
    const latest = new Latest<ReadonlyMap<string, SpiffeBundleDocument>>(where, 'WIT bundle', waitMs);
    const bundleWatch = watchWorkloadApi<WitBundlesResponse>(
      (metadata) => client.FetchWITBundles({}, metadata),
      watchOptions,
      {
        message(response) {
          try {
            latest.set(parseBundles(response));
          } catch (error) {
            options.onError?.(new CredentialError(`${where}: ${(error as Error).message}`));
          }
        },
        denied(detail) {
          latest.withdraw(`the agent denied this workload its WIT bundles (${detail})`);
        },
        interrupted(detail) {
          latest.problem = detail;
        },
        gaveUp(detail) {
          latest.fail(new CredentialError(`${where}: FetchWITBundles failed for good: ${detail}`));
        },
      },
    );
    return { latest, close: () => bundleWatch.close() };
  }

  let closed = false;
  return {
    async getCredentials(): Promise<WorkloadCredentials> {
      const checked = await svids.get(
        (current) => !hasExpired(current, now()),
        (current) => expiredDetail(current),
      );
      return checked.credentials;
    },
    async getBundles() {
      if (closed) throw new CredentialError(`${where}: the source is closed`);
      bundles ??= watchBundles();
      return bundles.latest.get(
        () => true,
        () => '',
      );
    },
    close() {
      closed = true;
      watch.close();
      bundles?.close();
      const error = new CredentialError(`${where}: the source is closed`);
      svids.fail(error);
      bundles?.latest.fail(error);
      client.close();
    },
  };
}

/** The newest value a stream delivered, and the requests waiting for one. */
class Latest<T> {
  #value: T | undefined;
  #final: CredentialError | undefined;
  #withdrawn: string | undefined;
  problem: string | undefined;
  readonly #waiters = new Set<{ resolve(value: T): void; reject(error: unknown): void }>();

  constructor(
    private readonly where: string,
    private readonly what: string,
    private readonly waitMs: number,
  ) {}

  set(value: T): void {
    this.#value = value;
    this.#withdrawn = undefined;
    this.problem = undefined;
    for (const waiter of this.#waiters) waiter.resolve(value);
    this.#waiters.clear();
  }

  withdraw(reason: string): void {
    this.#value = undefined;
    this.#withdrawn = reason;
  }

  fail(error: CredentialError): void {
    this.#final ??= error;
    this.#value = undefined;
    for (const waiter of this.#waiters) waiter.reject(this.#final);
    this.#waiters.clear();
  }

  /** The current value when `usable`, else the next one delivered within `waitMs`. */
  get(usable: (value: T) => boolean, whyNot: (value: T) => string): Promise<T> {
    if (this.#final !== undefined) return Promise.reject(this.#final);
    const value = this.#value;
    if (value !== undefined) {
      if (usable(value)) return Promise.resolve(value);
      const since =
        this.problem === undefined ? 'no newer one has arrived' : `the agent is unreachable (${this.problem})`;
      return Promise.reject(new CredentialError(`${this.where}: ${whyNot(value)} and ${since}`));
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve: (next: T) => {
          clearTimeout(timer);
          resolve(next);
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const why = this.#withdrawn ?? (this.problem === undefined ? 'no answer' : `last error: ${this.problem}`);
        reject(new CredentialError(`${this.where}: no ${this.what} within ${this.waitMs} ms (${why})`));
      }, this.waitMs);
      this.#waiters.add(waiter);
    });
  }
}

async function checkSvid(
  response: WitSvidResponse,
  options: WorkloadApiCredentialsOptions,
  where: string,
  now: () => number,
): Promise<CheckedCredentials> {
  const svids = response.svids ?? [];
  if (svids.length === 0) throw new CredentialError(`${where}: a FetchWITSVID answer without any WIT-SVID`);
  const chosen = pick(svids, options);
  if (chosen === undefined) {
    throw new CredentialError(
      `${where}: no WIT-SVID${options.hint ? ` with hint ${options.hint}` : ''}${options.spiffeId ? ` for ${options.spiffeId}` : ''}`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: JSON.parse(chosen.wit_svid_key) as JsonWebKey, format: 'jwk' });
  } catch (cause) {
    throw new CredentialError(`${where}: the WIT-SVID key for ${chosen.spiffe_id} is not a private JWK`, { cause });
  }
  const checked = await checkCredentials({ wit: chosen.wit_svid, privateKey }, `${where} (${chosen.spiffe_id})`);
  if (checked.subject !== chosen.spiffe_id) {
    throw new CredentialError(`${where}: the WIT-SVID's sub is not its SPIFFE ID ${chosen.spiffe_id}`);
  }
  if (hasExpired(checked, now())) throw new CredentialError(`${where}: the agent sent an expired WIT-SVID`);
  return checked;
}

/** The SVID to use: by hint, else by SPIFFE ID, else the first (the default identity, §8). */
function pick(svids: readonly WitSvidMessage[], options: WorkloadApiCredentialsOptions): WitSvidMessage | undefined {
  return svids.find(
    (svid) =>
      (options.hint === undefined || svid.hint === options.hint) &&
      (options.spiffeId === undefined || svid.spiffe_id === options.spiffeId),
  );
}

/**
 * The bundles of a `FetchWITBundles` answer as SPIFFE bundle documents. They hold WIT-SVID keys
 * only (Workload API §7.2.2), so a key without `use` is marked `wit-svid`; a key marked for
 * anything else is left out.
 */
function parseBundles(response: WitBundlesResponse): ReadonlyMap<string, SpiffeBundleDocument> {
  const parsed = new Map<string, SpiffeBundleDocument>();
  for (const [trustDomain, text] of Object.entries(response.bundles ?? {})) {
    const jwks = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(jwks?.keys)) throw new Error(`the WIT bundle of ${trustDomain} is not a JWK Set`);
    const keys = (jwks.keys as Record<string, unknown>[])
      .filter((key) => key.use === undefined || key.use === WIT_SVID_USE)
      .map((key) => ({ ...key, use: WIT_SVID_USE }));
    parsed.set(trustDomain, { keys });
  }
  return parsed;
}

function expiredDetail(checked: CheckedCredentials): string {
  return `the WIT-SVID for ${checked.subject} expired at ${new Date(checked.expiresAt * 1000).toISOString()}`;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`workloadApiCredentials: ${name} must be >= 0`);
  return value;
}
