import type { RouteInfo } from '../route-info.js';
import { mergeRouteInfo, sameRouteInfo } from '../route-table.js';

/** The route-registering methods of Nest's HTTP adapters (Nest's `REQUEST_METHOD_MAP`). */
const ROUTE_METHODS = [
  'get',
  'post',
  'put',
  'delete',
  'patch',
  'all',
  'options',
  'head',
  'search',
  'propfind',
  'proppatch',
  'mkcol',
  'copy',
  'move',
  'lock',
  'unlock',
  'query',
] as const;

export type RouteMethod = (typeof ROUTE_METHODS)[number];
export type Handler = (...args: never[]) => unknown;
export type ResolveRoute = (handler: Handler, path: string) => RouteInfo;

/**
 * Nest registers each handler through its HTTP adapter (`adapter.get(path, handler)`): this sees
 * each registration (path and handler, whose metadata Nest copied from the controller method) and
 * tells `onRoute` the route's info (again, merged, for a second handler of the same method and
 * path), then registers the route as before.
 */
export function observeRoutes(
  adapter: object,
  resolve: ResolveRoute,
  onRoute: (method: RouteMethod, path: string, info: RouteInfo) => void,
): void {
  const target = adapter as Record<string, unknown>;
  const seen = new Map<string, RouteInfo>();
  for (const method of ROUTE_METHODS) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function (this: unknown, ...args: unknown[]) {
      const [path, handler] = args;
      if (args.length === 2 && typeof path === 'string' && typeof handler === 'function') {
        const label = `${method.toUpperCase()} ${path}`;
        const info = resolve(handler as Handler, label);
        const earlier = seen.get(label);
        if (earlier && !sameRouteInfo(earlier, info)) {
          throw new TypeError(
            `${label}: handlers on the same path (header or media-type versioning) differ in WimseGuard, ` +
              '@WimseMode or @WorkloadPolicy; the request is verified before Nest picks one: give them the same',
          );
        }
        const merged = earlier ? mergeRouteInfo(earlier, info) : info;
        seen.set(label, merged);
        onRoute(method, path, merged);
      }
      return (original as (...rest: unknown[]) => unknown).apply(this, args);
    };
  }
}
