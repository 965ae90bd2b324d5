import type { WorkloadGuardOptions } from '@wimse-pep/core';
import type { NodeAdapterOptions } from '@wimse-pep/core/node';

/** Options of `WimseModule.forRoot`: the guard's and the body limits, as for the other adapters. */
export interface WimseModuleOptions extends WorkloadGuardOptions, NodeAdapterOptions {
  /**
   * true: `WimseGuard` protects every route of the application (installed as `APP_GUARD`), each
   * route taking its mode from `@WimseMode` or the guard's `mode`. false (default): only the
   * controllers and handlers decorated `@UseGuards(WimseGuard)` are protected.
   */
  readonly global?: boolean;
}
