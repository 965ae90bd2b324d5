/**
 * The writer thread of an audit trail: it numbers, canonicalizes, hashes and appends the records
 * the request thread sends, signs the checkpoints (on its own timer and record count), rotates
 * files. The request thread only copies each event's allowed fields and hands batches over, so
 * the hashing, the writes and the fsyncs stay off the event loop that serves requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseSignerKey } from '../note/parse-signer-key.js';
import { LogWriter, type SignedCheckpoint } from '../writer/log-writer.js';
import type { FromWriter, ToWriter, TrailWorkerData } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('trail-worker runs as a worker thread of openAuditTrail');
const data = workerData as TrailWorkerData;
const post = (message: FromWriter) => port.postMessage(message);

let writer: LogWriter;
try {
  writer = await LogWriter.open({
    file: data.file,
    origin: data.origin,
    signers: data.signerKeys.map(parseSignerKey),
    what: 'openAuditTrail',
  });
} catch (error) {
  post({ type: 'open-failed', message: (error as Error).message });
  port.close();
  process.exit(0);
}

let failed = false;
let chain: Promise<void> = Promise.resolve();

/** Runs tasks one after the other; after a failure, nothing more is written (requests still get their answer). */
function run(task: () => Promise<SignedCheckpoint | undefined>, id?: number): void {
  chain = chain.then(async () => {
    if (failed) {
      if (id !== undefined) post({ type: 'done', id });
      return;
    }
    try {
      const result = await task();
      if (id !== undefined) post({ type: 'done', id, checkpoint: result || undefined });
    } catch (error) {
      failed = true;
      clearInterval(timer);
      post({ type: 'failed', message: (error as Error)?.message ?? String(error) });
      if (id !== undefined) post({ type: 'done', id });
      await writer.abandon().catch(() => {});
    }
  });
}

async function checkpoint(): Promise<SignedCheckpoint | undefined> {
  const signed = await writer.checkpoint();
  if (signed) post({ type: 'checkpoint', checkpoint: signed });
  return signed;
}

const timer = setInterval(() => {
  if (writer.sinceCheckpoint > 0) run(checkpoint);
}, data.checkpointIntervalMs);

port.on('message', (message: ToWriter) => {
  switch (message.type) {
    case 'append':
      run(async () => {
        await writer.append(message.records);
        post({ type: 'appended', events: message.events });
        if (writer.sinceCheckpoint >= data.checkpointRecords) await checkpoint();
        if (data.rotateBytes > 0 && writer.bytes >= data.rotateBytes) {
          const signed = await writer.rotate();
          if (signed) post({ type: 'checkpoint', checkpoint: signed });
        }
        return undefined;
      });
      break;
    case 'sync':
      run(async () => undefined, message.id);
      break;
    case 'checkpoint':
      run(checkpoint, message.id);
      break;
    case 'rotate':
      run(async () => {
        const signed = await writer.rotate();
        if (signed) post({ type: 'checkpoint', checkpoint: signed });
        return signed;
      }, message.id);
      break;
    case 'close':
      clearInterval(timer);
      run(async () => {
        const signed = await writer.close();
        if (signed) post({ type: 'checkpoint', checkpoint: signed });
        return signed;
      }, message.id);
      break;
  }
});
post({ type: 'ready' });
