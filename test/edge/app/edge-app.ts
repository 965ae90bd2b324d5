import { cryptoBackend, type ReplayStore, type VerifierOptions } from '@wimse-pep/core';
import { type WimseEnv, wimse } from '@wimse-pep/hono';
import { Hono } from 'hono';

/** What the test gives the app: the trust configuration (JSON) and, on workerd, a shared replay store. */
export interface EdgeAppConfig {
  readonly verifier: Pick<VerifierOptions, 'trustDomains' | 'audiences'>;
  readonly allowIsolateReplayStore?: boolean;
}

/**
 * The Hono app every runtime check runs (workerd, Bun, Deno): `/runtime` says where it runs and
 * which crypto backend the core loaded; `/orders` is protected by @wimse-pep/hono.
 */
export function createEdgeApp(config: EdgeAppConfig, replayStore?: ReplayStore): Hono<WimseEnv> {
  const pep = wimse({
    verifier: { ...config.verifier, ...(replayStore === undefined ? {} : { replayStore }) },
    ...(config.allowIsolateReplayStore === undefined
      ? {}
      : { allowIsolateReplayStore: config.allowIsolateReplayStore }),
  });
  const app = new Hono<WimseEnv>();
  app.get('/runtime', async (c) => c.json(await runtimeReport()));
  app.use(pep);
  app.get('/orders', (c) => c.json({ workload: c.get('workload')?.id ?? null, backend: cryptoBackend }));
  app.post('/orders', async (c) =>
    c.json({ workload: c.get('workload')?.id ?? null, body: await c.req.json(), backend: cryptoBackend }),
  );
  return app;
}

/** An app that answers every request with the reason the real one could not be built. */
export function constructionFailure(error: unknown): Hono {
  const app = new Hono();
  app.all('*', (c) => c.json({ constructionError: error instanceof Error ? error.message : String(error) }, 500));
  return app;
}

async function runtimeReport() {
  const scope = globalThis as Record<string, unknown>;
  let nodeCrypto: boolean;
  try {
    // A variable specifier: bundlers leave it alone, so the runtime itself answers.
    const specifier = ['node', 'crypto'].join(':');
    nodeCrypto = typeof ((await import(specifier)) as { createHash?: unknown }).createHash === 'function';
  } catch {
    nodeCrypto = false;
  }
  return {
    backend: cryptoBackend,
    buffer: typeof scope.Buffer,
    process: typeof scope.process,
    nodeCrypto,
    userAgent: (scope.navigator as { userAgent?: string } | undefined)?.userAgent ?? null,
  };
}
