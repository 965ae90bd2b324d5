import type { WorkloadGuard, WorkloadIdentity, WorkloadRequest } from '@wimse-pep/core';

/** What a `wimse()` middleware decided for one request, for `requireWorkload` and later PEPs. */
export interface Decision {
  readonly request: WorkloadRequest;
  readonly identity: WorkloadIdentity | undefined;
  readonly guard: WorkloadGuard;
}

/** Kept by the Web Request itself: Hono's context variables are the app's, not ours to add to. */
export const decisions = new WeakMap<Request, Decision>();
