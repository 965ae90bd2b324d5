import type { PreparedDecision, UnchainedRecord } from '../record/log-record.js';
import type { SignedCheckpoint } from '../writer/log-writer.js';

/** What the writer thread is started with. */
export interface TrailWorkerData {
  readonly file: string;
  readonly origin: string;
  /** Signer key texts (the worker parses them again: key objects stay in their thread). */
  readonly signerKeys: readonly string[];
  readonly checkpointRecords: number;
  readonly checkpointIntervalMs: number;
  readonly rotateBytes: number;
}

/** From the request thread to the writer thread, handled in order. */
export type ToWriter =
  | {
      readonly type: 'append';
      readonly records: readonly (UnchainedRecord | PreparedDecision)[];
      readonly events: number;
    }
  | { readonly type: 'sync' | 'checkpoint' | 'rotate' | 'close'; readonly id: number };

/** From the writer thread. */
export type FromWriter =
  | { readonly type: 'ready' }
  | { readonly type: 'open-failed'; readonly message: string }
  | { readonly type: 'appended'; readonly events: number }
  | { readonly type: 'checkpoint'; readonly checkpoint: SignedCheckpoint }
  | { readonly type: 'done'; readonly id: number; readonly checkpoint?: SignedCheckpoint | undefined }
  | { readonly type: 'failed'; readonly message: string };
