import type { JWTVerifyGetKey } from 'jose';
import {
  boundedInteger,
  expectKnownKeys,
  expectObject,
  expectOptionalBoolean,
  expectStringList,
  isPlainObject,
  optionError,
  positiveInteger,
} from '../base/options/option-checks.js';
import { defaultWitAlgorithms } from '../base/runtime/signature-algorithms.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { algorithmList } from '../trust/algorithm-list.js';
import { createKeySource } from '../trust/create-key-source.js';
import { keyLookupFailingClosed } from '../trust/key-lookup-failing-closed.js';
import type { TransactionTokenOptions } from './transaction-token-options.js';

/** The options after validation, every default applied. */
export interface TransactionTokenSettings {
  readonly audiences: readonly string[];
  readonly getKey: JWTVerifyGetKey;
  readonly issuer: string | undefined;
  readonly algorithms: readonly string[];
  readonly maxLifetimeSec: number;
  readonly maxBytes: number;
  readonly clockToleranceSec: number;
  readonly required: boolean;
  /** Where seen `txn` values are kept, when replays are refused. */
  readonly replay: { readonly store: ReplayStore; readonly timeoutMs: number } | undefined;
}

const KNOWN_OPTIONS = [
  'audience',
  'jwks',
  'jwksUri',
  'cooldownMs',
  'cacheMaxAgeMs',
  'timeoutMs',
  'issuer',
  'algorithms',
  'maxLifetimeSec',
  'maxBytes',
  'clockToleranceSec',
  'required',
  'rejectReplayedTxn',
] as const;

/** Defaults the guard supplies from its verifier (its clock and clock tolerance). */
export interface TransactionTokenDefaults {
  /** The clock, in milliseconds. */
  readonly now: () => number;
  /** Seconds of clock skew tolerated on `iat` and `exp`. */
  readonly clockToleranceSec: number;
}

export function normalizeTransactionTokenOptions(
  value: TransactionTokenOptions,
  where: string,
  defaults: TransactionTokenDefaults,
): TransactionTokenSettings {
  const options = expectObject(value, where, 'an object like { audience: "example.com", jwksUri: "https://..." }');
  expectKnownKeys(options, where, KNOWN_OPTIONS);
  const audiences = audienceList(options.audience, `${where}.audience`);
  if (options.jwks === undefined && options.jwksUri === undefined) {
    throw optionError(where, 'an object with the Transaction Token Service keys (jwks or jwksUri)', value);
  }
  const keys = createKeySource(
    {
      jwks: options.jwks,
      jwksUri: options.jwksUri,
      cooldownMs: options.cooldownMs,
      cacheMaxAgeMs: options.cacheMaxAgeMs,
      timeoutMs: options.timeoutMs,
    },
    where,
    defaults.now,
  );
  let issuer: string | undefined;
  if (options.issuer !== undefined) {
    if (typeof options.issuer !== 'string' || options.issuer === '') {
      throw optionError(`${where}.issuer`, 'a non-empty string', options.issuer);
    }
    issuer = options.issuer;
  }
  return {
    audiences,
    getKey: keyLookupFailingClosed(keys.getKey, 'the Transaction Token Service key set'),
    issuer,
    algorithms: algorithmList(options.algorithms, defaultWitAlgorithms, `${where}.algorithms`),
    maxLifetimeSec: positiveInteger(options.maxLifetimeSec, 300, `${where}.maxLifetimeSec`),
    maxBytes: boundedInteger(options.maxBytes, 8192, 256, 65_536, `${where}.maxBytes`),
    clockToleranceSec: boundedInteger(
      options.clockToleranceSec,
      defaults.clockToleranceSec,
      0,
      300,
      `${where}.clockToleranceSec`,
    ),
    required: expectOptionalBoolean(options.required, `${where}.required`) === true,
    replay: replaySettings(options.rejectReplayedTxn, `${where}.rejectReplayedTxn`, defaults.now),
  };
}

function audienceList(value: unknown, field: string): readonly string[] {
  const expected = 'the trust domain its tokens name in aud, like "example.com" (a string or a list)';
  const list = typeof value === 'string' ? [value] : expectStringList(value, field, expected);
  if (list.some((audience) => audience === '')) throw optionError(field, expected, value);
  return list;
}

function replaySettings(value: unknown, field: string, now: () => number): TransactionTokenSettings['replay'] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { store: new MemoryReplayStore({ now }), timeoutMs: 1000 };
  if (!isPlainObject(value)) throw optionError(field, 'true, false, or { store, timeoutMs }', value);
  expectKnownKeys(value, field, ['store', 'timeoutMs']);
  const store = value.store as ReplayStore | undefined;
  if (typeof store?.addIfAbsent !== 'function') {
    throw optionError(`${field}.store`, 'a replay store (an object with addIfAbsent)', store);
  }
  return { store, timeoutMs: boundedInteger(value.timeoutMs, 1000, 1, 60_000, `${field}.timeoutMs`) };
}
