/**
 * Imports every installed package the way a TypeScript user does. Type-checked by tsc (the
 * `@ts-expect-error` lines fail the check if the installed declarations were missing or `any`),
 * then run: it prints the runtime export names of each package as one JSON line.
 */
import * as audit from '@wimse-pep/audit';
import * as cli from '@wimse-pep/cli';
import * as client from '@wimse-pep/client';
import * as core from '@wimse-pep/core';
import * as expressAdapter from '@wimse-pep/express';
import * as fastifyAdapter from '@wimse-pep/fastify';
import * as honoAdapter from '@wimse-pep/hono';
import * as honoDurableObject from '@wimse-pep/hono/durable-object';
import * as koaAdapter from '@wimse-pep/koa';
import * as nestjsAdapter from '@wimse-pep/nestjs';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';

const verifierOptions: core.VerifierOptions = {
  trustDomains: [
    { trustDomain: 'example.com', issuers: [{ issuer: 'https://issuer.example.com', jwks: { keys: [] } }] },
  ],
  audiences: ['https://orders.internal.example'],
};

// Never called: these only have to type-check (or fail to, where marked).
export async function typesOnly(): Promise<void> {
  const verifier: core.WorkloadVerifier = core.createVerifier(verifierOptions);
  const identity = await verifier.verify({ method: 'GET', target: '/', headers: {}, body: undefined });
  const id: string = identity.id;
  // @ts-expect-error the identity has no such field
  identity.notAField;

  const fastify = Fastify();
  await fastify.register(fastifyAdapter.wimse, { verifier: verifierOptions });
  fastify.get('/orders', { config: { wimse: { mode: 'optional' } } }, async (request) => request.workload?.id);
  // @ts-expect-error the mode is required, optional or off
  fastify.get('/other', { config: { wimse: { mode: 'sometimes' } } }, async () => id);

  const koa = new Koa();
  koa.use(koaAdapter.wimse({ verifier: verifierOptions }));
  koa.use((ctx) => {
    const caller: string | undefined = ctx.state.workload?.id;
    ctx.body = caller;
  });

  const pep: expressAdapter.WimseMiddleware = expressAdapter.wimse({ verifier: verifierOptions });
  // @ts-expect-error the mode is required, optional or off
  pep.withMode('sometimes');

  const hono = new Hono<honoAdapter.WimseEnv>();
  const honoPep: honoAdapter.WimseMiddleware = honoAdapter.wimse({ verifier: verifierOptions });
  hono.use(honoPep);
  hono.get('/orders', honoPep.withMode({ mode: 'optional' }), (c) => c.json({ caller: c.get('workload')?.id ?? null }));
  // @ts-expect-error the mode is required, optional or off
  honoPep.withMode('sometimes');
  console.log(typeof honoDurableObject.durableObjectReplayStore, core.cryptoBackend);

  const wimseFetch: client.WimseFetch = client.createWimseFetch({ credentials: { wit: 'x', privateKey: {} } });
  await wimseFetch('https://orders.internal.example/');

  // The identity is a union on `proof`: a field of one proof needs narrowing first.
  const workload = identity as core.WorkloadIdentity | undefined;
  // @ts-expect-error `bearer` belongs to http-signature identities only
  workload?.bearer;
  const dualSend: string | undefined = workload?.proof === 'http-signature' ? workload.bearer?.id : undefined;
  console.log(dualSend);

  const trail: audit.AuditTrail = await audit.openAuditTrail({
    file: 'audit.jsonl',
    origin: 'orders.example.com/audit/1',
    signingKey: audit.generateNoteKey('orders.example.com/audit/1').signerKey,
  });
  koa.use(koaAdapter.wimse({ verifier: verifierOptions, audit: trail }));
  // @ts-expect-error overflow is refuse or drop
  await audit.openAuditTrail({ file: 'a', origin: 'o', signingKey: 'k', overflow: 'block' });
  const report: audit.AuditLogReport = await audit.verifyAuditLog({ files: ['audit.jsonl'], keys: [] });
  console.log(report.ok);

  const exitCode: number = await cli.main(['--help']);
  console.log(exitCode);
  const nestModule: { module: unknown } = nestjsAdapter.WimseModule.forRoot({ verifier: verifierOptions });
  // @ts-expect-error WimseModule.forRoot takes the guard's options
  nestjsAdapter.WimseModule.forRoot({ verifier: verifierOptions, notAnOption: true });
  console.log(nestModule.module);
}

const modules = {
  audit,
  cli,
  client,
  core,
  express: expressAdapter,
  fastify: fastifyAdapter,
  koa: koaAdapter,
  nestjs: nestjsAdapter,
  hono: honoAdapter,
};
console.log(JSON.stringify(Object.fromEntries(Object.entries(modules).map(([name, m]) => [name, Object.keys(m)]))));
