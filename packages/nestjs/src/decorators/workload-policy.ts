import { SetMetadata } from '@nestjs/common';
import type { WorkloadPolicy as Policy } from '@wimse-pep/core';
import { WIMSE_POLICY_METADATA } from '../tokens.js';

/**
 * A policy the authenticated caller must satisfy (`allowWorkloads(...)`, `fromDecisionPoint(...)`):
 * on a controller, on a handler, or both (then both must allow). It runs in the platform hook, so a
 * denied caller (403 `policy_denied`) never makes the server read or parse its body.
 */
export function WorkloadPolicy(policy: Policy) {
  if (typeof policy !== 'function') throw new TypeError('@WorkloadPolicy needs a policy function');
  return SetMetadata(WIMSE_POLICY_METADATA, policy);
}
