import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  type AuditEvent,
  createWorkloadGuard,
  decisionChannelName,
  type MigrationOptions,
  type WorkloadGuard,
  wimseRedactPaths,
} from '@wimse-pep/core';
import { pino } from 'pino';
import {
  BEARER_AUDIENCE,
  BEARER_ISSUER,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintBearer,
  type Scenario,
  signedWorkloadRequest,
} from '../../../test/support/index.js';

const OTHER_ID = 'wimse://td.example/service/other';
const bearerKey = generateTestKey('ES256', 'bearer-1');
const migration: MigrationOptions = {
  bearer: {
    jwt: { issuer: BEARER_ISSUER, audience: BEARER_AUDIENCE, jwks: { keys: [bearerKey.publicJwk] } },
    origins: ['wimse://td.example'],
  },
  mode: 'either',
  metricWorkloads: [CALLER_ID],
};
const route = { route: '/orders' };
const bearerRequest = async (sub: string) => ({
  method: 'GET',
  target: '/orders',
  headers: { authorization: `Bearer ${await mintBearer({ key: bearerKey, sub })}` },
});

interface Point {
  readonly attributes: Record<string, unknown>;
  readonly value: unknown;
}

/** A real OTel SDK pipeline: meter provider, reader, in-memory exporter. */
function sdkPipeline() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async points(name: string): Promise<Point[]> {
      await reader.forceFlush();
      const batches = exporter.getMetrics();
      const last = batches.at(-1);
      const metric = last?.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []) as unknown as Point[];
    },
    shutdown: () => provider.shutdown(),
  };
}

describe('observability: OpenTelemetry metrics through the real SDK', () => {
  let scenario: Scenario;
  before(async () => {
    scenario = await createScenario();
  });

  it('counts decisions by proof and outcome, and times authentication', async () => {
    const pipeline = sdkPipeline();
    try {
      const guard = createWorkloadGuard({
        verifier: scenario.options,
        migration,
        metrics: { meterProvider: pipeline.provider },
      });
      await guard.authenticate(await bearerRequest(CALLER_ID), route);
      await guard.authenticate(await bearerRequest(OTHER_ID), route);
      await guard.authenticate(await signedWorkloadRequest(scenario), route);
      await assert.rejects(
        guard.authenticate({ method: 'GET', target: '/orders', headers: { authorization: 'Bearer x.y.z' } }, route),
      );
      const decisions = await pipeline.points('wimse.pep.decisions');
      const count = (proof: string, outcome: string) =>
        decisions
          .filter((p) => p.attributes['wimse.proof'] === proof && p.attributes['wimse.outcome'] === outcome)
          .reduce((sum, p) => sum + Number(p.value), 0);
      assert.equal(count('bearer', 'allow'), 2);
      assert.equal(count('http-signature', 'allow'), 1);
      assert.equal(count('bearer', 'deny'), 1);
      const denial = decisions.find((p) => p.attributes['wimse.outcome'] === 'deny');
      assert.equal(denial?.attributes['wimse.code'], 'bearer_invalid');
      // Workload ids only for the bounded set.
      const callers = decisions.map((p) => p.attributes['wimse.caller']);
      assert.ok(callers.includes(CALLER_ID));
      assert.ok(!callers.includes(OTHER_ID));
      const durations = await pipeline.points('wimse.pep.authentication.duration');
      const total = durations.reduce((sum, p) => sum + Number((p.value as { count: number }).count), 0);
      assert.equal(total, 4);
      assert.ok(durations.every((p) => !('wimse.caller' in p.attributes)));
    } finally {
      await pipeline.shutdown();
    }
  });

  it('reports shadow verdicts as their own outcome', async () => {
    const pipeline = sdkPipeline();
    try {
      const guard = createWorkloadGuard({
        verifier: scenario.options,
        migration: { ...migration, mode: 'shadow' },
        metrics: { meterProvider: pipeline.provider },
      });
      const token = await mintBearer({ key: bearerKey, sub: CALLER_ID });
      const request = await signedWorkloadRequest(scenario, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await guard.authenticate(request, route))?.proof, 'bearer');
      const decisions = await pipeline.points('wimse.pep.decisions');
      assert.equal(
        decisions.find((p) => p.attributes['wimse.outcome'] === 'shadow-allow')?.attributes['wimse.proof'],
        'http-signature',
      );
    } finally {
      await pipeline.shutdown();
    }
  });

  it('by default uses the global meter provider of @opentelemetry/api (loaded lazily)', async () => {
    const pipeline = sdkPipeline();
    assert.equal(metrics.setGlobalMeterProvider(pipeline.provider), true);
    try {
      const guard = createWorkloadGuard({ verifier: scenario.options, migration });
      await guard.authenticate(await bearerRequest(CALLER_ID), route);
      assert.equal((await pipeline.points('wimse.pep.decisions')).length, 1);
      const off = createWorkloadGuard({ verifier: scenario.options, migration, metrics: false });
      await off.authenticate(await bearerRequest(CALLER_ID), route);
      assert.equal(
        Number((await pipeline.points('wimse.pep.decisions'))[0]?.value),
        1,
        'metrics: false records nothing',
      );
    } finally {
      metrics.disable();
      await pipeline.shutdown();
    }
  });

  it('refuses a metrics option that is not a provider', () => {
    assert.throws(
      () => createWorkloadGuard({ verifier: scenario.options, metrics: { meterProvider: {} } as never }),
      TypeError,
    );
  });
});

describe('observability: diagnostics_channel and audit', () => {
  let scenario: Scenario;
  let guard: WorkloadGuard;
  const published: AuditEvent[] = [];
  const audited: AuditEvent[] = [];
  const listener = (message: unknown) => published.push(message as AuditEvent);
  before(async () => {
    scenario = await createScenario();
    guard = createWorkloadGuard({
      verifier: scenario.options,
      migration,
      metrics: false,
      audit: (e) => audited.push(e),
    });
    subscribe(decisionChannelName, listener);
  });
  after(() => unsubscribe(decisionChannelName, listener));

  it('publishes every decision, naming the proof, never the token', async () => {
    const request = await bearerRequest(CALLER_ID);
    await guard.authenticate(request, route);
    await guard
      .authorize(await guard.authenticate(await signedWorkloadRequest(scenario), route), request, () => false, route)
      .catch(() => {});
    assert.deepEqual(
      published.map((event) => [event.stage, event.decision, event.proof]),
      [
        ['authentication', 'allow', 'bearer'],
        ['authentication', 'allow', 'http-signature'],
        ['authorization', 'deny', 'http-signature'],
      ],
    );
    assert.deepEqual(published, audited);
    const token = request.headers.authorization.slice('Bearer '.length);
    assert.ok(!JSON.stringify(published).includes(token.split('.')[2] as string));
  });
});

describe('observability: pino redaction paths', () => {
  it('hide the credential header fields of pino-http, Fastify and Koa request objects', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ redact: [...wimseRedactPaths] }, stream);
    const headers = {
      authorization: 'Bearer secret-bearer',
      'workload-identity-token': 'secret-wit',
      signature: 'wimse=:secret-signature:',
      'signature-input': 'wimse=("@method");nonce="secret-nonce"',
      accept: 'application/json',
    };
    logger.info({ req: { headers } }, 'pino-http');
    logger.info({ request: { headers } }, 'framework');
    logger.info({ headers }, 'plain');
    const output = lines.join('');
    for (const secret of ['secret-bearer', 'secret-wit', 'secret-signature', 'secret-nonce']) {
      assert.ok(!output.includes(secret), `${secret} was logged`);
    }
    assert.equal(output.split('application/json').length - 1, 3, 'other fields are kept');
  });
});

describe('observability: @opentelemetry/api is an optional peer', () => {
  it('a guard with metrics on works where the package cannot be resolved', async () => {
    const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=wimse-source',
        '--require',
        fixture('hide-opentelemetry.cjs'),
        '--import',
        'tsx',
        fixture('bearer-without-otel.ts'),
      ],
      { cwd: fileURLToPath(new URL('../../..', import.meta.url)) },
    );
    assert.deepEqual(JSON.parse(stdout), { id: CALLER_ID, proof: 'bearer', otel: 'missing' });
  });
});
