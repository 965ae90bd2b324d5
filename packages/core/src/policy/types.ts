import type { WorkloadIdentity } from '../types/identity.js';
import type { WorkloadRequest } from '../types/request.js';

/** A route's authorization rule. Only a result of exactly `true` allows the request. */
export type WorkloadPolicy = (identity: WorkloadIdentity, request: WorkloadRequest) => boolean | Promise<boolean>;
