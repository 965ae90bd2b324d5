import type { WorkloadRequest } from '../base/fields/workload-request.js';
import {
  boundedInteger as checkedInteger,
  expectKnownKeys,
  expectObject,
  expectOptionalFunction,
  isPlainObject,
  oneOf,
  optionError,
} from '../base/options/option-checks.js';
import { ipVersion } from '../base/runtime/address.js';
import { SIGNATURE_VERIFICATION_MODES, type SignatureVerification } from '../base/runtime/verify-signature-bytes.js';
import { normalizeAudienceOrigin } from '../httpsig/audience.js';
import { buildCertificateAuthorities, type CertificateAuthorities } from '../mtls/certificate-authorities.js';
import { DEFAULT_MAX_SIGNATURE_LIFETIME_SEC, DEFAULT_MAX_WPT_LIFETIME_SEC } from '../profiles/default-lifetimes.js';
import {
  defaultProfileName,
  isProfileName,
  type ProfileName,
  profiles,
  type SignatureProfile,
} from '../profiles/profiles.js';
import { defaultWptProfileName, isWptProfileName, type WptProfile, wptProfiles } from '../profiles/wpt-profiles.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { normalizeAddress } from '../request/hop-trust.js';
import { buildTrustRegistry, type TrustRegistry } from '../trust/build-trust-registry.js';
import type { NotIssuedBeforeAnswer } from '../wit/check-not-issued-before.js';
import { DEFAULT_MAX_WIT_LIFETIME_SEC } from '../wit/verify-wit.js';
import type { VerifierOptions } from './verifier-options.js';

/** Options after validation: every default applied, every value checked once. */
export interface VerifierSettings {
  readonly trust: TrustRegistry;
  /** Whether any WIT issuer is configured (a trust setup may be for client certificates only). */
  readonly acceptsWits: boolean;
  readonly certificateAuthorities: CertificateAuthorities;
  /** Whether any trust domain has certificate authorities (Workload Identity Certificates). */
  readonly acceptsCertificates: boolean;
  /** Socket addresses whose forwarded `Client-Cert` is believed. */
  readonly trustedProxies: ReadonlySet<string>;
  /** Whether a trusted proxy's own TLS certificate may be the caller's (`mtls.acceptProxyCertificate`). */
  readonly acceptProxyCertificate: boolean;
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
  readonly signatureVerification: SignatureVerification;
  readonly maxWitLifetimeSec: number;
  readonly notIssuedBefore:
    | ((workloadId: string) => NotIssuedBeforeAnswer | Promise<NotIssuedBeforeAnswer>)
    | undefined;
  readonly notIssuedBeforeTimeoutMs: number;
  /** Workload Proof Tokens; undefined when they are refused (`wpt: false`). */
  readonly wpt: WptSettings | undefined;
}

export interface WptSettings {
  readonly profile: WptProfile;
  readonly maxLifetimeSec: number;
  readonly otherTokens: readonly string[];
  readonly maxBytes: number;
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
  'signatureVerification',
  'maxWitLifetimeSec',
  'notIssuedBefore',
  'notIssuedBeforeTimeoutMs',
  'wpt',
  'mtls',
]);

/** Validates the verifier's configuration; throws a TypeError naming the first problem. */
export function normalizeOptions(options: VerifierOptions): VerifierSettings {
  if (!isPlainObject(options)) {
    throw optionError('createVerifier: options', 'an object like { trustDomains: [...], audiences: [...] }', options);
  }
  expectKnownKeys(options, 'createVerifier', [...KNOWN_OPTIONS]);
  const profileName: ProfileName = options.profile ?? defaultProfileName;
  if (!isProfileName(profileName)) {
    throw optionError('createVerifier: profile', `one of ${Object.keys(profiles).join(', ')}`, profileName);
  }
  const profile = profiles[profileName];
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw optionError('createVerifier: now', 'a function returning milliseconds since the epoch', now);
  }
  const replayStore: unknown = options.replayStore === undefined ? new MemoryReplayStore({ now }) : options.replayStore;
  if (
    !isPlainObjectOrInstance(replayStore) ||
    typeof replayStore.addIfAbsent !== 'function' ||
    (replayStore.addIfAbsentSync !== undefined && typeof replayStore.addIfAbsentSync !== 'function')
  ) {
    throw optionError(
      'createVerifier: replayStore',
      'an object with addIfAbsent(nonce, expiresAtMs, createdAtMs) (and optionally addIfAbsentSync, a function)',
      replayStore,
    );
  }
  const trust = buildTrustRegistry(options.trustDomains, 'createVerifier: trustDomains', now);
  const certificateAuthorities = buildCertificateAuthorities(options.trustDomains, trust);
  return {
    trust,
    acceptsWits: trust.size > 0,
    certificateAuthorities,
    acceptsCertificates: certificateAuthorities.size > 0,
    ...normalizeMutualTls(options.mtls),
    profile,
    audiences: normalizeAudiences(options.audiences, profile.requiredRequestParams.includes('wimse-aud')),
    clockToleranceSec: boundedInteger(options.clockToleranceSec, 60, 0, 300, 'clockToleranceSec'),
    maxSignatureLifetimeSec: boundedInteger(
      options.maxSignatureLifetimeSec,
      DEFAULT_MAX_SIGNATURE_LIFETIME_SEC,
      1,
      3600,
      'maxSignatureLifetimeSec',
    ),
    maxWitBytes: boundedInteger(options.maxWitBytes, 8192, 256, 65_536, 'maxWitBytes'),
    replayStore: replayStore as unknown as ReplayStore,
    replayStoreTimeoutMs: boundedInteger(options.replayStoreTimeoutMs, 1000, 1, 60_000, 'replayStoreTimeoutMs'),
    witCacheSize: boundedInteger(options.witCacheSize, 1000, 0, 1_000_000, 'witCacheSize'),
    now,
    signatureVerification: signatureVerificationMode(options.signatureVerification),
    maxWitLifetimeSec: boundedInteger(
      options.maxWitLifetimeSec,
      DEFAULT_MAX_WIT_LIFETIME_SEC,
      60,
      31_536_000,
      'maxWitLifetimeSec',
    ),
    notIssuedBefore: expectOptionalFunction(
      options.notIssuedBefore,
      'createVerifier: notIssuedBefore',
      'a function (workloadId) => seconds since the epoch | Date | undefined (or a promise of one)',
    ),
    notIssuedBeforeTimeoutMs: boundedInteger(
      options.notIssuedBeforeTimeoutMs,
      1000,
      1,
      60_000,
      'notIssuedBeforeTimeoutMs',
    ),
    wpt: normalizeWpt(options.wpt),
  };
}

/** Fields that carry the WIT, the proof or a Txn-Token: bound by their own claims, never by `oth`. */
const NOT_OTHER_TOKENS = new Set(['workload-identity-token', 'authorization', 'txn-token', 'workload-proof-token']);

function normalizeWpt(wpt: VerifierOptions['wpt']): WptSettings | undefined {
  if (wpt === false) return undefined;
  if (wpt !== undefined) {
    const options = expectObject(wpt, 'createVerifier: wpt', 'an options object or false');
    expectKnownKeys(options, 'createVerifier: wpt', ['profile', 'maxLifetimeSec', 'otherTokens', 'maxBytes']);
  }
  const profileName = wpt?.profile ?? defaultWptProfileName;
  if (!isWptProfileName(profileName)) {
    throw optionError('createVerifier: wpt.profile', `one of ${Object.keys(wptProfiles).join(', ')}`, profileName);
  }
  const otherTokens = wpt?.otherTokens ?? [];
  if (!Array.isArray(otherTokens)) throw optionError('createVerifier: wpt.otherTokens', 'an array', otherTokens);
  otherTokens.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || NOT_OTHER_TOKENS.has(name)) {
      throw optionError(
        `createVerifier: wpt.otherTokens[${i}]`,
        'a lower-case header name for an oth-bound token',
        name,
      );
    }
  });
  return {
    profile: wptProfiles[profileName],
    maxLifetimeSec: boundedInteger(wpt?.maxLifetimeSec, DEFAULT_MAX_WPT_LIFETIME_SEC, 1, 3600, 'wpt.maxLifetimeSec'),
    otherTokens: [...otherTokens],
    maxBytes: boundedInteger(wpt?.maxBytes, 8192, 256, 65_536, 'wpt.maxBytes'),
  };
}

function signatureVerificationMode(value: unknown): SignatureVerification {
  if (value === undefined) return 'thread-pool';
  return oneOf(value, SIGNATURE_VERIFICATION_MODES, 'createVerifier: signatureVerification') as SignatureVerification;
}

function normalizeAudiences(
  audiences: VerifierOptions['audiences'],
  required: boolean,
): (request: WorkloadRequest) => readonly string[] {
  if (audiences === undefined) {
    if (required) {
      throw optionError(
        'createVerifier: audiences',
        'given (required): a non-empty array of the origins this service answers as, like ["https://orders.example"]',
        audiences,
      );
    }
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
    throw optionError(
      'createVerifier: audiences',
      'a non-empty array of origins like "https://orders.example" or a function (request) => origins',
      audiences,
    );
  }
  const fixed = audiences.map((value: unknown, i) => normalizeAudienceOrigin(value, `createVerifier: audiences[${i}]`));
  return () => fixed;
}

/** Any non-null object (a class instance such as a store included), not an array. */
function isPlainObjectOrInstance(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function boundedInteger(value: unknown, fallback: number, min: number, max: number, name: string): number {
  return checkedInteger(value, fallback, min, max, `createVerifier: ${name}`);
}

function normalizeMutualTls(
  mtls: VerifierOptions['mtls'],
): Pick<VerifierSettings, 'trustedProxies' | 'acceptProxyCertificate'> {
  if (mtls === undefined) return { trustedProxies: new Set(), acceptProxyCertificate: false };
  expectKnownKeys(
    expectObject(mtls, 'createVerifier: mtls', 'an object like { trustedProxies }'),
    'createVerifier: mtls',
    ['trustedProxies', 'acceptProxyCertificate'],
  );
  const proxies = mtls.trustedProxies ?? [];
  if (!Array.isArray(proxies))
    throw optionError('createVerifier: mtls.trustedProxies', 'an array of IP addresses', proxies);
  proxies.forEach((address: unknown, i) => {
    if (typeof address !== 'string' || ipVersion(address) === 0) {
      throw optionError(`createVerifier: mtls.trustedProxies[${i}]`, 'an IP address', address);
    }
  });
  const accept = mtls.acceptProxyCertificate ?? false;
  if (typeof accept !== 'boolean')
    throw optionError('createVerifier: mtls.acceptProxyCertificate', 'a boolean', accept);
  return {
    trustedProxies: new Set(proxies.map((address) => normalizeAddress(address) as string)),
    acceptProxyCertificate: accept,
  };
}
