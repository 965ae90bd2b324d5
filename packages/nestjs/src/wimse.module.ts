import { type DynamicModule, Global, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { createNodePep, type NodePep } from '@wimse-pep/core/node';
import { WimseExceptionFilter } from './errors/wimse-exception.filter.js';
import type { WimseModuleOptions } from './options.js';
import type { ExpressRouterFactory } from './platform/express-hook.js';
import { installPlatformHook } from './platform-hook.js';
import { WIMSE_OPTIONS, WIMSE_PEP } from './tokens.js';
import { WimseGuard } from './wimse.guard.js';
import { WimseService } from './wimse.service.js';

const CONSUMED_HINT =
  'the request body was consumed before @wimse-pep/nestjs: a body parser was registered on the platform ' +
  'before the Nest application was created; register it afterwards (app.use / app.useBodyParser)';

const PLATFORM_HOOK = Symbol('@wimse-pep/nestjs.platform-hook');

/** `WimseModule.forRootAsync`: the options from a factory with injected dependencies. */
export interface WimseModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly useFactory: (...args: never[]) => WimseModuleOptions | Promise<WimseModuleOptions>;
  readonly inject?: readonly (string | symbol | (abstract new (...args: never[]) => unknown))[];
  /** As `WimseModuleOptions.global`, known here since Nest needs it before the factory runs. */
  readonly global?: boolean;
}

/**
 * The WIMSE PEP of a Nest application, on `@nestjs/platform-express` or `@nestjs/platform-fastify`:
 * the request is verified in the platform's earliest hook, before any body parser, and
 * `WimseGuard` (global, per controller or per handler) reads the decision. Refusals are rendered by
 * `WimseExceptionFilter` as application/problem+json.
 */
@Global()
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static factories
export class WimseModule {
  static forRoot(options: WimseModuleOptions): DynamicModule {
    return WimseModule.create({ provide: WIMSE_OPTIONS, useValue: options }, options.global === true, []);
  }

  static forRootAsync(options: WimseModuleAsyncOptions): DynamicModule {
    if (typeof options.useFactory !== 'function') throw new TypeError('WimseModule.forRootAsync needs useFactory');
    const provider: Provider = {
      provide: WIMSE_OPTIONS,
      useFactory: options.useFactory as (...args: unknown[]) => WimseModuleOptions,
      inject: [...(options.inject ?? [])],
    };
    return WimseModule.create(provider, options.global === true, options.imports ?? []);
  }

  private static create(
    optionsProvider: Provider,
    everyRoute: boolean,
    imports: ModuleMetadata['imports'],
  ): DynamicModule {
    const providers: Provider[] = [
      optionsProvider,
      {
        provide: WIMSE_PEP,
        inject: [WIMSE_OPTIONS],
        useFactory: (options: WimseModuleOptions): NodePep => {
          const { global: _global, ...guardOptions } = options;
          return createNodePep(guardOptions, 'WimseModule', CONSUMED_HINT);
        },
      },
      {
        provide: PLATFORM_HOOK,
        inject: [HttpAdapterHost, ModulesContainer, WIMSE_PEP, WIMSE_OPTIONS],
        useFactory: async (
          host: HttpAdapterHost,
          modules: ModulesContainer,
          pep: NodePep,
          options: WimseModuleOptions,
        ) => {
          const express = await importExpressRouter();
          installPlatformHook(host, modules, pep, everyRoute, options.bodyLimit, express);
          return true;
        },
      },
      WimseGuard,
      WimseService,
      { provide: APP_FILTER, useClass: WimseExceptionFilter },
    ];
    if (everyRoute) providers.push({ provide: APP_GUARD, useExisting: WimseGuard });
    return {
      module: WimseModule,
      imports: imports ?? [],
      providers,
      exports: [WIMSE_PEP, WimseGuard, WimseService],
    };
  }
}

/** Express's router, when express is installed (the Express platform needs it; Fastify does not). */
async function importExpressRouter(): Promise<ExpressRouterFactory | undefined> {
  try {
    const express = (await import('express')) as unknown as { Router: ExpressRouterFactory };
    return (options) => express.Router(options);
  } catch {
    return undefined;
  }
}
