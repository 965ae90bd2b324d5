import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import {
  boundedInteger,
  expectFunction,
  expectKnownKeys,
  expectObject,
  expectOptionalFunction,
  expectStringList,
  optionError,
} from '../base/options/option-checks.js';
import { lookupSignatureAlgorithm } from '../base/runtime/signature-algorithms.js';
import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import { parseWorkloadOrigin } from '../identifier/parse-workload-origin.js';
import type { BearerIdentity } from '../identity/workload-identity.js';
import { createKeySource } from '../trust/create-key-source.js';
import { keyLookupFailingClosed } from '../trust/key-lookup-failing-closed.js';
import type { BearerJwtOptions, BearerOptions, VerifyBearer } from './bearer-options.js';
import { tokenType, WIMSE_TOKEN_TYPES } from './token-type.js';

/** What a bearer token consumes: a handler must not forward it as it is (O2). */
const BEARER_FIELDS: readonly string[] = Object.freeze(['authorization']);

export interface BearerVerifier {
  /** Verifies one bearer token; resolves the caller's identity or rejects with a WimseError. */
  verify(token: string, request: WorkloadRequest, nowMs: number): Promise<BearerIdentity>;
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
const KNOWN_OPTIONS = new Set([
  'jwt',
  'verifyBearer',
  'verifyTimeoutMs',
  'workloadId',
  'origins',
  'clockToleranceSec',
  'maxTokenBytes',
]);

interface JwtSettings {
  readonly getKey: JWTVerifyGetKey;
  readonly issuer: string[];
  readonly audience: string[];
  readonly algorithms: string[];
  readonly types: readonly string[] | undefined;
}

/**
 * Validates the bearer options once (a TypeError names the field) and returns the verifier the
 * guard uses. JWT keys come from configuration through the same key sources as WIT issuers
 * (remote sets cached, fetches bounded, failures 503). A verified token's workload identifier is
 * checked with the identifier rules and must lie in a configured origin, so that policies written
 * for WIT callers mean the same for bearer callers.
 */
export function createBearerVerifier(
  options: BearerOptions,
  where = 'createWorkloadGuard: migration.bearer',
  now: () => number = Date.now,
): BearerVerifier {
  expectKnownKeys(expectObject(options, where, 'an object like { jwt, origins }'), where, [...KNOWN_OPTIONS]);
  if (options.jwt === undefined && options.verifyBearer === undefined) {
    throw optionError(where, 'an object with jwt or verifyBearer', options);
  }
  const jwt = options.jwt === undefined ? undefined : jwtSettings(options.jwt, `${where}.jwt`, now);
  const hook = expectOptionalFunction<VerifyBearer>(options.verifyBearer, `${where}.verifyBearer`, 'a function');
  const hookTimeoutMs = boundedInteger(options.verifyTimeoutMs, 1000, 1, 60_000, `${where}.verifyTimeoutMs`);
  const mapId = expectFunction<(claims: Readonly<JWTPayload>) => unknown>(
    options.workloadId ?? ((claims: Readonly<JWTPayload>) => claims.sub),
    `${where}.workloadId`,
  );
  const origins = new Set(
    expectStringList(options.origins, `${where}.origins`, 'a non-empty array of origins (scheme://trust-domain)').map(
      (value, i) => {
        try {
          return parseWorkloadOrigin(value).origin;
        } catch (error) {
          throw optionError(`${where}.origins[${i}]`, `an origin (${(error as Error).message})`, value);
        }
      },
    ),
  );
  const clockToleranceSec = boundedInteger(options.clockToleranceSec, 60, 0, 300, `${where}.clockToleranceSec`);
  const maxTokenBytes = boundedInteger(options.maxTokenBytes, 8192, 64, 65_536, `${where}.maxTokenBytes`);

  return {
    async verify(token, request, nowMs) {
      if (token.length > maxTokenBytes)
        throw new WimseError('bearer_invalid', `the bearer token exceeds ${maxTokenBytes} bytes`);
      const typ = tokenType(token);
      if (typ !== undefined && WIMSE_TOKEN_TYPES.includes(typ)) {
        throw new WimseError('wit_as_bearer', `a ${typ} token was sent as a bearer token`);
      }
      let claims: JWTPayload;
      let kind: 'jwt' | 'opaque';
      if (jwt && (typ !== undefined || !hook)) {
        claims = await verifyJwt(token, typ, jwt, nowMs, clockToleranceSec);
        kind = 'jwt';
      } else {
        claims = await askHook(hook as VerifyBearer, token, request, hookTimeoutMs);
        checkTimes(claims, nowMs, clockToleranceSec);
        kind = 'opaque';
      }
      const subject = mappedSubject(mapId, claims, origins);
      return {
        id: subject.id,
        trustDomain: subject.trustDomain,
        origin: subject.origin,
        issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
        claims,
        // An opaque token without `exp` is known valid for this request only.
        expiresAt: typeof claims.exp === 'number' ? claims.exp : Math.floor(nowMs / 1000),
        proof: 'bearer',
        consumedFields: BEARER_FIELDS,
        tokenKind: kind,
      };
    },
  };
}

function jwtSettings(options: BearerJwtOptions, where: string, now: () => number): JwtSettings {
  expectObject(options, where, 'an object like { issuer, audience, jwksUri }');
  const issuer = nonEmptyStrings(options.issuer, `${where}.issuer`);
  const audience = nonEmptyStrings(options.audience, `${where}.audience`);
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  if (algorithms.length === 0) throw optionError(`${where}.algorithms`, 'a non-empty array', algorithms);
  algorithms.forEach((alg, i) => {
    if (!lookupSignatureAlgorithm(alg)) {
      throw optionError(`${where}.algorithms[${i}]`, 'an asymmetric JWS signature algorithm', alg);
    }
  });
  const types = options.types === undefined ? undefined : nonEmptyStrings(options.types, `${where}.types`);
  if (types?.some((typ) => WIMSE_TOKEN_TYPES.includes(typ.toLowerCase()))) {
    throw optionError(`${where}.types`, 'bearer token types (a WIT or WPT type never is one)', options.types);
  }
  if (!('jwks' in options) && !('jwksUri' in options))
    throw optionError(where, 'an object with jwks or jwksUri', options);
  return {
    getKey: keyLookupFailingClosed(createKeySource(options, where, now).getKey),
    issuer,
    audience,
    algorithms,
    types: types?.map((typ) => typ.toLowerCase().replace(/^application\//, '')),
  };
}

async function verifyJwt(
  token: string,
  typ: string | undefined,
  settings: JwtSettings,
  nowMs: number,
  clockToleranceSec: number,
): Promise<JWTPayload> {
  if (typ === undefined) throw new WimseError('bearer_invalid', 'the bearer token is not a JWT');
  if (settings.types && !settings.types.includes(typ)) {
    throw new WimseError('bearer_invalid', 'the bearer token typ is not accepted');
  }
  try {
    const { payload } = await jwtVerify(token, settings.getKey, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: settings.algorithms,
      currentDate: new Date(nowMs),
      clockTolerance: clockToleranceSec,
      requiredClaims: ['exp'],
    });
    checkTimes(payload, nowMs, clockToleranceSec);
    return payload;
  } catch (cause) {
    throw mapJoseError(cause);
  }
}

/** jose checks `exp`/`nbf`; a token issued in the future is not valid yet either. */
function checkTimes(claims: JWTPayload, nowMs: number, clockToleranceSec: number): void {
  const nowSec = nowMs / 1000;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp <= nowSec - clockToleranceSec)) {
    throw new WimseError('bearer_expired', 'the bearer token has expired');
  }
  if (typeof claims.iat === 'number' && claims.iat > nowSec + clockToleranceSec) {
    throw new WimseError('bearer_invalid', 'the bearer token iat is in the future');
  }
  if (typeof claims.nbf === 'number' && claims.nbf > nowSec + clockToleranceSec) {
    throw new WimseError('bearer_invalid', 'the bearer token is not valid yet');
  }
}

async function askHook(
  hook: VerifyBearer,
  token: string,
  request: WorkloadRequest,
  timeoutMs: number,
): Promise<JWTPayload> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new WimseError('unavailable', `verifyBearer did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  let answer: unknown;
  try {
    // `then` also catches a hook that throws synchronously.
    answer = await Promise.race([Promise.resolve().then(() => hook(token, request, controller.signal)), timeout]);
  } catch (cause) {
    if (cause instanceof WimseError) throw cause;
    throw new WimseError('unavailable', 'verifyBearer failed', { cause });
  } finally {
    clearTimeout(timer);
  }
  if (answer === undefined || answer === null || answer === false) {
    throw new WimseError('bearer_invalid', 'verifyBearer did not accept the token');
  }
  if (typeof answer !== 'object' || Array.isArray(answer)) {
    throw new WimseError('unavailable', 'verifyBearer answered something other than claims');
  }
  return answer as JWTPayload;
}

function mappedSubject(
  mapId: (claims: Readonly<JWTPayload>) => unknown,
  claims: JWTPayload,
  origins: ReadonlySet<string>,
) {
  let value: unknown;
  try {
    value = mapId(claims);
  } catch (cause) {
    throw new WimseError('bearer_invalid', 'the workloadId mapping failed', { cause });
  }
  let subject: ReturnType<typeof parseWorkloadId>;
  try {
    subject = parseWorkloadId(value);
  } catch (cause) {
    throw new WimseError(
      'bearer_invalid',
      `the bearer token does not name a canonical workload: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (!origins.has(subject.origin)) {
    throw new WimseError('bearer_invalid', `bearer tokens may not assert identities in ${subject.origin}`);
  }
  return subject;
}

function mapJoseError(cause: unknown): WimseError {
  if (cause instanceof WimseError) {
    return cause.code === 'unavailable' ? cause : new WimseError('bearer_invalid', cause.message, { cause });
  }
  if (cause instanceof errors.JWTExpired)
    return new WimseError('bearer_expired', 'the bearer token has expired', { cause });
  if (cause instanceof errors.JWTClaimValidationFailed) {
    return new WimseError('bearer_invalid', `bearer claim ${cause.claim} is not acceptable: ${cause.reason}`, {
      cause,
    });
  }
  if (cause instanceof errors.JOSEError)
    return new WimseError('bearer_invalid', `bearer token rejected: ${cause.code}`, { cause });
  return new WimseError('bearer_invalid', 'the bearer token could not be verified', { cause });
}

function nonEmptyStrings(value: string | readonly string[] | undefined, name: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    throw optionError(name, 'a non-empty string or list of strings', value);
  }
  return [...list];
}
