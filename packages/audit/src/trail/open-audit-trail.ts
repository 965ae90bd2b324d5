import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type AuditEvent, WimseError } from '@wimse-pep/core';
import { signerKeyText } from '../note/format-note-keys.js';
import { type AuditEventInput, eventFieldsJson } from '../record/event-fields.js';
import type { PreparedDecision, UnchainedRecord } from '../record/log-record.js';
import type { SignedCheckpoint } from '../writer/log-writer.js';
import { type AuditTrailOptions, auditTrailSettings } from './audit-trail-options.js';
import type { FromWriter, ToWriter, TrailWorkerData } from './worker-messages.js';

export type { AuditTrailOptions } from './audit-trail-options.js';

/**
 * Events go to the writer thread in batches: those of WRITE_DELAY_MS in one message (handing a
 * batch over costs more than copying an event), sooner once WRITE_BATCH wait. Nothing is durable
 * before the next checkpoint's fsync anyway.
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

/** The writer thread's module, beside this one (`.ts` in the workspace sources, `.js` when built). */
const WORKER_URL = new URL(`./trail-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

function startWriterThread(workerData: TrailWorkerData): Worker {
  if (WORKER_URL.pathname.endsWith('.ts')) {
    // The workspace runs its TypeScript sources through tsx, whose module hooks a worker thread
    // does not inherit on Node 20: the thread registers them before loading the writer. Built
    // packages (what users install) load the .js module directly.
    const code = `import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(WORKER_URL.href)}))`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(WORKER_URL, { workerData });
}

/**
 * Opens the tamper-evident audit trail of one writer: a JSON-lines file where every record is
 * chained to the one before by hash, with signed checkpoints (C2SP tlog-checkpoint over an
 * RFC 6962 Merkle tree) every `checkpoint.records` records or `checkpoint.intervalMs`. The request
 * thread only copies each event's allowed fields into a bounded queue (`maxQueue`); a writer
 * thread hashes, writes and signs. Resumes an existing log (recording a crash gap when the last
 * writer did not close it).
 */
export async function openAuditTrail(options: AuditTrailOptions): Promise<AuditTrail> {
  const settings = auditTrailSettings(options);
  const workerData: TrailWorkerData = {
    file: settings.file,
    origin: settings.origin,
    signerKeys: settings.signers.map(signerKeyText),
    checkpointRecords: settings.checkpointRecords,
    checkpointIntervalMs: settings.checkpointIntervalMs,
    rotateBytes: settings.rotateBytes,
  };
  const worker = startWriterThread(workerData);

  let queue: Queued[] = [];
  let queuedEvents = 0;
  let inFlight = 0;
  let state: 'open' | 'closing' | 'closed' | 'failed' = 'open';
  let sendTimer: NodeJS.Timeout | undefined;
  let nextId = 0;
  const waiting = new Map<number, (checkpoint: SignedCheckpoint | undefined) => void>();
  const counts = { written: 0, dropped: 0, refused: 0, lost: 0, checkpoints: 0 };
  let warnedClosed = false;

  const report = (error: unknown) => {
    try {
      settings.onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The error reporter's own failure has nowhere to go.
    }
  };

  const ship = (checkpoint: SignedCheckpoint) => {
    counts.checkpoints += 1;
    if (!settings.onCheckpoint) return;
    try {
      const shipped = settings.onCheckpoint(checkpoint);
      if (shipped && typeof shipped.then === 'function') shipped.then(undefined, report);
    } catch (error) {
      report(error);
    }
  };

  const fail = (error: Error) => {
    if (state === 'failed') return;
    state = 'failed';
    counts.lost += inFlight + queuedEvents;
    inFlight = 0;
    queuedEvents = 0;
    queue = [];
    clearTimeout(sendTimer);
    report(
      new Error(
        `openAuditTrail: the audit log ${settings.file} cannot be written; every event from now on is refused or dropped`,
        { cause: error },
      ),
    );
    for (const resolve of waiting.values()) resolve(undefined);
    waiting.clear();
    holdProcess();
  };

  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: FromWriter) => {
      if (message.type === 'ready') {
        worker.off('error', onError);
        resolve();
      } else if (message.type === 'open-failed') {
        worker.off('error', onError);
        reject(new Error(message.message));
      }
    };
    const onError = (error: Error) => reject(error);
    worker.once('message', onMessage);
    worker.once('error', onError);
  });

  // Like its timers, the writer thread keeps the process alive only while it has work: events
  // handed over and not yet written, or an operation asked for (a server keeps itself alive).
  let referenced = true;
  const holdProcess = () => {
    const busy = inFlight > 0 || waiting.size > 0;
    if (busy === referenced) return;
    referenced = busy;
    if (busy) worker.ref();
    else worker.unref();
  };

  worker.on('message', (message: FromWriter) => {
    switch (message.type) {
      case 'appended':
        inFlight -= message.events;
        counts.written += message.events;
        holdProcess();
        break;
      case 'checkpoint':
        ship(message.checkpoint);
        break;
      case 'done':
        waiting.get(message.id)?.(message.checkpoint);
        waiting.delete(message.id);
        holdProcess();
        break;
      case 'failed':
        fail(new Error(message.message));
        break;
    }
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', () => {
    if (state === 'open' || state === 'closing') fail(new Error('the writer thread ended'));
  });
  holdProcess();

  const toRecord = (item: Queued, time: string): UnchainedRecord | PreparedDecision => {
    if ('overflow' in item && item.overflow === true) {
      const { dropped, refused, from, to } = item;
      return { kind: 'gap', cause: 'overflow', time, dropped, refused, from, to };
    }
    // The allowed fields, already in canonical JSON: the writer thread only numbers and chains them.
    return { kind: 'decision', time, eventJson: eventFieldsJson(item as AuditEventInput) };
  };

  /** Hands what is queued to the writer thread. */
  const send = () => {
    clearTimeout(sendTimer);
    sendTimer = undefined;
    if (queue.length === 0 || (state !== 'open' && state !== 'closing')) return;
    const time = new Date().toISOString();
    const records = queue.map((item) => toRecord(item, time));
    const message: ToWriter = { type: 'append', records, events: queuedEvents };
    inFlight += queuedEvents;
    queuedEvents = 0;
    queue = [];
    worker.postMessage(message);
    holdProcess();
  };

  const schedule = () => {
    if (queuedEvents >= WRITE_BATCH) send();
    else if (!sendTimer) sendTimer = setTimeout(send, WRITE_DELAY_MS);
  };

  /** Sends what is queued, then asks the writer thread for an operation and waits for it. */
  const request = (type: 'sync' | 'checkpoint' | 'rotate' | 'close') => {
    send();
    if (state === 'failed') return Promise.resolve(undefined);
    const id = nextId++;
    return new Promise<SignedCheckpoint | undefined>((resolve) => {
      waiting.set(id, resolve);
      worker.postMessage({ type, id } satisfies ToWriter);
      holdProcess();
    });
  };

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
    schedule();
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
        schedule();
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
    stats: (): AuditTrailStats => ({ ...counts, queued: queuedEvents + inFlight, failed: state === 'failed' }),
    async flush() {
      await request('sync');
    },
    checkpoint: () => request('checkpoint'),
    async rotate() {
      await request('rotate');
    },
    async close() {
      if (state !== 'open') return;
      state = 'closing';
      const closed = request('close');
      await closed;
      if (state === 'closing') state = 'closed';
      await worker.terminate();
    },
  });
  return trail;
}
