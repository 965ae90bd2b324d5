import type { MigrationReport, WorkloadGuard, WorkloadGuardOptions, WorkloadIdentity } from '@wimse-pep/core';
import type { NodeAdapterOptions, RouteConfig } from '@wimse-pep/core/node';

/**
 * Options of the plugin: the guard's, plus the body limits (`bodyLimit` defaults to the route's
 * Fastify `bodyLimit`, 1 MiB unless set).
 */
export interface WimsePluginOptions extends WorkloadGuardOptions, NodeAdapterOptions {}

/** What a route asks of the plugin, as `{ config: { wimse: { mode, policy, migration } } }`. */
export type WimseRouteConfig = RouteConfig;

/**
 * The operator surface of the plugin, `app.wimse` once it is registered: the guard, and the
 * migration operations Express and Koa expose on their middleware.
 */
export interface WimseDecoration {
  readonly guard: WorkloadGuard;
  /** The per-caller migration inventory (rejects when no `migration` is configured). */
  migrationReport(): Promise<MigrationReport>;
  /** Forgets one caller's migration state (its ratchet too), or every caller's. */
  resetMigration(id?: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The WIMSE PEP registered on this instance (or an ancestor): its guard and operations. */
    readonly wimse: WimseDecoration;
  }
  interface FastifyRequest {
    /** The verified caller, or null (route mode `off`, or `optional` without credentials). */
    workload: WorkloadIdentity | null;
  }
  interface FastifyContextConfig {
    wimse?: WimseRouteConfig;
  }
}
