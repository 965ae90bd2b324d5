export type { AuditEvent, AuditSink } from './audit-event.js';
export { createWorkloadGuard } from './create-workload-guard.js';
export {
  isProtectionMode,
  type ProtectionMode,
  type RouteContext,
  type WorkloadGuard,
  type WorkloadGuardOptions,
} from './guard-options.js';
export type { ResponseSigningOptions } from './steps/sign-response-step.js';
export type { SimultaneousCredentials } from './steps/verify-presented-credentials.js';
