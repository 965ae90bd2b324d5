import type { ReplayStore } from '@wimse-pep/core';
import { durableObjectReplayStore, type ReplayShardNamespace } from '@wimse-pep/hono/durable-object';
import type { Hono } from 'hono';
import { constructionFailure, createEdgeApp, type EdgeAppConfig } from './edge-app.js';

export { WimseReplayShard } from '@wimse-pep/hono/durable-object';

interface Env {
  readonly CONFIG: EdgeAppConfig;
  readonly REPLAY?: ReplayShardNamespace;
}

let app: Hono | undefined;

/** The workerd entry point: the app is built on the first request, when the bindings are known. */
export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    if (app === undefined) {
      try {
        const store: ReplayStore | undefined = env.REPLAY
          ? durableObjectReplayStore(env.REPLAY, { shards: 4 })
          : undefined;
        app = createEdgeApp(env.CONFIG, store) as unknown as Hono;
      } catch (error) {
        app = constructionFailure(error);
      }
    }
    return app.fetch(request, env);
  },
};
