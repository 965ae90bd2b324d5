import type {
  MigrationMode,
  MigrationReport,
  ProtectionMode,
  RouteMigration,
  WorkloadGuard,
  WorkloadGuardOptions,
  WorkloadIdentity,
  WorkloadPolicy,
} from '@wimse-pep/core';

/** Options of the plugin: the core guard's options plus the size limit of the buffered body. */
export interface WimsePluginOptions extends WorkloadGuardOptions {
  /**
   * Largest body the plugin buffers for the Content-Digest check, in bytes; larger bodies are
   * refused with 413 `body_too_large`. Default: the route's Fastify `bodyLimit` (1 MiB unless set).
   */
  readonly bodyLimit?: number;
  /** How long to wait for the body once it is needed, in ms (default 30 000); then 408 `body_timeout`. */
  readonly bodyTimeoutMs?: number;
}

/** What a route asks of the plugin, as `{ config: { wimse: { ... } } }`. */
export interface WimseRouteConfig {
  /** Overrides the plugin's default mode for this route. */
  readonly mode?: ProtectionMode;
  /** Runs after authentication; anything but `true` is a 403. */
  readonly policy?: WorkloadPolicy;
  /** The route's bearer-to-WIT migration mode, or `{ mode, floor }` (needs the plugin's `migration` option). */
  readonly migration?: MigrationMode | RouteMigration;
}

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
