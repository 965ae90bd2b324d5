import { WimseError } from '../errors/wimse-error.js';
import { evaluatePolicy } from '../policy/evaluate-policy.js';
import type { WorkloadPolicy } from '../policy/types.js';
import type { ResponseToSign } from '../signing/sign-response.js';
import type { WorkloadIdentity } from '../types/identity.js';
import type { VerifierOptions } from '../types/options.js';
import type { WorkloadRequest } from '../types/request.js';
import { createVerifier, type WorkloadVerifier } from '../verifier/create-verifier.js';
import { type AuditSink, emitAudit, identityFields } from './audit-event.js';
import { createResponseSigner, type ResponseSigner, type ResponseSigningOptions } from './response-signer.js';

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
}

/** What a route asks of the guard. */
export interface RouteContext {
  /** A route label for audit (the route pattern, or the path). */
  readonly route: string;
  readonly mode?: ProtectionMode | undefined;
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
  /**
   * The header fields that sign this response, or undefined when it need not be signed. Adapters
   * call it with the final status, headers and body bytes; a rejection must replace the response.
   */
  /** Whether the response to this request must be signed (adapters buffer its body only then). */
  mustSignResponse(identity: WorkloadIdentity | undefined): boolean;
  signResponse(
    identity: WorkloadIdentity | undefined,
    request: WorkloadRequest,
    response: ResponseToSign,
  ): Promise<Record<string, string> | undefined>;
  readonly mode: ProtectionMode;
  readonly exposeErrorDetail: boolean;
}

const WIMSE_FIELDS = ['workload-identity-token', 'signature', 'signature-input'];
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
  const responseSigner: ResponseSigner | undefined =
    options.responseSigning === undefined
      ? undefined
      : createResponseSigner(options.responseSigning, verifier.settings.profile, verifier.settings.now);
  if (audit !== undefined && typeof audit !== 'function' && typeof audit?.info !== 'function') {
    throw new TypeError('audit must be a function or a pino-compatible logger');
  }

  return {
    mode,
    exposeErrorDetail: options.exposeErrorDetail === true,
    async authenticate(request, route, readBody) {
      const routeMode = route.mode ?? mode;
      if (!isProtectionMode(routeMode)) throw new TypeError(`route mode must be one of ${MODES.join(', ')}`);
      if (routeMode === 'off') return undefined;
      if (routeMode === 'optional' && !carriesWimseCredentials(request)) return undefined;
      try {
        const complete = readBody ? { ...request, readBody } : request;
        const identity = await verifier.verify(complete);
        if (identity.proof === 'http-signature' && identity.signResponse && !responseSigner) {
          throw new WimseError(
            'response_signing_unavailable',
            'the caller requires a signed response; none is configured',
          );
        }
        // The event is built only when there is a sink to receive it (hot path).
        if (audit) {
          emitAudit(audit, {
            ...base(request, route),
            stage: 'authentication',
            decision: 'allow',
            ...identityFields(identity),
          });
        }
        return identity;
      } catch (error) {
        const failure = asWimseError(error);
        if (audit) {
          emitAudit(audit, {
            ...base(request, route),
            stage: 'authentication',
            decision: failure.code === 'client_aborted' ? 'aborted' : 'deny',
            code: failure.code,
            reason: failure.message,
          });
        }
        throw failure;
      }
    },
    mustSignResponse: (identity) => responseSigner?.required(identity) ?? false,
    async signResponse(identity, request, response) {
      if (!responseSigner?.required(identity)) return undefined;
      return responseSigner.sign(identity, request, response);
    },
    async authorize(identity, request, policy, route) {
      try {
        if (!identity) throw new WimseError('policy_denied', 'the route requires an authenticated workload');
        await evaluatePolicy(policy, identity, request, { timeoutMs: policyTimeoutMs });
        emitAudit(audit, {
          ...base(request, route),
          stage: 'authorization',
          decision: 'allow',
          ...identityFields(identity),
        });
      } catch (error) {
        const failure = asWimseError(error);
        emitAudit(audit, {
          ...base(request, route),
          stage: 'authorization',
          decision: 'deny',
          ...identityFields(identity),
          code: failure.code,
          reason: failure.message,
        });
        throw failure;
      }
    },
  };
}

function base(request: WorkloadRequest, route: RouteContext) {
  return { time: new Date().toISOString(), method: request.method, route: route.route };
}

/** Whether a request carries any WIMSE credential field (an `optional` route verifies only those). */
export function carriesWimseCredentials(request: Pick<WorkloadRequest, 'headers'>): boolean {
  return Object.keys(request.headers).some((name) => WIMSE_FIELDS.includes(name.toLowerCase()));
}

function isVerifier(value: unknown): value is WorkloadVerifier {
  return typeof (value as WorkloadVerifier | undefined)?.verify === 'function';
}

/** Anything that is not already a WimseError is an internal fault: refuse, never allow. */
function asWimseError(error: unknown): WimseError {
  if (error instanceof WimseError) return error;
  return new WimseError('unavailable', 'verification failed unexpectedly', { cause: error });
}
