import {
  allOf,
  allowTrustDomain,
  allowWorkloads,
  type MigrationMode,
  type ProtectionMode,
  type RouteMigration,
  requireProof,
  type WorkloadGuard,
  type WorkloadPolicy,
} from '@wimse-pep/core';
import { checkRouteConfig } from '@wimse-pep/core/node';
import type { ProxyRoute } from './proxy-config-schema.js';

/** One configured route, ready to match: its label for audit, protection and policy. */
export interface CompiledRoute {
  readonly label: string;
  readonly prefix: string;
  readonly methods: ReadonlySet<string> | undefined;
  readonly mode: ProtectionMode;
  readonly policy: WorkloadPolicy | undefined;
  readonly transactionToken: 'required' | 'optional' | undefined;
  readonly migration: MigrationMode | RouteMigration | undefined;
}

/**
 * The routes, longest prefix first (then those naming methods before those that do not): the
 * most specific route decides. Policies are built, and checked, once at start.
 */
export function compileRoutes(routes: readonly ProxyRoute[], guard: WorkloadGuard): CompiledRoute[] {
  const compiled = routes.map((route, index): CompiledRoute => {
    const where = `routes.${index}`;
    const policies: WorkloadPolicy[] = [];
    try {
      if (route.allow?.workloads) policies.push(allowWorkloads(...route.allow.workloads));
      const origins = route.allow?.trustDomains?.map((origin) => allowTrustDomain(origin));
      if (origins) policies.push((identity, request) => origins.some((allowed) => allowed(identity, request) === true));
      if (route.allow?.proofs) policies.push(requireProof(...route.allow.proofs));
    } catch (error) {
      throw new Error(`${where}.allow: ${(error as Error).message}`);
    }
    const policy = policies.length === 0 ? undefined : allOf(...policies);
    const mode = route.mode ?? guard.mode;
    try {
      const txn = route.transactionToken ? { transactionToken: route.transactionToken } : {};
      const migration = route.migration ? { migration: route.migration } : {};
      checkRouteConfig(guard, { mode, ...(policy ? { policy } : {}), ...txn, ...migration }, where, 'route');
    } catch (error) {
      throw new Error((error as Error).message);
    }
    const prefix = route.path.length > 1 && route.path.endsWith('/') ? route.path.slice(0, -1) : route.path;
    return {
      label: `${route.methods?.join(',') ?? '*'} ${route.path}`,
      prefix,
      methods: route.methods ? new Set(route.methods) : undefined,
      mode,
      policy,
      transactionToken: route.transactionToken,
      migration: route.migration,
    };
  });
  return compiled.sort((a, b) => b.prefix.length - a.prefix.length || Number(!a.methods) - Number(!b.methods));
}

/** The route of a (normal-form) path and method, or undefined: then the request is refused. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): CompiledRoute | undefined {
  for (const route of routes) {
    if (route.methods && !route.methods.has(method)) continue;
    if (route.prefix === '/' || path === route.prefix || path.startsWith(`${route.prefix}/`)) return route;
  }
  return undefined;
}
