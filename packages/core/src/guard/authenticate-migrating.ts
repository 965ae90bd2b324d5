import { challenge } from '../bearer/challenge.js';
import { readBearerToken } from '../bearer/read-bearer-token.js';
import { tokenType, WIMSE_TOKEN_TYPES } from '../bearer/token-type.js';
import { WimseError } from '../errors/wimse-error.js';
import { boundedStoreCall } from '../migration/bounded-store-call.js';
import { sunsetFor } from '../migration/deprecation-headers.js';
import { bearerPossible, modeForCaller, routeMode, shadowPossible } from '../migration/effective-mode.js';
import type { MigrationMode, RouteMigration } from '../migration/migration-options.js';
import type { MigrationSettings } from '../migration/normalize-migration-options.js';
import type { BearerIdentity, WorkloadIdentity, WorkloadProof } from '../types/identity.js';
import type { WorkloadRequest } from '../types/request.js';

/** What the guard learns while authenticating, for audit and metrics, whatever the outcome. */
export interface Attempt {
  /** The route label, for the inventory. */
  readonly route: string;
  proof: WorkloadProof | 'none';
  mode?: MigrationMode | undefined;
}

/** The would-be outcome of a WIT verified in shadow: reported, never enforced. */
export interface ShadowOutcome {
  readonly identity?: WorkloadIdentity | undefined;
  readonly error?: WimseError | undefined;
}

export interface MigratingContext {
  readonly settings: MigrationSettings;
  /** The WIMSE path: the verifier, on the request with its body. */
  readonly verifyWimse: (request: WorkloadRequest) => Promise<WorkloadIdentity>;
  readonly now: () => number;
  readonly reportShadow: (outcome: ShadowOutcome) => void;
}

type BearerResult = { readonly identity: BearerIdentity } | { readonly error: WimseError };

/**
 * Authentication on a guard with a migration configured. The mechanism is chosen from what the
 * request carries before anything is verified, and never falls back: when WIMSE credentials are
 * present they decide (threat M1), except where the caller is in `shadow` and its bearer token
 * decides. A bearer caller is revalidated after authentication against its own mode, sunset and
 * ratchet (workload-creds §5.3; threats M2, M5).
 */
export async function authenticateMigrating(
  request: WorkloadRequest,
  route: RouteMigration,
  optional: boolean,
  wimsePresent: boolean,
  context: MigratingContext,
  attempt: Attempt,
): Promise<WorkloadIdentity | undefined> {
  const { settings } = context;
  const bearerOk = bearerPossible(settings, route);
  const modeOfRoute = routeMode(settings, route);
  attempt.mode = modeOfRoute;
  const challenges = (error?: 'invalid_token' | 'invalid_request') =>
    challenge({ bearer: bearerOk, wimse: modeOfRoute !== 'bearer-only', realm: settings.realm, error });

  let token: string | undefined;
  let malformed: WimseError | undefined;
  try {
    token = readBearerToken(request.headers);
  } catch (error) {
    malformed = (error as WimseError).withHeaders(challenges('invalid_request'));
  }
  const bearerPresent = token !== undefined || malformed !== undefined;
  if (token !== undefined) {
    const typ = tokenType(token);
    if (typ !== undefined && WIMSE_TOKEN_TYPES.includes(typ)) {
      attempt.proof = 'bearer';
      throw new WimseError('wit_as_bearer', `a ${typ} token was sent as a bearer token`).withHeaders(
        challenges('invalid_token'),
      );
    }
  }

  if (!wimsePresent) {
    if (!bearerOk || !bearerPresent) {
      if (optional) return undefined;
      if (bearerOk) {
        throw new WimseError('credentials_missing', 'the request carries no credentials').withHeaders(challenges());
      }
      // A route that accepts WITs only: today's behaviour (wit_missing).
      attempt.proof = 'http-signature';
      return await context.verifyWimse(request);
    }
    attempt.proof = 'bearer';
    if (malformed) throw malformed;
    const identity = await verifyBearer(token as string, request, context, challenges);
    await revalidateBearer(identity, route, context, attempt);
    return identity;
  }

  // WIMSE credentials present. A caller in shadow: its bearer token decides, the WIT is reported.
  let early: BearerResult | undefined;
  if (token !== undefined && bearerOk && shadowPossible(settings, route)) {
    early = await settle(verifyBearer(token, request, context, challenges));
    if ('error' in early && modeOfRoute === 'shadow') {
      attempt.proof = 'bearer';
      throw early.error;
    }
    if ('identity' in early && modeForCaller(settings, route, early.identity.id) === 'shadow') {
      attempt.proof = 'bearer';
      attempt.mode = 'shadow';
      context.reportShadow(await settle(context.verifyWimse(request)));
      await revalidateBearer(early.identity, route, context, attempt);
      return early.identity;
    }
  }

  attempt.proof = 'http-signature';
  let identity: WorkloadIdentity;
  if (modeOfRoute === 'shadow') {
    // No bearer token: the WIT is verified and reported, never enforced, unless the verified
    // caller's own mode makes the WIMSE path decide for it.
    const outcome = await settle(context.verifyWimse(request));
    const mode = 'identity' in outcome ? modeForCaller(settings, route, outcome.identity.id) : 'shadow';
    if (mode === 'shadow' || !('identity' in outcome)) {
      attempt.mode = 'shadow';
      context.reportShadow(outcome);
      if (optional) return undefined;
      throw new WimseError('credentials_missing', 'a bearer token is required on this route').withHeaders(
        challenge({ bearer: true, wimse: false, realm: settings.realm }),
      );
    }
    identity = outcome.identity;
  } else {
    identity = await context.verifyWimse(request);
  }
  attempt.proof = identity.proof;
  const mode = modeForCaller(settings, route, identity.id);
  attempt.mode = mode;
  if (mode === 'bearer-only') {
    throw new WimseError('wimse_not_accepted', 'this route accepts bearer tokens only').withHeaders(
      challenge({ bearer: true, wimse: false, realm: settings.realm }),
    );
  }

  // Dual send: the bearer token beside the WIT is context, covered by the signature.
  if (bearerPresent && bearerOk) {
    if (identity.proof === 'http-signature' && !identity.coveredComponents.includes('"authorization"')) {
      throw new WimseError('signature_profile', 'the signature does not cover authorization');
    }
    if (malformed) throw malformed;
    const bearer = early ?? (await settle(verifyBearer(token as string, request, context, challenges)));
    if ('error' in bearer) throw bearer.error;
    const mismatch = bearer.identity.id !== identity.id;
    if (mismatch && settings.subjectMismatch === 'refuse') {
      throw new WimseError(
        'bearer_subject_mismatch',
        'the bearer token names another workload than the WIT',
      ).withHeaders(challenges('invalid_token'));
    }
    if (identity.proof === 'http-signature') {
      identity = { ...identity, bearer: { id: bearer.identity.id, claims: bearer.identity.claims, mismatch } };
    }
  }
  await boundedStoreCall(
    () =>
      settings.store.recordUse({ id: identity.id, proof: identity.proof, route: attempt.route, atMs: context.now() }),
    settings.storeTimeoutMs,
    'recordUse',
  );
  return identity;
}

async function verifyBearer(
  token: string,
  request: WorkloadRequest,
  context: MigratingContext,
  challenges: (error?: 'invalid_token' | 'invalid_request') => Record<string, string>,
): Promise<BearerIdentity> {
  try {
    return await context.settings.bearer.verify(token, request, context.now());
  } catch (error) {
    if (error instanceof WimseError && error.code !== 'unavailable')
      throw error.withHeaders(challenges('invalid_token'));
    throw error;
  }
}

/** After a bearer authentication: the caller's own mode, its sunset, its ratchet; then the inventory. */
async function revalidateBearer(
  identity: BearerIdentity,
  route: RouteMigration,
  context: MigratingContext,
  attempt: Attempt,
): Promise<void> {
  const { settings } = context;
  const mode = modeForCaller(settings, route, identity.id);
  attempt.mode = mode;
  // The token itself was fine, but this caller may not use one any more: RFC 6750 invalid_token,
  // next to the WIMSE challenge that says what to use instead.
  const refuse = (code: 'bearer_not_accepted' | 'bearer_sunset' | 'bearer_ratcheted', message: string) =>
    new WimseError(code, message).withHeaders(
      challenge({ bearer: true, wimse: true, realm: settings.realm, error: 'invalid_token' }),
    );
  if (mode === 'wit-required') throw refuse('bearer_not_accepted', 'this caller must authenticate with a WIT here');
  const nowMs = context.now();
  const sunset = sunsetFor(settings, identity.id);
  if (sunset !== undefined && nowMs >= sunset) {
    throw refuse('bearer_sunset', 'the bearer sunset date of this caller has passed');
  }
  if (mode === 'either' && settings.ratchetGraceMs !== undefined) {
    const record = await boundedStoreCall(() => settings.store.get(identity.id), settings.storeTimeoutMs, 'get');
    if (record?.ratchetedAtMs !== undefined && nowMs >= record.ratchetedAtMs + settings.ratchetGraceMs) {
      throw refuse('bearer_ratcheted', 'this caller has moved to WITs; its bearer tokens are refused');
    }
  }
  await boundedStoreCall(
    () => settings.store.recordUse({ id: identity.id, proof: 'bearer', route: attempt.route, atMs: nowMs }),
    settings.storeTimeoutMs,
    'recordUse',
  );
}

async function settle<T extends WorkloadIdentity>(
  promise: Promise<T>,
): Promise<{ readonly identity: T } | { readonly error: WimseError }> {
  try {
    return { identity: await promise };
  } catch (error) {
    if (error instanceof WimseError) return { error };
    throw error;
  }
}
