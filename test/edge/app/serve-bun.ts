import { createEdgeApp, type EdgeAppConfig } from './edge-app.js';

declare const Bun: {
  serve(options: { port: number; hostname: string; fetch: (request: Request) => unknown }): unknown;
};
declare const process: { env: Record<string, string | undefined> };

const config = JSON.parse(process.env.WIMSE_EDGE_CONFIG ?? '{}') as EdgeAppConfig;
const app = createEdgeApp(config);
Bun.serve({ port: Number(process.env.PORT), hostname: '127.0.0.1', fetch: (request) => app.fetch(request) });
