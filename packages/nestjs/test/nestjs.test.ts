import 'reflect-metadata';
import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGunzip, gzipSync } from 'node:zlib';
import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  UseFilters,
  UseGuards,
  Version,
  VersioningType,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { signRequest } from '@wimse-pep/client';
import { allowWorkloads, type WorkloadIdentity } from '@wimse-pep/core';
import {
  WimseException,
  WimseExceptionFilter,
  WimseGuard,
  WimseMode,
  WimseModule,
  type WimseModuleOptions,
  Workload,
  WorkloadPolicy,
} from '@wimse-pep/nestjs';
import express from 'express';
import { expectOk, expectProblem, type Outgoing, send, signed } from '../../../test/adapters/cases.js';
import { AUDIENCE, CALLER_ID, createScenario, now, type Scenario, witFor } from '../../../test/support/index.js';

const ADMIN_ID = 'wimse://td.example/service/admin';
type Platform = 'express' | 'fastify';
type NestApp = NestExpressApplication | NestFastifyApplication;
type Type = new (...args: never[]) => unknown;

let scenario: Scenario;
const servers: Server[] = [];
before(async () => {
  scenario = await createScenario();
});
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

const answer = (workload: WorkloadIdentity | undefined, body?: unknown) => ({
  workload: workload?.id ?? null,
  body: Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? null),
});

function appModule(controllers: Type[], options: Partial<WimseModuleOptions> = {}): Type {
  @Module({ imports: [WimseModule.forRoot({ verifier: scenario.options, ...options })], controllers })
  class AppModule {}
  return AppModule;
}

/** A Nest application on `platform`, set up by the test after creation, listening on loopback. */
async function serve(
  platform: Platform,
  module: Type,
  setup: (app: NestApp) => void = () => {},
  bodyParser = true,
): Promise<Server> {
  let app: NestApp;
  if (platform === 'express') {
    app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), { logger: false, bodyParser });
  } else {
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false, bodyParser });
  }
  setup(app);
  await app.init();
  if (platform === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer() as Server;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function signedAs(id: string, init: Parameters<typeof signed>[1] = {}) {
  return signed({ ...scenario, wit: await witFor(scenario, { sub: id }) }, init);
}

async function signRaw(path: string, body: Uint8Array, headers: Record<string, string>): Promise<Outgoing> {
  const result = await signRequest(
    { method: 'POST', url: `${AUDIENCE}${path}`, headers, body },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now },
  );
  return { method: 'POST', path, headers: result.headers, body: result.body };
}

@Controller()
class OpenController {
  @Get('orders')
  list(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }

  @Get('public')
  @WimseMode('off')
  open(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }
}

@Controller('mixed')
class MixedController {
  @Get('plain')
  plain(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }

  @Get('guarded')
  @UseGuards(WimseGuard)
  guarded(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }
}

@Controller('optional')
@UseGuards(WimseGuard)
@WimseMode('optional')
class OptionalController {
  @Get('inherits')
  inherits(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }

  @Get('required')
  @WimseMode('required')
  required(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }
}

@Controller('policies')
@UseGuards(WimseGuard)
@WorkloadPolicy(allowWorkloads(ADMIN_ID))
class PoliciesController {
  @Get('class-only')
  classOnly(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }

  @Get('both')
  @WorkloadPolicy(allowWorkloads(CALLER_ID))
  both(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }
}

/** A filter of the application: it sees the typed exception, then renders it as the module does. */
const caught: WimseException[] = [];
@Catch(WimseException)
class RecordingFilter extends WimseExceptionFilter {
  override catch(exception: WimseException, host: ArgumentsHost): void {
    caught.push(exception);
    super.catch(exception, host);
  }
}

@Controller('filtered')
@UseGuards(WimseGuard)
@UseFilters(RecordingFilter)
class FilteredController {
  @Get()
  get(@Workload() workload: WorkloadIdentity | undefined) {
    return answer(workload);
  }
}

@Controller('bodies')
@UseGuards(WimseGuard)
class BodiesController {
  @Post()
  @HttpCode(200)
  post(@Workload() workload: WorkloadIdentity | undefined, @Body() body: unknown) {
    return answer(workload, body);
  }
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs on ${platform}: where the guard applies`, () => {
    it('WimseModule.forRoot({ global: true }) guards every route; @WimseMode("off") opens one', async () => {
      const server = await serve(platform, appModule([OpenController], { global: true }));
      expectProblem(await send(server, { method: 'GET', path: '/orders', headers: {} }), 401, 'credentials_missing');
      expectOk(await send(server, await signed(scenario, { path: '/orders' })), CALLER_ID);
      expectOk(
        await send(server, { method: 'GET', path: '/public', headers: { 'workload-identity-token': 'x' } }),
        null,
      );
    });

    it('@UseGuards(WimseGuard) on a handler guards that handler only', async () => {
      const server = await serve(platform, appModule([MixedController]));
      const garbage = { 'workload-identity-token': 'not-a-jwt', signature: 'x', 'signature-input': 'y' };
      expectOk(await send(server, { method: 'GET', path: '/mixed/plain', headers: garbage }), null);
      expectProblem(
        await send(server, { method: 'GET', path: '/mixed/guarded', headers: garbage }),
        400,
        'wit_malformed',
      );
      expectOk(await send(server, await signed(scenario, { path: '/mixed/guarded' })), CALLER_ID);
    });

    it('@UseGuards(WimseGuard) and @WimseMode on a controller; a handler @WimseMode wins', async () => {
      const server = await serve(platform, appModule([OptionalController]));
      expectOk(await send(server, { method: 'GET', path: '/optional/inherits', headers: {} }), null);
      expectOk(await send(server, await signed(scenario, { path: '/optional/inherits' })), CALLER_ID);
      expectProblem(
        await send(server, { method: 'GET', path: '/optional/required', headers: {} }),
        401,
        'credentials_missing',
      );
    });

    it('@WorkloadPolicy on the controller and on a handler: both must allow', async () => {
      const server = await serve(platform, appModule([PoliciesController]));
      expectOk(await send(server, await signedAs(ADMIN_ID, { path: '/policies/class-only' })), ADMIN_ID);
      expectProblem(await send(server, await signed(scenario, { path: '/policies/class-only' })), 403, 'policy_denied');
      // The caller satisfies the handler's policy, not the controller's; the admin the reverse.
      expectProblem(await send(server, await signed(scenario, { path: '/policies/both' })), 403, 'policy_denied');
      expectProblem(await send(server, await signedAs(ADMIN_ID, { path: '/policies/both' })), 403, 'policy_denied');
    });

    it('a guard installed without the module knowing (useGlobalGuards) fails closed with a 500', async () => {
      const server = await serve(platform, appModule([OpenController]), (app) => {
        app.useGlobalGuards(app.get(WimseGuard));
      });
      const response = await send(server, await signed(scenario, { path: '/orders' }));
      assert.equal(response.status, 500, response.text);
    });
  });

  describe(`nestjs on ${platform}: exceptions`, () => {
    it('an exception filter of the application sees the typed WimseException', async () => {
      caught.length = 0;
      const server = await serve(platform, appModule([FilteredController]));
      const response = await send(server, { method: 'GET', path: '/filtered', headers: {} });
      expectProblem(response, 401, 'credentials_missing');
      assert.match(String(response.headers['www-authenticate']), /^WPT\b/);
      assert.ok(response.headers['accept-signature']);
      assert.equal(caught.length, 1);
      const [exception] = caught;
      assert.ok(exception instanceof WimseException);
      assert.equal(exception.code, 'credentials_missing');
      assert.equal(exception.getStatus(), 401);
      assert.equal((exception.getResponse() as { code: string }).code, 'credentials_missing');
    });
  });

  describe(`nestjs on ${platform}: a global filter of the application`, () => {
    it('a catch-all filter from useGlobalFilters sees the typed WimseException and can delegate to the module', async () => {
      const seen: unknown[] = [];
      @Catch()
      class CatchAll implements ExceptionFilter {
        catch(exception: unknown, host: ArgumentsHost): void {
          seen.push(exception);
          if (exception instanceof WimseException) new WimseExceptionFilter().catch(exception, host);
          else throw exception;
        }
      }
      const server = await serve(platform, appModule([OpenController], { global: true }), (app) => {
        app.useGlobalFilters(new CatchAll());
      });
      const response = await send(server, { method: 'GET', path: '/orders', headers: {} });
      expectProblem(response, 401, 'credentials_missing');
      assert.equal(seen.length, 1);
      assert.ok(seen[0] instanceof WimseException);
      assert.equal((seen[0] as WimseException).code, 'credentials_missing');
    });
  });

  describe(`nestjs on ${platform}: bodies`, () => {
    it('a chunked body arriving in several pieces is verified and parsed', async () => {
      const server = await serve(platform, appModule([BodiesController]));
      const text = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ i, name: `item-${i}` })) });
      const message = await signed(scenario, {
        method: 'POST',
        path: '/bodies',
        headers: { 'content-type': 'application/json' },
        body: text,
      });
      const response = await rawRequest(server, message, { chunks: 7, delayMs: 5 });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(JSON.parse(response.text), { workload: CALLER_ID, body: JSON.parse(text) });
    });

    it('a gzip body: the digest covers the bytes as sent, the app then inflates and parses them', async () => {
      const server = await serve(platform, appModule([BodiesController]), (app) => {
        // Express's parser inflates by itself; on Fastify the app inflates in a preParsing hook of its own,
        // which runs after the WIMSE hook (installed when the application was created).
        if (platform === 'fastify') {
          (app as NestFastifyApplication)
            .getHttpAdapter()
            .getInstance()
            .addHook('preParsing', async (request, _reply, payload) => {
              if (request.headers['content-encoding'] !== 'gzip') return payload;
              delete request.headers['content-length'];
              return payload.pipe(createGunzip());
            });
        }
      });
      const json = '{"compressed":true}';
      const message = await signRaw('/bodies', gzipSync(json), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });
      expectOk(await send(server, message), CALLER_ID, { compressed: true });
      const tampered = { ...message, body: gzipSync('{"compressed":false}') };
      expectProblem(await send(server, tampered), 400, 'digest_mismatch');
    });

    it('a request without credentials is refused before any body parser reads its body', async () => {
      let parsed = 0;
      const server = await serve(
        platform,
        appModule([BodiesController]),
        (app) => {
          if (platform === 'express') {
            (app as NestExpressApplication).use(express.json({ verify: () => parsed++ }));
            return;
          }
          const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
          fastify.removeAllContentTypeParsers();
          fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
            parsed++;
            done(null, JSON.parse(body as string));
          });
        },
        false,
      );
      const body = JSON.stringify({ secret: 'nobody reads this' });
      const unsigned = {
        method: 'POST' as const,
        path: '/bodies',
        headers: { 'content-type': 'application/json' },
        body,
      };
      expectProblem(await send(server, { ...unsigned, body: Buffer.from(body) }), 401, 'credentials_missing');
      assert.equal(parsed, 0, 'the parser never ran for the stranger');
      const message = await signed(scenario, { ...unsigned, body });
      expectOk(await send(server, message), CALLER_ID, JSON.parse(body));
      assert.equal(parsed, 1, 'the parser ran for the verified caller');
    });

    it('an unsupported content type: a stranger gets the WIMSE refusal, a verified caller the platform answer', async () => {
      const server = await serve(platform, appModule([BodiesController]), () => {}, true);
      const headers = { 'content-type': 'application/x-unknown' };
      const body = Buffer.from('opaque bytes');
      expectProblem(await send(server, { method: 'POST', path: '/bodies', headers, body }), 401, 'credentials_missing');
      const message = await signed(scenario, { method: 'POST', path: '/bodies', headers, body: 'opaque bytes' });
      const response = await send(server, message);
      // Express leaves the body unparsed; Fastify answers 415 for a type it has no parser for.
      if (platform === 'express') expectOk(response, CALLER_ID, null);
      else assert.equal(response.status, 415, response.text);
    });
  });

  describe(`nestjs on ${platform}: configuration`, () => {
    it('WimseModule.forRootAsync takes its options from an injected factory', async () => {
      @Injectable()
      class Settings {
        readonly verifier = scenario.options;
      }
      @Module({ providers: [Settings], exports: [Settings] })
      class SettingsModule {}
      @Module({
        imports: [
          WimseModule.forRootAsync({
            imports: [SettingsModule],
            inject: [Settings],
            useFactory: async (settings: Settings) => ({ verifier: settings.verifier }),
            global: true,
          }),
        ],
        controllers: [OpenController],
      })
      class AsyncModule {}
      const server = await serve(platform, AsyncModule);
      expectOk(await send(server, await signed(scenario, { path: '/orders' })), CALLER_ID);
      expectProblem(await send(server, { method: 'GET', path: '/orders', headers: {} }), 401, 'credentials_missing');
    });

    it('routes under a global prefix and URI versions take their decorators', async () => {
      @Controller({ path: 'shop', version: '2' })
      @UseGuards(WimseGuard)
      class PrefixedController {
        @Get('open')
        @WimseMode('off')
        open(@Workload() workload: WorkloadIdentity | undefined) {
          return answer(workload);
        }

        @Get('orders')
        orders(@Workload() workload: WorkloadIdentity | undefined) {
          return answer(workload);
        }
      }
      const server = await serve(platform, appModule([PrefixedController]), (app) => {
        app.setGlobalPrefix('api');
        app.enableVersioning({ type: VersioningType.URI });
      });
      expectOk(await send(server, { method: 'GET', path: '/api/v2/shop/open', headers: {} }), null);
      expectProblem(
        await send(server, { method: 'GET', path: '/api/v2/shop/orders', headers: {} }),
        401,
        'credentials_missing',
      );
      expectOk(await send(server, await signed(scenario, { path: '/api/v2/shop/orders' })), CALLER_ID);
    });

    it("a migration mode without the guard's migration option is refused when the application starts", async () => {
      @Controller()
      @UseGuards(WimseGuard)
      class EitherController {
        @Get('x')
        @WimseMode('either')
        x() {
          return 'x';
        }
      }
      await assert.rejects(serve(platform, appModule([EitherController])), /migration option/);
    });

    it('a @WorkloadPolicy on a route without WimseGuard is refused when the application starts', async () => {
      @Controller()
      class UnguardedController {
        @Get('x')
        @WorkloadPolicy(allowWorkloads(ADMIN_ID))
        x() {
          return 'x';
        }
      }
      await assert.rejects(serve(platform, appModule([UnguardedController])), /without WimseGuard/);
    });

    it('header-versioned handlers of one path with different WIMSE settings are refused when the application starts', async () => {
      @Controller('v')
      @UseGuards(WimseGuard)
      class VersionedController {
        @Get()
        @Version('1')
        @WimseMode('off')
        one() {
          return 'one';
        }

        @Get()
        @Version('2')
        two() {
          return 'two';
        }
      }
      await assert.rejects(
        serve(platform, appModule([VersionedController]), (app) => {
          app.enableVersioning({ type: VersioningType.HEADER, header: 'x-version' });
        }),
        /GET \/v: handlers on the same path/,
      );
    });

    it('header-versioned handlers of one path with the same WIMSE settings each run behind the guard', async () => {
      @Controller('same')
      @UseGuards(WimseGuard)
      class SameSettingsController {
        @Get()
        @Version('1')
        one(@Workload() workload: WorkloadIdentity | undefined) {
          return { version: 1, ...answer(workload) };
        }

        @Get()
        @Version('2')
        two(@Workload() workload: WorkloadIdentity | undefined) {
          return { version: 2, ...answer(workload) };
        }
      }
      const server = await serve(platform, appModule([SameSettingsController]), (app) => {
        app.enableVersioning({ type: VersioningType.HEADER, header: 'x-version' });
      });
      for (const version of [1, 2]) {
        const message = await signed(scenario, { path: '/same', headers: { 'x-version': String(version) } });
        const response = await send(server, message);
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(response.body, { version, workload: CALLER_ID, body: null });
        const unsigned = await send(server, {
          method: 'GET',
          path: '/same',
          headers: { 'x-version': String(version) },
        });
        expectProblem(unsigned, 401, 'credentials_missing');
      }
    });

    it('a handler inherited by controllers with different WIMSE settings is refused when the application starts', async () => {
      class Base {
        @Get('item')
        item() {
          return 'item';
        }
      }
      @Controller('a')
      @UseGuards(WimseGuard)
      @WimseMode('off')
      class OpenItems extends Base {}
      @Controller('b')
      @UseGuards(WimseGuard)
      class GuardedItems extends Base {}
      await assert.rejects(
        serve(platform, appModule([OpenItems, GuardedItems])),
        /inherited by controllers whose WimseGuard, @WimseMode or @WorkloadPolicy differ/,
      );
    });

    it('a bad @WimseMode is refused when the application starts', async () => {
      @Controller()
      @UseGuards(WimseGuard)
      class BadController {
        @Get('x')
        @WimseMode('sometimes' as never)
        x() {
          return 'x';
        }
      }
      await assert.rejects(serve(platform, appModule([BadController])), /withMode: mode/);
    });
  });
}

describe('nestjs on express: the hook routes as the application does', () => {
  it('with case-sensitive routing, /Open and /open are different routes to the hook too', async () => {
    @Controller()
    @UseGuards(WimseGuard)
    class CaseController {
      @Get('Open')
      @WimseMode('off')
      open(@Workload() workload: WorkloadIdentity | undefined) {
        return answer(workload);
      }

      @Get('open')
      closed(@Workload() workload: WorkloadIdentity | undefined) {
        return answer(workload);
      }
    }
    // Express fixes its routing settings when its router is created: on the instance, before Nest.
    const instance = express();
    instance.set('case sensitive routing', true);
    const app = await NestFactory.create(appModule([CaseController]), new ExpressAdapter(instance), { logger: false });
    await app.init();
    const server = app.getHttpServer() as Server;
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expectOk(await send(server, { method: 'GET', path: '/Open', headers: {} }), null);
    expectProblem(await send(server, { method: 'GET', path: '/open', headers: {} }), 401, 'credentials_missing');
    expectOk(await send(server, await signed(scenario, { path: '/open' })), CALLER_ID);
  });
});

/** node:http directly: a chunked body written in delayed pieces. */
function rawRequest(
  server: Server,
  message: Outgoing,
  options: { chunks: number; delayMs: number },
): Promise<{ status: number; text: string }> {
  const { port } = server.address() as AddressInfo;
  const body = Buffer.from(message.body ?? new Uint8Array());
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: message.method, path: message.path, headers: message.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    const size = Math.ceil(body.length / options.chunks);
    let index = 0;
    const writeNext = () => {
      if (index >= body.length) {
        req.end();
        return;
      }
      req.write(body.subarray(index, index + size));
      index += size;
      setTimeout(writeNext, options.delayMs);
    };
    writeNext();
  });
}
