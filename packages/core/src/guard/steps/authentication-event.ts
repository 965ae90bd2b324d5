import type { WimseError } from '../../base/errors/wimse-error.js';
import { fieldLines } from '../../base/fields/field-lines.js';
import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import { tokenHash } from '../../base/jose/token-hash.js';
import type { WorkloadIdentity } from '../../identity/workload-identity.js';
import { type AuditEvent, identityFields } from '../audit-event.js';
import type { ShadowOutcome } from './authenticate-migrating.js';
import type { Authentication } from './authentication.js';

/** The audit event of an authentication: who, how, under which migration mode, and the outcome. */
export function authenticationEvent(
  request: WorkloadRequest,
  route: string,
  outcome: Authentication,
  failure: WimseError | undefined,
): AuditEvent {
  const identity = failure === undefined ? outcome.identity : undefined;
  const bearer = identity?.proof === 'http-signature' ? identity.bearer : undefined;
  return {
    time: new Date().toISOString(),
    method: request.method,
    route,
    target: request.target,
    stage: 'authentication',
    decision: failure === undefined ? 'allow' : failure.code === 'client_aborted' ? 'aborted' : 'deny',
    ...(failure === undefined ? identityFields(identity) : refusalFields(request, failure, outcome.caller)),
    proof: outcome.proof,
    ...(outcome.migrationMode === undefined ? {} : { migrationMode: outcome.migrationMode }),
    ...(bearer === undefined ? {} : { dualSend: { bearerWorkloadId: bearer.id, mismatch: bearer.mismatch } }),
  };
}

/** The would-be outcome of a WIT verified in shadow: reported, never enforced. */
export function shadowEvent(request: WorkloadRequest, route: string, outcome: ShadowOutcome): AuditEvent {
  const common = {
    time: new Date().toISOString(),
    method: request.method,
    route,
    target: request.target,
    stage: 'shadow' as const,
  };
  const identity: WorkloadIdentity | undefined = outcome.identity;
  if (identity) {
    return {
      ...common,
      decision: 'allow',
      proof: identity.proof,
      migrationMode: 'shadow',
      ...identityFields(identity),
    };
  }
  return {
    ...common,
    decision: 'deny',
    proof: 'http-signature',
    migrationMode: 'shadow',
    code: outcome.error?.code,
    reason: outcome.error?.message,
  };
}

/**
 * A refusal's code and reason, the caller when a step after authentication refused, and the hash of
 * the Txn-Token the request carried (never the token).
 */
function refusalFields(
  request: WorkloadRequest,
  failure: WimseError,
  caller: WorkloadIdentity | undefined,
): Partial<AuditEvent> {
  const txnToken = fieldLines(request.headers, 'txn-token');
  return {
    ...(caller === undefined ? {} : { workloadId: caller.id, trustDomain: caller.trustDomain }),
    code: failure.code,
    reason: failure.message,
    ...(txnToken.length === 1 ? { txnTokenHash: tokenHash((txnToken[0] as string).trim()) } : {}),
  };
}
