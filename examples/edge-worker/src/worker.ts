import { allowTrustDomain, type VerifierOptions } from '@wimse-pep/core';
import { requireWorkload, type WimseEnv, wimse } from '@wimse-pep/hono';
import { durableObjectReplayStore, type ReplayShardNamespace } from '@wimse-pep/hono/durable-object';
import { Hono } from 'hono';

// The Durable Object class the replay store's shards run in: exported by the Worker, bound as REPLAY.
export { WimseReplayShard } from '@wimse-pep/hono/durable-object';

interface Env {
  /** The trust configuration: trust domains with their issuers' key sets, and this service's audiences. */
  readonly TRUST: Pick<VerifierOptions, 'trustDomains' | 'audiences'>;
  readonly REPLAY: ReplayShardNamespace;
}

/**
 * An orders service on Cloudflare Workers (workerd), Node compatibility off. The PEP is built on
 * the first request, when the bindings are known, and kept for the isolate's life; its nonces go to
 * the Durable Object replay store, shared by every isolate.
 */
function createApp(env: Env): Hono<WimseEnv> {
  const pep = wimse({
    verifier: { ...env.TRUST, replayStore: durableObjectReplayStore(env.REPLAY, { shards: 16 }) },
  });
  const app = new Hono<WimseEnv>();
  app.get('/health', (c) => c.json({ ok: true })); // before the PEP: public
  app.use(pep); // every route below requires a workload
  app.get('/orders/:id', (c) => c.json({ order: c.req.param('id'), caller: c.get('workload')?.id }));
  app.post('/orders', requireWorkload(allowTrustDomain('wimse://example.com')), async (c) =>
    c.json({ created: await c.req.json(), by: c.get('workload')?.id }, 201),
  );
  return app;
}

let app: Hono<WimseEnv> | undefined;

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    app ??= createApp(env);
    return app.fetch(request, env);
  },
};
