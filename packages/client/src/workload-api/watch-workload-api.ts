import { type ClientReadableStream, Metadata, type StatusObject, status } from '@grpc/grpc-js';
import { WORKLOAD_API_HEADER } from './workload-api-definition.js';

export interface WatchOptions {
  /** First delay before reconnecting; it doubles with each failure in a row, up to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** PermissionDenied answers in a row tolerated (each retried after the backoff) before giving up. */
  readonly maxPermissionDenied: number;
}

export interface WatchHandlers<T> {
  /** A full update from the server (every message is the complete state, Workload API §4.3). */
  message(message: T): void;
  /** The server says this workload is entitled to nothing (for now): stop using what it sent. */
  denied(detail: string): void;
  /** The stream broke and will be reopened after `retryInMs`. */
  interrupted(detail: string, retryInMs: number): void;
  /** No more attempts: Unimplemented, InvalidArgument, or too many PermissionDenied in a row. */
  gaveUp(detail: string): void;
}

export interface Watch {
  close(): void;
}

/**
 * Keeps one server stream of the Workload API open, as the SPIFFE Workload Endpoint error table
 * says (§6): Unavailable or a lost connection (the agent restarting or gone) is retried with a
 * backoff, for as long as the watch lives; PermissionDenied is retried with a backoff too, but only
 * `maxPermissionDenied` times in a row; Unimplemented and InvalidArgument are never retried.
 * Every call carries the `workload.spiffe.io: true` metadata the endpoint requires.
 */
export function watchWorkloadApi<T>(
  open: (metadata: Metadata) => ClientReadableStream<T>,
  options: WatchOptions,
  handlers: WatchHandlers<T>,
): Watch {
  let closed = false;
  let call: ClientReadableStream<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let deniedInARow = 0;

  function connect(): void {
    timer = undefined;
    if (closed) return;
    const metadata = new Metadata();
    metadata.set(WORKLOAD_API_HEADER, 'true');
    const current = open(metadata);
    call = current;
    current.on('data', (message: T) => {
      if (closed || call !== current) return;
      failures = 0;
      deniedInARow = 0;
      handlers.message(message);
    });
    // grpc-js emits 'error' for a non-OK status and then 'status'; the status decides.
    current.on('error', () => {});
    current.on('status', (result: StatusObject) => {
      if (closed || call !== current) return;
      call = undefined;
      ended(result);
    });
  }

  function ended(result: StatusObject): void {
    const detail = `${status[result.code] ?? result.code}${result.details ? `: ${result.details}` : ''}`;
    if (result.code === status.UNIMPLEMENTED || result.code === status.INVALID_ARGUMENT) {
      handlers.gaveUp(detail);
      return;
    }
    failures += 1;
    const retryInMs = Math.min(options.minBackoffMs * 2 ** (failures - 1), options.maxBackoffMs);
    if (result.code === status.PERMISSION_DENIED) {
      deniedInARow += 1;
      handlers.denied(detail);
      if (deniedInARow > options.maxPermissionDenied) {
        handlers.gaveUp(`${detail} (${deniedInARow} times in a row, not retried any more)`);
        return;
      }
    } else {
      // The stream ended (OK: the server closed it) or broke: the agent went away or restarts.
      deniedInARow = 0;
    }
    handlers.interrupted(result.code === status.OK ? 'the server ended the stream' : detail, retryInMs);
    timer = setTimeout(connect, retryInMs);
  }

  connect();
  return {
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      call?.cancel();
      call = undefined;
    },
  };
}
