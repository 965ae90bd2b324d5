import 'reflect-metadata';
import type { Server } from 'node:http';
import type { ServerOptions } from 'node:https';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Module,
  type NestApplicationOptions,
  Post,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  allowWorkloads,
  fromDecisionPoint,
  type WorkloadPolicy as Policy,
  type WorkloadIdentity,
} from '@wimse-pep/core';
import {
  captureRawBody,
  WimseGuard,
  WimseMode,
  type WimseModeSetting,
  WimseModule,
  type WimseModuleOptions,
  WimseService,
  Workload,
  WorkloadPolicy,
} from '@wimse-pep/nestjs';
import express from 'express';
import type { FastifyInstance } from 'fastify';
import { ADMIN_ID, type AppConfig, MIGRATION_ROUTES, migrationAnswer, PDP_TIMEOUT_MS } from './harness.js';

/**
 * The shared harness routes as a Nest application, on either platform. The guard sits on the
 * controller (`@UseGuards(WimseGuard)`); the routes' modes and policies are decorators. The
 * parser position: `after` is Nest's own setup (its parsers, or the app's registered after
 * `NestFactory.create`, which installs the WIMSE hook first); `before` registers the parser on
 * the platform instance before the application exists (Express with `{ verify: captureRawBody }`).
 */
const neverAnswers = () => new Promise<boolean>(() => {});

function answer(workload: WorkloadIdentity | undefined, body: unknown) {
  return { workload: workload?.id ?? null, body: Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? null) };
}

@Controller()
@UseGuards(WimseGuard)
class OrdersController {
  @Get('orders')
  list(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }

  @Post('orders')
  @HttpCode(200)
  create(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }

  // Nest answers a method no handler takes with its 404 before any guard: the case of a signed GET
  // sent as DELETE needs a DELETE route to reach the guard (Express's app.use(pep) sees every method).
  @Delete('orders')
  remove(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }

  @Get('public')
  @WimseMode('off')
  open(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }

  @Get('maybe')
  @WimseMode('optional')
  maybe(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }

  @Get('admin')
  @WorkloadPolicy(allowWorkloads(ADMIN_ID))
  admin(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }

  @Get('pdp')
  @WorkloadPolicy(fromDecisionPoint(neverAnswers, { timeoutMs: PDP_TIMEOUT_MS }))
  pdp(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }
}

/** MIGRATION_ROUTES as one controller, each route's decorators applied from the table. */
function migrationController(): new (...args: never[]) => unknown {
  class MigrationController {
    constructor(readonly wimse: WimseService) {}
  }
  Inject(WimseService)(MigrationController, undefined, 0);
  const prototype = MigrationController.prototype as unknown as Record<string, unknown>;
  MIGRATION_ROUTES.forEach((route, index) => {
    const name = `route${index}`;
    prototype[name] = route.report
      ? function (this: MigrationController) {
          return this.wimse.migrationReport();
        }
      : (workload: WorkloadIdentity | undefined) => migrationAnswer(workload);
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name) as PropertyDescriptor;
    Get(route.path)(prototype, name, descriptor);
    WimseMode({ mode: route.protection, ...(route.migration === undefined ? {} : { migration: route.migration }) })(
      prototype,
      name,
      descriptor,
    );
    if (route.policy) WorkloadPolicy(route.policy)(prototype, name, descriptor);
    if (!route.report) Workload()(prototype, name, 0);
  });
  UseGuards(WimseGuard)(MigrationController);
  Controller()(MigrationController);
  return MigrationController;
}

function appModule(config: AppConfig) {
  @Module({
    imports: [
      WimseModule.forRoot({
        verifier: config.verifier,
        audit: config.audit,
        ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
        ...(config.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: config.bodyTimeoutMs }),
        ...(config.responseSigning === undefined ? {} : { responseSigning: config.responseSigning }),
        ...(config.migration === undefined ? {} : { migration: config.migration }),
        ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
      }),
    ],
    controllers: config.migration ? [OrdersController, migrationController()] : [OrdersController],
  })
  class AppModule {}
  return AppModule;
}

export async function createNestExpressServer(config: AppConfig): Promise<Server> {
  const instance = express();
  const parsers = {
    json: express.json,
    urlencoded: express.urlencoded,
    raw: express.raw,
    none: undefined,
  } as const;
  const parser = parsers[config.bodyParser];
  if (config.parserPosition === 'before' && parser) instance.use(parser({ verify: captureRawBody }));
  // Nest's own parsers (json and urlencoded) serve the `json` case; the others are the app's own.
  const nestParsers = config.parserPosition === 'after' && config.bodyParser === 'json';
  const app = await NestFactory.create<NestExpressApplication>(appModule(config), new ExpressAdapter(instance), {
    logger: false,
    bodyParser: nestParsers,
  });
  if (config.parserPosition === 'after' && parser && !nestParsers) app.use(parser());
  await app.init();
  return app.getHttpServer() as Server;
}

export async function createNestFastifyServer(config: AppConfig): Promise<Server> {
  const adapter = new FastifyAdapter();
  // Nest's own parsers (Fastify's JSON, and urlencoded through @fastify/formbody) serve `after`.
  const nestParsers = config.parserPosition === 'after' && ['json', 'urlencoded'].includes(config.bodyParser);
  if (config.parserPosition === 'before') installFastifyParser(adapter.getInstance(), config.bodyParser);
  const app = await NestFactory.create<NestFastifyApplication>(appModule(config), adapter, {
    logger: false,
    bodyParser: nestParsers,
  });
  if (config.parserPosition === 'after' && !nestParsers) installFastifyParser(adapter.getInstance(), config.bodyParser);
  await app.init();
  await adapter.getInstance().ready();
  return app.getHttpServer() as Server;
}

function installFastifyParser(app: FastifyInstance, parser: AppConfig['bodyParser']): void {
  switch (parser) {
    case 'json':
      return; // Fastify's built-in JSON parser
    case 'urlencoded':
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      return;
    case 'raw':
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      return;
    case 'none':
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      return;
  }
}

/** A route of `createNestRoutesServer`: its path, its `@WimseMode` settings and `@WorkloadPolicy`. */
export interface NestRoute {
  readonly path: string;
  readonly settings?: WimseModeSetting;
  readonly policy?: Policy;
}

/**
 * A Nest application on `platform` whose GET routes are given as data (decorators applied from the
 * list, as for MIGRATION_ROUTES), each answering `respond(identity)`; over TLS when `tls` is given.
 */
export async function createNestRoutesServer(
  platform: 'express' | 'fastify',
  options: WimseModuleOptions,
  routes: readonly NestRoute[],
  respond: (identity: WorkloadIdentity | undefined) => unknown,
  tls?: ServerOptions,
): Promise<Server> {
  class RoutesController {}
  const prototype = RoutesController.prototype as unknown as Record<string, unknown>;
  routes.forEach((route, index) => {
    const name = `route${index}`;
    prototype[name] = (workload: WorkloadIdentity | undefined) => respond(workload);
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name) as PropertyDescriptor;
    Get(route.path)(prototype, name, descriptor);
    if (route.settings !== undefined) WimseMode(route.settings)(prototype, name, descriptor);
    if (route.policy) WorkloadPolicy(route.policy)(prototype, name, descriptor);
    Workload()(prototype, name, 0);
  });
  UseGuards(WimseGuard)(RoutesController);
  Controller()(RoutesController);
  @Module({ imports: [WimseModule.forRoot(options)], controllers: [RoutesController] })
  class RoutesModule {}
  if (platform === 'express') {
    const app = await NestFactory.create(RoutesModule, new ExpressAdapter(), {
      logger: false,
      // Nest's HttpsOptions is node:https's ServerOptions, typed more narrowly.
      ...(tls ? { httpsOptions: tls as NestApplicationOptions['httpsOptions'] } : {}),
    });
    await app.init();
    return app.getHttpServer() as Server;
  }
  const adapter = new FastifyAdapter(tls ? { https: tls } : {});
  const app = await NestFactory.create<NestFastifyApplication>(RoutesModule, adapter, { logger: false });
  await app.init();
  await adapter.getInstance().ready();
  return app.getHttpServer() as Server;
}
