import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import type { ModulesContainer } from '@nestjs/core';
import type { WorkloadGuard, WorkloadPolicy } from '@wimse-pep/core';
import { routeSetting } from '@wimse-pep/core/node';
import type { WimseModeSetting } from './decorators/wimse-mode.js';
import type { RouteInfo } from './route-info.js';
import { WIMSE_MODE_METADATA, WIMSE_POLICY_METADATA, WIMSE_ROUTE_METADATA } from './tokens.js';

type Handler = (...args: never[]) => unknown;

/**
 * Marks every method of every controller with its class, before Nest registers the routes: Nest
 * copies a handler's metadata onto the function it gives the platform, so the platform hook can
 * read a route's settings from the handler it matched, the controller's included.
 */
export function markControllers(modules: ModulesContainer): void {
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (typeof controller !== 'function') continue;
      for (const method of methodsOf(controller.prototype as object)) {
        Reflect.defineMetadata(WIMSE_ROUTE_METADATA, controller, method);
      }
    }
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
  guardType: abstract new (...args: never[]) => unknown,
  everyRoute: boolean,
): RouteInfo {
  const controller = Reflect.getMetadata(WIMSE_ROUTE_METADATA, handler) as object | undefined;
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
  return { label, setting, policies, guarded };
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
