import { type CliIo, type OptionValues, println, stringOption, UsageError } from '../io.js';
import { serveWorkloadApi } from './serve-workload-api.js';
import type { DevIssuer } from './start-dev-issuer.js';

/** The dev-issuer options that also serve the SPIFFE Workload API. */
export const workloadApiOptions = {
  'workload-api': { type: 'string' },
  'spiffe-id': { type: 'string' },
} as const;

export const workloadApiHelp = `  --workload-api <socket>  also serve the SPIFFE Workload API (WIT-SVID profile:
                        FetchWITSVID, FetchWITBundles) on this unix socket, for
                        SPIFFE_ENDPOINT_SOCKET=unix://<socket>; needs an ES256 key
  --spiffe-id <id>      the SPIFFE ID it gives every caller (default spiffe://<td>/workload)`;

/**
 * Starts the Workload API when `--workload-api` is given, prints how to use it, and returns how to
 * stop it (or undefined).
 */
export async function startWorkloadApiOption(
  values: OptionValues,
  issuer: DevIssuer,
  witLifetimeSec: number,
  io: CliIo,
): Promise<(() => Promise<void>) | undefined> {
  const socketPath = stringOption(values, 'workload-api');
  if (socketPath === undefined) return undefined;
  const spiffeId = stringOption(values, 'spiffe-id') ?? `spiffe://${issuer.trustDomain}/workload`;
  let server: Awaited<ReturnType<typeof serveWorkloadApi>>;
  try {
    server = await serveWorkloadApi({
      socketPath,
      issuer,
      spiffeId,
      witTtlSec: witLifetimeSec,
      onEvent: (message) => println(io.stdout, `workload API: ${message}`),
    });
  } catch (error) {
    if (error instanceof TypeError)
      throw new UsageError(error.message.replace('serveWorkloadApi: ', '--workload-api: '));
    throw error;
  }
  println(io.stdout, `workload API (WIT-SVID profile) on ${server.endpoint} for ${spiffeId}`);
  println(io.stdout, `  callers: SPIFFE_ENDPOINT_SOCKET=${server.endpoint}`);
  println(io.stdout, 'verifier issuer entry for its WIT-SVIDs:');
  println(io.stdout, JSON.stringify({ trustDomain: issuer.trustDomain, issuers: [{ spiffeBundle: server.bundle }] }));
  return () => server.close();
}
