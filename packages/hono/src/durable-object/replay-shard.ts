/** The parts of a Durable Object's state this store uses (Cloudflare's `DurableObjectState`). */
export interface ReplayShardState {
  readonly storage: {
    /** Reads one key. */
    get<T>(key: string): Promise<T | undefined>;
    /** Writes one key. */
    put<T>(key: string, value: T): Promise<void>;
    /** Deletes keys; resolves how many existed. */
    delete(keys: string[]): Promise<number>;
    /** Lists keys in order. */
    list<T>(options?: { limit?: number }): Promise<Map<string, T>>;
    /** The time of the scheduled alarm, if any. */
    getAlarm(): Promise<number | null>;
    /** Schedules the alarm. */
    setAlarm(scheduledTime: number): Promise<void>;
  };
}

/** What one shard is asked: record `key` until `expiresAtMs` unless it is there and live at `nowMs`. */
export interface ReplayShardRequest {
  readonly key: string;
  readonly expiresAtMs: number;
  readonly nowMs: number;
}

/**
 * One shard of the Durable Object replay store: a Durable Object class the Worker exports
 * (`export { WimseReplayShard } from '@wimse-pep/hono/durable-object'`) and binds. A Durable Object
 * runs one request at a time and its input gate holds other events while a storage call is
 * pending, so the read and the write of one add are atomic without a transaction. Expired nonces
 * are removed by an alarm, never read as live (their expiry is compared on every add).
 */
export class WimseReplayShard {
  readonly #state: ReplayShardState;

  constructor(state: ReplayShardState, _env?: unknown) {
    this.#state = state;
  }

  /** Records one nonce key if absent (the store's `addIfAbsent`): answers `{ added }`, 400 for a malformed request. */
  async fetch(request: Request): Promise<Response> {
    const { key, expiresAtMs, nowMs } = (await request.json()) as ReplayShardRequest;
    if (typeof key !== 'string' || !Number.isFinite(expiresAtMs) || !Number.isFinite(nowMs)) {
      return new Response('bad replay shard request', { status: 400 });
    }
    const storage = this.#state.storage;
    const recorded = await storage.get<number>(key);
    if (recorded !== undefined && recorded > nowMs) return Response.json({ added: false });
    await storage.put(key, expiresAtMs);
    const alarm = await storage.getAlarm();
    if (alarm === null || alarm > expiresAtMs) await storage.setAlarm(expiresAtMs);
    return Response.json({ added: true });
  }

  /** Removes what has expired, in pages, and comes back for the next expiry. */
  async alarm(): Promise<void> {
    const storage = this.#state.storage;
    const now = Date.now();
    let next: number | undefined;
    const entries = await storage.list<number>({ limit: 10_000 });
    const expired: string[] = [];
    for (const [key, expiresAtMs] of entries) {
      if (expiresAtMs <= now) expired.push(key);
      else next = next === undefined ? expiresAtMs : Math.min(next, expiresAtMs);
    }
    for (let i = 0; i < expired.length; i += 128) await storage.delete(expired.slice(i, i + 128));
    if (entries.size === 10_000) next = now + 1000;
    if (next !== undefined) await storage.setAlarm(next);
  }
}
