import { expectObject, optionError, positiveNumber } from '../base/options/option-checks.js';
import { type MigrationSettings, normalizeMigrationOptions } from '../migration/normalize-migration-options.js';
import { createDecisionMetrics, type DecisionMetrics } from '../observability/decision-metrics.js';
import type { HopTrust } from '../request/hop-trust.js';
import {
  createTransactionTokenVerifier,
  type TransactionTokenVerifier,
} from '../txn/create-transaction-token-verifier.js';
import type { TransactionTokenOptions } from '../txn/transaction-token-options.js';
import { createVerifier, type WorkloadVerifier } from '../verifier/create-verifier.js';
import type { VerifierOptions } from '../verifier/verifier-options.js';
import type { AuditSink } from './audit-event.js';
import { isProtectionMode, type ProtectionMode, type WorkloadGuardOptions } from './guard-options.js';
import { type PlainHttpPeers, plainHttpPeers } from './steps/plain-http-peers.js';
import { createResponseSigner, type ResponseSigner } from './steps/sign-response-step.js';
import { checkSimultaneousCredentials, type SimultaneousCredentials } from './steps/verify-presented-credentials.js';

/** The guard's options after validation: every default applied, every value checked once. */
export interface GuardSettings {
  readonly verifier: WorkloadVerifier;
  readonly mode: ProtectionMode;
  readonly policyTimeoutMs: number;
  readonly audit: AuditSink | undefined;
  readonly exposeErrorDetail: boolean;
  readonly simultaneous: SimultaneousCredentials;
  readonly responseSigner: ResponseSigner | undefined;
  readonly migration: MigrationSettings | undefined;
  readonly metrics: DecisionMetrics;
  readonly hops: HopTrust;
  readonly plainHttp: PlainHttpPeers;
  /** Transaction Tokens; undefined when the guard does not read them. */
  readonly transactions: TransactionTokenVerifier | undefined;
  readonly now: () => number;
}

const WHERE = 'createWorkloadGuard';

export function normalizeGuardOptions(value: WorkloadGuardOptions): GuardSettings {
  const options = expectObject(value, `${WHERE}: options`, 'an object like { verifier: { trustDomains, audiences } }');
  const verifier = isVerifier(options.verifier)
    ? options.verifier
    : createVerifier(options.verifier as VerifierOptions);
  const mode = options.mode ?? 'required';
  if (!isProtectionMode(mode)) throw optionError(`${WHERE}: mode`, "one of 'required', 'optional', 'off'", mode);
  const audit = options.audit as AuditSink | undefined;
  if (audit !== undefined && typeof audit !== 'function' && typeof audit?.info !== 'function') {
    throw optionError(`${WHERE}: audit`, 'a function or a pino-compatible logger', audit);
  }
  // A custom verifier may have no settings: the real clock then, and no hop trusted.
  const settings = verifier.settings as Partial<WorkloadVerifier['settings']> | undefined;
  const now = settings?.now ?? Date.now;
  const hops: HopTrust = {
    trustedProxies: settings?.trustedProxies ?? new Set(),
    acceptProxyCertificate: settings?.acceptProxyCertificate ?? false,
  };
  const signing = options.responseSigning as WorkloadGuardOptions['responseSigning'];
  return {
    verifier,
    mode,
    policyTimeoutMs: positiveNumber(options.policyTimeoutMs, 1000, `${WHERE}: policyTimeoutMs`),
    audit,
    exposeErrorDetail: options.exposeErrorDetail === true,
    simultaneous: checkSimultaneousCredentials(options.simultaneousCredentials, `${WHERE}: simultaneousCredentials`),
    responseSigner:
      signing === undefined
        ? undefined
        : createResponseSigner(signing, verifier.settings.profile, verifier.settings.now),
    migration:
      options.migration === undefined
        ? undefined
        : normalizeMigrationOptions(options.migration as WorkloadGuardOptions['migration'] & object, now),
    metrics: createDecisionMetrics(options.metrics as WorkloadGuardOptions['metrics']),
    hops,
    plainHttp: plainHttpPeers(options.plainHttpFrom, hops.trustedProxies),
    transactions:
      options.transactionTokens === undefined
        ? undefined
        : createTransactionTokenVerifier(
            options.transactionTokens as TransactionTokenOptions,
            `${WHERE}: transactionTokens`,
            { now, clockToleranceSec: settings?.clockToleranceSec ?? 60 },
          ),
    now,
  };
}

function isVerifier(value: unknown): value is WorkloadVerifier {
  return typeof (value as WorkloadVerifier | undefined)?.verify === 'function';
}
