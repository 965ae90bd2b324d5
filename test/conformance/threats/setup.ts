/**
 * The attack suite's fixture: one trust domain with one issuer and one calling workload (the
 * project's test scenario), plus shortcuts to mint variant WITs and to sign requests with them.
 */
import { createVerifier, type VerifierOptions, type WorkloadRequest } from '@wimse-pep/core';
import {
  createScenario,
  type MintWitOptions,
  type Scenario,
  type ScenarioOptions,
  signedWorkloadRequest,
  type TestRequest,
  witFor,
} from '../../support/index.js';

export interface AttackFixture {
  readonly scenario: Scenario;
  /** Verifies with a fresh verifier (fresh replay store) built from the scenario's options. */
  verify(
    request: WorkloadRequest,
    overrides?: Partial<VerifierOptions>,
  ): ReturnType<ReturnType<typeof createVerifier>['verify']>;
  /** A WIT for the scenario's workload with some fields changed. */
  wit(overrides?: Partial<MintWitOptions>): Promise<string>;
  /** A request signed with the workload key and carrying a variant WIT. */
  requestWithWit(
    overrides?: Partial<MintWitOptions>,
    request?: TestRequest,
  ): Promise<WorkloadRequest & { headers: Record<string, string> }>;
  /** A valid signed request, then its WIT header replaced without re-signing. */
  requestWithRawWit(value: string | string[]): Promise<WorkloadRequest>;
}

export async function attackFixture(options: ScenarioOptions = {}): Promise<AttackFixture> {
  const scenario = await createScenario(options);
  const wit = (overrides: Partial<MintWitOptions> = {}) => witFor(scenario, overrides);
  return {
    scenario,
    verify: (request, overrides = {}) => createVerifier({ ...scenario.options, ...overrides }).verify(request),
    wit,
    requestWithWit: async (overrides = {}, request = {}) =>
      signedWorkloadRequest({ wit: await wit(overrides), workloadKey: scenario.workloadKey }, request),
    requestWithRawWit: async (value) => {
      const request = await signedWorkloadRequest(scenario);
      return { ...request, headers: { ...request.headers, 'workload-identity-token': value } };
    },
  };
}

/** Headers without the named fields. */
export const without = (headers: Record<string, string>, ...names: string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
