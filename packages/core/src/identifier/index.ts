export { type ParsedWorkloadId, parseWorkloadId } from './parse-workload-id.js';
export { type ParsedWorkloadOrigin, parseWorkloadOrigin } from './parse-workload-origin.js';
