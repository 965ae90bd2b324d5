import { createEdgeApp, type EdgeAppConfig } from './edge-app.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
};

const config = JSON.parse(Deno.env.get('WIMSE_EDGE_CONFIG') ?? '{}') as EdgeAppConfig;
const app = createEdgeApp(config);
Deno.serve({ port: Number(Deno.env.get('PORT')), hostname: '127.0.0.1' }, (request) => app.fetch(request));
