import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';

/** A route's authorization rule. Only a result of exactly `true` allows the request. */
export type WorkloadPolicy = (identity: WorkloadIdentity, request: WorkloadRequest) => boolean | Promise<boolean>;
