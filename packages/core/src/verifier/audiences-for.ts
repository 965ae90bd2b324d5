import { WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { VerifierSettings } from './normalize-options.js';

/** The audiences this request may name; a failing audiences function is a dependency fault (503). */
export function audiencesFor(request: WorkloadRequest, settings: VerifierSettings): readonly string[] {
  try {
    return settings.audiences(request);
  } catch (cause) {
    throw new WimseError('unavailable', 'the audiences function failed', { cause });
  }
}
