import { generateKeyPairSync } from 'node:crypto';
import { lstatSync, unlinkSync } from 'node:fs';
import { Server, ServerCredentials, type ServerWritableStream, type StatusObject, status } from '@grpc/grpc-js';
import {
  loadWorkloadApi,
  type WitBundlesResponse,
  type WitSvidRequest,
  type WitSvidResponse,
  WORKLOAD_API_HEADER,
} from '@wimse-pep/client';
import { parseWorkloadId, WIT_SVID_USE } from '@wimse-pep/core';
import type { DevIssuer } from './start-dev-issuer.js';

export interface WorkloadApiServerOptions {
  /** The unix socket to listen on (a stale socket left there is replaced; removed on close). */
  readonly socketPath: string;
  /** The identity server whose key signs the WIT-SVIDs (an ES, RS or PS key: no EdDSA in WIT-SVIDs). */
  readonly issuer: DevIssuer;
  /** The SPIFFE ID given to every caller, in the issuer's trust domain: there is no attestation. */
  readonly spiffeId: string;
  /** Lifetime of each WIT-SVID in seconds (default 3600, at most the issuer's own maximum). */
  readonly witTtlSec?: number;
  /** Issue a new WIT-SVID with a new key at half the lifetime, as SPIRE does (default true). */
  readonly autoRotate?: boolean;
  /** Told about every WIT-SVID issued and every refused call (no token or key in it). */
  readonly onEvent?: (message: string) => void;
}

export interface WorkloadApiServer {
  /** `unix:///...`: the value for `SPIFFE_ENDPOINT_SOCKET`. */
  readonly endpoint: string;
  /** Issues a new WIT-SVID with a new workload key and streams it to every open `FetchWITSVID`. */
  rotate(): Promise<void>;
  /** While true, every call (and every open stream) is answered PermissionDenied. */
  setDenied(denied: boolean): void;
  /** Calls received per method, refused ones included. */
  readonly calls: Readonly<Record<'FetchWITSVID' | 'FetchWITBundles', number>>;
  /** The SPIFFE bundle its WIT-SVIDs verify with (the issuer's keys, `use: "wit-svid"`). */
  readonly bundle: { readonly keys: readonly Record<string, unknown>[] };
  /** Stops at once, as an agent that crashes: open streams break (the callers see Unavailable). */
  close(): Promise<void>;
}

const WIT_SVID_ALGS = /^(RS|ES|PS)(256|384|512)$/;

/**
 * The WIT-SVID profile of the SPIFFE Workload API (`FetchWITSVID`, `FetchWITBundles`, Workload
 * API §7) on a unix socket, served by the DEVELOPMENT identity server: it hands every caller the
 * same identity without attesting it, so a developer without SPIRE can run the calling side
 * exactly as against a SPIRE agent. The other profiles answer Unimplemented; a call without the
 * `workload.spiffe.io: true` metadata is refused with InvalidArgument, as the endpoint requires.
 */
export async function serveWorkloadApi(options: WorkloadApiServerOptions): Promise<WorkloadApiServer> {
  const { issuer } = options;
  const issuerAlg = String(issuer.jwks.keys[0]?.alg);
  if (!WIT_SVID_ALGS.test(issuerAlg)) {
    throw new TypeError(`serveWorkloadApi: WIT-SVIDs are signed with RS/ES/PS algorithms, not ${issuerAlg}`);
  }
  const id = parseWorkloadId(options.spiffeId);
  if (id.scheme !== 'spiffe' || id.trustDomain !== issuer.trustDomain) {
    throw new TypeError(`serveWorkloadApi: spiffeId must be a spiffe:// ID in ${issuer.trustDomain}`);
  }
  const ttl = options.witTtlSec ?? 3600;
  const bundle = { keys: issuer.jwks.keys.map((key) => ({ ...key, use: WIT_SVID_USE })) };
  const bundles: WitBundlesResponse = {
    bundles: { [`spiffe://${issuer.trustDomain}`]: JSON.stringify(bundle) },
  };
  const calls = { FetchWITSVID: 0, FetchWITBundles: 0 };
  const svidStreams = new Set<ServerWritableStream<WitSvidRequest, WitSvidResponse>>();
  const bundleStreams = new Set<ServerWritableStream<unknown, WitBundlesResponse>>();
  let denied = false;
  let current: WitSvidResponse = await issueSvid();
  let rotation: NodeJS.Timeout | undefined;

  async function issueSvid(): Promise<WitSvidResponse> {
    // A new workload key with every WIT-SVID, as an agent rotates them.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'ES256' };
    const { wit, exp } = await issuer.issue({ sub: options.spiffeId, jwk, ttl }, { witSvid: true });
    options.onEvent?.(`issued a WIT-SVID for ${options.spiffeId} (exp ${exp})`);
    const key = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256' };
    return { svids: [{ spiffe_id: options.spiffeId, wit_svid: wit, wit_svid_key: JSON.stringify(key), hint: '' }] };
  }

  function scheduleRotation(): void {
    if (options.autoRotate === false) return;
    rotation = setTimeout(() => void rotate().catch(() => {}), (ttl * 1000) / 2);
    rotation.unref();
  }

  async function rotate(): Promise<void> {
    if (rotation !== undefined) clearTimeout(rotation);
    current = await issueSvid();
    for (const call of svidStreams) call.write(current);
    scheduleRotation();
  }

  /** Checks a call: the security header, then entitlement. Returns false when it was refused. */
  function admit(call: ServerWritableStream<unknown, unknown>, method: string): boolean {
    if (call.metadata.get(WORKLOAD_API_HEADER)[0] !== 'true') {
      options.onEvent?.(`refused ${method}: no ${WORKLOAD_API_HEADER} metadata`);
      refuse(call, status.INVALID_ARGUMENT, `security header ${WORKLOAD_API_HEADER} is missing`);
      return false;
    }
    if (denied) {
      options.onEvent?.(`refused ${method}: permission denied`);
      refuse(call, status.PERMISSION_DENIED, 'no identity issued');
      return false;
    }
    return true;
  }

  const server = new Server();
  const unimplemented = (call: ServerWritableStream<unknown, unknown>) =>
    refuse(call, status.UNIMPLEMENTED, 'only the WIT-SVID profile is served here');
  server.addService(loadWorkloadApi().service, {
    FetchWITSVID(call: ServerWritableStream<WitSvidRequest, WitSvidResponse>) {
      calls.FetchWITSVID += 1;
      if (!admit(call, 'FetchWITSVID')) return;
      const requested = call.request.spiffe_id;
      if (requested !== '' && requested !== options.spiffeId) {
        refuse(call, status.PERMISSION_DENIED, `not entitled to ${requested}`);
        return;
      }
      svidStreams.add(call);
      call.on('cancelled', () => svidStreams.delete(call));
      call.write(current);
    },
    FetchWITBundles(call: ServerWritableStream<unknown, WitBundlesResponse>) {
      calls.FetchWITBundles += 1;
      if (!admit(call, 'FetchWITBundles')) return;
      bundleStreams.add(call);
      call.on('cancelled', () => bundleStreams.delete(call));
      call.write(bundles);
    },
    FetchX509SVID: unimplemented,
    FetchX509Bundles: unimplemented,
    FetchJWTBundles: unimplemented,
    FetchJWTSVID: (_call: unknown, callback: (error: Partial<StatusObject>) => void) =>
      callback({ code: status.UNIMPLEMENTED, details: 'only the WIT-SVID profile is served here' }),
    ValidateJWTSVID: (_call: unknown, callback: (error: Partial<StatusObject>) => void) =>
      callback({ code: status.UNIMPLEMENTED, details: 'only the WIT-SVID profile is served here' }),
  });

  removeStaleSocket(options.socketPath);
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${options.socketPath}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    );
  });
  scheduleRotation();

  return {
    endpoint: `unix://${options.socketPath}`,
    rotate,
    setDenied(value: boolean) {
      denied = value;
      if (!value) return;
      for (const call of [...svidStreams, ...bundleStreams])
        refuse(call, status.PERMISSION_DENIED, 'no identity issued');
      svidStreams.clear();
      bundleStreams.clear();
    },
    calls,
    bundle,
    async close() {
      if (rotation !== undefined) clearTimeout(rotation);
      server.forceShutdown();
      removeStaleSocket(options.socketPath);
    },
  };
}

function refuse(call: ServerWritableStream<unknown, unknown>, code: status, details: string): void {
  call.emit('error', { code, details });
}

/** Removes a socket file left by an earlier run; anything else at that path is left alone. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there.
  }
}
