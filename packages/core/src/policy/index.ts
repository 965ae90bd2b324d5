export { allowPathPrefix } from './allow-path-prefix.js';
export { allowTrustDomain } from './allow-trust-domain.js';
export { allowWorkloads } from './allow-workloads.js';
export { allOf, anyOf, not } from './combinators.js';
export { type DecisionInput, type DecisionPoint, fromDecisionPoint } from './decision-point.js';
export { evaluatePolicy } from './evaluate-policy.js';
export { requireProof, requireProofOfPossession } from './require-proof.js';
export type { WorkloadPolicy } from './types.js';
