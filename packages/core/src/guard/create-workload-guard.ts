import { WimseError } from '../base/errors/wimse-error.js';
import { indexFields } from '../base/fields/field-index.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadIdentity, WorkloadProof } from '../identity/workload-identity.js';
import { boundedStoreCall } from '../migration/bounded-store-call.js';
import { deprecationHeaders } from '../migration/deprecation-headers.js';
import type { MigrationMode, MigrationOptions, RouteMigration } from '../migration/migration-options.js';
import { buildMigrationReport, type MigrationReport } from '../migration/migration-report.js';
import {
  type MigrationSettings,
  normalizeMigrationOptions,
  normalizeRouteMigration,
} from '../migration/normalize-migration-options.js';
import type { HopTrust } from '../mtls/read-presented-certificate.js';
import { decisionChannelHasSubscribers, publishDecision } from '../observability/decision-channel.js';
import { createDecisionMetrics, type DecisionMetrics, type MetricsOption } from '../observability/decision-metrics.js';
import { evaluatePolicy } from '../policy/evaluate-policy.js';
import type { WorkloadPolicy } from '../policy/types.js';
import type { ResponseToSign } from '../signing/sign-response.js';
import { createVerifier, type WorkloadVerifier } from '../verifier/create-verifier.js';
import type { VerifierOptions } from '../verifier/verifier-options.js';
import { acceptedCredentials, askForCredentials, missingCredentials } from './accepted-credentials.js';
import { type AuditEvent, type AuditSink, emitAudit, identityFields } from './audit-event.js';
import { type Authentication, authenticateMigrating, type ShadowOutcome } from './authenticate-migrating.js';
import { checkPlainHttp, plainHttpPeers } from './plain-http-peers.js';
import {
  attemptedProof,
  type PresentedCredentials,
  presentedCredentials,
  presentsWimse,
} from './presented-credentials.js';
import { createResponseSigner, type ResponseSigner, type ResponseSigningOptions } from './response-signer.js';
import {
  checkSimultaneousCredentials,
  type SimultaneousCredentials,
  verifyPresentedCredentials,
} from './verify-presented-credentials.js';

/**
 * `required`: every request must prove a workload identity. `optional`: an identity is attached
 * when credentials are present and valid; present but invalid credentials are still rejected.
 * `off`: WIMSE headers are ignored.
 */
export type ProtectionMode = 'required' | 'optional' | 'off';

export interface WorkloadGuardOptions {
  /** A verifier, or the options to create one. */
  readonly verifier: WorkloadVerifier | VerifierOptions;
  /** Default protection for every route (default `required`). */
  readonly mode?: ProtectionMode;
  /** Timeout for policy callbacks and decision points, in ms (default 1000). */
  readonly policyTimeoutMs?: number;
  /** Where audit events go. */
  readonly audit?: AuditSink;
  /** Put the detailed reason in problem bodies (development only; default false, threat O4). */
  readonly exposeErrorDetail?: boolean;
  /**
   * Sign responses with this service's own WIT. Without it, a request that sets
   * `wimse-sign-response` is refused before any handler runs (501): never a successful unsigned
   * response to a caller that required a signature.
   */
  readonly responseSigning?: ResponseSigningOptions;
  /**
   * Bearer-to-WIT migration: bearer verification, modes, ratchet, sunset, dual send. Without it
   * the guard accepts WIMSE credentials only and ignores `Authorization: Bearer`.
   */
  readonly migration?: MigrationOptions;
  /**
   * OpenTelemetry metrics (decisions by proof and outcome, authentication duration). Default: on
   * when the optional peer @opentelemetry/api is installed (global meter provider); false: off.
   */
  readonly metrics?: MetricsOption;
  /** A request with both a client certificate (mTLS) and a WIT: which one is authoritative. */
  readonly simultaneousCredentials?: SimultaneousCredentials;
  /**
   * Peers that may send credentials over plain HTTP (threat O3: anyone on a plain-HTTP path reads
   * them): IP addresses, CIDR ranges (`'10.0.0.0/8'`), `'loopback'`, or `'any'`. Default
   * `['loopback']`: a TLS-terminating proxy or sidecar on this host. The verifier's
   * `mtls.trustedProxies` are trusted hops too. Credentials over plain HTTP from any other peer are
   * refused (400 `transport_insecure`) before they are verified.
   */
  readonly plainHttpFrom?: readonly string[];
}

/** What a route asks of the guard. */
export interface RouteContext {
  /** A route label for audit (the route pattern, or the path). */
  readonly route: string;
  readonly mode?: ProtectionMode | undefined;
  /** The route's migration mode and floor (checked with `checkRouteMigration` when the route is added). */
  readonly migration?: MigrationMode | RouteMigration | undefined;
}

export interface WorkloadGuard {
  /**
   * Authenticates per the route's mode; resolves the identity (or undefined when none is needed).
   * `readBody`, when given, is called only if the body is needed: not on `off` routes, nor on
   * `optional` ones without WIMSE credentials, and only once the WIT and the signature hold (the
   * verifier reads it last). It runs inside the audited decision, so a refusal while reading it
   * (413, 408) is audited like any other.
   */
  authenticate(
    request: WorkloadRequest,
    route: RouteContext,
    readBody?: () => Promise<Uint8Array | undefined>,
  ): Promise<WorkloadIdentity | undefined>;
  /** Runs a route policy; an absent identity is a denial. */
  authorize(
    identity: WorkloadIdentity | undefined,
    request: WorkloadRequest,
    policy: WorkloadPolicy,
    route: RouteContext,
  ): Promise<void>;
  /** Whether the response to this request must be signed (adapters buffer its body only then). */
  mustSignResponse(identity: WorkloadIdentity | undefined): boolean;
  /**
   * The header fields that sign this response, or undefined when it need not be signed. Adapters
   * call it with the final status, headers and body bytes; a rejection must replace the response.
   */
  signResponse(
    identity: WorkloadIdentity | undefined,
    request: WorkloadRequest,
    response: ResponseToSign,
  ): Promise<Record<string, string> | undefined>;
  /**
   * Response header fields for an authenticated caller: `Deprecation`, `Sunset` and `Link` for a
   * bearer caller during a migration; empty otherwise. Adapters add them to the response.
   */
  responseHeaders(identity: WorkloadIdentity | undefined): Readonly<Record<string, string>>;
  /** Validates a route's migration setting once (a TypeError naming `where`); adapters call it at registration. */
  checkRouteMigration(value: unknown, where: string): void;
  /** The per-caller migration inventory, for operators. Rejects when no migration is configured. */
  migrationReport(): Promise<MigrationReport>;
  /** Forgets one caller's migration state (its ratchet too), or every caller's. */
  resetMigration(id?: string): Promise<void>;
  readonly mode: ProtectionMode;
  readonly exposeErrorDetail: boolean;
}

const MODES: readonly ProtectionMode[] = ['required', 'optional', 'off'];

export function isProtectionMode(value: unknown): value is ProtectionMode {
  return MODES.includes(value as ProtectionMode);
}

/**
 * The framework-agnostic half of every adapter: protection modes, policy evaluation and audit
 * around the verifier. Adapters only translate requests and responses.
 */
export function createWorkloadGuard(options: WorkloadGuardOptions): WorkloadGuard {
  if (typeof options !== 'object' || options === null) throw new TypeError('the WIMSE guard needs options');
  const verifier = isVerifier(options.verifier) ? options.verifier : createVerifier(options.verifier);
  const mode = options.mode ?? 'required';
  if (!isProtectionMode(mode)) throw new TypeError(`mode must be one of ${MODES.join(', ')}`);
  const policyTimeoutMs = options.policyTimeoutMs ?? 1000;
  if (!Number.isFinite(policyTimeoutMs) || policyTimeoutMs <= 0)
    throw new TypeError('policyTimeoutMs must be positive');
  const audit = options.audit;
  const simultaneous = checkSimultaneousCredentials(options.simultaneousCredentials);
  const responseSigner: ResponseSigner | undefined =
    options.responseSigning === undefined
      ? undefined
      : createResponseSigner(options.responseSigning, verifier.settings.profile, verifier.settings.now);
  if (audit !== undefined && typeof audit !== 'function' && typeof audit?.info !== 'function') {
    throw new TypeError('audit must be a function or a pino-compatible logger');
  }
  // A custom verifier may have no settings; the clock then is the real one, and no hop is trusted.
  const settings = verifier.settings as Partial<WorkloadVerifier['settings']> | undefined;
  const now: () => number = settings?.now ?? Date.now;
  const hops: HopTrust = {
    trustedProxies: settings?.trustedProxies ?? new Set(),
    acceptProxyCertificate: settings?.acceptProxyCertificate ?? false,
  };
  const plainHttp = plainHttpPeers(options.plainHttpFrom, hops.trustedProxies);
  const migration: MigrationSettings | undefined =
    options.migration === undefined ? undefined : normalizeMigrationOptions(options.migration, now);
  const metrics: DecisionMetrics = createDecisionMetrics(options.metrics);
  /** The migration mode each request was authenticated under, for its policy-stage events. */
  const migrationModes = new WeakMap<WorkloadRequest, MigrationMode>();

  /** One decision, to the audit sink, the diagnostics channel and metrics. */
  const decide = (event: AuditEvent, durationSec?: number) => {
    emitAudit(audit, event);
    publishDecision(event);
    metrics.record({
      proof: event.proof ?? 'none',
      outcome:
        event.stage === 'shadow' ? (event.decision === 'allow' ? 'shadow-allow' : 'shadow-deny') : event.decision,
      stage: event.stage,
      code: event.code,
      route: event.route,
      caller:
        event.workloadId !== undefined && migration?.metricWorkloads.has(event.workloadId)
          ? event.workloadId
          : undefined,
      durationSec,
    });
  };
  const observed = () => audit !== undefined || metrics.enabled || decisionChannelHasSubscribers();

  /** Every presented WIMSE credential, or the refusal of a request that presents none. */
  const authenticateWimse = async (
    request: WorkloadRequest,
    presented: PresentedCredentials,
    optional: boolean,
    readBody: (() => Promise<Uint8Array | undefined>) | undefined,
  ): Promise<Authentication> => {
    const proof = attemptedProof(presented, false);
    if (!presentsWimse(presented)) {
      if (optional) return { identity: undefined, proof };
      const accepted = acceptedCredentials(verifier, undefined, {});
      return { error: missingCredentials(accepted, askForCredentials(accepted, request, verifier)), proof };
    }
    try {
      const identity = await verifyPresentedCredentials({ verifier, request, presented, readBody, simultaneous });
      return { identity, proof: identity.proof };
    } catch (error) {
      if (error instanceof WimseError) return { error, proof };
      throw error;
    }
  };

  /** The same, on a guard with a migration: the mode of the route and of the caller decide. */
  const authenticateWithMigration = (
    settings: MigrationSettings,
    request: WorkloadRequest,
    presented: PresentedCredentials,
    route: RouteContext,
    optional: boolean,
    readBody: (() => Promise<Uint8Array | undefined>) | undefined,
  ): Promise<Authentication> => {
    const routeMigration = normalizeRouteMigration(route.migration, 'route migration');
    const accepted = () => acceptedCredentials(verifier, settings, routeMigration);
    const shadowBase = base(request, route);
    return authenticateMigrating({
      request,
      route: routeMigration,
      routeLabel: route.route,
      optional,
      presented,
      settings,
      verifyWimse: () => verifyPresentedCredentials({ verifier, request, presented, readBody, simultaneous }),
      askForCredentials: (bearerError) => askForCredentials(accepted(), request, verifier, bearerError),
      missingCredentials: () => {
        const acceptedHere = accepted();
        return missingCredentials(acceptedHere, askForCredentials(acceptedHere, request, verifier));
      },
      now,
      reportShadow: (outcome: ShadowOutcome) => decide(shadowEvent(shadowBase, outcome)),
    });
  };

  return {
    mode,
    exposeErrorDetail: options.exposeErrorDetail === true,
    async authenticate(received, route, readBody) {
      const routeMode = route.mode ?? mode;
      if (!isProtectionMode(routeMode)) throw new TypeError(`route mode must be one of ${MODES.join(', ')}`);
      if (routeMode === 'off') return undefined;
      const request = withFieldIndex(received);
      const started = performance.now();
      let outcome: Authentication;
      let attempted: WorkloadProof | 'none' = 'none';
      try {
        // What the request carries is decided once, before anything is verified; the audit names it.
        const presented = presentedCredentials(request, hops);
        attempted = attemptedProof(presented, migration !== undefined);
        if (presentsWimse(presented) || (migration !== undefined && presented.bearer))
          checkPlainHttp(request, plainHttp);
        const optional = routeMode === 'optional';
        outcome = migration
          ? await authenticateWithMigration(migration, request, presented, route, optional, readBody)
          : await authenticateWimse(request, presented, optional, readBody);
      } catch (error) {
        outcome = { error: asWimseError(error), proof: attempted };
      }
      if (outcome.migrationMode !== undefined) migrationModes.set(received, outcome.migrationMode);
      const { identity } = outcome;
      let failure = outcome.error;
      if (failure === undefined && identity === undefined) return undefined;
      if (identity?.proof === 'http-signature' && identity.signResponse && !responseSigner) {
        failure = new WimseError(
          'response_signing_unavailable',
          'the caller requires a signed response; none is configured',
        );
      }
      // The event is built only when something receives it (hot path).
      if (observed()) {
        decide(
          {
            ...base(request, route),
            stage: 'authentication',
            decision: failure === undefined ? 'allow' : failure.code === 'client_aborted' ? 'aborted' : 'deny',
            ...(failure === undefined ? identityFields(identity) : { code: failure.code, reason: failure.message }),
            ...migrationFields(outcome, failure === undefined ? identity : undefined),
          },
          (performance.now() - started) / 1000,
        );
      }
      if (failure !== undefined) throw failure;
      return identity;
    },
    responseHeaders(identity) {
      if (!migration || identity?.proof !== 'bearer') return {};
      return deprecationHeaders(migration, identity);
    },
    checkRouteMigration(value, where) {
      if (value !== undefined && !migration) {
        throw new TypeError(`${where}: a route migration setting needs the guard's migration option`);
      }
      normalizeRouteMigration(value as MigrationMode | RouteMigration | undefined, where);
    },
    async migrationReport() {
      if (!migration) throw new TypeError("migrationReport needs the guard's migration option");
      const settings = migration;
      const records = await boundedStoreCall(() => settings.store.list(), settings.storeTimeoutMs, 'list');
      return buildMigrationReport(records, settings, now());
    },
    async resetMigration(id) {
      if (!migration) throw new TypeError("resetMigration needs the guard's migration option");
      const settings = migration;
      await boundedStoreCall(() => settings.store.reset(id), settings.storeTimeoutMs, 'reset');
    },
    mustSignResponse: (identity) => responseSigner?.required(identity) ?? false,
    async signResponse(identity, request, response) {
      if (!responseSigner?.required(identity)) return undefined;
      return responseSigner.sign(identity, request, response);
    },
    async authorize(identity, request, policy, route) {
      const migrationMode = migrationModes.get(request);
      const context: Omit<AuditEvent, 'decision'> = {
        ...base(request, route),
        stage: 'authorization' as const,
        ...identityFields(identity),
        proof: identity?.proof ?? 'none',
        ...(migrationMode === undefined ? {} : { migrationMode }),
      };
      try {
        if (!identity) throw new WimseError('policy_denied', 'the route requires an authenticated workload');
        await evaluatePolicy(policy, identity, request, { timeoutMs: policyTimeoutMs });
        decide({ ...context, decision: 'allow' });
      } catch (error) {
        const failure = asWimseError(error);
        decide({ ...context, decision: 'deny', code: failure.code, reason: failure.message });
        throw failure;
      }
    },
  };
}

/**
 * The request with its fields indexed once for every lookup of the decision (guard, verifier).
 * A request whose headers are not a header record is passed on as it is: the verifier refuses it
 * inside the audited decision (503), as it always did.
 */
function withFieldIndex(request: WorkloadRequest): WorkloadRequest {
  if (typeof request !== 'object' || request === null) return request;
  const { headers } = request;
  if (typeof headers !== 'object' || headers === null) return request;
  let fields: WorkloadRequest['headers'];
  try {
    fields = indexFields(headers);
  } catch {
    return request;
  }
  return fields === headers ? request : { ...request, headers: fields };
}

function base(request: WorkloadRequest, route: RouteContext) {
  return { time: new Date().toISOString(), method: request.method, route: route.route };
}

/** Audit fields of the migration: the proof used or attempted, the mode, the dual-send context. */
function migrationFields(outcome: Authentication, identity: WorkloadIdentity | undefined) {
  const bearer = identity?.proof === 'http-signature' ? identity.bearer : undefined;
  return {
    proof: outcome.proof,
    ...(outcome.migrationMode === undefined ? {} : { migrationMode: outcome.migrationMode }),
    ...(bearer === undefined ? {} : { dualSend: { bearerWorkloadId: bearer.id, mismatch: bearer.mismatch } }),
  };
}

/** The would-be outcome of a WIT verified in shadow. */
function shadowEvent(common: ReturnType<typeof base>, outcome: ShadowOutcome): AuditEvent {
  if (outcome.identity) {
    return {
      ...common,
      stage: 'shadow',
      decision: 'allow',
      proof: outcome.identity.proof,
      migrationMode: 'shadow',
      ...identityFields(outcome.identity),
    };
  }
  const error = outcome.error;
  return {
    ...common,
    stage: 'shadow',
    decision: 'deny',
    proof: 'http-signature',
    migrationMode: 'shadow',
    code: error?.code,
    reason: error?.message,
  };
}

function isVerifier(value: unknown): value is WorkloadVerifier {
  return typeof (value as WorkloadVerifier | undefined)?.verify === 'function';
}

/** Anything that is not already a WimseError is an internal fault: refuse, never allow. */
function asWimseError(error: unknown): WimseError {
  if (error instanceof WimseError) return error;
  return new WimseError('unavailable', 'verification failed unexpectedly', { cause: error });
}
