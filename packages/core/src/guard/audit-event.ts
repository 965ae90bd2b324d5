import { createHash } from 'node:crypto';
import type { WimseErrorCode } from '../errors/codes.js';
import type { WorkloadIdentity } from '../types/identity.js';

/**
 * One audit record per decision. It carries identifiers and outcomes only: never a token, a
 * signature or a key (the WIT `jti` is hashed so that events can be joined without exposing it).
 */
export interface AuditEvent {
  readonly time: string;
  readonly stage: 'authentication' | 'authorization';
  /** `aborted`: the client went away before a decision could be made (code `client_aborted`). */
  readonly decision: 'allow' | 'deny' | 'aborted';
  readonly method: string;
  readonly route: string;
  readonly workloadId?: string | undefined;
  readonly trustDomain?: string | undefined;
  readonly keyThumbprint?: string | undefined;
  readonly witJtiHash?: string | undefined;
  readonly code?: WimseErrorCode | undefined;
  readonly reason?: string | undefined;
}

/**
 * A function, or a pino-compatible logger (`info`/`warn` taking an object and a message). A logger
 * receives `{ wimse: event }`, so the event's fields never collide with the logger's own
 * (`time`, `level`, `msg`).
 */
export type AuditSink =
  | ((event: AuditEvent) => void)
  | {
      info(object: { wimse: AuditEvent }, message?: string): void;
      warn(object: { wimse: AuditEvent }, message?: string): void;
    };

export function identityFields(identity: WorkloadIdentity | undefined) {
  if (!identity) return {};
  const jti = identity.claims.jti;
  return {
    workloadId: identity.id,
    trustDomain: identity.trustDomain,
    keyThumbprint: identity.keyThumbprint,
    witJtiHash: typeof jti === 'string' ? createHash('sha256').update(jti).digest('base64url') : undefined,
  };
}

/** Delivers an event; a failing sink never changes the decision. */
export function emitAudit(sink: AuditSink | undefined, event: AuditEvent): void {
  if (!sink) return;
  try {
    if (typeof sink === 'function') sink(event);
    else if (event.decision === 'allow') sink.info({ wimse: event }, 'wimse decision');
    else sink.warn({ wimse: event }, 'wimse decision');
  } catch {
    // Auditing must not turn a decision into a crash; the sink owns its own error reporting.
  }
}
