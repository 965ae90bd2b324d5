import { type AuditEvent, WimseError } from '@wimse-pep/core';
import { type AuditEventInput, eventFields } from '../record/event-fields.js';
import type { UnchainedRecord } from '../record/log-record.js';
import { LogWriter, type SignedCheckpoint } from '../writer/log-writer.js';
import { type AuditTrailOptions, auditTrailSettings } from './audit-trail-options.js';

export type { AuditTrailOptions } from './audit-trail-options.js';

/**
 * Writes are batched: the events of WRITE_DELAY_MS go out in one write (each write is a thread
 * pool round trip, which costs more than encoding a record), or sooner once WRITE_BATCH wait.
 * Nothing is durable before the next checkpoint's fsync anyway.
 */
const WRITE_DELAY_MS = 10;
const WRITE_BATCH = 512;

export interface AuditTrailStats {
  /** Decision records written. */
  readonly written: number;
  /** Events not recorded because the queue was full (`drop`, or any non-allow decision). */
  readonly dropped: number;
  /** Allow decisions refused with 503 because the queue was full (`refuse`). */
  readonly refused: number;
  /** Events lost to a write failure, or after the trail was closed. */
  readonly lost: number;
  /** Events waiting to be written. */
  readonly queued: number;
  /** Checkpoints signed. */
  readonly checkpoints: number;
  /** The log could not be written: every event since is refused or dropped. */
  readonly failed: boolean;
}

/**
 * The guard's `audit` option: call it with each decision. Also: the counters, and the
 * operations an application runs itself (a checkpoint now, a rotation, close on shutdown).
 */
export interface AuditTrail {
  (event: AuditEvent): void;
  readonly origin: string;
  readonly file: string;
  stats(): AuditTrailStats;
  /** Resolves once every event queued so far is written (not fsynced: a checkpoint does that). */
  flush(): Promise<void>;
  /** Writes what is queued and signs a checkpoint over it now (undefined when nothing is new). */
  checkpoint(): Promise<SignedCheckpoint | undefined>;
  /** Writes what is queued, then rotates the active file (the chain goes on in the new one). */
  rotate(): Promise<void>;
  /** Writes what is queued, a stop record and a last checkpoint, and releases the log. */
  close(): Promise<void>;
}

/** Events that could not be queued, said in the chain where they happened. */
interface OverflowMarker {
  readonly overflow: true;
  dropped: number;
  refused: number;
  readonly from: string;
  to: string;
}

type Queued = AuditEventInput | OverflowMarker;

/**
 * Opens the tamper-evident audit trail of one writer: a JSON-lines file where every record is
 * chained to the one before by hash, with signed checkpoints (C2SP tlog-checkpoint over an
 * RFC 6962 Merkle tree) every `checkpoint.records` records or `checkpoint.intervalMs`. Events
 * are queued (bounded by `maxQueue`) and written in batches off the request path. Resumes an
 * existing log (recording a crash gap when the last writer did not close it).
 */
export async function openAuditTrail(options: AuditTrailOptions): Promise<AuditTrail> {
  const settings = auditTrailSettings(options);
  const writer = await LogWriter.open({
    file: settings.file,
    origin: settings.origin,
    signers: settings.signers,
    what: 'openAuditTrail',
  });

  let queue: Queued[] = [];
  let queuedEvents = 0;
  let inFlight = 0;
  let state: 'open' | 'closing' | 'closed' | 'failed' = 'open';
  let pumping: Promise<void> | undefined;
  let checkpointDue = false;
  let rotateDue = false;
  let lastCheckpoint: SignedCheckpoint | undefined;
  const counts = { written: 0, dropped: 0, refused: 0, lost: 0, checkpoints: 0 };
  let warnedClosed = false;

  const report = (error: unknown) => {
    try {
      settings.onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The error reporter's own failure has nowhere to go.
    }
  };

  const ship = (checkpoint: SignedCheckpoint | undefined) => {
    if (!checkpoint) return;
    lastCheckpoint = checkpoint;
    counts.checkpoints += 1;
    if (!settings.onCheckpoint) return;
    try {
      const shipped = settings.onCheckpoint(checkpoint);
      if (shipped && typeof shipped.then === 'function') shipped.then(undefined, report);
    } catch (error) {
      report(error);
    }
  };

  const toRecord = (item: Queued): UnchainedRecord => {
    const time = new Date().toISOString();
    if ('overflow' in item && item.overflow === true) {
      return {
        kind: 'gap',
        cause: 'overflow',
        time,
        dropped: item.dropped,
        refused: item.refused,
        from: item.from,
        to: item.to,
      };
    }
    return { kind: 'decision', time, event: eventFields(item as AuditEventInput) };
  };

  const fail = (error: unknown) => {
    state = 'failed';
    counts.lost += inFlight + queuedEvents;
    inFlight = 0;
    queuedEvents = 0;
    queue = [];
    clearInterval(timer);
    report(
      new Error(
        `openAuditTrail: the audit log ${settings.file} cannot be written; every event from now on is refused or dropped`,
        { cause: error },
      ),
    );
    writer.abandon().catch(report);
  };

  const pump = async () => {
    try {
      while (state !== 'failed' && state !== 'closed') {
        if (queue.length > 0) {
          const batch = queue;
          queue = [];
          inFlight = queuedEvents;
          queuedEvents = 0;
          await writer.append(batch.map(toRecord));
          counts.written += inFlight;
          inFlight = 0;
          if (writer.sinceCheckpoint >= settings.checkpointRecords) checkpointDue = true;
        } else if (checkpointDue) {
          checkpointDue = false;
          ship(await writer.checkpoint());
        } else if (rotateDue || (settings.rotateBytes > 0 && writer.bytes >= settings.rotateBytes)) {
          rotateDue = false;
          ship(await writer.rotate());
        } else {
          break;
        }
      }
    } catch (error) {
      fail(error);
    }
  };

  /** Events are written in batches: one write per WRITE_DELAY_MS, sooner once WRITE_BATCH wait. */
  let wake: (() => void) | undefined;
  const start = () => {
    if (pumping) {
      if (wake && queuedEvents >= WRITE_BATCH) wake();
      return;
    }
    const waited = new Promise<void>((resolve) => {
      const timeout = setTimeout(() => {
        wake = undefined;
        resolve();
      }, WRITE_DELAY_MS);
      wake = () => {
        clearTimeout(timeout);
        wake = undefined;
        resolve();
      };
    });
    if (queuedEvents >= WRITE_BATCH) wake?.();
    pumping = waited.then(pump).finally(() => {
      pumping = undefined;
      if (state === 'open' && (queue.length > 0 || checkpointDue || rotateDue)) start();
    });
  };

  const flush = async () => {
    do {
      start();
      wake?.();
      await pumping;
    } while (pumping || (queue.length > 0 && state === 'open'));
  };

  const timer = setInterval(() => {
    if (writer.sinceCheckpoint > 0 || queue.length > 0) {
      checkpointDue = true;
      start();
    }
  }, settings.checkpointIntervalMs);
  timer.unref();

  /** An allow decision that `refuse` turns into a 503 rather than let it through unrecorded. */
  const refusable = (event: AuditEventInput) =>
    settings.overflow === 'refuse' && event?.decision === 'allow' && event.stage !== 'shadow';
  const refusal = () =>
    new WimseError('unavailable', 'the audit trail cannot keep up', { headers: { 'retry-after': '1' } });

  /** The queue is full: counted, and said in the chain where it happened once the queue drains. */
  const overflowed = (event: AuditEventInput) => {
    const refuse = refusable(event);
    const time = typeof event?.time === 'string' ? event.time : new Date().toISOString();
    const last = queue.at(-1);
    if (last && 'overflow' in last && last.overflow === true) {
      last.to = time;
      if (refuse) last.refused += 1;
      else last.dropped += 1;
    } else {
      queue.push({ overflow: true, dropped: refuse ? 0 : 1, refused: refuse ? 1 : 0, from: time, to: time });
    }
    start();
    if (refuse) {
      counts.refused += 1;
      throw refusal();
    }
    counts.dropped += 1;
  };

  const trail = ((event: AuditEvent) => {
    if (state === 'open') {
      if (queuedEvents + inFlight < settings.maxQueue) {
        queue.push(event);
        queuedEvents += 1;
        start();
        return;
      }
      overflowed(event);
      return;
    }
    // Closed, or the log cannot be written: nothing can be recorded any more.
    counts.lost += 1;
    if (!warnedClosed) {
      warnedClosed = true;
      report(
        new Error(
          `openAuditTrail: events reach the audit trail of ${settings.origin} after it ${state === 'failed' ? 'failed' : 'was closed'}: not recorded`,
        ),
      );
    }
    if (refusable(event)) throw refusal();
  }) as AuditTrail;

  Object.defineProperties(trail, {
    origin: { value: settings.origin, enumerable: true },
    file: { value: settings.file, enumerable: true },
  });
  Object.assign(trail, {
    stats: (): AuditTrailStats => ({
      ...counts,
      queued: queuedEvents + inFlight,
      failed: state === 'failed',
    }),
    flush,
    async checkpoint() {
      checkpointDue = true;
      const before = lastCheckpoint;
      await flush();
      return lastCheckpoint === before ? undefined : lastCheckpoint;
    },
    async rotate() {
      rotateDue = true;
      await flush();
    },
    async close() {
      if (state !== 'open') return;
      state = 'closing';
      clearInterval(timer);
      while (queue.length > 0 || pumping) {
        if (!pumping) pumping = pump().finally(() => (pumping = undefined));
        await pumping;
      }
      if (state === 'closing') {
        state = 'closed';
        try {
          ship(await writer.close());
        } catch (error) {
          report(error);
        }
      }
    },
  });
  return trail;
}
