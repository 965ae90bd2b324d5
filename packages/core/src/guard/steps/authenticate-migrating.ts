import { WimseError } from '../../base/errors/wimse-error.js';
import { readBearerToken } from '../../bearer/read-bearer-token.js';
import { tokenType, WIMSE_TOKEN_TYPES } from '../../bearer/token-type.js';
import type { BearerIdentity, WorkloadIdentity, WorkloadProof } from '../../identity/workload-identity.js';
import { boundedStoreCall } from '../../migration/bounded-store-call.js';
import { sunsetFor } from '../../migration/deprecation-headers.js';
import { bearerPossible, modeForCaller, routeMode, shadowPossible } from '../../migration/effective-mode.js';
import type { MigrationMode, RouteMigration } from '../../migration/migration-options.js';
import type { MigrationSettings } from '../../migration/normalize-migration-options.js';
import { presentsWimse } from '../../request/presented-credentials.js';
import type { ReceivedRequest } from '../../request/received-request.js';
import { type Authentication, settle } from './authentication.js';

/** The would-be outcome of a WIT verified in shadow: reported, never enforced. */
export interface ShadowOutcome {
  readonly identity?: WorkloadIdentity | undefined;
  readonly error?: WimseError | undefined;
}

export interface MigratingAuthentication {
  /** The request prepared once, with what it carries. */
  readonly request: ReceivedRequest;
  readonly route: RouteMigration;
  /** The route label, for the inventory. */
  readonly routeLabel: string;
  readonly optional: boolean;
  readonly settings: MigrationSettings;
  /** The WIMSE path: every presented WIMSE credential verified (the body read when needed). */
  readonly verifyWimse: () => Promise<WorkloadIdentity>;
  /** Response fields asking for other credentials (challenges, `Accept-Signature`). */
  readonly askForCredentials: (bearerError?: 'invalid_token' | 'invalid_request') => Record<string, string>;
  /** The refusal of a request without credentials on this route (the 400/401 rule). */
  readonly missingCredentials: () => WimseError;
  readonly now: () => number;
  readonly reportShadow: (outcome: ShadowOutcome) => void;
}

/**
 * Authentication on a guard with a migration configured. The mechanism is chosen from what the
 * request carries before anything is verified, and never falls back: when WIMSE credentials are
 * present they decide (threat M1), except where the caller is in `shadow` and its bearer token
 * decides. A bearer caller is revalidated after authentication against its own mode, sunset and
 * ratchet (workload-creds §5.3; threats M2, M5). Every refusal of a bearer token is RFC 6750's:
 * 401 with a `Bearer` challenge.
 */
export async function authenticateMigrating(input: MigratingAuthentication): Promise<Authentication> {
  const { settings, route } = input;
  const { presented } = input.request;
  const modeOfRoute = routeMode(settings, route);
  const refused = (proof: WorkloadProof | 'none', error: WimseError, mode: MigrationMode = modeOfRoute) => ({
    error,
    proof,
    migrationMode: mode,
  });

  let token: string | undefined;
  let malformed: WimseError | undefined;
  try {
    token = readBearerToken(input.request.headers);
  } catch (error) {
    malformed = (error as WimseError).withHeaders(input.askForCredentials('invalid_request'));
  }
  if (token !== undefined) {
    const typ = tokenType(token);
    if (typ !== undefined && WIMSE_TOKEN_TYPES.includes(typ)) {
      const error = new WimseError('wit_as_bearer', `a ${typ} token was sent as a bearer token`);
      return refused('bearer', error.withHeaders(input.askForCredentials('invalid_token')));
    }
  }
  const bearerPresent = token !== undefined || malformed !== undefined;

  if (!presentsWimse(presented)) {
    if (!bearerPresent) {
      if (input.optional) return { identity: undefined, proof: 'none', migrationMode: modeOfRoute };
      return refused('none', input.missingCredentials());
    }
    if (malformed) return refused('bearer', malformed);
    return authenticateBearer(input, token as string, modeOfRoute);
  }

  // WIMSE credentials present. A caller in shadow: its bearer token decides, the WIT is reported.
  let early: Awaited<ReturnType<typeof settle<BearerIdentity>>> | undefined;
  if (token !== undefined && bearerPossible(settings, route) && shadowPossible(settings, route)) {
    early = await settle(verifyBearer(input, token));
    if (early.error && modeOfRoute === 'shadow') return refused('bearer', early.error);
    if (early.identity && modeForCaller(settings, route, early.identity.id) === 'shadow') {
      input.reportShadow(await settle(input.verifyWimse()));
      return admitBearer(input, early.identity, 'shadow');
    }
  }

  const attempted = presented.applicationProof ?? 'mtls';
  let identity: WorkloadIdentity;
  if (modeOfRoute === 'shadow') {
    // No bearer token: the WIT is verified and reported, never enforced, unless the verified
    // caller's own mode makes the WIMSE path decide for it.
    const outcome = await settle(input.verifyWimse());
    if (!outcome.identity || modeForCaller(settings, route, outcome.identity.id) === 'shadow') {
      input.reportShadow(outcome);
      if (input.optional) return { identity: undefined, proof: attempted, migrationMode: 'shadow' };
      const error = new WimseError('credentials_missing', 'a bearer token is required on this route');
      return refused(attempted, error.withHeaders(input.askForCredentials()), 'shadow');
    }
    identity = outcome.identity;
  } else {
    const outcome = await settle(input.verifyWimse());
    if (outcome.error) return refused(attempted, outcome.error);
    identity = outcome.identity;
  }
  const mode = modeForCaller(settings, route, identity.id);
  if (mode === 'bearer-only') {
    const error = new WimseError('wimse_not_accepted', 'this route accepts bearer tokens only');
    return refused(identity.proof, error.withHeaders(input.askForCredentials()), mode);
  }

  // Dual send: the bearer token beside the WIT is context, covered by the signature.
  if (bearerPresent && bearerPossible(settings, route)) {
    if (identity.proof === 'http-signature' && !identity.coveredComponents.includes('"authorization"')) {
      return refused(
        identity.proof,
        new WimseError('signature_profile', 'the signature does not cover authorization'),
        mode,
      );
    }
    if (malformed) return refused(identity.proof, malformed, mode);
    const bearer = early ?? (await settle(verifyBearer(input, token as string)));
    if (bearer.error) return refused(identity.proof, bearer.error, mode);
    const mismatch = bearer.identity.id !== identity.id;
    if (mismatch && settings.subjectMismatch === 'refuse') {
      const error = new WimseError('bearer_subject_mismatch', 'the bearer token names another workload than the WIT');
      return refused(identity.proof, error.withHeaders(input.askForCredentials('invalid_token')), mode);
    }
    if (identity.proof === 'http-signature') {
      const { claims } = bearer.identity;
      identity = {
        ...identity,
        consumedFields: [...identity.consumedFields, 'authorization'],
        bearer: { id: bearer.identity.id, claims, mismatch },
      };
    }
  }
  const recorded = await settle(recordUse(input, identity.id, identity.proof, input.now()));
  if (recorded.error) return refused(identity.proof, recorded.error, mode);
  return { identity, proof: identity.proof, migrationMode: mode };
}

/** A bearer token alone: verified (also where no caller may use one, to answer RFC 6750's way), then revalidated. */
async function authenticateBearer(
  input: MigratingAuthentication,
  token: string,
  modeOfRoute: MigrationMode,
): Promise<Authentication> {
  const verified = await settle(verifyBearer(input, token));
  if (verified.error) return { error: verified.error, proof: 'bearer', migrationMode: modeOfRoute };
  return admitBearer(input, verified.identity, modeForCaller(input.settings, input.route, verified.identity.id));
}

/** After a bearer authentication: the caller's own mode, its sunset, its ratchet; then the inventory. */
async function admitBearer(
  input: MigratingAuthentication,
  identity: BearerIdentity,
  mode: MigrationMode,
): Promise<Authentication> {
  const { settings } = input;
  // The token itself was fine, but this caller may not use one (any more): RFC 6750 invalid_token,
  // with the challenges and the signature hint that say what to use instead.
  const refuse = (code: 'bearer_not_accepted' | 'bearer_sunset' | 'bearer_ratcheted', message: string) => ({
    error: new WimseError(code, message).withHeaders(input.askForCredentials('invalid_token')),
    proof: 'bearer' as const,
    migrationMode: mode,
  });
  if (mode === 'wit-required') return refuse('bearer_not_accepted', 'this caller must authenticate with a WIT here');
  const nowMs = input.now();
  const sunset = sunsetFor(settings, identity.id);
  if (sunset !== undefined && nowMs >= sunset) {
    return refuse('bearer_sunset', 'the bearer sunset date of this caller has passed');
  }
  if (mode === 'either' && settings.ratchetGraceMs !== undefined) {
    const grace = settings.ratchetGraceMs;
    const record = await settle(
      boundedStoreCall(() => settings.store.get(identity.id), settings.storeTimeoutMs, 'get'),
    );
    if (record.error) return { error: record.error, proof: 'bearer', migrationMode: mode };
    const ratchetedAtMs = record.identity?.ratchetedAtMs;
    if (ratchetedAtMs !== undefined && nowMs >= ratchetedAtMs + grace) {
      return refuse('bearer_ratcheted', 'this caller has moved to WITs; its bearer tokens are refused');
    }
  }
  const recorded = await settle(recordUse(input, identity.id, 'bearer', nowMs));
  if (recorded.error) return { error: recorded.error, proof: 'bearer', migrationMode: mode };
  return { identity, proof: 'bearer', migrationMode: mode };
}

async function verifyBearer(input: MigratingAuthentication, token: string): Promise<BearerIdentity> {
  try {
    return await input.settings.bearer.verify(token, input.request, input.now());
  } catch (error) {
    if (error instanceof WimseError && error.code !== 'unavailable') {
      throw error.withHeaders(input.askForCredentials('invalid_token'));
    }
    throw error;
  }
}

function recordUse(input: MigratingAuthentication, id: string, proof: WorkloadProof, atMs: number): Promise<unknown> {
  const { settings } = input;
  return boundedStoreCall(
    () => settings.store.recordUse({ id, proof, route: input.routeLabel, atMs }),
    settings.storeTimeoutMs,
    'recordUse',
  );
}
