import { expectObject, positiveInteger } from '../base/options/option-checks.js';
import { proofOfPossession, type WorkloadProof, workloadProofs } from '../identity/workload-identity.js';
import type { CallerMigrationRecord, CallerUse, MechanismUse, MigrationStore } from './migration-store.js';

/** Bounds of the in-memory migration store (one process; use the Redis store across replicas). */
export interface MemoryMigrationStoreOptions {
  /** Most callers remembered at once (default 10 000). */
  readonly maxCallers?: number;
  /** Most route labels remembered per caller (default 32); later routes are not added. */
  readonly maxRoutesPerCaller?: number;
}

interface MutableRecord {
  readonly id: string;
  readonly mechanisms: Partial<Record<WorkloadProof, MechanismUse>>;
  readonly routes: string[];
  ratchetedAtMs: number | undefined;
}

/**
 * The default migration store: one process, bounded. Callers are kept in least-recently-used
 * order, in two lists: when full, a caller that never proved possession is forgotten first, so
 * that an inventory flood cannot push out a ratchet (which would reopen the bearer door for a
 * migrated caller). Only when every remembered caller is ratcheted does the oldest ratchet go.
 * Replicas of a service need a shared store (the Redis package) for the ratchet to hold on all.
 */
export class MemoryMigrationStore implements MigrationStore {
  readonly #maxCallers: number;
  readonly #maxRoutes: number;
  /** Insertion order is recency order: a touched record is deleted and set again. */
  readonly #plain = new Map<string, MutableRecord>();
  readonly #ratcheted = new Map<string, MutableRecord>();

  constructor(options: MemoryMigrationStoreOptions = {}) {
    expectObject(options, 'MemoryMigrationStore: options', 'an object like { maxCallers }');
    this.#maxCallers = positiveInteger(options.maxCallers, 10_000, 'MemoryMigrationStore: maxCallers');
    this.#maxRoutes = positiveInteger(options.maxRoutesPerCaller, 32, 'MemoryMigrationStore: maxRoutesPerCaller');
  }

  /** How many callers are remembered. */
  get size(): number {
    return this.#plain.size + this.#ratcheted.size;
  }

  async recordUse(use: CallerUse): Promise<CallerMigrationRecord> {
    checkUse(use);
    let record = this.#take(use.id);
    if (!record) {
      this.#makeRoom();
      record = { id: use.id, mechanisms: {}, routes: [], ratchetedAtMs: undefined };
    }
    const before = record.mechanisms[use.proof];
    record.mechanisms[use.proof] = before
      ? {
          count: before.count + 1,
          firstSeenMs: Math.min(before.firstSeenMs, use.atMs),
          lastSeenMs: Math.max(before.lastSeenMs, use.atMs),
        }
      : { count: 1, firstSeenMs: use.atMs, lastSeenMs: use.atMs };
    if (!record.routes.includes(use.route) && record.routes.length < this.#maxRoutes) record.routes.push(use.route);
    // First writer wins: a ratchet is never moved, not even earlier.
    if (record.ratchetedAtMs === undefined && proofOfPossession.includes(use.proof)) record.ratchetedAtMs = use.atMs;
    (record.ratchetedAtMs === undefined ? this.#plain : this.#ratcheted).set(record.id, record);
    return snapshot(record);
  }

  async get(id: string): Promise<CallerMigrationRecord | undefined> {
    const record = this.#plain.get(id) ?? this.#ratcheted.get(id);
    return record ? snapshot(record) : undefined;
  }

  async list(): Promise<readonly CallerMigrationRecord[]> {
    return [...this.#ratcheted.values(), ...this.#plain.values()].map(snapshot);
  }

  async reset(id?: string): Promise<void> {
    if (id === undefined) {
      this.#plain.clear();
      this.#ratcheted.clear();
      return;
    }
    this.#plain.delete(id);
    this.#ratcheted.delete(id);
  }

  #take(id: string): MutableRecord | undefined {
    const record = this.#plain.get(id) ?? this.#ratcheted.get(id);
    this.#plain.delete(id);
    this.#ratcheted.delete(id);
    return record;
  }

  #makeRoom(): void {
    if (this.size < this.#maxCallers) return;
    const victims = this.#plain.size > 0 ? this.#plain : this.#ratcheted;
    const oldest = victims.keys().next();
    if (!oldest.done) victims.delete(oldest.value);
  }
}

function snapshot(record: MutableRecord): CallerMigrationRecord {
  const mechanisms: Partial<Record<WorkloadProof, MechanismUse>> = {};
  for (const [proof, use] of Object.entries(record.mechanisms))
    mechanisms[proof as WorkloadProof] = Object.freeze({ ...use });
  return Object.freeze({
    id: record.id,
    mechanisms: Object.freeze(mechanisms),
    routes: Object.freeze([...record.routes]),
    ...(record.ratchetedAtMs === undefined ? {} : { ratchetedAtMs: record.ratchetedAtMs }),
  });
}

function checkUse(use: CallerUse): void {
  if (typeof use !== 'object' || use === null) throw new TypeError('recordUse needs { id, proof, route, atMs }');
  if (typeof use.id !== 'string' || use.id === '') throw new TypeError('recordUse: id must be a non-empty string');
  if (!workloadProofs.includes(use.proof)) throw new TypeError('recordUse: proof is not a known proof');
  if (typeof use.route !== 'string') throw new TypeError('recordUse: route must be a string');
  if (!Number.isFinite(use.atMs)) throw new TypeError('recordUse: atMs must be a finite number');
}
