import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The gRPC metadata every Workload API call carries (SPIFFE Workload Endpoint §3: SSRF hardening). */
export const WORKLOAD_API_HEADER = 'workload.spiffe.io';

/** `WITSVID` (SPIFFE Workload API §7.2.1), with proto3 defaults filled in. */
export interface WitSvidMessage {
  readonly spiffe_id: string;
  /** The WIT-SVID, compact JWS. */
  readonly wit_svid: string;
  /** Its private key, a JWK (JSON text). */
  readonly wit_svid_key: string;
  readonly hint: string;
}

export interface WitSvidResponse {
  readonly svids: readonly WitSvidMessage[];
}

export interface WitSvidRequest {
  readonly spiffe_id: string;
}

/** Trust domain SPIFFE ID (`spiffe://example.org`) to a JWK Set (JSON text). */
export interface WitBundlesResponse {
  readonly bundles: Readonly<Record<string, string>>;
}

export interface WorkloadApi {
  /** The client constructor of the `SpiffeWorkloadAPI` service. */
  readonly Client: ServiceClientConstructor;
  /** The service definition, for a server (`server.addService(service, handlers)`). */
  readonly service: ServiceDefinition;
}

let loaded: WorkloadApi | undefined;

/**
 * The SPIFFE Workload API service, loaded once from the vendored `workloadapi.proto` (see
 * `proto/spiffe/PROVENANCE.md`). Field names stay as in the proto (`spiffe_id`, `wit_svid`).
 */
export function loadWorkloadApi(): WorkloadApi {
  if (loaded === undefined) {
    // Two levels below the package root from both src/ and dist/.
    const path = fileURLToPath(new URL('../../proto/spiffe/workloadapi.proto', import.meta.url));
    const definition = loadSync(path, { keepCase: true, longs: String, enums: String, defaults: true });
    const Client = loadPackageDefinition(definition).SpiffeWorkloadAPI as ServiceClientConstructor;
    loaded = { Client, service: Client.service };
  }
  return loaded;
}
