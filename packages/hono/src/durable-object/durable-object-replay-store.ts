import type { ReplayStore } from '@wimse-pep/core';

/** The parts of a Durable Object namespace binding this store uses (Cloudflare's `DurableObjectNamespace`). */
export interface ReplayShardNamespace<Id = unknown> {
  /** The id of the object with this name. */
  idFromName(name: string): Id;
  /** A stub of the object with this id. */
  get(id: Id): {
    /** Sends a request to the object. */
    fetch(input: string, init?: RequestInit): Promise<Response>;
  };
}

/** How the nonces are spread over Durable Objects. */
export interface DurableObjectReplayStoreOptions {
  /** How many Durable Objects share the nonces, by nonce hash (default 16, 1 to 1024). */
  readonly shards?: number;
  /** Prefix of the objects' names, to keep two stores on one namespace apart (default `wimse-replay`). */
  readonly name?: string;
}

/**
 * A replay store shared by every isolate of a Worker: each nonce goes to one Durable Object
 * (`WimseReplayShard`) chosen by the SHA-256 of its key, which records it atomically with its
 * expiry. A shard that cannot answer rejects, and the verifier refuses the request (503).
 */
export function durableObjectReplayStore<Id>(
  namespace: ReplayShardNamespace<Id>,
  options: DurableObjectReplayStoreOptions = {},
): ReplayStore {
  if (typeof namespace?.idFromName !== 'function' || typeof namespace.get !== 'function') {
    throw new TypeError('durableObjectReplayStore: namespace must be a Durable Object namespace binding');
  }
  const shards = options.shards ?? 16;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
    throw new TypeError(`durableObjectReplayStore: shards must be an integer from 1 to 1024, got ${String(shards)}`);
  }
  const name = options.name ?? 'wimse-replay';
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('durableObjectReplayStore: name must be a non-empty string');
  }
  return {
    async addIfAbsent(key, expiresAtMs, _createdAtMs, nowMs = Date.now()) {
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
      const shard =
        (((hash[0] as number) << 24) |
          ((hash[1] as number) << 16) |
          ((hash[2] as number) << 8) |
          (hash[3] as number)) >>>
        0;
      // A stub is an I/O object of the request that made it: one per call, never kept across requests.
      const stub = namespace.get(namespace.idFromName(`${name}-${shard % shards}`));
      const response = await stub.fetch('https://wimse-replay-shard/add', {
        method: 'POST',
        body: JSON.stringify({ key, expiresAtMs, nowMs }),
      });
      if (!response.ok) throw new Error(`replay shard answered ${response.status}`);
      return ((await response.json()) as { added: boolean }).added === true;
    },
  };
}
