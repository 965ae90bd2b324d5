import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import type { ModulesContainer } from '@nestjs/core';
import type { WorkloadGuard, WorkloadPolicy } from '@wimse-pep/core';
import { routeSetting } from '@wimse-pep/core/node';
import type { WimseModeSetting } from './decorators/wimse-mode.js';
import type { RouteInfo } from './route-info.js';
import { WIMSE_MODE_METADATA, WIMSE_POLICY_METADATA, WIMSE_ROUTE_METADATA } from './tokens.js';

type Handler = (...args: never[]) => unknown;
type Type = abstract new (...args: never[]) => unknown;

/** What a controller method is marked with: itself, and the controllers that have it. */
interface RouteMark {
  readonly method: Handler;
  readonly controllers: readonly Type[];
}

/**
 * Marks every method of every controller with itself and its classes, before Nest registers the
 * routes: Nest copies a handler's metadata onto the function it gives the platform, so the platform
 * hook can read a route's settings from the handler it matched, the controller's included (a
 * method inherited by several controllers is marked with all of them).
 */
export function markControllers(modules: ModulesContainer): void {
  const marks = new Map<Handler, Type[]>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (typeof controller !== 'function') continue;
      for (const method of methodsOf(controller.prototype as object)) {
        const controllers = marks.get(method) ?? [];
        if (!controllers.includes(controller)) controllers.push(controller);
        marks.set(method, controllers);
      }
    }
  }
  for (const [method, controllers] of marks) {
    const mark: RouteMark = { method, controllers };
    Reflect.defineMetadata(WIMSE_ROUTE_METADATA, mark, method);
  }
}

/**
 * The route info of one handler Nest registers, checked once: the handler's `@WimseMode` over the
 * controller's, both `@WorkloadPolicy`s, and whether `WimseGuard` (`guardType`) guards it.
 */
export function routeInfoOf(
  handler: Handler,
  label: string,
  guard: WorkloadGuard,
  guardType: Type,
  everyRoute: boolean,
): RouteInfo {
  const mark = Reflect.getMetadata(WIMSE_ROUTE_METADATA, handler) as RouteMark | undefined;
  const controllers = mark?.controllers ?? [];
  const infos = (controllers.length > 0 ? controllers : [undefined]).map((controller) =>
    infoFor(handler, controller, label, guard, guardType, everyRoute, mark),
  );
  const [info] = infos as [RouteInfo, ...RouteInfo[]];
  if (!infos.every((other) => sameRouteInfo(info, other))) {
    throw new TypeError(
      `${label}: a handler inherited by controllers whose WimseGuard, @WimseMode or @WorkloadPolicy differ; ` +
        'override it in each controller',
    );
  }
  return info;
}

function infoFor(
  handler: Handler,
  controller: Type | undefined,
  label: string,
  guard: WorkloadGuard,
  guardType: Type,
  everyRoute: boolean,
  mark: RouteMark | undefined,
): RouteInfo {
  const read = <T>(key: string, target: object | undefined): T | undefined =>
    target === undefined ? undefined : (Reflect.getMetadata(key, target) as T | undefined);
  const mode =
    read<WimseModeSetting>(WIMSE_MODE_METADATA, handler) ?? read<WimseModeSetting>(WIMSE_MODE_METADATA, controller);
  const policies = [
    read<WorkloadPolicy>(WIMSE_POLICY_METADATA, controller),
    read<WorkloadPolicy>(WIMSE_POLICY_METADATA, handler),
  ].filter((policy): policy is WorkloadPolicy => policy !== undefined);
  const guards = [
    ...(read<unknown[]>(GUARDS_METADATA, controller) ?? []),
    ...(read<unknown[]>(GUARDS_METADATA, handler) ?? []),
  ];
  const guarded = everyRoute || guards.some((entry) => entry === guardType || entry instanceof guardType);
  const setting = mode === undefined ? undefined : routeSetting(guard, mode);
  if (policies.length > 0 && !guarded) {
    // The policy would never run: fail at startup rather than leave the route open.
    throw new TypeError(
      `${label}: @WorkloadPolicy on a route without WimseGuard (@UseGuards(WimseGuard) or global: true)`,
    );
  }
  if (policies.length > 0 && (setting?.protection ?? guard.mode) === 'off') {
    throw new TypeError(`${label}: @WorkloadPolicy on a route with mode off would deny every request`);
  }
  return {
    label,
    setting,
    policies,
    guarded,
    methods: mark ? [mark.method] : [],
    controllers: mark?.controllers ?? [],
  };
}

/**
 * Whether two handlers registered on the same method and path (Nest's header or media-type
 * versioning) ask the same of the hook, which runs before Nest picks one of them.
 */
export function sameRouteInfo(a: RouteInfo, b: RouteInfo): boolean {
  return (
    a.guarded === b.guarded &&
    JSON.stringify(a.setting) === JSON.stringify(b.setting) &&
    a.policies.length === b.policies.length &&
    a.policies.every((policy, i) => policy === b.policies[i])
  );
}

/** The methods of a controller (its own and inherited ones; accessors are not called). */
function methodsOf(prototype: object): Handler[] {
  const methods: Handler[] = [];
  for (let current = prototype; current && current !== Object.prototype; current = Object.getPrototypeOf(current)) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(current))) {
      if (name !== 'constructor' && typeof descriptor.value === 'function') methods.push(descriptor.value as Handler);
    }
  }
  return methods;
}

/** The route info of handlers sharing a method and path with the same settings: either may run. */
export function mergeRouteInfo(a: RouteInfo, b: RouteInfo): RouteInfo {
  return {
    ...a,
    methods: [...a.methods, ...b.methods.filter((method) => !a.methods.includes(method))],
    controllers: [...a.controllers, ...b.controllers.filter((controller) => !a.controllers.includes(controller))],
  };
}
