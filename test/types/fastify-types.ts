/**
 * Compile-only: user-style code that typechecks only if @wimse-pep/fastify's declaration merging
 * works (`request.workload`, route `config.wimse`). Checked by `pnpm typecheck`, never run.
 */
import { allowWorkloads, type WorkloadIdentity } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/fastify';
import Fastify, { type FastifyRequest } from 'fastify';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof?: T): void => {};

export async function userApp() {
  const app = Fastify();
  await app.register(wimse, {
    verifier: { trustDomains: [], audiences: ['https://orders.example'] },
    mode: 'required',
    bodyLimit: 65_536,
    exposeErrorDetail: false,
  });

  app.get('/orders', async (request) => {
    const id = request.workload?.id;
    assertType<Equals<typeof id, string | undefined>>();
    assertType<Equals<typeof request.workload, WorkloadIdentity | null>>();
    return { caller: id ?? 'anonymous' };
  });

  app.post<{ Body: { qty: number } }>(
    '/orders',
    { config: { wimse: { policy: allowWorkloads('wimse://example.com/service/checkout') } } },
    async (request) => ({ caller: request.workload?.trustDomain, qty: request.body.qty }),
  );
  app.put<{ Body: { qty: number }; Params: { id: string } }>(
    '/orders/:id',
    { preValidation: requireWorkload(allowWorkloads('wimse://example.com/service/checkout')) },
    async (request) => ({ id: request.params.id, by: request.workload?.id }),
  );
  app.get('/health', { config: { wimse: { mode: 'off' } } }, async () => 'ok');
  app.get('/maybe', { config: { wimse: { mode: 'optional' } } }, async (request) => request.workload !== null);
  app.get('/hooked', { onRequest: requireWorkload((identity) => identity.trustDomain === 'example.com') }, () => 'ok');
  app.get('/hooked2', { preHandler: [requireWorkload(() => true)] }, () => 'ok');
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const mode = request.routeOptions.config.wimse?.mode;
    assertType<Equals<typeof mode, 'required' | 'optional' | 'off' | undefined>>();
  });

  // @ts-expect-error an unknown mode is rejected by the types
  app.get('/bad', { config: { wimse: { mode: 'sometimes' } } }, async () => 'no');
  // @ts-expect-error a policy is a function
  app.get('/bad2', { config: { wimse: { policy: 'admin' } } }, async () => 'no');
  // @ts-expect-error the plugin needs a verifier
  await app.register(wimse, { mode: 'off' });
  return app;
}

/** The operator surface: `app.wimse` is typed through declaration merging, no private symbol. */
export async function operatorSurface() {
  const app = Fastify();
  await app.register(wimse, { verifier: { trustDomains: [], audiences: ['https://orders.example'] } });
  const report = await app.wimse.migrationReport();
  assertType<Equals<typeof report.totals.usingBearer, number>>();
  await app.wimse.resetMigration('wimse://example.com/service/legacy');
  await app.wimse.resetMigration();
  const mode: 'required' | 'optional' | 'off' = app.wimse.guard.mode;
  return mode;
}
