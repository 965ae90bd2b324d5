import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowWorkloads, cryptoBackend } from '@wimse-pep/core';
import { requireWorkload, type WimseEnv, wimse } from '@wimse-pep/hono';
import { durableObjectReplayStore } from '@wimse-pep/hono/durable-object';
import { Hono } from 'hono';
import { createScenario } from '../../../test/support/index.js';

/** What the shared case table (test/adapters) does not cover: options, route settings, faults. */
describe('@wimse-pep/hono', () => {
  it(`runs on the ${cryptoBackend} backend here`, () => {
    assert.equal(cryptoBackend, 'node:crypto');
  });

  it('checks its options once, at construction', async () => {
    const { options } = await createScenario();
    assert.throws(() => wimse({ verifier: options, bodyLimit: 0 }), /wimse: bodyLimit must be an integer from 1/);
    assert.throws(() => wimse({ verifier: options, bodyTimeoutMs: 1.5 }), /wimse: bodyTimeoutMs must be/);
    assert.throws(
      () => wimse({ verifier: options, allowIsolateReplayStore: 'yes' as unknown as boolean }),
      /allowIsolateReplayStore must be a boolean/,
    );
    assert.throws(
      () => wimse({ verifier: { ...options, mtls: { trustedProxies: [] } } }),
      /verifier\.mtls must be absent: mutual TLS needs the connection/,
    );
  });

  it('checks route settings when the route is added', async () => {
    const pep = wimse({ verifier: (await createScenario()).options });
    assert.throws(
      () => pep.withMode('sometimes' as 'off'),
      /withMode: settings\.mode must be one of required, optional, off/,
    );
    assert.throws(
      () => pep.withMode({ mode: 'off', policy: allowWorkloads('wimse://td.example/service/x') }),
      /policy must be absent on a route with mode off/,
    );
    assert.throws(() => pep.withMode({ policy: 'admin' as never }), /policy must be a function/);
  });

  it('a route policy in withMode({ policy }) refuses with 403 policy_denied; c.get("workload") is typed', async () => {
    const { options } = await createScenario();
    const pep = wimse({ verifier: options });
    const app = new Hono<WimseEnv>();
    app.get('/open', pep.withMode({ mode: 'optional' }), (c) => c.json({ id: c.get('workload')?.id ?? null }));
    app.get(
      '/admin',
      pep.withMode({ mode: 'optional', policy: allowWorkloads('wimse://td.example/service/admin') }),
      (c) => c.json({}),
    );
    const open = await app.request('/open');
    assert.deepEqual(await open.json(), { id: null });
    const admin = await app.request('/admin');
    assert.equal(admin.status, 403);
    assert.equal(admin.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await admin.json()) as { code: string }).code, 'policy_denied');
  });

  it('requireWorkload without wimse() before it fails closed (a fault: Hono answers 500)', async () => {
    const app = new Hono();
    app.get('/x', requireWorkload(), (c) => c.json({}));
    assert.equal((await app.request('/x')).status, 500);
    assert.throws(() => requireWorkload('admin' as never), /requireWorkload needs a policy function/);
  });

  it('durableObjectReplayStore checks its options at construction', () => {
    const namespace = { idFromName: (name: string) => name, get: () => ({ fetch: async () => new Response() }) };
    assert.throws(() => durableObjectReplayStore({} as never), /namespace must be a Durable Object namespace binding/);
    assert.throws(() => durableObjectReplayStore(namespace, { shards: 0 }), /shards must be an integer from 1 to 1024/);
    assert.throws(() => durableObjectReplayStore(namespace, { name: '' }), /name must be a non-empty string/);
  });
});
