import { normalizeAudienceOrigin } from '../httpsig/audience.js';
import {
  defaultProfileName,
  isProfileName,
  type ProfileName,
  profiles,
  type SignatureProfile,
} from '../profiles/profiles.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { buildTrustRegistry, type TrustRegistry } from '../trust/build-trust-registry.js';
import type { VerifierOptions } from '../types/options.js';
import type { WorkloadRequest } from '../types/request.js';

/** Options after validation: every default applied, every value checked once. */
export interface VerifierSettings {
  readonly trust: TrustRegistry;
  readonly profile: SignatureProfile;
  readonly audiences: (request: WorkloadRequest) => readonly string[];
  readonly clockToleranceSec: number;
  readonly maxSignatureLifetimeSec: number;
  readonly maxWitBytes: number;
  readonly replayStore: ReplayStore;
  /** Longest wait for the replay store, in ms; then 503 `unavailable`. */
  readonly replayStoreTimeoutMs: number;
  readonly witCacheSize: number;
  readonly now: () => number;
}

const KNOWN_OPTIONS = new Set([
  'trustDomains',
  'audiences',
  'profile',
  'clockToleranceSec',
  'maxSignatureLifetimeSec',
  'maxWitBytes',
  'replayStore',
  'replayStoreTimeoutMs',
  'witCacheSize',
  'now',
]);

/** Validates the verifier's configuration; throws a TypeError naming the first problem. */
export function normalizeOptions(options: VerifierOptions): VerifierSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('createVerifier needs an options object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`createVerifier: unknown option ${key}`);
  }
  const profileName: ProfileName = options.profile ?? defaultProfileName;
  if (!isProfileName(profileName)) throw new TypeError(`createVerifier: unknown profile ${String(profileName)}`);
  const profile = profiles[profileName];
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('createVerifier: now must be a function');
  const replayStore = options.replayStore ?? new MemoryReplayStore({ now });
  if (typeof replayStore.addIfAbsent !== 'function')
    throw new TypeError('createVerifier: replayStore needs addIfAbsent');
  return {
    trust: buildTrustRegistry(options.trustDomains),
    profile,
    audiences: normalizeAudiences(options.audiences, profile.requiredRequestParams.includes('wimse-aud')),
    clockToleranceSec: boundedInteger(options.clockToleranceSec, 60, 0, 300, 'clockToleranceSec'),
    maxSignatureLifetimeSec: boundedInteger(options.maxSignatureLifetimeSec, 300, 1, 3600, 'maxSignatureLifetimeSec'),
    maxWitBytes: boundedInteger(options.maxWitBytes, 8192, 256, 65_536, 'maxWitBytes'),
    replayStore,
    replayStoreTimeoutMs: boundedInteger(options.replayStoreTimeoutMs, 1000, 1, 60_000, 'replayStoreTimeoutMs'),
    witCacheSize: boundedInteger(options.witCacheSize, 1000, 0, 1_000_000, 'witCacheSize'),
    now,
  };
}

function normalizeAudiences(
  audiences: VerifierOptions['audiences'],
  required: boolean,
): (request: WorkloadRequest) => readonly string[] {
  if (audiences === undefined) {
    if (required) throw new TypeError('createVerifier: audiences is required (the origins this service answers as)');
    return () => [];
  }
  if (typeof audiences === 'function') {
    return (request) => {
      const list = audiences(request);
      if (!Array.isArray(list)) throw new TypeError('audiences() must return an array of origins');
      return list.map((value, i) => normalizeAudienceOrigin(value, `audiences()[${i}]`));
    };
  }
  if (!Array.isArray(audiences) || audiences.length === 0) {
    throw new TypeError('createVerifier: audiences must list at least one origin');
  }
  const fixed = audiences.map((value, i) => normalizeAudienceOrigin(value, `audiences[${i}]`));
  return () => fixed;
}

function boundedInteger(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`createVerifier: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
