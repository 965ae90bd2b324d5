import type { WorkloadPolicy } from '@wimse-pep/core';
import type { RouteConfig, RouteSetting } from '@wimse-pep/core/node';

/** A route's settings as `@WimseMode` takes them (a policy goes in `@WorkloadPolicy`). */
export type WimseRouteSettings = Omit<RouteConfig, 'policy'>;

/**
 * What the platform hook needs to know of the route a request matched, resolved once per handler
 * when the application starts: its settings (handler over controller), its policies (the
 * controller's and the handler's, all of which must allow), and whether `WimseGuard` is on it.
 */
export interface RouteInfo {
  readonly label: string;
  readonly setting: RouteSetting | undefined;
  readonly policies: readonly WorkloadPolicy[];
  readonly guarded: boolean;
  /**
   * The controller methods Nest may call for the route (several for header or media-type
   * versioning) and their controllers: the guard checks that Nest runs one of them.
   */
  readonly methods: readonly ((...args: never[]) => unknown)[];
  readonly controllers: readonly (abstract new (...args: never[]) => unknown)[];
}
