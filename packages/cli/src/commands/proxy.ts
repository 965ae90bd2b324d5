import cluster from 'node:cluster';
import { once } from 'node:events';
import { createSecureContext } from 'node:tls';
import { createNodePep } from '@wimse-pep/core/node';
import {
  type CliIo,
  type Command,
  EXIT_OK,
  FailureError,
  integerOption,
  println,
  requiredString,
  stringOption,
  UsageError,
} from '../io.js';
import { compileRoutes } from '../proxy/config/compile-routes.js';
import { loadProxyConfig, ProxyConfigError } from '../proxy/config/load-proxy-config.js';
import { resolveProxyConfig } from '../proxy/config/resolve-proxy-config.js';
import { runWorkers, type WorkerListening } from '../proxy/server/run-workers.js';
import { startProxy } from '../proxy/server/start-proxy.js';

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'the sidecar: verify every request, forward accepted ones with the identity in headers',
  help: `Usage: wimse-pep proxy --config <file> [--upstream <url>] [--check]

A sidecar PEP for a service in any language: listens (HTTP, or HTTPS with client certificates),
verifies every request with the same core and options as the middleware (HTTP signatures, WPT,
mutual TLS, replay store in memory or on Redis), runs the routes' policies, and forwards accepted
requests to the upstream with the body intact and the verified identity in configured headers.
Refusals never reach the upstream: problem+json with the middleware's codes and hints.

The configuration (YAML or JSON) is checked before anything listens; errors name the key.
Secrets (keys, the Redis URL) come from { env: NAME } or { file: path }, never inline.

Options:
  --config <file>     the configuration file (required)
  --upstream <url>    the upstream (http://host:port), instead of the file's upstream
  --check             check the configuration, its files and secrets, then exit (0 valid, 2 not)
  --workers <n>       run n worker processes on the one port (default 1); n > 1 needs
                      replayStore.type redis: a nonce must be shared by every process
  -h, --help          show this help

Reserved paths answered by the sidecar itself: /healthz (alive) and /readyz (the replay store
answers and every remote key set has been fetched).
SIGINT or SIGTERM: stop accepting, finish the requests in flight, then exit.

Example (pep.yaml):
  listen: { port: 8443 }
  upstream: { url: "http://127.0.0.1:8080" }
  verifier:
    trustDomains: [{ trustDomain: example.com, issuers: [{ jwksUri: "https://issuer.example.com/jwks.json" }] }]
    audiences: ["https://orders.internal.example"]
  routes: [{ path: /, allow: { trustDomains: ["wimse://example.com"] } }]

  wimse-pep proxy --config pep.yaml --check && wimse-pep proxy --config pep.yaml`,
  options: {
    config: { type: 'string' },
    upstream: { type: 'string' },
    check: { type: 'boolean' },
    workers: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const file = requiredString(values, 'config');
    const upstream = stringOption(values, 'upstream');
    let resolved: ReturnType<typeof resolveProxyConfig>;
    try {
      const loaded = loadProxyConfig(file);
      const config = upstream === undefined ? loaded.config : withUpstream(loaded.config, upstream, file);
      resolved = resolveProxyConfig({ ...loaded, config });
      // The guard's own checks of its options and the routes' policies, before anything listens.
      const pep = createNodePep(resolved.pepOptions, 'wimse-pep proxy', '');
      compileRoutes(resolved.config.routes, pep.guard);
      if (resolved.tls) checkTls(resolved.tls);
    } catch (error) {
      if (error instanceof ProxyConfigError) throw new UsageError(error.message);
      throw new UsageError(`${file}: ${(error as Error).message}`);
    }
    const workers = integerOption(values, 'workers', 1, 1, 64);
    if (workers > 1 && resolved.config.replayStore.type !== 'redis') {
      throw new UsageError(
        '--workers needs a shared replay store (replayStore.type: redis): with one memory per process, ' +
          'a request replayed to another worker would be accepted',
      );
    }
    if (values.check === true) {
      println(io.stdout, `${file}: valid (${resolved.config.routes.length} routes)`);
      return EXIT_OK;
    }
    const warn = (message: string) => println(io.stderr, `wimse-pep proxy: warning: ${message}`);
    if (workers > 1 && cluster.isPrimary) {
      let code: number;
      try {
        code = await runWorkers(
          workers,
          (url) => println(io.stdout, `wimse-pep proxy: listening on ${url} (${workers} workers)`),
          stopSignal(io),
          warn,
        );
      } catch (error) {
        throw new FailureError(`cannot start: ${(error as Error).message}`);
      }
      println(io.stdout, 'wimse-pep proxy: shutting down, finishing requests in flight');
      return code;
    }
    let running: Awaited<ReturnType<typeof startProxy>>;
    try {
      running = await startProxy(resolved, {
        warn: (message) => println(io.stderr, `wimse-pep proxy: warning: ${message}`),
      });
    } catch (error) {
      throw new FailureError(`cannot start: ${(error as Error).message}`);
    }
    if (cluster.isWorker) {
      process.send?.({ wimsePepProxy: 'listening', url: running.url } satisfies WorkerListening);
    } else {
      println(io.stdout, `wimse-pep proxy: listening on ${running.url}`);
    }
    await stopSignal(io);
    if (!cluster.isWorker) println(io.stdout, 'wimse-pep proxy: shutting down, finishing requests in flight');
    await running.close();
    // A worker's IPC channel would keep it alive.
    if (cluster.isWorker) process.disconnect?.();
    return EXIT_OK;
  },
};

/** The certificate, key and client CA as the TLS server will load them. */
function checkTls(tls: NonNullable<ReturnType<typeof resolveProxyConfig>['tls']>): void {
  try {
    createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}) });
  } catch (error) {
    throw new Error(`listen.tls: the certificate, key or client CA cannot be used (${(error as Error).message})`);
  }
}

function withUpstream<T extends { upstream: object }>(config: T, url: string, file: string): T {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProxyConfigError(file, [`--upstream: not a URL: ${JSON.stringify(url)}`]);
  }
  if (parsed.protocol !== 'http:') throw new ProxyConfigError(file, ['--upstream: an http:// URL']);
  const { socket: _socket, ...rest } = config.upstream as { socket?: string };
  return { ...config, upstream: { ...rest, url } };
}

async function stopSignal(io: CliIo): Promise<void> {
  if (io.signal) {
    if (!io.signal.aborted) await once(io.signal, 'abort');
    return;
  }
  // The handlers stay: a second signal (Ctrl-C reaches every worker and the primary) must not
  // kill a process that is finishing its requests in flight.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
}
