export type { AuditEvent, AuditSink } from './audit-event.js';
export {
  createWorkloadGuard,
  isProtectionMode,
  type ProtectionMode,
  type RouteContext,
  type WorkloadGuard,
  type WorkloadGuardOptions,
} from './create-workload-guard.js';
export type { ResponseSigningOptions } from './response-signer.js';
export type { SimultaneousCredentials } from './verify-presented-credentials.js';
