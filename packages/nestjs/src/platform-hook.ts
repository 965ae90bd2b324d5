import type { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import type { NodePep } from '@wimse-pep/core/node';
import { type ExpressAppLike, type ExpressRouterFactory, installExpressHook } from './platform/express-hook.js';
import { type FastifyLike, installFastifyHook } from './platform/fastify-hook.js';
import { markControllers, routeInfoOf } from './route-table.js';
import { WimseGuard } from './wimse.guard.js';

interface HttpAdapterLike {
  getType(): string;
  getInstance(): unknown;
}

/**
 * Installs the WIMSE hook on the platform as soon as Nest has its HTTP adapter (when the
 * application is created: before Nest registers its body parsers, middleware and routes).
 */
export function installPlatformHook(
  host: HttpAdapterHost,
  modules: ModulesContainer,
  pep: NodePep,
  everyRoute: boolean,
  bodyLimit: number | undefined,
  expressRouter: ExpressRouterFactory | undefined,
): void {
  markControllers(modules);
  const resolve = (handler: Parameters<typeof routeInfoOf>[0], label: string) =>
    routeInfoOf(handler, label, pep.guard, WimseGuard, everyRoute);
  host.init$.subscribe(() => {
    const adapter = host.httpAdapter as unknown as HttpAdapterLike;
    const type = adapter.getType();
    if (type === 'express') {
      if (!expressRouter)
        throw new Error('@wimse-pep/nestjs: the Express platform is used but express cannot be imported');
      installExpressHook(adapter.getInstance() as ExpressAppLike, adapter, expressRouter, pep, resolve);
    } else if (type === 'fastify') {
      installFastifyHook(adapter.getInstance() as FastifyLike, adapter, pep, bodyLimit, resolve);
    } else {
      throw new Error(`@wimse-pep/nestjs supports the express and fastify platforms, not ${type}`);
    }
  });
}
