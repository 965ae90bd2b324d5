import type { WimseErrorCode } from '../base/errors/codes.js';
import { WimseError } from '../base/errors/wimse-error.js';
import { sha256Base64url } from '../base/runtime/hash.js';
import type { WorkloadIdentity, WorkloadProof } from '../identity/workload-identity.js';
import type { MigrationMode } from '../migration/migration-options.js';

/**
 * One audit record per decision. It carries identifiers and outcomes only: never a token, a
 * signature or a key (the WIT `jti` is hashed so that events can be joined without exposing it).
 */
export interface AuditEvent {
  readonly time: string;
  /** `shadow`: the would-be outcome of a WIT verified in shadow mode, never enforced. */
  readonly stage: 'authentication' | 'authorization' | 'shadow';
  /** `aborted`: the client went away before a decision could be made (code `client_aborted`). */
  readonly decision: 'allow' | 'deny' | 'aborted';
  readonly method: string;
  readonly route: string;
  /** Path and query as received (the request target). */
  readonly target?: string | undefined;
  readonly workloadId?: string | undefined;
  readonly trustDomain?: string | undefined;
  readonly keyThumbprint?: string | undefined;
  /** SHA-256 of the WIT's `jti` (base64url), for callers that proved a WIT. */
  readonly witJtiHash?: string | undefined;
  /** SHA-256 of the bearer token's `jti` (base64url), for bearer callers. */
  readonly bearerJtiHash?: string | undefined;
  /**
   * Layered authentication: the transport (mTLS) and the application identity, both verified
   * (arch §3.3.4: records of layered authentication carry both).
   */
  readonly layered?:
    | {
        readonly transport: { readonly workloadId: string; readonly keyThumbprint: string };
        readonly application: {
          readonly workloadId: string;
          readonly proof: 'http-signature' | 'wpt';
          readonly keyThumbprint: string;
        };
      }
    | undefined;
  readonly code?: WimseErrorCode | undefined;
  readonly reason?: string | undefined;
  /** The proof used (or attempted, on a refusal): arch §3.3.4 "authentication method used". */
  readonly proof?: WorkloadProof | 'none' | undefined;
  /** The migration mode that applied, when a migration is configured. */
  readonly migrationMode?: MigrationMode | undefined;
  /** The verified Transaction Token's `txn`. */
  readonly txn?: string | undefined;
  /**
   * SHA-256 (base64url) of the request's Txn-Token, the value a WPT's `tth` carries: on a refusal
   * too, so that a refused token can be found; never the token itself.
   */
  readonly txnTokenHash?: string | undefined;
  /** False when a route accepted a Txn-Token its caller's proof does not bind (mTLS, bearer). */
  readonly txnBound?: boolean | undefined;
  /** Dual send: the workload the bearer token beside the WIT maps to, and whether it differs. */
  readonly dualSend?: { readonly bearerWorkloadId: string; readonly mismatch: boolean } | undefined;
}

/**
 * A function, or a pino-compatible logger (`info`/`warn` taking an object and a message). A logger
 * receives `{ wimse: event }`, so the event's fields never collide with the logger's own
 * (`time`, `level`, `msg`).
 */
export type AuditSink =
  | ((event: AuditEvent) => void)
  | {
      /** Records an allow. */
      info(object: { wimse: AuditEvent }, message?: string): void;
      /** Records a refusal. */
      warn(object: { wimse: AuditEvent }, message?: string): void;
    };

export function identityFields(identity: WorkloadIdentity | undefined): Partial<AuditEvent> {
  if (!identity) return {};
  const jti = identity.claims.jti;
  const jtiHash = typeof jti === 'string' ? sha256Base64url(jti) : undefined;
  const layers = identity.layered;
  const transaction = identity.transaction;
  return {
    workloadId: identity.id,
    trustDomain: identity.trustDomain,
    keyThumbprint: identity.keyThumbprint,
    ...(identity.proof === 'bearer' ? { bearerJtiHash: jtiHash } : { witJtiHash: jtiHash }),
    ...(layers === undefined
      ? {}
      : {
          layered: {
            transport: { workloadId: layers.transport.id, keyThumbprint: layers.transport.keyThumbprint },
            application: {
              workloadId: layers.application.id,
              proof: layers.application.proof,
              keyThumbprint: layers.application.keyThumbprint,
            },
          },
        }),
    ...(transaction === undefined
      ? {}
      : { txn: transaction.txn, txnTokenHash: transaction.tokenHash, txnBound: transaction.bound }),
  };
}

/** Delivers an event; a failing sink never changes the decision. */
export function emitAudit(sink: AuditSink | undefined, event: AuditEvent): void {
  if (!sink) return;
  try {
    if (typeof sink === 'function') sink(event);
    else if (event.decision === 'allow') sink.info({ wimse: event }, 'wimse decision');
    else sink.warn({ wimse: event }, 'wimse decision');
  } catch (error) {
    // A sink that cannot record an allow (a bounded audit trail that is full) refuses it: 503,
    // never a request served unaudited. Any other failure of a sink never changes a decision.
    if (event.decision === 'allow' && error instanceof WimseError && error.code === 'unavailable') throw error;
  }
}
