import type { WorkloadProof } from '../identity/workload-identity.js';

/** What one caller has used so far with one proof. */
export interface MechanismUse {
  readonly count: number;
  /** Epoch milliseconds. */
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/**
 * Everything the PEP remembers about one caller during a bearer-to-WIT migration. Bounded: a
 * store keeps at most a configured number of callers and of routes per caller.
 */
export interface CallerMigrationRecord {
  /** The caller's workload identifier. */
  readonly id: string;
  /** Uses per proof (`bearer`, `http-signature`, `wpt`, `mtls`). */
  readonly mechanisms: Readonly<Partial<Record<WorkloadProof, MechanismUse>>>;
  /** Route labels the caller was seen on (bounded, oldest kept). */
  readonly routes: readonly string[];
  /**
   * When the caller first authenticated with a proof of possession (epoch ms): the ratchet. From
   * this instant (plus any grace period) its bearer tokens are refused. Absent: not migrated.
   */
  readonly ratchetedAtMs?: number | undefined;
}

/** One successful authentication, as recorded. */
export interface CallerUse {
  readonly id: string;
  readonly proof: WorkloadProof;
  readonly route: string;
  /** Epoch milliseconds, from the verifier's clock (never the store's). */
  readonly atMs: number;
}

/**
 * Migration state shared by every replica of a service: which callers have moved to WITs (the
 * ratchet) and what each caller still uses (the inventory). Every method is atomic per caller and
 * may reject when the store cannot answer; the guard then fails closed (503).
 */
export interface MigrationStore {
  /**
   * Records one use and returns the caller's record after it. A proof of possession sets
   * `ratchetedAtMs` if it was not set (first writer wins; never moved later).
   */
  recordUse(use: CallerUse): Promise<CallerMigrationRecord>;
  /** The caller's record, or undefined when it was never seen (or was reset). */
  get(id: string): Promise<CallerMigrationRecord | undefined>;
  /** Every record, for the operator's report (bounded by the store's capacity). */
  list(): Promise<readonly CallerMigrationRecord[]>;
  /** Forgets one caller (its ratchet too), or every caller when `id` is omitted. */
  reset(id?: string): Promise<void>;
}
