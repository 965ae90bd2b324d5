import { type SignRequestOptions, signRequest } from '@wimse-pep/client';
import type { VerifierOptions, WorkloadRequest } from '@wimse-pep/core';
import { generateTestKey, type TestKeyPair } from './keys.js';
import { type MintWitOptions, mintWit } from './mint-wit.js';

/** A fixed clock for deterministic tests: 2026-11-22T12:00:00Z. */
export const NOW_SEC = 1_795_348_800;
export const now = (): number => NOW_SEC * 1000;

export const TRUST_DOMAIN = 'td.example';
export const CALLER_ID = 'wimse://td.example/service/caller';
export const ISSUER = 'https://issuer.td.example';
export const AUDIENCE = 'https://orders.internal.example';

export interface Scenario {
  readonly issuerKey: TestKeyPair;
  readonly workloadKey: TestKeyPair;
  readonly wit: string;
  readonly options: VerifierOptions;
}

export interface ScenarioOptions {
  readonly issuerAlg?: 'ES256' | 'EdDSA' | 'RS256';
  readonly workloadAlg?: 'ES256' | 'EdDSA';
  readonly sub?: string;
}

/** One trust domain, one issuer, one calling workload with a freshly minted WIT. */
export async function createScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const issuerKey = generateTestKey(options.issuerAlg ?? 'ES256', 'issuer-1');
  const workloadKey = generateTestKey(options.workloadAlg ?? 'EdDSA');
  const wit = await mintWit({
    issuerKey,
    kid: 'issuer-1',
    sub: options.sub ?? CALLER_ID,
    cnfJwk: workloadKey.publicJwk,
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 3600,
    iss: ISSUER,
  });
  return {
    issuerKey,
    workloadKey,
    wit,
    options: {
      trustDomains: [
        {
          trustDomain: TRUST_DOMAIN,
          issuers: [{ issuer: ISSUER, jwks: { keys: [issuerKey.publicJwk] }, algorithms: [issuerKey.alg] }],
        },
      ],
      audiences: [AUDIENCE],
      now,
    },
  };
}

export interface TestRequest {
  readonly method?: string;
  readonly target?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

/** Signs a request with the scenario's credentials and returns it in the core's request shape. */
export async function signedWorkloadRequest(
  scenario: Pick<Scenario, 'wit' | 'workloadKey'>,
  request: TestRequest = {},
  signOptions: SignRequestOptions = {},
): Promise<WorkloadRequest & { headers: Record<string, string> }> {
  const method = request.method ?? 'GET';
  const target = request.target ?? '/orders?id=7';
  const signed = await signRequest(
    { method, url: `${AUDIENCE}${target}`, headers: request.headers ?? {}, body: request.body },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey, alg: scenario.workloadKey.alg },
    { now, ...signOptions },
  );
  return { method, target, headers: signed.headers, body: signed.body };
}

/** A WIT for the scenario's workload key from the scenario's issuer, with some fields changed. */
export function witFor(
  scenario: Pick<Scenario, 'issuerKey' | 'workloadKey'>,
  overrides: Partial<MintWitOptions> = {},
): Promise<string> {
  return mintWit({
    issuerKey: scenario.issuerKey,
    kid: 'issuer-1',
    sub: CALLER_ID,
    cnfJwk: scenario.workloadKey.publicJwk,
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 3600,
    iss: ISSUER,
    ...overrides,
  });
}
