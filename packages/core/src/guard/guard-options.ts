import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import type { MigrationMode, MigrationOptions, RouteMigration } from '../migration/migration-options.js';
import type { MigrationReport } from '../migration/migration-report.js';
import type { MetricsOption } from '../observability/decision-metrics.js';
import type { WorkloadPolicy } from '../policy/types.js';
import type { ResponseToSign } from '../signing/sign-response.js';
import type {
  TransactionTokenOptions,
  TransactionTokenRequirement,
  UnboundTransactionToken,
} from '../txn/transaction-token-options.js';
import type { WorkloadVerifier } from '../verifier/create-verifier.js';
import type { VerifierOptions } from '../verifier/verifier-options.js';
import type { AuditSink } from './audit-event.js';
import type { ResponseSigningOptions } from './steps/sign-response-step.js';
import type { SimultaneousCredentials } from './steps/verify-presented-credentials.js';

/**
 * `required`: every request must prove a workload identity. `optional`: an identity is attached
 * when credentials are present and valid; present but invalid credentials are still rejected.
 * `off`: WIMSE headers are ignored.
 */
export type ProtectionMode = 'required' | 'optional' | 'off';

/** Options of {@link createWorkloadGuard}, validated once at construction. */
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
   * the guard accepts WIMSE credentials only; `Authorization: Bearer` is no credential of its own.
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
  /**
   * Transaction Tokens (draft-ietf-oauth-transaction-tokens): the audience and keys to verify them
   * with. A verified token's context is `identity.transaction`; the caller's proof must bind it.
   * Without this option a `Txn-Token` field is not read (and routes cannot require one).
   */
  readonly transactionTokens?: TransactionTokenOptions;
}

/** What a route asks of the guard. */
export interface RouteContext {
  /** A route label for audit (the route pattern, or the path). */
  readonly route: string;
  readonly mode?: ProtectionMode | undefined;
  /** The route's migration mode and floor (checked with `checkRouteMigration` when the route is added). */
  readonly migration?: MigrationMode | RouteMigration | undefined;
  /** Whether the route requires a Txn-Token (default: the guard's `transactionTokens.required`). */
  readonly transactionToken?: TransactionTokenRequirement | undefined;
  /** A Txn-Token from a caller whose proof cannot bind it (mTLS, bearer): `refuse` (default) or `accept`. */
  readonly unboundTransactionToken?: UnboundTransactionToken | undefined;
}

/** The framework-agnostic guard the adapters call: authenticates a request per its route, authorizes it, audits the decision, signs the response. */
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
  /**
   * Validates a route's Transaction Token settings once (a TypeError naming `where`): known values,
   * and a guard configured with `transactionTokens`. Adapters call it at registration.
   */
  checkRouteTransactionToken(route: Omit<RouteContext, 'route'>, where: string): void;
  /** The per-caller migration inventory, for operators. Rejects when no migration is configured. */
  migrationReport(): Promise<MigrationReport>;
  /** Forgets one caller's migration state (its ratchet too), or every caller's. */
  resetMigration(id?: string): Promise<void>;
  readonly mode: ProtectionMode;
  readonly exposeErrorDetail: boolean;
}

const PROTECTION_MODES: readonly ProtectionMode[] = ['required', 'optional', 'off'];

/** Whether a value is a {@link ProtectionMode}. */
export function isProtectionMode(value: unknown): value is ProtectionMode {
  return PROTECTION_MODES.includes(value as ProtectionMode);
}
