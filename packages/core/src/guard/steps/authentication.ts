import { WimseError } from '../../base/errors/wimse-error.js';
import type { WorkloadIdentity, WorkloadProof } from '../../identity/workload-identity.js';
import type { MigrationMode } from '../../migration/migration-options.js';

/**
 * The outcome of authentication, with what the audit reports whatever it is: the proof used (or
 * attempted) and the migration mode that applied. `identity` undefined: an optional route let the
 * request through without credentials.
 */
export type Authentication = (
  | { readonly identity: WorkloadIdentity | undefined; readonly error?: undefined; readonly caller?: undefined }
  | {
      readonly identity?: undefined;
      readonly error: WimseError;
      /** The caller, when it was authenticated before a later step (its Txn-Token) refused the request. */
      readonly caller?: WorkloadIdentity | undefined;
    }
) & {
  readonly proof: WorkloadProof | 'none';
  readonly migrationMode?: MigrationMode | undefined;
};

/** A WimseError as a value; anything else is a fault and is thrown on. */
export async function settle<T>(
  promise: Promise<T>,
): Promise<
  { readonly identity: T; readonly error?: undefined } | { readonly identity?: undefined; readonly error: WimseError }
> {
  try {
    return { identity: await promise };
  } catch (error) {
    if (error instanceof WimseError) return { error };
    throw error;
  }
}
