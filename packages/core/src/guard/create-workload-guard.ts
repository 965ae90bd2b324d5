import { WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadProof } from '../identity/workload-identity.js';
import type { MigrationMode } from '../migration/migration-options.js';
import type { WorkloadGuard, WorkloadGuardOptions } from './guard-options.js';
import { isProtectionMode } from './guard-options.js';
import { normalizeGuardOptions } from './normalize-guard-options.js';
import { withTransactionContext } from './steps/attach-transaction-context.js';
import { authenticateChoice } from './steps/authenticate-choice.js';
import type { Authentication } from './steps/authentication.js';
import { authenticationEvent } from './steps/authentication-event.js';
import { asWimseError, authorize } from './steps/authorize.js';
import { chooseProof } from './steps/choose-proof.js';
import { migrationOperations } from './steps/migration-operations.js';
import { createDecisionRecorder } from './steps/record-decision.js';
import { checkTransactionRoute, transactionRoute } from './steps/transaction-route.js';

/**
 * The framework-agnostic half of every adapter: the guard assembles the named steps around the
 * verifier (choose the proof, authenticate, migrate, authorize, audit, sign). Adapters only
 * translate requests and responses.
 */
export function createWorkloadGuard(options: WorkloadGuardOptions): WorkloadGuard {
  const settings = normalizeGuardOptions(options);
  const { migration, responseSigner } = settings;
  const recorder = createDecisionRecorder({
    audit: settings.audit,
    metrics: settings.metrics,
    metricWorkloads: migration?.metricWorkloads ?? new Set(),
  });
  /** The migration mode each request was authenticated under, for its policy-stage events. */
  const migrationModes = new WeakMap<WorkloadRequest, MigrationMode>();

  return {
    mode: settings.mode,
    exposeErrorDetail: settings.exposeErrorDetail,
    async authenticate(request, route, readBody) {
      const mode = route.mode ?? settings.mode;
      if (!isProtectionMode(mode)) throw new TypeError(`route mode must be one of required, optional, off`);
      if (mode === 'off') return undefined;
      const transactions = transactionRoute(route, settings.transactions);
      const started = performance.now();
      let proof: WorkloadProof | 'none' = 'none';
      let outcome: Authentication;
      try {
        // 1. What the request carries, decided once, before anything is verified.
        const choice = chooseProof(
          { request, readBody, hops: settings.hops, plainHttp: settings.plainHttp, bearerIsCredential: !!migration },
          (attempted) => {
            proof = attempted;
          },
        );
        // 2-3. Authenticate every presented credential, under the route's migration when configured.
        outcome = await authenticateChoice(settings, choice, route, mode === 'optional', recorder.record);
        // 4. The Txn-Token, once the caller is authenticated, bound to its proof.
        if (transactions !== undefined && settings.transactions !== undefined && outcome.error === undefined) {
          outcome = await withTransactionContext(outcome, request, settings.transactions, transactions);
        }
      } catch (error) {
        outcome = { error: asWimseError(error), proof };
      }
      if (outcome.migrationMode !== undefined) migrationModes.set(request, outcome.migrationMode);
      const { identity } = outcome;
      let failure = outcome.error;
      if (failure === undefined && identity === undefined) return undefined;
      // 5. A caller that requires a signed response this service cannot produce is refused now.
      if (identity?.proof === 'http-signature' && identity.signResponse && !responseSigner) {
        failure = new WimseError(
          'response_signing_unavailable',
          'the caller requires a signed response; none is configured',
        );
      }
      // 6. Audit (the event is built only when something receives it: the hot path).
      if (recorder.observed()) {
        const event = authenticationEvent(request, route.route, outcome, failure);
        recorder.record(event, (performance.now() - started) / 1000);
      }
      if (failure !== undefined) throw failure;
      return identity;
    },
    async authorize(identity, request, policy, route) {
      const migrationMode = migrationModes.get(request);
      const timeoutMs = settings.policyTimeoutMs;
      // 7. The route's policy.
      const { event, refusal } = await authorize({
        identity,
        request,
        policy,
        route: route.route,
        timeoutMs,
        migrationMode,
      });
      recorder.record(event);
      if (refusal) throw refusal;
    },
    checkRouteTransactionToken: (value, where) =>
      checkTransactionRoute(value, where, settings.transactions, settings.mode),
    mustSignResponse: (identity) => responseSigner?.required(identity) ?? false,
    async signResponse(identity, request, response) {
      if (!responseSigner?.required(identity)) return undefined;
      return responseSigner.sign(identity, request, response);
    },
    ...migrationOperations(migration, settings.now),
  };
}
