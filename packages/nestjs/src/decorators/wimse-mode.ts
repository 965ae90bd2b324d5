import { SetMetadata } from '@nestjs/common';
import type { MigrationMode, ProtectionMode } from '@wimse-pep/core';
import type { WimseRouteSettings } from '../route-info.js';
import { WIMSE_MODE_METADATA } from '../tokens.js';

/** What `@WimseMode` takes: the same as Express's `pep.withMode(...)`. */
export type WimseModeSetting = ProtectionMode | MigrationMode | WimseRouteSettings;

/**
 * The protection of a controller's routes or of one handler (the handler's wins): a protection
 * mode (`'off'`, `'optional'`, `'required'`), a migration mode (`'either'`, `'shadow'`, ..., which
 * means `required` with that migration mode), or the route's settings as an object
 * (`{ mode, migration, transactionToken }`). Checked against the guard when the application starts.
 */
export function WimseMode(mode: WimseModeSetting) {
  return SetMetadata(WIMSE_MODE_METADATA, mode);
}
